"""The site's Content-Security-Policy: strict for the public site, relaxed only for the admin screens."""

from urllib.parse import urlsplit

from csp.constants import SELF, UNSAFE_INLINE
from csp.middleware import CSPMiddleware, PolicyParts
from django.conf import settings
from django.http import HttpRequest, HttpResponseBase

# Wagtail's admin writes inline <script> (inline panels, date pickers) and style attributes, and
# previews a page in an iframe of its own origin; the hub there shows fediverse images hotlinked
# from their servers, over any scheme the one sanitiser admits (http: and https:; edge/sanitise.py).
# Only staff reach these screens, and they come after a sign-in.
_WAGTAIL_ADMIN = {
    "script-src": [UNSAFE_INLINE],
    "style-src": [UNSAFE_INLINE],
    "img-src": ["http:", "https:"],
}
# Replaced rather than added to: 'none' beside another source is ignored, with a console warning.
_WAGTAIL_ADMIN_REPLACE = {"frame-ancestors": [SELF]}
# Oscar's dashboard starts every screen from an inline script ({% block onbodyload %}) and its
# TinyMCE editor writes style attributes; forking every dashboard template to change that is not
# worth it for a staff-only screen.
_OSCAR_DASHBOARD = {
    "script-src": [UNSAFE_INLINE],
    "style-src": [UNSAFE_INLINE],
}
# Django's own admin loads only static scripts, but its templates carry style attributes.
_DJANGO_ADMIN = {"style-src": [UNSAFE_INLINE]}
# FullCalendar (the organiser's calendar) appends an empty <style> and fills it through CSSOM
# (insertRule, which CSP does not govern); a blocked <style> has no sheet and FullCalendar dies on
# load. The hash of the empty string admits that empty element and nothing else.
EMPTY_STYLE_HASH = "'sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU='"
_FULLCALENDAR = {"style-src": [EMPTY_STYLE_HASH]}

PATH_RELAXATIONS: tuple[tuple[str, dict[str, list[str]], dict[str, list[str]]], ...] = (
    # (path prefix, sources added, directives replaced)
    ("/admin/", _WAGTAIL_ADMIN, _WAGTAIL_ADMIN_REPLACE),
    ("/shop/dashboard/", _OSCAR_DASHBOARD, {}),
    ("/django-admin/", _DJANGO_ADMIN, {}),
    ("/events/fullcalendar/", _FULLCALENDAR, {}),
)


def payment_origin() -> str:
    """The scheme://host[:port] of SumUp's hosted pay page, where checkout redirects a placed order."""
    parts = urlsplit(settings.SUMUP_HOSTED_CHECKOUT_ORIGIN or settings.SUMUP_API_URL)
    return f"{parts.scheme}://{parts.netloc}"


def policy_changes(path: str) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
    """What this path adds to and replaces in CONTENT_SECURITY_POLICY: the pay page, path relaxations."""
    # Checkout answers "Place order" (and a ticket booking) with a redirect to the pay page; a
    # browser checks form-action on that redirect too, so the pay page must be listed.
    additions: dict[str, list[str]] = {"form-action": [payment_origin()]}
    replacements: dict[str, list[str]] = {}
    for prefix, added, replaced in PATH_RELAXATIONS:
        if path.startswith(prefix):
            for directive, sources in added.items():
                additions.setdefault(directive, []).extend(sources)
            replacements.update(replaced)
    return additions, replacements


class SiteCSPMiddleware(CSPMiddleware):
    """django-csp's middleware, with this site's per-path additions merged into any view's csp_update."""

    def process_response(self, request: HttpRequest, response: HttpResponseBase) -> HttpResponseBase:
        # Wagtail's preview serves the page through the middleware again with a dummy request for
        # the page's public URL; the header belongs to the real /admin/ request around it, whose
        # frame-ancestors 'self' lets the editor's preview panel frame the page.
        if getattr(request, "is_dummy", False):
            return response
        return super().process_response(request, response)

    def get_policy_parts(
        self, request: HttpRequest, response: HttpResponseBase, report_only: bool = False
    ) -> PolicyParts:
        parts = super().get_policy_parts(request, response, report_only=report_only)
        if report_only:
            return parts
        additions, replacements = policy_changes(request.path_info)
        for directive, sources in (parts.update or {}).items():  # a view's own csp_update still counts
            additions.setdefault(directive, []).extend([sources] if isinstance(sources, str) else sources)
        parts.update = additions
        parts.replace = {**replacements, **(parts.replace or {})}
        return parts
