"""Site-wide answers that belong to no page: /favicon.ico, "follow from your server", the CSRF token
of a form on a page the front door shared."""

from django.contrib import messages
from django.contrib.staticfiles import finders
from django.db import transaction
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.middleware.csrf import REASON_NO_CSRF_COOKIE, get_token
from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.csrf import csrf_failure as django_csrf_failure
from django.views.decorators.cache import cache_control, never_cache
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


@require_safe
@never_cache
def csrf_token(request: HttpRequest) -> JsonResponse:
    """The reader's CSRF token, for a POST form on a page the front door shares with every anonymous
    reader and so carries none (edge.context_processors); static/js/site.js asks for it on submit.
    Never cached anywhere: it sets the reader's csrftoken cookie."""
    return JsonResponse({"token": get_token(request)})


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """A form from a shared page sent without a token because no script ran: back to the page, now
    with a token cookie (so the page is rendered for this reader, with its token), to press again.
    Every other failure, a cross-site one included (its Origin or Referer failed first), is Django's."""
    back = request.headers.get("Referer", "")
    same_site = url_has_allowed_host_and_scheme(back, {request.get_host()}, require_https=request.is_secure())
    if reason != REASON_NO_CSRF_COOKIE or not same_site:
        return django_csrf_failure(request, reason)
    get_token(request)
    messages.info(request, "Your browser had no cookie from us yet: please press the button again.")
    return HttpResponseRedirect(back, status=303)
