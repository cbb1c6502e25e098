"""Template context for pages the front door shares: no CSRF token of anyone's in them."""

from django.http import HttpRequest

from edge.front_door import front_door_shared


def csrf_for_shared_pages(request: HttpRequest) -> dict[str, str]:
    """A page every anonymous reader gets alike carries no token: `{% csrf_token %}` renders nothing
    there, and static/js/site.js fetches a token (/csrf-token/) into a POST form when it is sent.
    Elsewhere Django's own lazy token stays (this runs after its built-in processor).

    "NOTPROVIDED" is the value Django's tag itself renders as nothing; an empty value would render
    nothing too but warn, under DEBUG, that the template forgot its RequestContext."""
    return {"csrf_token": "NOTPROVIDED"} if front_door_shared(request) else {}
