"""The member dashboard: orders, registered sections, profile, connected apps, export and deletion."""

import json
from datetime import timedelta

import pytest
from django.utils import timezone
from oauth2_provider.models import get_access_token_model, get_refresh_token_model
from oscar.test.factories import ShippingAddressFactory, create_order

from accounts import dashboard
from accounts.models import Subscription, User
from tests.factories.accounts import PASSWORD, SubscriptionFactory, UserFactory, oauth_client

pytestmark = pytest.mark.django_db


@pytest.fixture
def member(client):
    user = UserFactory(email="dash@example.org")
    client.force_login(user)
    return user


@pytest.fixture
def bookings_section(monkeypatch):
    """What the events app registers, standing in for it with the generic items template.

    monkeypatch puts the registries back as they were: popping "bookings" afterwards would drop the
    real events exporter for every later test in the run (the browser journey's export came out with
    no bookings on CI, where the whole suite runs in one process)."""
    section = dashboard.DashboardSection(
        key="bookings-test",
        title="Tickets and bookings",
        template="accounts/dashboard_items.html",
        context=lambda user: {"items": [{"title": f"Ticket for {user.email}", "url": "/events/x/"}]},
        order=30,
    )
    monkeypatch.setitem(dashboard._sections, section.key, section)
    monkeypatch.setitem(
        dashboard._exporters, "bookings", lambda user: [{"event": "Harvest supper", "email": user.email}]
    )
    return section


def _tokens_for(user, application):
    AccessToken, RefreshToken = get_access_token_model(), get_refresh_token_model()
    access = AccessToken.objects.create(
        user=user,
        application=application,
        token="a" * 40,
        scope="openid email",
        expires=timezone.now() + timedelta(hours=1),
    )
    RefreshToken.objects.create(user=user, application=application, token="r" * 40, access_token=access)


def test_dashboard_requires_login(client):
    response = client.get("/account/")
    assert response.status_code == 302
    assert response["Location"].startswith("/account/login/")


def test_dashboard_shows_orders_and_registered_sections(client, member, bookings_section):
    order = create_order(user=member)
    html = client.get("/account/").content.decode()
    assert str(order.number) in html
    assert "Tickets and bookings" in html
    assert "Ticket for dash@example.org" in html


def test_dashboard_saves_fediverse_handle_and_refuses_a_bad_one(client, member):
    response = client.post(
        "/account/", {"first_name": "Dee", "last_name": "Ash", "fediverse_handle": "@dee@coop.social"}
    )
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.fediverse_handle == "@dee@coop.social"
    bad = client.post("/account/", {"first_name": "Dee", "fediverse_handle": "not a handle"})
    assert bad.status_code == 400
    member.refresh_from_db()
    assert member.fediverse_handle == "@dee@coop.social"


def test_connected_app_is_listed_and_revoking_removes_its_tokens(client, member):
    application, _ = oauth_client(redirect_uri="https://app.example.org/cb", name="Garden planner")
    other, _ = oauth_client(redirect_uri="https://other.example.org/cb", name="Other app")
    _tokens_for(member, application)
    assert "Garden planner" in client.get("/account/").content.decode()
    response = client.post(f"/account/apps/{application.pk}/revoke/")
    assert response.status_code == 302
    assert not get_access_token_model().objects.filter(user=member, application=application).exists()
    assert (
        not get_refresh_token_model()
        .objects.filter(user=member, application=application, revoked__isnull=True)
        .exists()
    )
    assert "Garden planner" not in client.get("/account/").content.decode()
    assert other.pk  # untouched


def test_revoke_by_get_is_refused(client, member):
    application, _ = oauth_client(redirect_uri="https://app.example.org/cb")
    assert client.get(f"/account/apps/{application.pk}/revoke/").status_code == 405


def test_export_contains_profile_orders_subscriptions_and_bookings(client, member, bookings_section):
    order = create_order(user=member)
    SubscriptionFactory(email=member.email)
    response = client.get("/account/export/")
    assert response["Content-Disposition"].startswith("attachment;")
    data = json.loads(response.content)
    assert data["profile"]["email"] == "dash@example.org"
    assert [exported["number"] for exported in data["orders"]] == [str(order.number)]
    assert data["subscriptions"][0]["status"] == "active"
    assert data["bookings"] == [{"event": "Harvest supper", "email": "dash@example.org"}]


def test_export_lists_bookings_from_the_events_app_itself(client, member):
    # No stand-in: the exporter events registered at start-up, still there after the tests above.
    from events.bookings import booking_create_free
    from tests.factories import events as event_factories

    start = (timezone.now() + timedelta(days=3)).replace(microsecond=0)
    calendar = event_factories.organiser_calendar("Suppers")
    supper = event_factories.event(calendar, "Soup night", start=start, end=start + timedelta(hours=2))
    seat = event_factories.ticket_type(supper, name="Seat", quota=5)
    booking = booking_create_free(ticket_type=seat, original_start=start, user=member)
    data = json.loads(client.get("/account/export/").content)
    assert [(row["event"], row["code"]) for row in data["bookings"]] == [("Soup night", booking.code)]


def test_delete_with_wrong_password_keeps_the_account(client, member):
    response = client.post("/account/delete/", {"password": "wrong"})
    assert response.status_code == 400
    assert User.objects.filter(pk=member.pk).exists()


def test_delete_removes_the_member_and_keeps_orders_anonymised(client, member):
    order = create_order(user=member, shipping_address=ShippingAddressFactory())
    SubscriptionFactory(email=member.email)
    application, _ = oauth_client(redirect_uri="https://app.example.org/cb")
    _tokens_for(member, application)
    response = client.post("/account/delete/", {"password": PASSWORD})
    assert response.status_code == 302
    assert not User.objects.filter(pk=member.pk).exists()
    order.refresh_from_db()
    assert order.user is None
    assert order.guest_email == ""
    assert order.shipping_address.first_name == ""
    assert order.shipping_address.line1 == ""
    assert order.shipping_address.phone_number in ("", None)
    assert order.shipping_address.postcode == "1000"
    assert order.total_incl_tax > 0
    assert not Subscription.objects.filter(email=member.email).exists()
    assert not get_access_token_model().objects.filter(application=application).exists()
    assert "_auth_user_id" not in client.session
