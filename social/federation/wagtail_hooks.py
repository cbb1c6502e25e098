"""The "Federation" menu in the Wagtail admin: followers, replies to moderate, deliveries, hosts, blocks."""

from django.urls import path
from wagtail import hooks
from wagtail.admin.ui.tables import Column, DateColumn
from wagtail.admin.views import generic
from wagtail.admin.viewsets.model import ModelViewSet, ModelViewSetGroup
from wagtail.admin.widgets import ListingButton

from . import admin_views
from .models import ActorBlock, Comment, Delivery, DomainBlock, FederatedObject, Follow, Host, InboxItem


@hooks.register("register_admin_urls")
def register_admin_urls():
    return [path("federation/action/<slug:name>/<id:pk>/", admin_views.action_view, name="federation_action")]


def _index_with_actions(*names: str):
    """An IndexView whose rows carry buttons for the named actions that apply to them."""

    class IndexView(generic.IndexView):
        def get_list_buttons(self, instance):
            buttons = super().get_list_buttons(instance)
            for name in names:
                action = admin_views.ACTIONS[name]
                if action.applies(instance):
                    url = f"{admin_views.action_url(name, instance.pk)}?next={self.request.get_full_path()}"
                    buttons.insert(0, ListingButton(action.label, url=url, priority=5))
            return buttons

    return IndexView


class FederatedObjectViewSet(ModelViewSet):
    model = FederatedObject
    menu_label = "Federated posts"
    icon = "doc-full-inverse"
    list_display = ["__str__", "object_key", "url", "pinned", DateColumn("updated"), DateColumn("deleted")]
    list_filter = ["pinned"]
    search_fields = ["object_key", "url"]
    form_fields = ["pinned"]


class FollowViewSet(ModelViewSet):
    model = Follow
    menu_label = "Followers"
    icon = "group"
    list_display = ["remote_actor", "local_actor", "state", DateColumn("created")]
    list_filter = ["local_actor", "state"]
    search_fields = ["remote_actor__uri", "remote_actor__username"]
    form_fields = ["state"]
    index_view_class = _index_with_actions("follow-accept", "follow-reject")


class CommentViewSet(ModelViewSet):
    model = Comment
    menu_label = "Replies to moderate"
    icon = "comment"
    list_display = [
        "remote_actor",
        Column("object", label="Post"),
        Column("excerpt", label="Reply", accessor=lambda c: c.content[:120]),
        "status",
        DateColumn("published"),
    ]
    list_filter = ["status"]
    search_fields = ["content"]
    form_fields = ["status", "content"]
    index_view_class = _index_with_actions("comment-approve", "comment-reject")


class DeliveryViewSet(ModelViewSet):
    model = Delivery
    menu_label = "Deliveries"
    icon = "mail"
    list_display = ["activity", "inbox", "state", "attempts", "last_status", DateColumn("next_attempt")]
    list_filter = ["state", "host__dead"]
    search_fields = ["inbox"]
    form_fields = ["state"]
    index_view_class = _index_with_actions("delivery-retry")


class HostViewSet(ModelViewSet):
    model = Host
    menu_label = "Remote hosts"
    icon = "site"
    list_display = [
        "domain",
        "dead",
        "signature_scheme",
        DateColumn("failing_since"),
        DateColumn("last_success"),
    ]
    list_filter = ["dead"]
    search_fields = ["domain"]
    form_fields = ["dead"]
    index_view_class = _index_with_actions("host-revive")


class InboxItemViewSet(ModelViewSet):
    model = InboxItem
    menu_label = "Inbox log"
    icon = "doc-full"
    list_display = ["activity_type", "actor_uri", "state", "error", DateColumn("received")]
    list_filter = ["state", "activity_type"]
    search_fields = ["actor_uri", "activity_uri"]
    form_fields = ["state"]


class DomainBlockViewSet(ModelViewSet):
    model = DomainBlock
    menu_label = "Blocked domains"
    icon = "lock"
    list_display = ["domain", "reason", DateColumn("created")]
    search_fields = ["domain"]
    form_fields = ["domain", "reason"]


class ActorBlockViewSet(ModelViewSet):
    model = ActorBlock
    menu_label = "Blocked accounts"
    icon = "lock"
    list_display = ["uri", "reason", DateColumn("created")]
    search_fields = ["uri"]
    form_fields = ["uri", "reason"]


class FederationGroup(ModelViewSetGroup):
    menu_label = "Federation"
    menu_icon = "globe"
    menu_order = 260
    items = [
        FollowViewSet("federation_followers"),
        FederatedObjectViewSet("federation_objects"),
        CommentViewSet("federation_comments"),
        DeliveryViewSet("federation_deliveries"),
        HostViewSet("federation_hosts"),
        InboxItemViewSet("federation_inbox"),
        DomainBlockViewSet("federation_domain_blocks"),
        ActorBlockViewSet("federation_actor_blocks"),
    ]


@hooks.register("register_admin_viewset")
def register_viewset():
    return FederationGroup()
