"""The hub's notes and replies in their actor's outbox, beside the blog's posts (registered in HubConfig)."""

from functools import partial
from typing import Any

from django.db.models import OuterRef, Subquery

from social.federation import ids
from social.federation.models import LocalActor
from social.federation.outbox import OutboxEntry
from social.models import Flow

from . import activities
from .models import Note
from .notes import note_document


def note_outbox_entries(actor: LocalActor) -> list[OutboxEntry]:
    """Every note this actor published from the hub, as the Create it went out in (same id)."""
    notes = (
        Note.objects.filter(local_actor=actor)
        .select_related("local_actor")
        .annotate(
            flow_activity_id=Subquery(Flow.objects.filter(pk=OuterRef("flow_id")).values("activity_id")[:1])
        )
        .order_by("-published", "-pk")
    )
    return [OutboxEntry(note.published, partial(_create_of, note)) for note in notes]


def _create_of(note: Note) -> dict[str, Any]:
    # The flow's activity id is the id the Create was delivered with; a remote server that fetches
    # the outbox then sees the very activity it already has, not a second copy.
    activity_id = ids.activity_url(note.flow_activity_id) if note.flow_activity_id else f"{note.uri}#create"
    create = activities.create_build(activity_id, note_document(note))
    create.pop("@context", None)  # items of a collection page share the page's context
    return create
