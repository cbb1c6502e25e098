"""Each newsletter delivery's old status becomes its state on the one runner.

A migration of its own: on PostgreSQL the rows it writes leave deferred foreign-key checks pending
until commit, and the schema changes around it (0005's indexes, 0007's dropped columns) are refused
in the same transaction."""

import django.utils.timezone
from django.db import migrations
from django.db.models import F
from django.db.models.functions import Coalesce


def deliveries_to_states(apps, schema_editor):
    """The batch sender's rows become durable rows. `sent` and `failed` keep their meaning; a row still
    `claimed` was committed before an email its worker may or may not have sent (the sender deleted the
    claims an outage refused), so it becomes `unconfirmed`, as the batch sender would never retry it.
    Issues still sending get a `queued` row for each active subscriber not yet claimed, as the next
    batch would have (or are closed, if none is left): the one runner's sweep sends them, now that the issue's own resume is gone."""
    NewsletterDelivery = apps.get_model("accounts", "NewsletterDelivery")
    NewsletterIssue = apps.get_model("accounts", "NewsletterIssue")
    Subscription = apps.get_model("accounts", "Subscription")
    deliveries = NewsletterDelivery.objects.all()
    deliveries.filter(status="sent").update(
        state="sent", state_changed_at=F("claimed_at"), finished_at=Coalesce("sent_at", "claimed_at")
    )
    deliveries.filter(status="failed").update(state="failed", state_changed_at=F("claimed_at"), finished_at=F("claimed_at"))
    deliveries.filter(status="claimed").update(
        state="unconfirmed",
        state_changed_at=F("claimed_at"),
        smtp_started_at=F("claimed_at"),
        finished_at=F("claimed_at"),
        error="claimed by the batch sender, never recorded as sent",
    )
    now = django.utils.timezone.now()
    for issue in NewsletterIssue.objects.filter(status="sending"):
        waiting = Subscription.objects.filter(newsletter_id=issue.newsletter_id, status="active").exclude(
            deliveries__issue=issue
        )
        created = NewsletterDelivery.objects.bulk_create(
            (NewsletterDelivery(issue=issue, subscription=subscription, state="queued", state_changed_at=now)
             for subscription in waiting.iterator()),
            batch_size=1000,
        )
        if not created:  # everyone was claimed: the batch sender's next batch would have closed it
            NewsletterIssue.objects.filter(pk=issue.pk).update(status="sent", finished_at=now)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0005_newsletter_deliveries_durable"),
    ]

    operations = [
        migrations.RunPython(deliveries_to_states, migrations.RunPython.noop),
    ]
