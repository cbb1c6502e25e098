"""Oscar's login, sign-up and profile-deletion pages send people to the site's own (at /shop/accounts/)."""

from django.http import HttpRequest, HttpResponseRedirect
from django.urls import path, reverse


def _to(name: str):
    def view(request: HttpRequest) -> HttpResponseRedirect:
        query = request.META.get("QUERY_STRING", "")
        return HttpResponseRedirect(reverse(name) + (f"?{query}" if query else ""))

    return view


# Oscar's profile, address book and order history under /shop/accounts/ keep working.
urlpatterns = [
    path("login/", _to("accounts:login"), name="oscar_login_redirect"),
    path("register/", _to("accounts:signup"), name="oscar_register_redirect"),
    # Oscar's own "delete profile" would delete the user without anonymising orders and payments (and
    # fail on a member who ever checked out): there is one way to delete an account, ours.
    path("profile/delete/", _to("accounts:delete"), name="oscar_profile_delete_redirect"),
]
