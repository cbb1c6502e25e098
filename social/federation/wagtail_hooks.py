"""The "Federation" menu in the Wagtail admin: followers, replies to moderate, deliveries, hosts, blocks."""

from django.core.exceptions import PermissionDenied
from django.urls import path
from wagtail import hooks
from wagtail.admin.admin_url_finder import ModelAdminURLFinder
from wagtail.admin.ui.tables import Column, DateColumn
from wagtail.admin.views import generic
from wagtail.admin.viewsets.model import ModelViewSet, ModelViewSetGroup
from wagtail.admin.widgets import ListingButton
from wagtail.permissions import policy_registry, register_permission_policy

from . import admin_views
from .display import object_title, remote_html
from .models import ActorBlock, Comment, Delivery, DomainBlock, FederatedObject, Follow, Host, InboxItem
from .permissions import comment_permission_policy

# An editor sees the replies to their own posts only (social/federation/permissions.py).
register_permission_policy(Comment, comment_permission_policy)


@hooks.register("register_admin_urls")
def register_admin_urls():
    return [path("federation/action/<slug:name>/<id:pk>/", admin_views.action_view, name="federation_action")]


def _index_with_actions(*names: str):
    """An IndexView whose rows carry buttons for the named actions that apply to them."""

    class IndexView(generic.IndexView):
        def get_base_queryset(self):
            # The rows this user may act on: all of them for most, an editor's own posts' replies.
            policy = policy_registry.get_by_type(self.model)
            return super().get_base_queryset() & policy.instances_user_has_any_permission_for(
                self.request.user, ["change", "view"]
            )

        def get_list_buttons(self, instance):
            buttons = super().get_list_buttons(instance)
            for name in names:
                action = admin_views.ACTIONS[name]
                if action.applies(instance) and admin_views.action_allowed(self.request.user, instance):
                    url = f"{admin_views.action_url(name, instance.pk)}?next={self.request.get_full_path()}"
                    buttons.insert(0, ListingButton(action.label, url=url, priority=5))
            return buttons

    return IndexView


class FederationViewSet(ModelViewSet):
    """A list titled as its menu item ("Replies to moderate"), not by the model's name ("Comments")."""

    def get_index_view_kwargs(self, **kwargs):
        return super().get_index_view_kwargs(**{"page_title": self.menu_label, **kwargs})


class InspectView(generic.InspectView):
    """One row's page, for whoever may act on that row (an editor: replies to their own posts)."""

    def get_object(self, queryset=None):
        instance = super().get_object(queryset)
        policy = policy_registry.get_by_type(self.model)
        if not policy.user_has_any_permission_for_instance(self.request.user, ["change", "view"], instance):
            raise PermissionDenied
        return instance


class ReadOnlyViewSet(FederationViewSet):
    """Rows that arrive by themselves (deliveries, inbox items, remote replies): listed and inspected,
    acted on through the actions above, never added or edited by hand. No "Add" button, and the add,
    edit, copy and delete URLs do not exist (404)."""

    inspect_view_enabled = True
    inspect_view_class = InspectView
    copy_view_enabled = False

    def get_urlpatterns(self):
        # Built here rather than filtered from ModelViewSet's: that builds the add and edit views,
        # and their forms, before any could be left out.
        conv = self.pk_path_converter
        return [
            path("", self.index_view, name="index"),
            path("results/", self.index_results_view, name="index_results"),
            path(f"inspect/<{conv}:pk>/", self.inspect_view, name="inspect"),
            path(f"history/<{conv}:pk>/", self.history_view, name="history"),
            path(f"history-results/<{conv}:pk>/", self.history_results_view, name="history_results"),
            path(f"usage/<{conv}:pk>/", self.usage_view, name="usage"),
        ]

    def get_common_view_kwargs(self, **kwargs):
        return super().get_common_view_kwargs(
            **{"add_url_name": None, "edit_url_name": None, "delete_url_name": None, **kwargs}
        )

    @property
    def url_finder_class(self):
        # Links to a row from elsewhere in the admin open its inspect page, the only page it has.
        return type(
            "_InspectURLFinder", (ModelAdminURLFinder,), {"edit_url_name": self.get_url_name("inspect")}
        )


class NoAddViewSet(FederationViewSet):
    """Rows that arrive by themselves but keep a field staff may change (a post's "pinned"): edited,
    never added by hand. No "Add" button; the add and copy URLs do not exist."""

    copy_view_enabled = False

    def get_urlpatterns(self):
        return [pattern for pattern in super().get_urlpatterns() if pattern.name != "add"]

    def get_common_view_kwargs(self, **kwargs):
        return super().get_common_view_kwargs(**{"add_url_name": None, **kwargs})


class FederatedObjectViewSet(NoAddViewSet):
    model = FederatedObject
    menu_label = "Federated posts"
    icon = "doc-full-inverse"
    list_display = ["__str__", "object_key", "url", "pinned", DateColumn("updated"), DateColumn("deleted")]
    list_filter = ["pinned"]
    search_fields = ["object_key", "url"]
    form_fields = ["pinned"]


class FollowViewSet(ReadOnlyViewSet):
    # Accepting or rejecting sends the Accept or Reject activity: the actions, never a bare edit.
    model = Follow
    menu_label = "Followers"
    icon = "group"
    list_display = ["remote_actor", "local_actor", "state", DateColumn("created")]
    list_filter = ["local_actor", "state"]
    search_fields = ["remote_actor__uri", "remote_actor__username"]
    index_view_class = _index_with_actions("follow-accept", "follow-reject")


class CommentViewSet(ReadOnlyViewSet):
    model = Comment
    menu_label = "Replies to moderate"
    icon = "comment"
    list_display = [
        "remote_actor",
        Column("post", label="Post", accessor=lambda c: object_title(c.object)),
        Column("reply", label="Reply", accessor=lambda c: remote_html(c.content, words=40)),
        "status",
        DateColumn("published"),
    ]
    list_filter = ["status"]
    search_fields = ["content"]
    inspect_view_fields = ["remote_actor", "object", "url", "status", "published", "updated"]
    index_view_class = _index_with_actions("comment-approve", "comment-reject")


class DeliveryViewSet(ReadOnlyViewSet):
    model = Delivery
    menu_label = "Deliveries"
    icon = "mail"
    list_display = [
        "activity",
        "inbox",
        "state",
        Column("state_attempts", label="Tries"),
        "last_status",
        DateColumn("due_at", label="Next try"),
    ]
    list_filter = ["state", "host__dead"]
    search_fields = ["inbox"]
    index_view_class = _index_with_actions("delivery-retry")


class HostViewSet(ReadOnlyViewSet):
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
    index_view_class = _index_with_actions("host-revive")


class InboxItemViewSet(ReadOnlyViewSet):
    model = InboxItem
    menu_label = "Inbox log"
    icon = "doc-full"
    list_display = ["activity_type", "actor_uri", "state", "last_error", DateColumn("received")]
    list_filter = ["state", "activity_type"]
    search_fields = ["actor_uri", "activity_uri"]


class DomainBlockViewSet(FederationViewSet):
    model = DomainBlock
    menu_label = "Blocked domains"
    icon = "lock"
    list_display = ["domain", "reason", DateColumn("created")]
    search_fields = ["domain"]
    form_fields = ["domain", "reason"]


class ActorBlockViewSet(FederationViewSet):
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
