"""The one runner's state machines in the Wagtail admin: a menu item for staff and its two views."""

from django.urls import path, reverse
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from durable import admin_views


@hooks.register("register_admin_urls")
def register_admin_urls():
    return [
        path("state-machines/", admin_views.state_machines_index, name="durable_admin_state_machines"),
        path("state-machines/<str:label>/", admin_views.state_machine_rows, name="durable_admin_rows"),
    ]


class StaffOnlyMenuItem(MenuItem):
    def is_shown(self, request):
        return request.user.is_staff


@hooks.register("register_admin_menu_item")
def register_state_machines_menu_item():
    return StaffOnlyMenuItem(
        "State machines", reverse("durable_admin_state_machines"), icon_name="cogs", order=902
    )
