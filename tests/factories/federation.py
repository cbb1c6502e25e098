"""Factories for federation tests: post payloads as cms BlogPostPage.federation_payload() returns them."""

import itertools
import uuid

from django.conf import settings

from social.federation import ids
from social.federation.transport import OutboundActivity

_counter = itertools.count(1000)


def post_payload(page_id: int | None = None, **overrides) -> dict:
    page_id = page_id or next(_counter)
    payload = {
        "page_id": page_id,
        "title": f"Harvest report {page_id}",
        "summary": "The harvest is in.",
        "body_html": '<p>Hello <strong>fediverse</strong>.</p><script>alert("x")</script>',
        "url": f"{settings.SITE_URL}/blog/harvest-{page_id}/",
        "published": "2026-11-01T10:00:00+00:00",
        "updated": "2026-11-01T10:00:00+00:00",
        "category": {"slug": "news", "name": "News", "urgent": False},
        "is_private": False,
        "tags": ["harvest", "co op"],
        "authors": [{"slug": "ada", "name": "Ada Gardener"}],
        "hero_image": {
            "url": "/media/images/harvest.jpg",
            "alt": "Baskets of apples",
            "media_type": "image/jpeg",
            "width": 1200,
            "height": 630,
        },
    }
    payload.update(overrides)
    return payload


def outbound(activity_type: str, payload: dict, *, activity_id: str | None = None) -> OutboundActivity:
    return OutboundActivity(
        activity_id=activity_id or str(uuid.uuid4()),
        activity_type=activity_type,
        actor="blog",
        object_type="Article",
        object_key=f"page:{payload['page_id']}",
        payload=payload,
    )


def note_create(actor: str = "blog", content: str = "<p>Fault drill</p>") -> tuple[str, dict]:
    """A Create of a Note by our `actor`, as activity_send takes it: its id and its data."""
    activity_id = f"{ids.actor_id(actor)}/activities/{uuid.uuid4()}"
    data = {
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": activity_id,
        "type": "Create",
        "actor": ids.actor_id(actor),
        "object": {"id": f"{activity_id}/note", "type": "Note", "content": content},
    }
    return activity_id, data
