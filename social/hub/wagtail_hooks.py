"""The "Social" menu in the Wagtail admin: Timeline, Compose, Following, Notifications (unread), Blocks."""

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


class NotificationsMenuItem(HubMenuItem):
    """Shows the unread count in its label, counted per request (the sidebar is not cached)."""

    def render_component(self, request):
        component = super().render_component(request)
        unread = selectors.notifications_unread_count()
        if unread:
            component.label = f"Notifications ({unread})"
        return component


class SocialMenuItem(SubmenuMenuItem):
    def render_component(self, request):
        component = super().render_component(request)
        unread = selectors.notifications_unread_count()
        if unread:
            component.label = f"Social ({unread})"
        return component


@hooks.register("register_admin_menu_item")
def register_social_menu():
    items = [
        HubMenuItem("Timeline", reverse("hub:timeline"), name="hub-timeline", icon_name="list-ul", order=100),
        HubMenuItem("Compose", reverse("hub:compose"), name="hub-compose", icon_name="edit", order=200),
        HubMenuItem(
            "Following", reverse("hub:following"), name="hub-following", icon_name="group", order=300
        ),
        NotificationsMenuItem(
            "Notifications",
            reverse("hub:notifications"),
            name="hub-notifications",
            icon_name="mail",
            order=400,
        ),
        HubMenuItem("Blocks", reverse("hub:blocks"), name="hub-blocks", icon_name="lock", order=500),
    ]
    return SocialMenuItem("Social", Menu(items=items), name="social", icon_name="globe", order=250)
