"""The flow log, behavior graphs and staff notifications in the Wagtail admin (menu and dashboard)."""

from django.contrib.auth.models import Permission
from django.urls import path, reverse
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.ui.components import Component

from social import admin_views, selectors


@hooks.register("register_admin_urls")
def register_admin_urls():
    return [
        path("flows/", admin_views.flows_index, name="social_admin_flows"),
        path("flows/behaviors/", admin_views.behaviors_index, name="social_admin_behaviors"),
        path(
            "flows/behaviors/<slug:name>.svg",
            admin_views.behavior_graph_svg,
            name="social_admin_behavior_svg",
        ),
        path("flows/<id:flow_id>/", admin_views.flow_inspect, name="social_admin_flow"),
        path("flows/<id:flow_id>/retry/", admin_views.flow_retry, name="social_admin_flow_retry"),
        path("staff-notifications/", admin_views.notifications_index, name="social_admin_notifications"),
        path(
            "staff-notifications/read-all/",
            admin_views.notifications_read_all,
            name="social_admin_notifications_read_all",
        ),
        path(
            "staff-notifications/<id:notification_id>/read/",
            admin_views.notification_read,
            name="social_admin_notification_read",
        ),
    ]


class StaffOnlyMenuItem(MenuItem):
    def is_shown(self, request):
        return request.user.is_staff


class NotificationsMenuItem(StaffOnlyMenuItem):
    """Its label carries the reader's unread count, computed per request."""

    def render_component(self, request):
        component = super().render_component(request)
        unread = selectors.notifications_unread_count(request.user)
        if unread:
            component.label = f"{self.label} ({unread})"
        return component


@hooks.register("register_admin_menu_item")
def register_flows_menu_item():
    return StaffOnlyMenuItem("Flows", reverse("social_admin_flows"), icon_name="history", order=900)


@hooks.register("durable_related_logs")
def flow_log_beside_state_machines():
    """The state machines page links here, and the flow list there: staff find both logs from either."""
    label = "Flows: each behavior's runs (publishing, a payment's settlement, an event's cancellation…)"
    return [(label, reverse("social_admin_flows"))]


@hooks.register("durable_row_related_logs")
def flows_of_stateful_row(row) -> list[tuple[str, str]]:
    """A state machine row's page lists the flows about the same thing (a payment's settlement, the
    cancellation that called off a booking), found under the keys the row names (`state_log_keys`)."""
    return [
        (
            f"Flow {flow.pk}: {flow.behavior} ({flow.status}), {flow.object_key}",
            reverse("social_admin_flow", args=[flow.pk]),
        )
        for flow in selectors.flows_for_object_keys(row.state_log_keys())
    ]


@hooks.register("register_admin_menu_item")
def register_notifications_menu_item():
    return NotificationsMenuItem(
        "Staff notifications", reverse("social_admin_notifications"), icon_name="warning", order=901
    )


class NotificationsPanel(Component):
    name = "social_notifications"
    order = 50
    template_name = "social/admin/notifications_panel.html"

    def __init__(self, request):
        self.request = request

    def get_context_data(self, parent_context=None):
        user = self.request.user
        notifications = list(selectors.notifications_for_user(user, limit=5))
        unread = selectors.notifications_unread_ids(user, [n.pk for n in notifications])
        return {
            "rows": [(n, n.pk in unread) for n in notifications],
            "unread": selectors.notifications_unread_count(user),
        }


@hooks.register("construct_homepage_panels")
def add_notifications_panel(request, panels):
    if request.user.is_staff:
        panels.append(NotificationsPanel(request))


@hooks.register("register_permissions")
def register_flow_permissions():
    """So the retry right can be given to a group in Wagtail's group editor."""
    return Permission.objects.filter(content_type__app_label="social", codename="retry_flow")


@hooks.register("register_log_actions")
def register_flow_log_actions(actions):
    actions.register_action("social.flow_retry", "Retry flow", "Retried from its failed step")
