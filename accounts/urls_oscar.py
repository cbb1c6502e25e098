"""Oscar's own account pages send people to the site's (mounted at /shop/): one place to sign in,
change one's details or password and delete the account.

Oscar's versions also mail from inside the request's transaction (the "password changed" and
"email changed" notices, its password reset), and its "delete profile" would delete the user
without anonymising orders and payments (and fail on a member who ever checked out).
"""

from django.http import HttpRequest, HttpResponseRedirect
from django.urls import path, reverse

from .oscar_views import oscar_dashboard_password_reset


def _to(name: str):
    def view(request: HttpRequest, **kwargs: str) -> HttpResponseRedirect:
        query = request.META.get("QUERY_STRING", "")
        return HttpResponseRedirect(reverse(name, kwargs=kwargs) + (f"?{query}" if query else ""))

    return view


# Oscar's address book, order history, alerts and wish lists under /shop/accounts/ keep working.
urlpatterns = [
    path("accounts/login/", _to("accounts:login"), name="oscar_login_redirect"),
    path("accounts/register/", _to("accounts:signup"), name="oscar_register_redirect"),
    path("accounts/", _to("accounts:dashboard"), name="oscar_summary_redirect"),
    path("accounts/profile/", _to("accounts:dashboard"), name="oscar_profile_redirect"),
    path("accounts/profile/edit/", _to("accounts:dashboard"), name="oscar_profile_update_redirect"),
    path("accounts/profile/delete/", _to("accounts:delete"), name="oscar_profile_delete_redirect"),
    path("accounts/change-password/", _to("accounts:password_change"), name="oscar_password_change_redirect"),
    path("password-reset/", _to("accounts:password_reset"), name="oscar_password_reset_redirect"),
    path("password-reset/done/", _to("accounts:password_reset_done"), name="oscar_reset_done_redirect"),
    # Links in reset emails Oscar's dashboard sent: the same token generator checks them at ours.
    path(
        "password-reset/confirm/<str:uidb64>/<str:token>/",
        _to("accounts:password_reset_confirm"),
        name="oscar_reset_confirm_redirect",
    ),
    path(
        "dashboard/users/<id:pk>/password-reset/",
        oscar_dashboard_password_reset(),
        name="oscar_dashboard_password_reset",
    ),
    path(
        "password-reset/complete/",
        _to("accounts:password_reset_complete"),
        name="oscar_reset_complete_redirect",
    ),
]
