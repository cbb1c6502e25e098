"""Shared by the money-at-the-edges tests: a ticketed workshop, signed SumUp webhooks, a paid checkout."""

import json
import uuid

import pytest
from django.test import Client
from django.urls import reverse

from commerce.models import PaymentAttempt
from tests.factories import events as f


@pytest.fixture
def organiser(db):
    return f.user("otto@example.org")


@pytest.fixture
def sam(db):
    return f.user("sam@example.org")


@pytest.fixture
def olga(db):
    return f.user("olga@example.org")


@pytest.fixture
def workshop(organiser):
    """A weekly workshop starting in five days."""
    calendar = f.organiser_calendar("Otto's workshops", organiser)
    return f.event(calendar, "Bread workshop", start=f.local(5, 10), end=f.local(5, 15), frequency="WEEKLY")


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
