"""An actor's collections as ActivityPub: outbox, followers, following and featured (thin views)."""

from functools import partial

from django.core.paginator import Paginator
from django.http import Http404
from django.views.decorators.http import require_safe

from . import ids
from .actors import author_get
from .models import FederatedObject, LocalActor
from .outbox import OutboxEntry, outbox_entries
from .responses import actor_or_404, ap_response, object_document
from .selectors import accepted_followers, actor_objects

PAGE_SIZE = 20


def _ordered_collection(request, uid: str, items_query, render, *, total: int | None = None):
    paginator = Paginator(items_query, PAGE_SIZE)
    total = paginator.count if total is None else total
    page = request.GET.get("page")
    if page is None:
        document = {"@context": ids.AS_CONTEXT, "id": uid, "type": "OrderedCollection", "totalItems": total}
        if paginator.count:
            document["first"] = f"{uid}?page=1"
            document["last"] = f"{uid}?page={paginator.num_pages}"
        return ap_response(document)
    try:
        current = paginator.page(int(page))
    except (ValueError, Exception):
        raise Http404("no such page") from None
    document = {
        "@context": ids.AS_CONTEXT,
        "id": f"{uid}?page={current.number}",
        "type": "OrderedCollectionPage",
        "partOf": uid,
        "totalItems": total,
        "orderedItems": [render(item) for item in current.object_list],
    }
    if current.has_next():
        document["next"] = f"{uid}?page={current.next_page_number()}"
    if current.has_previous():
        document["prev"] = f"{uid}?page={current.previous_page_number()}"
    return ap_response(document)


def _create_of(obj: FederatedObject) -> dict:
    return {
        "id": f"{obj.data['id']}#create",
        "type": "Create",
        "actor": ids.actor_id(obj.actor.username),
        "published": obj.data.get("published"),
        "to": obj.data.get("to"),
        "cc": obj.data.get("cc"),
        "object": object_document(obj, context=False),
    }


@require_safe
def outbox(request, username: str):
    local = actor_or_404(username)
    objects = actor_objects(local).filter(data__to__isnull=False).select_related("actor")
    posts = [
        OutboxEntry(obj.published, partial(_create_of, obj))
        for obj in objects
        if ids.PUBLIC in obj.data.get("to", [])
    ]
    entries = outbox_entries(local, posts)  # with what other apps registered (the hub's notes)
    return _ordered_collection(
        request, ids.actor_collection(username, "outbox"), entries, lambda entry: entry.render()
    )


def _can_see_followers(request, local: LocalActor) -> bool:
    user = request.user
    if not user.is_authenticated:
        return False
    if user.is_staff:
        return True

    author = author_get(local.username) if local.kind == LocalActor.Kind.AUTHOR else None
    return author is not None and getattr(author, "user_id", None) == user.pk


@require_safe
def followers(request, username: str):
    local = actor_or_404(username)
    follows = accepted_followers(local).order_by("-created")
    uid = ids.actor_collection(username, "followers")
    if not _can_see_followers(request, local):
        # The count is public; who follows is only for the owner (as Mastodon's hide-network option).
        return ap_response(
            {
                "@context": ids.AS_CONTEXT,
                "id": uid,
                "type": "OrderedCollection",
                "totalItems": follows.count(),
            }
        )
    return _ordered_collection(request, uid, follows, lambda follow: follow.remote_actor.uri)


@require_safe
def following(request, username: str):
    actor_or_404(username)
    uid = ids.actor_collection(username, "following")
    return ap_response(
        {
            "@context": ids.AS_CONTEXT,
            "id": uid,
            "type": "OrderedCollection",
            "totalItems": 0,
            "orderedItems": [],
        }
    )


@require_safe
def featured(request, username: str):
    local = actor_or_404(username)
    pinned = actor_objects(local).filter(pinned=True)
    items = [object_document(obj, context=False) for obj in pinned]
    return ap_response(
        {
            "@context": ids.AS_CONTEXT,
            "id": ids.actor_collection(username, "featured"),
            "type": "OrderedCollection",
            "totalItems": len(items),
            "orderedItems": items,
        }
    )
