"""The waiting list on the one runner: its rows and graph; offer freed places in turn, mail each offer once,
and pass lapsed offers on.

Every change to who holds a place of a ticket type (booking, joining, cancelling, passing on) is made
under that ticket type's row lock, and the places to offer are counted from the rows inside it: two
places freed at once are offered to the next two people, and a pass-on run twice offers nothing more.
Offers move by conditional transitions, so an acceptance and a lapse racing on one offer cannot both
win. Mail goes out from the runner's handler, after the commit that made the offer, never under a lock.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from email.utils import make_msgid
from urllib.parse import urlsplit

from django.conf import settings
from django.db import models, transaction
from django.db.models import Q

from durable.graph import State, StateGraph
from durable.models import StatefulModel, TransitionRefused, state_field
from durable.retry import RetryPolicy
from durable.runner import advance_on_commit

from .mail import message
from .models import TicketType
from .selectors import places_taken


class WaitingListGraph(StateGraph):
    """A place on the waiting list: waited for, offered for a while, then taken, let lapse or left."""

    waiting = State(initial=True, transitions=["offered", "withdrawn", "closed"], label="Waiting")
    # Held for them until offer_expires_at. The handler mails the offer once (after the commit that
    # made it) and, at the expiry the row falls due at, lets it lapse.
    offered = State(
        handler="offer_work",
        timeout=120,  # one email
        # A mail server out for hours: tried again for about a day (an hour apart once backed off), which
        # outlasts the offer; the handler lets it lapse at its expiry whether or not the mail went.
        retry=RetryPolicy(max_attempts=30, base_seconds=60, cap_seconds=3600),
        transitions=["accepted", "lapsed", "withdrawn", "closed", "failed"],
        label="Offered",
    )
    # Not taken in time: its place goes to the next in line, worked from the row so it happens once.
    lapsed = State(handler="offer_pass_on", timeout=60, transitions=["expired", "failed"], label="Lapsing")
    accepted = State(terminal=True, label="Booked")
    expired = State(terminal=True, label="Expired (passed on)")
    withdrawn = State(terminal=True, label="Left the list")
    closed = State(terminal=True, label="Event called off")
    failed = State(terminal=True, failure=True, label="Failed")


# The open entries: one per person and occurrence (the constraint), closed when the event is called off.
WAITING_LIST_OPEN = ["waiting", "offered"]


class WaitingListEntry(StatefulModel):
    """A person waiting for a place; when one frees up they are offered it for a limited time.

    `due_at` is the runner's: while offered it is when the offer lapses (None just after the offer,
    whose mail is still to go). `offer_mail_id` is the offer email's Message-ID, written before it is
    sent: a retry after a crash mid-send resends under the same id, which mail clients fold into one.
    """

    state_graph = WaitingListGraph

    ticket_type = models.ForeignKey(TicketType, on_delete=models.CASCADE, related_name="waiting_list")
    occurrence_start = models.DateTimeField()
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    state = state_field(WaitingListGraph)
    created_at = models.DateTimeField(auto_now_add=True)
    offer_expires_at = models.DateTimeField(null=True, blank=True)
    offer_mail_id = models.CharField(max_length=255, blank=True)
    offer_mailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        app_label = "events"
        ordering = ["created_at", "id"]
        verbose_name_plural = "waiting list entries"
        constraints = [
            models.UniqueConstraint(
                fields=["ticket_type", "occurrence_start", "user"],
                condition=Q(state__in=WAITING_LIST_OPEN),
                name="events_waiting_once_per_person",
            )
        ]

    def __str__(self) -> str:
        return f"{self.user_id} waiting for {self.ticket_type_id} at {self.occurrence_start}"

    @property
    def status(self) -> str:
        """The state under the name the pages and tests read."""
        return self.state

    # The graph's handlers, called by the runner with the row's lease held and no transaction open.
    def offer_work(self, now: datetime) -> str | None:
        return offer_work(self, now)

    def offer_pass_on(self, now: datetime) -> str:
        return offer_pass_on(self, now)

    def state_failed(self, error: str, now: datetime) -> None:
        """The runner failed the row (its offer could not be mailed in time, or workers kept dying on
        it): it holds no place any more, so the next in line is offered the place."""
        place_offer_next(self, now)


OFFERED = WaitingListGraph.offered.name


def offer_hours() -> int:
    return getattr(settings, "EVENTS_WAITING_OFFER_HOURS", 24)


def waiting_list_offer_next(
    *, ticket_type: TicketType, original_start: datetime, now: datetime
) -> list[WaitingListEntry]:
    """Offer each free place to the longest waiting person; the caller holds the ticket type's row lock."""
    free = ticket_type.quota - places_taken(ticket_type, original_start, now=now)
    offered: list[WaitingListEntry] = []
    if free <= 0:
        return offered
    waiting = WaitingListEntry.objects.filter(
        ticket_type=ticket_type, occurrence_start=original_start, state=WaitingListGraph.waiting.name
    ).order_by("created_at", "id")
    for entry in waiting.iterator():
        try:
            # Conditional: an entry closed or withdrawn since the SELECT is passed over, not offered,
            # and the place goes to the one after it instead.
            entry.transition(OFFERED, now=now)
        except TransitionRefused:
            continue
        entry.offer_expires_at = now + timedelta(hours=offer_hours())
        entry.offer_mail_id = ""
        entry.offer_mailed_at = None
        entry.save(update_fields=["offer_expires_at", "offer_mail_id", "offer_mailed_at"])
        advance_on_commit(entry)  # mails it; the sweep does if this message is lost
        offered.append(entry)
        if len(offered) == free:
            break
    return offered


def offer_accept(entry: WaitingListEntry, now: datetime) -> bool:
    """Turn a held offer into the booking's place; False if it lapsed (or was taken) first."""
    if entry.offer_expires_at is None or entry.offer_expires_at <= now:
        return False
    try:
        entry.transition(WaitingListGraph.accepted.name, now=now)
    except TransitionRefused:
        return False
    return True


def offer_work(entry: WaitingListEntry, now: datetime) -> str | None:
    """Handler of `offered`: mail the offer once, then rest until it lapses (`lapsed`)."""
    if entry.offer_expires_at is None or now >= entry.offer_expires_at:
        return WaitingListGraph.lapsed.name
    if entry.offer_mailed_at is None:
        _offer_mail(entry, now)
    entry.due_at = entry.offer_expires_at
    return None


def _offer_mail(entry: WaitingListEntry, now: datetime) -> None:
    # Fenced by the lease the runner loaded with the row: a worker that lost it records nothing.
    ours = WaitingListEntry.objects.filter(pk=entry.pk, state=OFFERED, locked_until=entry.locked_until)
    if not entry.offer_mail_id:
        # The idempotency key, recorded before the send: a crash after sending resends the same id.
        entry.offer_mail_id = make_msgid(domain=urlsplit(settings.SITE_URL).hostname or None)
        if not ours.update(offer_mail_id=entry.offer_mail_id):
            return
    email = message(
        entry.user.email,
        "events/email/place_offered.txt",
        {"entry": entry, "event": entry.ticket_type.event},
    )
    email.extra_headers["Message-ID"] = entry.offer_mail_id
    email.send()
    ours.update(offer_mailed_at=now)


def offer_pass_on(entry: WaitingListEntry, now: datetime) -> str:
    """Handler of `lapsed`: offer the place to the next in line, then `expired`.

    Run again after a crash it offers nothing more: the places to offer are counted from the rows,
    and the one it offered before is already held.
    """
    place_offer_next(entry, now)
    return WaitingListGraph.expired.name


def place_offer_next(entry: WaitingListEntry, now: datetime) -> None:
    """Offer the place `entry` no longer holds (with any other free one) to the next in line."""
    with transaction.atomic():
        ticket_type = TicketType.objects.select_for_update().get(pk=entry.ticket_type_id)
        waiting_list_offer_next(ticket_type=ticket_type, original_start=entry.occurrence_start, now=now)
