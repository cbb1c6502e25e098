"""The one runner's state machines in the Wagtail admin: a menu item for staff, the machines, a model's
rows, one row's page and its Retry."""

from django.urls import path, reverse
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from durable import admin_row, admin_views


@hooks.register("register_admin_urls")
def register_admin_urls():
    return [
        path("state-machines/", admin_views.state_machines_index, name="durable_admin_state_machines"),
        path("state-machines/<str:label>/", admin_views.state_machine_rows, name="durable_admin_rows"),
        path("state-machines/<str:label>/<str:pk>/", admin_row.state_machine_row, name="durable_admin_row"),
        path(
            "state-machines/<str:label>/<str:pk>/retry/",
            admin_row.state_machine_row_retry,
            name="durable_admin_row_retry",
        ),
    ]


class StaffOnlyMenuItem(MenuItem):
    def is_shown(self, request):
        return request.user.is_staff


@hooks.register("register_admin_menu_item")
def register_state_machines_menu_item():
    return StaffOnlyMenuItem(
        "State machines", reverse("durable_admin_state_machines"), icon_name="cogs", order=902
    )
