"""How every hub action goes out: a `hub_send` flow in the caller's transaction, and HubError.

Every outbound action starts a `hub_send` flow (social.services.flow_start) in the caller's
transaction, so it shows in the flow log with its delivery progress, and nothing goes out if the
request rolls back.
"""

from collections.abc import Callable
from typing import Any

from django.conf import settings

from social.federation import ids
from social.federation.models import LocalActor, RemoteActor
from social.models import Flow
from social.services import flow_start

TAG_URL = "{site}/tags/{{tag}}/"


class HubError(Exception):
    """An action the editor asked for that cannot be done (the message says why)."""


def tag_url() -> str:
    return TAG_URL.format(site=settings.SITE_URL)


def activity_send(
    *,
    event: str,
    object_key: str,
    actor: LocalActor,
    build: Callable[[str], dict[str, Any]],
    inboxes: list[str],
    followers: bool = False,
) -> tuple[Flow, dict[str, Any]]:
    """Start a hub_send flow whose activity id is the flow's own (stable across retries)."""
    flow = flow_start(behavior="hub_send", event=event, object_key=object_key, payload={})
    activity_id = str(flow.activity_id)
    activity = build(ids.activity_url(activity_id))
    payload = {
        "actor": actor.username,
        "activity": activity,
        "inboxes": sorted({inbox for inbox in inboxes if inbox}),
        "followers": followers,
    }
    Flow.objects.filter(pk=flow.pk).update(payload=payload)
    flow.payload = payload
    return flow, activity


def inbox_of(remote: RemoteActor) -> str:
    return remote.inbox or remote.shared_inbox
