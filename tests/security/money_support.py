"""Helpers shared by the money-at-the-edges tests: tickets to SumUp, signed SumUp webhooks."""

import json
import uuid

from django.test import Client
from django.urls import reverse

from commerce.models import PaymentAttempt


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
