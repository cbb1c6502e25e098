"""Content negotiation: a post's own URL answers ActivityPub clients with its Article (or a 410 Tombstone)."""

from django.conf import settings
from django.utils.cache import patch_vary_headers

from .models import FederatedObject
from .responses import object_response, wants_activity_json


class ActivityPubNegotiationMiddleware:
    """Browsers get the HTML page; `Accept: application/activity+json` gets the federated object."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if (
            request.method in ("GET", "HEAD")
            and wants_activity_json(request)
            and not request.path.startswith(("/ap/", "/admin/", "/static/", "/media/", "/.well-known/"))
        ):
            response = self._federated(request)
            if response is not None:
                return response
        response = self.get_response(request)
        if request.method in ("GET", "HEAD") and not request.path.startswith(("/static/", "/media/")):
            patch_vary_headers(response, ["Accept"])  # caches must not serve the HTML to AP clients
        return response

    def _federated(self, request):
        url = settings.SITE_URL + request.path
        candidates = {url, url.rstrip("/") + "/", url.rstrip("/")}
        obj = FederatedObject.objects.filter(url__in=candidates).order_by("-updated").first()
        if obj is None:
            return None
        return object_response(obj)
