"""How federation answers with ActivityPub documents: the response, the actor lookup, a stored object."""

from django.http import Http404, JsonResponse

from edge.front_door import door_cached_briefly

from . import ids
from .actors import local_actor_get
from .models import FederatedObject, LocalActor
from .objects import tombstone_build, with_context
from .selectors import object_counts

AP_CONTENT_TYPE = f"{ids.ACTIVITY_JSON}; charset=utf-8"

# Public actor and object documents may be kept at the front door for FRONT_DOOR_AP_SECONDS: a burst of
# servers fetching a new post costs the app one render; an edit reaches followers as an Update.
ap_door_cached = door_cached_briefly(ids.ACTIVITY_JSON, seconds_setting="FRONT_DOOR_AP_SECONDS")


def ap_response(document: dict, status: int = 200) -> JsonResponse:
    response = JsonResponse(document, status=status, content_type=AP_CONTENT_TYPE)
    response["Access-Control-Allow-Origin"] = "*"
    response["Vary"] = "Accept"
    return response


def wants_activity_json(request) -> bool:
    accept = request.headers.get("Accept", "")
    return ids.ACTIVITY_JSON in accept or ("application/ld+json" in accept and "activitystreams" in accept)


def actor_or_404(username: str) -> LocalActor:
    try:
        return local_actor_get(username)
    except LocalActor.DoesNotExist:
        raise Http404("no such actor") from None


def object_document(obj: FederatedObject, *, context: bool = True) -> dict:
    """The stored Article with live likes/shares/replies counts; a Tombstone once deleted."""
    if obj.deleted:
        document = tombstone_build(obj.object_key, obj.object_type, obj.deleted.isoformat(), obj.period)
    else:
        counts = object_counts(obj)
        document = {
            **obj.data,
            "likes": {"id": f"{obj.data['id']}/likes", "type": "Collection", "totalItems": counts["likes"]},
            "shares": {
                "id": f"{obj.data['id']}/shares",
                "type": "Collection",
                "totalItems": counts["shares"],
            },
        }
    return with_context(document) if context else document


def object_response(obj: FederatedObject):
    return ap_response(object_document(obj), status=410 if obj.deleted else 200)


def earlier_period_response(obj: FederatedObject, period: int):
    """410 and the Tombstone of one of the object's earlier periods: as its Delete carried it."""
    delete = (
        obj.activities.filter(activity_type="Delete", data__object__id=ids.object_id(obj.object_key, period))
        .order_by("-created")
        .first()
    )
    if delete is not None:
        tombstone = delete.data["object"]
    else:
        tombstone = tombstone_build(obj.object_key, obj.object_type, None, period)
    return ap_response(with_context(tombstone), status=410)
