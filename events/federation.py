"""Tell social what a scheduler event now is, once its change has committed: with cancellation.py (which
runs the cancellation behaviors) the only module of events that imports social, and only its
public services and selectors.

Every public event federates from @events, however it was made: the organiser's form, django-scheduler's
views, the admin, the seed data. Each save of an Event or its EventDetail (receivers) and each change our
services make outside those rows (tickets, moved dates) reports the event here. Reports wait for the
commit, so a rolled-back change sends nothing and the payload is read from committed data; a transaction
that reports one event five times reports it once, as it stands at the end. Social's trigger then decides
Create, Update, Delete or nothing, fire-once per transition.

One object per event: an event whose live page has federated goes through that page (its title, intro and
body) under the page's key (social.registry.object_key asks EventPage.federation_object_key); any other
event federates as itself, "event:<id>". An event that went out on its own before its page was published
keeps its key when the page takes over, so the page's publish is an Update of the same object, never a
second one.
"""

import threading

from django.apps import apps
from django.db import transaction
from schedule.models import Event

from social import registry
from social.federation.selectors import object_interest_count, object_key_known
from social.services import page_event_handle, source_event_handle

from .payload import event_payload, event_tombstone_payload
from .selectors import event_is_public

_pending = threading.local()  # event id → the token of the last report queued in this thread


def event_object_key(event_id: int) -> str:
    return f"event:{event_id}"


def page_object_key(page) -> str:
    """The key an EventPage federates under: its event's, if the event went out first; else its own."""
    if page.event_id and object_key_known(event_object_key(page.event_id)):
        return event_object_key(page.event_id)
    return f"page:{page.pk}"


def event_interest_count(event_id: int, page=None) -> int:
    """How many remote people said they would come (a Join) to the event, under whichever key it has."""
    keys = [event_object_key(event_id)] + ([f"page:{page.pk}"] if page is not None else [])
    return object_interest_count(keys)


def event_report(event_id: int) -> None:
    """Once the caller's transaction commits, tell social what the event is then (see the module doc)."""
    token = object()
    reports = _pending.__dict__.setdefault("reports", {})
    reports[event_id] = token

    def report() -> None:
        # Only the last report of a transaction runs: the earlier ones would read the same state.
        if reports.get(event_id) is not token:
            return
        del reports[event_id]
        _report(event_id)

    transaction.on_commit(report)


def _live_page(event_id: int):
    # By label: the page module reads this one for its interest count and object key.
    EventPage = apps.get_model("events", "EventPage")
    page = EventPage.objects.live().filter(event_id=event_id).first()
    # Only while events.EventPage is listed in SOCIAL_FEDERATED_PAGE_MODELS, as for a publish.
    return page if page is not None and registry.is_federated(page) else None


def _report(event_id: int) -> None:
    event = Event.objects.select_related("detail", "calendar__ownership").filter(pk=event_id).first()
    cancelled = event is not None and hasattr(event, "detail") and event.detail.is_cancelled
    page = _live_page(event_id)
    if page is not None and object_key_known(registry.object_key(page)):
        if cancelled:
            page_event_handle(page, "cancelled")  # a Delete; the page stays up to say it is off
        else:
            # The live revision, as social's publish receiver names it: the page's content is unchanged,
            # the event data the payload reads is what changed.
            private = event is None or not event_is_public(event)
            page_event_handle(page, "saved", revision_id=page.live_revision_id, is_private=private)
        return
    key = event_object_key(event_id)
    if event is not None and event_is_public(event):
        source_event_handle(key, "saved", is_private=False)  # the runner reads the payload from the event
        return
    # Gone, called off or private: only a Delete (or nothing) can follow, and its Tombstone needs only
    # what identified the event, taken now (the event may not be there when the flow runs).
    kind = "deleted" if event is None else "cancelled" if cancelled else "saved"
    payload = event_tombstone_payload(event_id, event.title if event is not None else "")
    source_event_handle(key, kind, is_private=True, payload=payload)


def event_source_payload(event_id: int) -> dict | None:
    """The payload of an event federated as itself (settings.SOCIAL_FEDERATED_SOURCES), None once gone."""
    event = (
        Event.objects.select_related("detail__category", "calendar__ownership").filter(pk=event_id).first()
    )
    return event_payload(event) if event is not None else None
