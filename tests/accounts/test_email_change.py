"""Changing the account's email: a link to the new address, a notice to the old, no enumeration."""

import re

import pytest
from django.core import mail

from accounts.models import Subscription, User
from tests.factories.accounts import PASSWORD, NewsletterListFactory, SubscriptionFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def member(client):
    user = UserFactory(email="old@example.org", email_verified=True)
    client.force_login(user)
    return user


def _request_change(client, capture, new_email: str, password: str = PASSWORD):
    with capture(execute=True):
        return client.post("/account/email/change/", {"new_email": new_email, "password": password})


def _mail_to(address: str) -> list:
    return [message for message in mail.outbox if message.to == [address]]


def _link(message) -> str:
    return re.search(r"https?://\S+/account/email/change/\S+", message.body).group(0)


def test_change_mails_a_link_to_the_new_address_and_a_notice_to_the_old(
    client, member, django_capture_on_commit_callbacks
):
    response = _request_change(client, django_capture_on_commit_callbacks, "New@Example.org")
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.email == "old@example.org"  # nothing until the link is followed
    (link_mail,) = _mail_to("new@example.org")
    (notice,) = _mail_to("old@example.org")
    assert "new@example.org" in notice.body and "/account/email/change/" not in notice.body

    with django_capture_on_commit_callbacks(execute=True):
        confirmed = client.get(_link(link_mail))
    assert confirmed.status_code == 302
    member.refresh_from_db()
    assert (member.email, member.email_verified) == ("new@example.org", True)
    changed = _mail_to("old@example.org")[-1]
    assert "now uses new@example.org" in changed.body
    assert client.get(_link(link_mail)).status_code == 400  # spent


def test_change_moves_subscriptions_but_keeps_the_new_addresses_own_choice(
    client, member, django_capture_on_commit_callbacks
):
    news, market = NewsletterListFactory(name="News"), NewsletterListFactory(name="Market")
    SubscriptionFactory(newsletter=news, email="old@example.org")
    SubscriptionFactory(newsletter=market, email="old@example.org")
    SubscriptionFactory(newsletter=market, email="new@example.org", status=Subscription.Status.UNSUBSCRIBED)
    _request_change(client, django_capture_on_commit_callbacks, "new@example.org")
    client.get(_link(_mail_to("new@example.org")[0]))
    statuses = dict(
        Subscription.objects.filter(email="new@example.org").values_list("newsletter__name", "status")
    )
    assert statuses == {"News": "active", "Market": "unsubscribed"}


def test_change_needs_the_current_password(client, member, django_capture_on_commit_callbacks):
    response = _request_change(client, django_capture_on_commit_callbacks, "new@example.org", "wrong")
    assert response.status_code == 400
    assert mail.outbox == []


def test_change_to_a_members_address_answers_the_same_and_changes_nothing(
    client, member, django_capture_on_commit_callbacks
):
    UserFactory(email="taken@example.org")
    response = _request_change(client, django_capture_on_commit_callbacks, "taken@example.org")
    assert response.status_code == 302
    (notice,) = _mail_to("taken@example.org")
    assert "already has an account" in notice.body and "/account/email/change/" not in notice.body
    member.refresh_from_db()
    assert member.email == "old@example.org"


def test_link_is_refused_if_the_address_was_taken_meanwhile_or_tampered(
    client, member, django_capture_on_commit_callbacks
):
    _request_change(client, django_capture_on_commit_callbacks, "new@example.org")
    link = _link(_mail_to("new@example.org")[0])
    assert client.get(link[:-3] + "abc/").status_code == 400
    UserFactory(email="new@example.org")
    assert client.get(link).status_code == 400
    assert User.objects.get(pk=member.pk).email == "old@example.org"


def test_second_request_within_the_interval_refused_and_mails_nothing(
    client, member, django_capture_on_commit_callbacks
):
    assert _request_change(client, django_capture_on_commit_callbacks, "first@example.org").status_code == 302
    sent = len(mail.outbox)
    response = _request_change(client, django_capture_on_commit_callbacks, "second@example.org")
    assert response.status_code == 429
    assert "You asked for a change a few minutes ago" in response.content.decode()
    assert len(mail.outbox) == sent and not _mail_to("second@example.org")
