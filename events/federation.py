"""Tell social when an event's federated object changes outside a page publish: the one module of events
that imports social, and only its public service.

An EventPage federates what the scheduler event says (dates, tickets, capacity), so an organiser's change
in the events pages changes the object as much as an editor's re-publish does. Social's page signals do
not see those changes; these functions report them, once the change has committed, so a rolled-back
change sends nothing and the flow's payload is read from committed data.
"""

from django.db import transaction
from schedule.models import Event

from social import registry
from social.services import page_event_handle


def _live_page(event_id: int):
    from .pages import EventPage

    page = EventPage.objects.live().filter(event_id=event_id).first()
    # Only while events.EventPage is listed in SOCIAL_FEDERATED_PAGE_MODELS, as for a publish.
    return page if page is not None and registry.is_federated(page) else None


def event_changed(event: Event) -> None:
    """After commit: an Update of the event's live page (if the fediverse has it), as a re-publish sends."""
    event_id = event.pk

    def report() -> None:
        page = _live_page(event_id)
        if page is not None:
            # The live revision, as social's publish receiver names it: the page's content is unchanged,
            # the event data the payload reads is what changed.
            page_event_handle(page, "changed", revision_id=page.live_revision_id)

    transaction.on_commit(report)


def event_cancelled(event: Event) -> None:
    """After commit: a Delete (Tombstone) of the event's live page; the page itself stays up to say so."""
    event_id = event.pk

    def report() -> None:
        page = _live_page(event_id)
        if page is not None:
            page_event_handle(page, "cancelled")

    transaction.on_commit(report)
