"""Site-wide answers that belong to no page: /favicon.ico, "follow from your server"."""

from django.contrib.staticfiles import finders
from django.db import transaction
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_safe

from home.remote_follow import RemoteFollowRefused, local_actor_find, remote_follow_url

FAVICON = "img/favicon.ico"  # drawn by scripts/favicon.py from img/favicon.svg


@require_safe
@cache_control(max_age=86400, public=True)
def favicon(request: HttpRequest) -> FileResponse:
    """Browsers, feed readers and crawlers ask /favicon.ico whatever the page's <link rel=icon>
    says; answer with the static icon itself rather than a 404 or a redirect."""
    # The finders read the source file (static/), present wherever the code is, collected or not.
    path = finders.find(FAVICON)
    if not path:
        raise Http404("no favicon")
    return FileResponse(open(path, "rb"), content_type="image/x-icon")


@require_safe
@transaction.non_atomic_requests  # asks the reader's server over HTTP: never inside a transaction
def remote_follow(request: HttpRequest, username: str) -> HttpResponse:
    """ "Follow from your server": a form for the reader's handle (GET, so cached pages may link it
    with no CSRF token), then a redirect to their server's follow page."""
    actor = local_actor_find(username)
    if actor is None:
        raise Http404("no such actor")
    reader = request.GET.get("handle", "").strip()
    error = ""
    if reader:
        try:
            return HttpResponseRedirect(remote_follow_url(reader, actor))
        except RemoteFollowRefused as exc:
            error = str(exc)
    response = render(request, "home/remote_follow.html", {"actor": actor, "reader": reader, "error": error})
    if error:
        response.status_code = 400
    return response
