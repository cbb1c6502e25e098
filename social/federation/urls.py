"""Federation routes: /.well-known discovery, NodeInfo and everything under /ap/."""

from django.urls import path, re_path

from . import collection_views, views

urlpatterns = [
    path(".well-known/webfinger", views.webfinger, name="federation-webfinger"),
    path(".well-known/host-meta", views.host_meta, name="federation-host-meta"),
    path(".well-known/nodeinfo", views.nodeinfo_discovery, name="federation-nodeinfo-discovery"),
    path("nodeinfo/2.1", views.nodeinfo, name="federation-nodeinfo"),
    path("ap/inbox", views.inbox, name="federation-shared-inbox"),
    path("ap/users/<slug:username>", views.actor, name="federation-actor"),
    path("ap/users/<slug:username>/inbox", views.inbox, name="federation-inbox"),
    path("ap/users/<slug:username>/outbox", collection_views.outbox, name="federation-outbox"),
    path("ap/users/<slug:username>/followers", collection_views.followers, name="federation-followers"),
    path("ap/users/<slug:username>/following", collection_views.following, name="federation-following"),
    path("ap/users/<slug:username>/featured", collection_views.featured, name="federation-featured"),
    path("ap/objects/<slug:slug>", views.object_view, name="federation-object"),
    # A later period of the object (FederatedObject.period): ids.object_id spells it.
    re_path(r"^ap/objects/(?P<slug>[-\w]+)/(?P<period>[2-9]|[1-9][0-9]+)$", views.object_view),
    re_path(
        r"^ap/objects/(?P<slug>[-\w]+)/(?:(?P<period>[2-9]|[1-9][0-9]+)/)?(?P<collection>likes|shares)$",
        views.object_collection,
        name="federation-object-collection",
    ),
    path("ap/activities/<str:activity_id>", views.activity_view, name="federation-activity"),
]
