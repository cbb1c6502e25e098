"""The data migration that moves newsletter deliveries onto the one runner keeps what each row meant."""

import pytest

from tests.migrations import migrate

BEFORE = [("accounts", "0004_oidc_spent_authorization_codes")]
AFTER = [("accounts", "0007_newsletter_delivery_old_columns_removed")]


@pytest.mark.django_db(transaction=True)
def test_deliveries_keep_their_meaning_and_sending_issues_get_queued_rows(latest_schema_after):
    old = migrate(BEFORE)
    NewsletterList = old.get_model("accounts", "NewsletterList")
    Subscription = old.get_model("accounts", "Subscription")
    Issue = old.get_model("accounts", "NewsletterIssue")
    Delivery = old.get_model("accounts", "NewsletterDelivery")
    news = NewsletterList.objects.create(name="News", slug="news")
    subs = [
        Subscription.objects.create(newsletter=news, email=f"s{n}@example.org", status="active", token=str(n))
        for n in range(5)
    ]
    Subscription.objects.create(newsletter=news, email="gone@example.org", status="unsubscribed", token="tg")
    sending = Issue.objects.create(newsletter=news, subject="Half way", status="sending")
    Delivery.objects.create(issue=sending, subscription=subs[0], status="sent")
    Delivery.objects.create(issue=sending, subscription=subs[1], status="failed", error="550 no")
    Delivery.objects.create(issue=sending, subscription=subs[2], status="claimed")  # its worker died
    finished = Issue.objects.create(newsletter=news, subject="All claimed", status="sending")
    for sub in subs:
        Delivery.objects.create(issue=finished, subscription=sub, status="sent")

    new = migrate(AFTER)
    Delivery = new.get_model("accounts", "NewsletterDelivery")
    Issue = new.get_model("accounts", "NewsletterIssue")
    states = dict(Delivery.objects.filter(issue_id=sending.pk).values_list("subscription__email", "state"))
    assert states == {
        "s0@example.org": "sent",
        "s1@example.org": "failed",
        "s2@example.org": "unconfirmed",  # never resent: it may have gone out
        "s3@example.org": "queued",  # not reached yet: the sweep sends it
        "s4@example.org": "queued",
    }
    assert Delivery.objects.get(issue_id=sending.pk, state="failed").error == "550 no"
    assert (
        Delivery.objects.filter(issue_id=sending.pk, state__in=["sent", "failed", "unconfirmed"])
        .filter(finished_at__isnull=True)
        .count()
        == 0
    )
    assert Issue.objects.get(pk=sending.pk).status == "sending"
    assert Issue.objects.get(pk=finished.pk).status == "sent"  # nobody left to send to
