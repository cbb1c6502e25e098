"""Paid tickets the organiser calls off are refunded through SumUp (the fake server), once per seat."""

import json
import urllib.request
from datetime import datetime, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from oscar.apps.payment.models import Source

from commerce.models import PaymentAttempt
from durable import runner
from events import bookings, cancellation, check_in
from events.models import Booking
from events.refunds import TicketRefund, TicketRefundGraph
from social.models import Flow, FlowEffect
from tests.factories import events as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def buy(client, fake_sumup, django_capture_on_commit_callbacks):
    """Buy paid tickets as a user through the basket, Oscar's checkout and the fake SumUp's pay step."""

    def buy(user, ticket_type, *starts: datetime, quantity: int = 1):
        client.force_login(user)
        for start in starts:
            client.post(
                f"/events/o/{ticket_type.event_id}/{int(start.timestamp())}/basket/",
                {"ticket_type": ticket_type.pk, "quantity": quantity},
            )
        client.get(reverse("checkout:index"), follow=True)
        client.post(reverse("checkout:preview"), {"action": "place_order"})
        attempt = PaymentAttempt.objects.filter(user=user).latest("pk")
        fake_sumup.settle(attempt.sumup_checkout_id, "pay", webhook="none")
        with django_capture_on_commit_callbacks(execute=True):
            client.get(reverse("commerce:sumup-return", args=[attempt.public_id]))
        attempt.refresh_from_db()
        assert attempt.order is not None, attempt.state
        client.logout()
        return list(Booking.objects.filter(order_line__order=attempt.order))

    return buy


def _source(order) -> Source:
    return Source.objects.get(order=order)


def _refunded(fake_sumup) -> list[tuple[str, float]]:
    return sorted((r["transaction_id"], r["amount"]) for r in fake_sumup.refunds)


def _transaction_id(order) -> str:
    return PaymentAttempt.objects.get(order=order).transaction_id


def test_event_cancel_refunds_each_paid_seat_once(
    workshop, otto, sam, olga, buy, fake_sumup, mailoutbox, django_capture_on_commit_callbacks
):
    paid = f.ticket_type(workshop, quota=5, price="25.00")
    free = f.ticket_type(workshop, name="Free", quota=5)
    next_week = workshop.start + timedelta(days=7)
    sams = buy(sam, paid, workshop.start, quantity=2)
    olgas = buy(olga, paid, next_week)
    kept_free = bookings.booking_create_free(ticket_type=free, original_start=workshop.start, user=sam)
    mailoutbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        cancellation.event_cancel(event=workshop, by_user=otto)

    sam_order, olga_order = sams[0].order_line.order, olgas[0].order_line.order
    assert _refunded(fake_sumup) == sorted(
        [(_transaction_id(sam_order), 25.0)] * 2 + [(_transaction_id(olga_order), 25.0)]
    )
    assert _source(sam_order).amount_refunded == Decimal("50.00")
    assert _source(olga_order).amount_refunded == Decimal("25.00")
    for booking in Booking.objects.filter(pk__in=[b.pk for b in sams + olgas]):
        assert booking.refunded_at is not None and booking.refund_amount == Decimal("25.00")
        assert booking.refund_failed_at is None
    kept_free.refresh_from_db()
    assert kept_free.state == "cancelled" and kept_free.refunded_at is None
    [sam_mail] = [m for m in mailoutbox if m.to == [sam.email] and m.subject.startswith("Cancelled")]
    assert "(refund: £25.00)" in sam_mail.body
    assert "refunded automatically to the card" in sam_mail.body
    assert "organiser will refund" not in sam_mail.body
    # The cancellation is a behavior in the flow log: each step and what it asked events to do.
    flow = Flow.objects.get(behavior="event_cancellation", object_key=f"event:{workshop.pk}")
    assert (flow.status, flow.path) == ("succeeded", ["call_off", "tickets?", "refunds", "tell", "federate"])
    called_off, owed, told = (
        FlowEffect.objects.get(idempotency_key=f"perform:{action}:event-{workshop.pk}").result
        for action in ("event_bookings_call_off", "ticket_refunds_owe", "event_holders_tell")
    )
    assert sorted(called_off["paid"]) == sorted(b.pk for b in sams + olgas)
    assert kept_free.pk in called_off["cancelled"] and len(owed["owed"]) == 3 and told == {"told": 2}


def test_date_cancel_refunds_only_that_dates_tickets(
    workshop, otto, sam, olga, buy, fake_sumup, mailoutbox, django_capture_on_commit_callbacks
):
    paid = f.ticket_type(workshop, quota=5, price="12.50")
    next_week = workshop.start + timedelta(days=7)
    [on_the_day] = buy(sam, paid, workshop.start)
    [later] = buy(olga, paid, next_week)
    mailoutbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        cancellation.occurrence_cancel(event=workshop, original_start=workshop.start)

    assert _refunded(fake_sumup) == [(_transaction_id(on_the_day.order_line.order), 12.5)]
    on_the_day.refresh_from_db()
    later.refresh_from_db()
    assert on_the_day.refund_amount == Decimal("12.50") and later.refunded_at is None
    assert later.state == "confirmed"
    assert _source(later.order_line.order).amount_refunded == 0
    # The cancellation's email, then the refund's own once SumUp refunded it (its payment_refund flow).
    [mail, refunded] = mailoutbox
    assert (
        mail.to == [sam.email] and "refunded automatically to the card it was paid with: £12.50" in mail.body
    )
    assert refunded.to == [sam.email] and refunded.subject.startswith("Refunded:")
    assert "£12.50" in refunded.body
    # The date's cancellation is a behavior in the flow log, keyed by the date: its one paid seat owed.
    stamp = int(workshop.start.timestamp())
    flow = Flow.objects.get(behavior="occurrence_cancellation", object_key=f"event:{workshop.pk}:{stamp}")
    assert flow.path == ["validate", "call_off", "tickets?", "refunds", "tell", "federate"]
    owed = FlowEffect.objects.get(idempotency_key=f"perform:ticket_refunds_owe:event-{workshop.pk}-{stamp}")
    assert owed.result == {"owed": [TicketRefund.objects.get(booking=on_the_day).pk]}


def test_refund_task_run_again_refunds_nothing_more(
    workshop, otto, sam, buy, fake_sumup, django_capture_on_commit_callbacks
):
    paid = f.ticket_type(workshop, quota=5, price="25.00")
    # One order for two dates: after one date is refunded the order still has money SumUp would return.
    tickets = buy(sam, paid, workshop.start, workshop.start + timedelta(days=7))
    [cancelled] = [t for t in tickets if t.occurrence_start == workshop.start]
    with django_capture_on_commit_callbacks(execute=True):
        cancellation.occurrence_cancel(event=workshop, original_start=workshop.start)
    assert len(fake_sumup.refunds) == 1

    refund = TicketRefund.objects.get(booking=cancelled)
    assert refund.state == "refunded"
    # A redelivered or duplicated task, or a worker that died before recording its result: the row
    # is worked again (put back as owed here) and SumUp's recorded key refunds nothing more.
    for _ in range(2):
        TicketRefund.objects.filter(pk=refund.pk).update(state="owed", locked_until=None, due_at=None)
        assert runner.advance(TicketRefund, refund.pk) == "refunded"

    assert len(fake_sumup.refunds) == 1
    assert _source(cancelled.order_line.order).amount_refunded == Decimal("25.00")


def test_ticket_the_holder_cancelled_is_not_refunded(
    workshop, otto, sam, buy, fake_sumup, django_capture_on_commit_callbacks
):
    paid = f.ticket_type(workshop, quota=5, price="25.00")
    [ticket] = buy(sam, paid, workshop.start)
    bookings.booking_cancel(booking=ticket, user=sam)
    with django_capture_on_commit_callbacks(execute=True):
        cancellation.event_cancel(event=workshop, by_user=otto)
    assert fake_sumup.refunds == []
    ticket.refresh_from_db()
    assert ticket.refunded_at is None


def _sweep_until_rested() -> None:
    """The durable sweep at each retry's due time, until no refund is owed any more."""
    for _ in range(TicketRefundGraph.owed.retry.max_attempts + 1):
        owed = TicketRefund.objects.filter(state="owed").order_by("due_at").first()
        if owed is None:
            return
        runner.run_due(TicketRefund, now=max(owed.due_at or timezone.now(), timezone.now()))
    raise AssertionError("refunds still owed after the policy's every try")


def _fail_next_refunds(fake_sumup, count: int) -> None:
    request = urllib.request.Request(f"{fake_sumup.url}/_test/refunds/fail?count={count}", method="POST")
    with urllib.request.urlopen(request, timeout=5) as response:
        assert json.load(response) == {"refund_failures": count}


def test_sumup_down_leaves_booking_unrefunded_and_flagged_for_staff(
    workshop, otto, sam, buy, fake_sumup, client, caplog, django_capture_on_commit_callbacks
):
    paid = f.ticket_type(workshop, quota=5, price="25.00")
    [ticket] = buy(sam, paid, workshop.start)
    _fail_next_refunds(fake_sumup, 100)

    with django_capture_on_commit_callbacks(execute=True):
        cancellation.event_cancel(event=workshop, by_user=otto)
    _sweep_until_rested()

    # Every attempt reached SumUp and failed; the retries are bounded by the graph's policy.
    assert 100 - fake_sumup.refund_failures == TicketRefundGraph.owed.retry.max_attempts
    assert TicketRefund.objects.get(booking=ticket).state == "failed"
    assert fake_sumup.refunds == []
    ticket.refresh_from_db()
    assert ticket.refunded_at is None and ticket.refund_amount is None
    assert ticket.refund_failed_at is not None and "503" in ticket.refund_error
    assert _source(ticket.order_line.order).amount_refunded == 0
    assert f"booking {ticket.pk}: automatic refund failed" in caplog.text
    client.force_login(otto)
    page = client.get(f"/events/manage/{workshop.pk}/").content.decode()
    assert ticket.code in page and "refund failed — refund from the order's Payment tab" in page


def test_sumup_failing_briefly_refunds_once_after_retrying(
    workshop, otto, sam, buy, fake_sumup, client, django_capture_on_commit_callbacks
):
    paid = f.ticket_type(workshop, quota=5, price="25.00")
    [ticket] = buy(sam, paid, workshop.start)
    _fail_next_refunds(fake_sumup, 2)

    with django_capture_on_commit_callbacks(execute=True):
        cancellation.event_cancel(event=workshop, by_user=otto)
    assert fake_sumup.refunds == []  # the first try failed: the runner retries after the policy's delay
    _sweep_until_rested()

    assert [r["amount"] for r in fake_sumup.refunds] == [25.0]
    ticket.refresh_from_db()
    assert ticket.refunded_at is not None and ticket.refund_failed_at is None
    client.force_login(otto)
    assert "refund failed" not in client.get(f"/events/manage/{workshop.pk}/").content.decode()


def test_free_tickets_cancelled_without_refund_or_refund_wording(
    workshop, otto, sam, fake_sumup, mailoutbox, django_capture_on_commit_callbacks
):
    free = f.ticket_type(workshop, quota=5)
    booking = bookings.booking_create_free(ticket_type=free, original_start=workshop.start, user=sam)
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        cancellation.event_cancel(event=workshop, by_user=otto)
    assert fake_sumup.refunds == []
    booking.refresh_from_db()
    assert booking.state == "cancelled" and booking.refunded_at is None and booking.refund_failed_at is None
    [mail] = mailoutbox
    assert "refund" not in mail.body


def test_refund_whose_task_was_lost_is_found_by_the_beat_sweep(
    workshop, otto, sam, buy, fake_sumup, django_capture_on_commit_callbacks
):
    paid = f.ticket_type(workshop, quota=5, price="25.00")
    [ticket] = buy(sam, paid, workshop.start)
    with django_capture_on_commit_callbacks(execute=False):  # the broker was down: no task was queued
        cancellation.event_cancel(event=workshop, by_user=otto)
    ticket.refresh_from_db()
    assert ticket.refund_owed == Decimal("25.00") and fake_sumup.refunds == []

    assert runner.run_due(TicketRefund) == {"refunded": 1}  # the durable sweep finds the owed row
    assert runner.run_due(TicketRefund, now=timezone.now() + timedelta(days=1)) == {}  # nothing owed now

    assert [r["amount"] for r in fake_sumup.refunds] == [25.0]
    ticket.refresh_from_db()
    assert ticket.refunded_at is not None


def test_checked_in_ticket_is_neither_cancelled_nor_refunded(
    workshop, otto, sam, olga, buy, fake_sumup, django_capture_on_commit_callbacks
):
    paid = f.ticket_type(workshop, quota=5, price="25.00")
    [attended] = buy(sam, paid, workshop.start)
    [not_yet] = buy(olga, paid, workshop.start)
    check_in.booking_check_in(code=attended.code, by_user=otto)

    with django_capture_on_commit_callbacks(execute=True):
        cancellation.occurrence_cancel(event=workshop, original_start=workshop.start)
        cancellation.event_cancel(event=workshop, by_user=otto)

    attended.refresh_from_db()
    not_yet.refresh_from_db()
    assert attended.state == "checked_in" and attended.refund_owed is None
    assert not_yet.state == "cancelled" and not_yet.refunded_at is not None
    assert [r["transaction_id"] for r in fake_sumup.refunds] == [_transaction_id(not_yet.order_line.order)]


def test_refund_workers_kept_dying_on_is_failed_and_flagged_for_staff(
    workshop, otto, sam, buy, fake_sumup, django_capture_on_commit_callbacks
):
    """Workers took the refund again and again and none recorded a result: the runner fails the row
    itself, without calling SumUp, and the booking is flagged for staff as a given-up refund is."""
    paid = f.ticket_type(workshop, quota=5, price="25.00")
    [ticket] = buy(sam, paid, workshop.start)
    _fail_next_refunds(fake_sumup, 100)  # the first try (on commit) fails and leaves the row owed
    with django_capture_on_commit_callbacks(execute=True):
        cancellation.event_cancel(event=workshop, by_user=otto)
    refund = TicketRefund.objects.get(booking=ticket)
    TicketRefund.objects.filter(pk=refund.pk).update(
        state="owed",
        state_attempts=TicketRefundGraph.owed.retry.max_attempts,
        locked_until=timezone.now() - timedelta(seconds=1),
    )
    calls_before = 100 - fake_sumup.refund_failures

    assert runner.run_due(TicketRefund, now=timezone.now() + timedelta(hours=1)) == {"failed": 1}

    assert 100 - fake_sumup.refund_failures == calls_before  # SumUp was not asked again
    ticket.refresh_from_db()
    assert ticket.refunded_at is None and ticket.refund_failed_at is not None
    assert "stalled" in ticket.refund_error


def test_ticket_refund_given_up_shows_a_refused_flow_and_tells_the_holder_once(
    workshop, otto, sam, buy, fake_sumup, mailoutbox, django_capture_on_commit_callbacks
):
    paid = f.ticket_type(workshop, quota=5, price="25.00")
    [ticket] = buy(sam, paid, workshop.start)
    _fail_next_refunds(fake_sumup, 100)
    with django_capture_on_commit_callbacks(execute=True):
        cancellation.event_cancel(event=workshop, by_user=otto)
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        _sweep_until_rested()
        # The ticket's row and the refund's both report it given up: one flow, one email.
        refund = TicketRefund.objects.get(booking=ticket)
        refund.state_failed("reported again", timezone.now())

    flow = Flow.objects.get(behavior="payment_refund", object_key=f"refund:ticket-{ticket.code}")
    assert (flow.status, flow.path) == ("refused", ["validate", "outcome?", "flag", "tell"])
    keys = set(FlowEffect.objects.filter(flow=flow).values_list("idempotency_key", flat=True))
    assert keys == {
        f"perform:{action}:refund-ticket-{ticket.code}"
        for action in ("refund_flag", "ticket_refund_flag", "ticket_refund_tell")
    }
    ticket.refresh_from_db()
    assert ticket.refund_failed_at is not None and "503" in ticket.refund_error
    assert PaymentAttempt.objects.get(order=ticket.order_line.order).needs_attention
    [told] = mailoutbox
    assert told.to == [sam.email] and "needs our help" in told.subject and ticket.code in told.body
