"""Oscar's login and registration pages send people to the site's own (mounted at /shop/accounts/)."""

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
]
