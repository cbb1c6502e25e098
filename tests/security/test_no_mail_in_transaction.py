"""No email while a database transaction is open: every message leaves after commit.

Each test runs a real flow with the outbound guard, which notes for every email whether our code (or
ATOMIC_REQUESTS around a view) had a transaction open at that moment. Remote calls: see
test_no_network_in_transaction.py.
"""

import pytest
from django.core import mail
from django.db import transaction

from tests.factories import hub as f
from tests.security.outbound_guard import outbound_guard_fixture  # noqa: F401

pytestmark = pytest.mark.django_db(transaction=True)


# --- email ---------------------------------------------------------------------------------------------


def _mail_to(address: str) -> list:
    return [message for message in mail.outbox if address in message.to]


def test_password_reset_email_leaves_after_the_request_commits(client, eager_celery, outbound_guard):
    from tests.factories.accounts import UserFactory

    UserFactory(email="ann@example.org", email_verified=True)
    response = client.post("/account/password/reset/", {"email": "ann@example.org"})
    assert response.status_code == 302
    assert "/account/password/reset/" in _mail_to("ann@example.org")[0].body
    outbound_guard.assert_clean("mail")


def test_signup_confirmation_leaves_after_the_request_commits(client, eager_celery, outbound_guard):
    from tests.factories.accounts import PASSWORD

    response = client.post("/account/signup/", {"email": "new@example.org", "password": PASSWORD})
    assert response.status_code == 302
    assert _mail_to("new@example.org")
    outbound_guard.assert_clean("mail")


def test_email_change_link_leaves_after_the_request_commits(client, eager_celery, outbound_guard):
    from tests.factories.accounts import PASSWORD, UserFactory

    client.force_login(UserFactory(email="old@example.org", email_verified=True))
    client.post("/account/email/change/", {"new_email": "fresh@example.org", "password": PASSWORD})
    assert _mail_to("fresh@example.org") and _mail_to("old@example.org")
    outbound_guard.assert_clean("mail")


def test_newsletter_confirmation_leaves_after_the_request_commits(client, eager_celery, outbound_guard):
    from tests.factories.accounts import NewsletterListFactory

    newsletter = NewsletterListFactory(name="Cooperative news")
    client.post("/account/newsletters/", {"email": "reader@example.org", "newsletters": [newsletter.pk]})
    assert _mail_to("reader@example.org")
    outbound_guard.assert_clean("mail")


def test_booking_ticket_leaves_after_the_booking_commits(eager_celery, outbound_guard):
    from events import bookings
    from tests.factories import events as ev

    meetup = ev.event(
        ev.organiser_calendar("Otto's", ev.user("otto@example.org")),
        "Meetup",
        start=ev.local(2, 18),
        end=ev.local(2, 20),
    )
    ticket_type = ev.ticket_type(meetup)
    with transaction.atomic():  # as the booking view runs, inside the request's transaction
        bookings.booking_create_free(
            ticket_type=ticket_type, original_start=meetup.start, user=ev.user("ann@example.org")
        )
    assert _mail_to("ann@example.org")
    outbound_guard.assert_clean("mail")


# --- claims before mail: a refused email releases its claim, a sent one is never sent again ---------


@pytest.fixture
def refused():
    """Addresses the guard's mail backend refuses, as an SMTP server that drops mid-run."""
    from . import failing_mail

    failing_mail.REFUSED.clear()
    yield failing_mail.REFUSED
    failing_mail.REFUSED.clear()


def test_staff_notification_refused_by_smtp_is_released_then_sent_once(outbound_guard, refused):
    import smtplib

    from social import services as social_services
    from social.models import StaffNotification
    from tests.factories.accounts import UserFactory

    UserFactory(email="staff@example.org", is_staff=True)
    notification = StaffNotification.objects.create(key="k", subject="Flow failed", body="see the log")
    refused.add("staff@example.org")
    with pytest.raises(smtplib.SMTPRecipientsRefused):
        social_services.notification_email_send(notification.pk)
    assert StaffNotification.objects.get().emailed_at is None  # the task's retry may send it
    refused.clear()
    assert social_services.notification_email_send(notification.pk) is True
    assert social_services.notification_email_send(notification.pk) is False
    assert len(_mail_to("staff@example.org")) == 1
    outbound_guard.assert_clean("mail")


def test_hub_digest_claims_before_sending_and_releases_when_refused(outbound_guard, refused, settings):
    import smtplib

    from social.hub import housekeeping
    from social.hub.models import Notification

    settings.HUB_DIGEST_EMAILS = ["desk@example.org"]
    f.notification()
    f.notification()
    refused.add("desk@example.org")
    with pytest.raises(smtplib.SMTPRecipientsRefused):
        housekeeping.notifications_digest_send()
    assert not Notification.objects.filter(emailed__isnull=False).exists()  # released for the next run
    refused.clear()
    unclaimed_while_sending = []
    outbound_guard.on_mail = lambda call: unclaimed_while_sending.append(
        Notification.objects.filter(emailed__isnull=True).count()
    )
    assert housekeeping.notifications_digest_send() == 2
    assert unclaimed_while_sending == [0]  # both claimed before the message went
    assert housekeeping.notifications_digest_send() == 0
    assert len(_mail_to("desk@example.org")) == 1
    outbound_guard.assert_clean("mail")


# --- the admin screens' own mail: Wagtail's comment notices, Oscar's template preview ---------------


def test_page_comment_mails_subscribers_after_the_edit_commits(client, outbound_guard):
    from wagtail.models import PageSubscription

    from tests.cms.test_autosave import edit_form_state
    from tests.factories.accounts import UserFactory
    from tests.factories.cms import blog_post

    post = blog_post(publish=False, slug="commented")
    PageSubscription.objects.create(
        page=post, user=UserFactory(email="sub@example.org"), comment_notifications=True
    )
    client.force_login(UserFactory(email="ed@example.org", is_staff=True, is_superuser=True))
    comment = {
        "DELETE": "",
        "resolved": "",
        "id": "",
        "contentpath": "title",
        "text": "Check the title",
        "position": "",
    }
    replies = {
        f"replies-{key}_FORMS": count
        for key, count in (("TOTAL", 0), ("INITIAL", 0), ("MIN_NUM", 0), ("MAX_NUM", 0))
    }
    extra = {
        f"comments-{key}_FORMS": count
        for key, count in (("TOTAL", 1), ("INITIAL", 0), ("MIN_NUM", 0), ("MAX_NUM", ""))
    }
    extra |= {f"comments-0-{key}": value for key, value in (comment | replies).items()}
    response = client.post(f"/admin/pages/{post.pk}/edit/", edit_form_state(client, post, "Words.", **extra))
    assert response.status_code == 302, response.context["form"].errors if response.context else response
    assert "Check the title" in _mail_to("sub@example.org")[0].body
    outbound_guard.assert_clean("mail")


def test_oscar_email_template_preview_is_sent_outside_the_request_transaction(client, outbound_guard):
    from oscar.apps.communication.models import CommunicationEventType

    from tests.factories.accounts import UserFactory

    CommunicationEventType.objects.create(
        code="WELCOME",
        name="Welcome",
        category=CommunicationEventType.USER_RELATED,
        email_subject_template="Hi",
    )
    client.force_login(UserFactory(email="shop@example.org", is_staff=True, is_superuser=True))
    template = {
        "name": "Welcome",
        "email_subject_template": "Hello {{ user.email }}",
        "email_body_template": "Body",
    }
    template |= {
        "email_body_html_template": "<p>Body</p>",
        "preview_email": "me@example.org",
        "send_preview": "1",
    }
    response = client.post("/shop/dashboard/comms/WELCOME/", template)
    assert response.status_code == 200, response
    assert _mail_to("me@example.org")[0].subject == "Hello shop@example.org"
    outbound_guard.assert_clean("mail")
