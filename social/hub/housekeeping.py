"""Housekeeping run by beat: prune the timeline past its retention, email the unread-notification digest."""

from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from .models import Notification, TimelineItem
from .read_markers import notifications_read_by_anyone


def timeline_prune(older_than: timedelta | None = None) -> int:
    """Delete timeline items older than the retention, keeping those we reacted or replied to."""
    if older_than is None:
        older_than = timedelta(days=settings.HUB_TIMELINE_RETENTION_DAYS)
    cutoff = timezone.now() - older_than
    return (
        TimelineItem.objects.filter(received__lt=cutoff)
        .exclude(our_reactions__isnull=False)
        .exclude(our_replies__isnull=False)
        .exclude(notifications__pk__gt=notifications_read_by_anyone())
        .delete()[0]
    )


def notifications_digest_send() -> int:
    """Email notifications no editor has read yet, once, to the staff in HUB_DIGEST_EMAILS."""
    from django.core.mail import send_mail

    recipients = list(getattr(settings, "HUB_DIGEST_EMAILS", []))
    pending = list(
        Notification.objects.filter(pk__gt=notifications_read_by_anyone(), emailed__isnull=True)
        .select_related("remote_actor", "local_actor")
        .order_by("created")[:500]
    )
    if not recipients or not pending:
        return 0
    # Claimed first, in a commit of its own: a digest run at the same time finds them taken, and a
    # crash once the SMTP server has the message cannot mail them again. A refused send releases them.
    claim = timezone.now()
    Notification.objects.filter(pk__in=[n.pk for n in pending], emailed__isnull=True).update(emailed=claim)
    claimed = set(Notification.objects.filter(emailed=claim).values_list("pk", flat=True))
    pending = [n for n in pending if n.pk in claimed]
    if not pending:
        return 0
    lines = [
        f"- {n.get_kind_display()}: {n.remote_actor} → @{n.local_actor.username if n.local_actor else '?'}"
        + (f" ({n.object_uri})" if n.object_uri else "")
        for n in pending
    ]
    try:
        send_mail(
            subject=f"{len(pending)} new fediverse notification{'s' if len(pending) != 1 else ''}",
            message="\n".join(lines) + f"\n\nRead them at {settings.SITE_URL}/admin/hub/notifications/\n",
            from_email=None,
            recipient_list=recipients,
        )
    except Exception:
        Notification.objects.filter(pk__in=claimed, emailed=claim).update(emailed=None)
        raise
    return len(pending)
