"""Federation endpoints: discovery, actors, objects and inboxes (thin: logic lives elsewhere)."""

from urllib.parse import urlsplit

from django.conf import settings
from django.db import transaction
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST, require_safe

from . import ids
from .actors import FIXED_ACTORS, actor_document, host_domain, key_lookup, remote_actor_store
from .blocks import sender_blocked
from .fetch import FetchError
from .inbox import activity_origin_problem, inbox_receive, json_activity_parse
from .models import Activity, FederatedObject, LocalActor, RemoteActor
from .origins import same_origin, url_origin
from .responses import (
    actor_or_404,
    ap_door_cached,
    ap_response,
    earlier_period_response,
    object_response,
    wants_activity_json,
)
from .selectors import nodeinfo_usage, object_counts
from .signatures import SignatureError, request_verify

# The collections (outbox, followers, following, featured) are in collection_views.


# --- discovery ------------------------------------------------------------------------------------


@require_safe
def webfinger(request):
    resource = request.GET.get("resource", "")
    username = None
    if resource.startswith("acct:"):
        user, _, host = resource[5:].lstrip("@").rpartition("@")
        if host.lower() in (settings.SITE_HOST.lower(), (urlsplit(settings.SITE_URL).hostname or "").lower()):
            username = user
    else:
        username = ids.local_username(resource)
        if username is None and resource.rstrip("/") == settings.SITE_URL:
            username = "blog"
    if not username:
        return JsonResponse({"error": "unknown resource"}, status=404)
    actor = actor_or_404(username)
    uid = ids.actor_id(actor.username)
    document = {
        "subject": f"acct:{actor.username}@{settings.SITE_HOST}",
        "aliases": [uid, actor.profile_url or settings.SITE_URL + "/"],
        "links": [
            {"rel": "self", "type": ids.ACTIVITY_JSON, "href": uid},
            {
                "rel": "http://webfinger.net/rel/profile-page",
                "type": "text/html",
                "href": actor.profile_url or settings.SITE_URL + "/",
            },
        ],
    }
    if actor.icon_url:
        document["links"].append({"rel": "http://webfinger.net/rel/avatar", "href": actor.icon_url})
    response = JsonResponse(document, content_type="application/jrd+json")
    response["Access-Control-Allow-Origin"] = "*"
    return response


@require_safe
def host_meta(request):
    xml = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<XRD xmlns="http://docs.oasis-open.org/ns/xri/xrd-1.0">\n'
        f'  <Link rel="lrdd" template="{settings.SITE_URL}/.well-known/webfinger?resource={{uri}}"/>\n'
        "</XRD>\n"
    )
    return HttpResponse(xml, content_type="application/xrd+xml")


@require_safe
def nodeinfo_discovery(request):
    return JsonResponse(
        {
            "links": [
                {
                    "rel": "http://nodeinfo.diaspora.software/ns/schema/2.1",
                    "href": f"{settings.SITE_URL}/nodeinfo/2.1",
                }
            ]
        }
    )


@require_safe
def nodeinfo(request):
    document = {
        "version": "2.1",
        "software": {
            "name": "rose-ash",
            "version": "1.0.0",
            "repository": "https://github.com/rose-ash/coop",
            "homepage": settings.SITE_URL,
        },
        "protocols": ["activitypub"],
        "services": {"inbound": [], "outbound": ["atom1.0", "rss2.0"]},
        "openRegistrations": False,
        "usage": nodeinfo_usage(),
        "metadata": {"nodeName": settings.SITE_NAME},
    }
    return JsonResponse(
        document,
        content_type='application/json; profile="http://nodeinfo.diaspora.software/ns/schema/2.1#"',
    )


# --- actors and collections -----------------------------------------------------------------------


@require_safe
@ap_door_cached
def actor(request, username: str):
    local = actor_or_404(username)
    if not wants_activity_json(request) and "text/html" in request.headers.get("Accept", ""):
        return redirect(local.profile_url or settings.SITE_URL + "/")
    return ap_response(actor_document(local))


# --- objects --------------------------------------------------------------------------------------


@require_safe
@ap_door_cached
def object_view(request, slug: str, period: str = "1"):
    obj = FederatedObject.objects.filter(object_key=ids.object_key_from_slug(slug)).first()
    period = int(period)  # the route takes 2, 3, …: the first period's id has no number
    if obj is None or period > obj.period:
        raise Http404("no such object")
    if period < obj.period:  # an earlier period's id: gone for good, as its Delete said
        return earlier_period_response(obj, period)
    if not wants_activity_json(request) and not obj.deleted:
        return redirect(obj.url)
    return object_response(obj)


@require_safe
def object_collection(request, slug: str, collection: str, period: str | None = None):
    obj = FederatedObject.objects.filter(object_key=ids.object_key_from_slug(slug), deleted=None).first()
    if obj is None or int(period or 1) != obj.period:
        raise Http404("no such object")
    counts = object_counts(obj)
    key = "likes" if collection == "likes" else "shares"
    return ap_response(
        {
            "@context": ids.AS_CONTEXT,
            "id": f"{obj.data['id']}/{collection}",
            "type": "Collection",
            "totalItems": counts[key],
        }
    )


@require_safe
def activity_view(request, activity_id: str):
    activity = Activity.objects.filter(activity_id=activity_id).first()
    if activity is None or ids.PUBLIC not in (activity.data.get("to") or []) + (
        activity.data.get("cc") or []
    ):
        raise Http404("no such activity")
    return ap_response(activity.data)


# --- inboxes --------------------------------------------------------------------------------------


def _problem(status: int, message: str) -> JsonResponse:
    return JsonResponse({"error": message}, status=status)


@csrf_exempt
@require_POST
@transaction.non_atomic_requests  # one INSERT needs no transaction around it: two round trips fewer
def inbox(request, username: str | None = None):
    known = (
        username is None or username in FIXED_ACTORS or LocalActor.objects.filter(username=username).exists()
    )
    if not known:
        raise Http404("no such actor")
    limit = getattr(settings, "FEDERATION_MAX_INBOX_BYTES", 1_000_000)
    try:
        declared = int(request.headers.get("Content-Length") or 0)
    except ValueError:
        return _problem(400, "malformed Content-Length")
    if declared < 0:
        return _problem(400, "malformed Content-Length")
    if declared > limit:
        return _problem(413, "body too large")
    body = request.read(limit + 1)
    if len(body) > limit:
        return _problem(413, "body too large")
    data = json_activity_parse(body)
    if isinstance(data, str):
        return _problem(400, data)
    actor_uri = data.get("actor")
    actor_uri = actor_uri.get("id") if isinstance(actor_uri, dict) else actor_uri
    if url_origin(actor_uri) is None:  # not an http(s) id whose host every parser reads alike
        return _problem(400, "activity has no actor")
    if sender_blocked(host_domain(actor_uri), actor_uri):
        return _problem(403, "blocked")
    headers = {name.lower(): value for name, value in request.headers.items()}
    try:
        verified = request_verify(
            method=request.method,
            url=settings.SITE_URL + request.get_full_path(),
            headers=headers,
            body=body,
            lookup=key_lookup,
        )
    except (SignatureError, FetchError) as exc:  # a key that cannot be fetched is a 401, never a 500
        reason = getattr(exc, "reason", "the signing key cannot be found")
        if (
            data["type"] == "Delete"
            and data.get("object") == actor_uri
            and "cannot be found" in reason
            and not RemoteActor.objects.filter(uri=actor_uri).exists()
        ):
            return HttpResponse(status=202)  # a gone account we never knew: nothing to delete
        return _problem(401, reason)
    # The key speaks for its owner only, and only on the owner's origin (actors.key_lookup holds both).
    if verified.owner != actor_uri or not same_origin(verified.key_id, actor_uri):
        return _problem(401, "the signing key does not belong to the activity's actor")
    problem = activity_origin_problem(data, actor_uri)
    if problem:
        return _problem(403, problem)
    if verified.document is not None:
        remote_actor_store(verified.document)  # a key fetched for this request: kept now it verified
    inbox_receive(data)  # one INSERT; the task processes it (and revives the sender's host)
    return HttpResponse(status=202)
