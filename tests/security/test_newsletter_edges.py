"""Newsletter sign-up and unsubscribe used twice, at once, or with someone else's link."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.core import mail
from django.test import Client

from accounts import newsletter_services
from accounts.models import Subscription
from tests.concurrency import at_once, raised
from tests.factories.accounts import NewsletterListFactory, SubscriptionFactory


def _subscribe(email: str, newsletter):
    def post():
        return Client().post("/account/newsletters/", {"email": email, "newsletters": [newsletter.pk]})

    return post


@pytest.mark.django_db(transaction=True)
def test_two_subscribes_at_once_make_one_subscription_and_one_email():
    newsletter = NewsletterListFactory()

    answers = at_once(
        _subscribe("Reader@Example.org", newsletter), _subscribe("reader@example.org", newsletter)
    )

    assert raised(answers) == []
    assert [answer.status_code for answer in answers] == [200, 200]
    (subscription,) = Subscription.objects.all()
    assert (subscription.email, subscription.status) == ("reader@example.org", Subscription.Status.PENDING)
    assert [message.to for message in mail.outbox] == [["reader@example.org"]]


@pytest.mark.django_db
def test_asking_again_mails_again_only_after_a_pause(client, django_capture_on_commit_callbacks):
    """A double click sends one email, and the form cannot fill a stranger's inbox; a reader whose
    first email went missing gets another a few minutes later."""
    newsletter = NewsletterListFactory()
    with django_capture_on_commit_callbacks(execute=True):
        _subscribe("reader@example.org", newsletter)()
        _subscribe("reader@example.org", newsletter)()
    assert len(mail.outbox) == 1

    pause = timedelta(seconds=newsletter_services.CONFIRM_RESEND_SECONDS + 1)
    Subscription.objects.update(requested_at=Subscription.objects.get().requested_at - pause)
    with django_capture_on_commit_callbacks(execute=True):
        _subscribe("reader@example.org", newsletter)()
    assert len(mail.outbox) == 2
    assert Subscription.objects.get().status == Subscription.Status.PENDING


@pytest.mark.django_db
def test_an_unsubscribe_link_stops_only_its_own_subscription(client):
    newsletter = NewsletterListFactory()
    mine = SubscriptionFactory(newsletter=newsletter, email="me@example.org")
    mine_elsewhere = SubscriptionFactory(email="me@example.org")
    theirs = SubscriptionFactory(newsletter=newsletter, email="them@example.org")
    assert len({mine.token, mine_elsewhere.token, theirs.token}) == 3 and len(mine.token) >= 40

    link = newsletter_services.unsubscribe_url(mine).removeprefix(settings.SITE_URL)
    assert client.post(link).status_code == 200

    statuses = dict(Subscription.objects.values_list("pk", "status"))
    assert statuses == {
        mine.pk: Subscription.Status.UNSUBSCRIBED,
        mine_elsewhere.pk: Subscription.Status.ACTIVE,
        theirs.pk: Subscription.Status.ACTIVE,
    }
    # A guessed or altered token finds nothing.
    assert client.post(f"/account/newsletters/unsubscribe/{theirs.token[:-1]}x/").status_code == 404


@pytest.mark.django_db(transaction=True)
def test_unsubscribing_twice_at_once_and_again_later_answers_alike_and_keeps_the_first_time():
    subscription = SubscriptionFactory()
    url = f"/account/newsletters/unsubscribe/{subscription.token}/"

    answers = at_once(lambda: Client().post(url), lambda: Client().post(url))
    subscription.refresh_from_db()
    first_time = subscription.unsubscribed_at
    again = Client().post(url)

    assert raised(answers) == []
    assert [answer.status_code for answer in [*answers, again]] == [200, 200, 200]
    subscription.refresh_from_db()
    assert subscription.status == Subscription.Status.UNSUBSCRIBED
    assert subscription.unsubscribed_at == first_time is not None
