"""Site-wide answers that belong to no page: /favicon.ico."""

from django.contrib.staticfiles import finders
from django.http import FileResponse, Http404, HttpRequest
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_safe

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
