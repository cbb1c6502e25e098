"""The "Social" menu in the Wagtail admin: Timeline (new), Compose, Following, Notifications (unread), Blocks.

The counts are the editor's own: each editor has their own read markers.
"""

from django.urls import include, path, reverse
from wagtail import hooks
from wagtail.admin.menu import Menu, MenuItem, SubmenuMenuItem

from . import admin_urls, selectors
from .views import PERMISSION


@hooks.register("register_admin_urls")
def register_admin_urls():
    return [path("hub/", include(admin_urls, namespace="hub"))]


class HubMenuItem(MenuItem):
    def is_shown(self, request):
        return request.user.has_perm(PERMISSION)


def _unread(request) -> tuple[int, int]:
    """(timeline, notifications) new to the editor asking: counted once per request (the sidebar is
    not cached, and three menu items show these counts)."""
    counts = getattr(request, "_hub_unread", None)
    if counts is None:
        counts = request._hub_unread = (
            selectors.timeline_unread_count(request.user),
            selectors.notifications_unread_count(request.user),
        )
    return counts


TIMELINE, NOTIFICATIONS = 0, 1  # positions in _unread()'s pair


class CountingMenuItem(HubMenuItem):
    """Shows this editor's own unread count in its label: new timeline items or notifications."""

    def __init__(self, *args, counts: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.counts = counts

    def render_component(self, request):
        component = super().render_component(request)
        unread = _unread(request)[self.counts]
        if unread:
            component.label = f"{component.label} ({unread})"
        return component


class SocialMenuItem(SubmenuMenuItem):
    def render_component(self, request):
        component = super().render_component(request)
        if request.user.has_perm(PERMISSION):
            unread = _unread(request)[1]
            if unread:
                component.label = f"Social ({unread})"
        return component


@hooks.register("register_admin_menu_item")
def register_social_menu():
    items = [
        CountingMenuItem(
            "Timeline",
            reverse("hub:timeline"),
            name="hub-timeline",
            icon_name="list-ul",
            order=100,
            counts=TIMELINE,
        ),
        HubMenuItem("Compose", reverse("hub:compose"), name="hub-compose", icon_name="edit", order=200),
        HubMenuItem(
            "Following", reverse("hub:following"), name="hub-following", icon_name="group", order=300
        ),
        CountingMenuItem(
            "Notifications",
            reverse("hub:notifications"),
            name="hub-notifications",
            icon_name="mail",
            order=400,
            counts=NOTIFICATIONS,
        ),
        HubMenuItem("Blocks", reverse("hub:blocks"), name="hub-blocks", icon_name="lock", order=500),
    ]
    return SocialMenuItem("Social", Menu(items=items), name="social", icon_name="globe", order=250)
