"""Helpers shared by the money-at-the-edges tests: tickets to SumUp, signed SumUp webhooks."""

import json
import uuid

from django.test import Client
from django.urls import reverse
from django.utils import timezone

from commerce.models import PaymentAttempt, PaymentRefund
from durable import runner


def ticket_url(event, start) -> str:
    return f"/events/o/{event.pk}/{int(start.timestamp())}/basket/"


def tickets_to_sumup(client, event, ticket_type, quantity=1):
    """Put tickets in the basket through the event page and place the order; returns the attempt."""
    client.post(ticket_url(event, event.start), {"ticket_type": ticket_type.pk, "quantity": quantity})
    client.get(reverse("checkout:index"), follow=True)
    response = client.post(reverse("checkout:preview"), {"action": "place_order"})
    attempt = PaymentAttempt.objects.order_by("-pk").first()
    assert attempt is not None and response["Location"] == attempt.hosted_checkout_url, response
    return attempt


def sweep_until_rested(max_sweeps: int = 40) -> None:
    """The durable sweep at each payment's or refund's next due time, until none is left to work:
    what beat does over the hours of a SumUp outage, without the waiting."""
    worked = {
        model: [state.name for state in model.state_graph.worked] for model in (PaymentAttempt, PaymentRefund)
    }
    for _ in range(max_sweeps):
        due = [
            row.due_at or timezone.now()
            for model, states in worked.items()
            for row in model.objects.filter(state__in=states)
        ]
        if not due:
            return
        runner.run_due(now=max(min(due), timezone.now()))
    raise AssertionError("payments still being worked after every sweep")


def webhook_post(fake, checkout_id: str, event_type: str = "checkouts.paid", event_id: str = ""):
    """Deliver a webhook signed as SumUp does, from a client that reports a 500 instead of raising."""
    body = json.dumps(
        {
            "id": event_id or f"evt_{uuid.uuid4().hex}",
            "type": event_type,
            "created_at": "2026-01-01T00:00:00Z",
            "object": {
                "id": checkout_id,
                "type": "checkout",
                "url": f"{fake.url}/v0.1/checkouts/{checkout_id}",
            },
        }
    ).encode()
    return Client(raise_request_exception=False).post(
        reverse("commerce:sumup-webhook"),
        body,
        content_type="application/json",
        HTTP_X_SUMUP_WEBHOOK_SIGNATURE=fake.sign(body),
    )
