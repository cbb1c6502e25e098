"""Writes for social: start a flow for a page event (in the publish transaction), notifications."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from social import registry
from social.behaviors import behavior_get
from social.models import FederatedObject, Flow, StaffNotification
from social.triggers import PageEvent, Triggers


def triggers() -> Triggers:
    return import_string(settings.SOCIAL_TRIGGERS)()


def flow_start(
    *, behavior: str, event: str, object_key: str, payload: dict, page_id: int | None = None
) -> Flow:
    """Write the Flow row in the caller's transaction; the runner picks it up once that commits.

    This is the transactional outbox: if the publish rolls back, so does the flow; if the process
    dies after the commit but before the runner starts, the sweep finds the pending flow.
    """
    definition = behavior_get(behavior)
    flow = Flow.objects.create(
        behavior=definition.name,
        event=event,
        object_key=object_key,
        page_id=page_id,
        payload=payload,
        cursor=definition.start,
    )
    from social.engine import runner

    flow_runner = runner()
    transaction.on_commit(lambda: flow_runner.start(flow.pk))
    return flow


def page_event_handle(page, kind: str) -> Flow | None:
    """A federated page was published, unpublished or deleted: start the behavior it triggers."""
    object_key = registry.object_key(page)
    payload = registry.page_payload(page)
    with transaction.atomic():
        # Lock the state row so two concurrent publishes of one page cannot both be a Create.
        state, _ = FederatedObject.objects.select_for_update().get_or_create(
            object_key=object_key, defaults={"page_id": page.pk}
        )
        decision = triggers().decide(
            PageEvent(kind, object_key, bool(payload.get("is_private"))), state.state
        )
        if decision is None:
            return None
        flow = flow_start(
            behavior=decision.behavior,
            event=decision.event,
            object_key=object_key,
            payload=payload,
            page_id=page.pk,
        )
        state.state = decision.new_state
        if decision.behavior == "publish":
            state.created_activity_id = flow.activity_id
        state.save(update_fields=["state", "created_activity_id", "updated_at"])
        return flow


def notification_email_send(notification_id: int) -> bool:
    """Email a staff notification to every active staff member, at most once."""
    claimed = StaffNotification.objects.filter(pk=notification_id, emailed_at__isnull=True).update(
        emailed_at=timezone.now()
    )
    if not claimed:
        return False
    notification = StaffNotification.objects.get(pk=notification_id)
    recipients = list(
        get_user_model()
        .objects.filter(is_staff=True, is_active=True)
        .exclude(email="")
        .values_list("email", flat=True)
    )
    if recipients:
        body = f"{notification.body}\n\n{notification.url}".strip()
        send_mail(f"[{settings.SITE_NAME}] {notification.subject}", body, None, recipients)
    return True


def notification_mark_read(notification: StaffNotification, user) -> None:
    notification.read_by.add(user)


def notifications_mark_all_read(user) -> int:
    unread = StaffNotification.objects.exclude(read_by=user)
    through = StaffNotification.read_by.through
    rows = [through(staffnotification_id=pk, user_id=user.pk) for pk in unread.values_list("pk", flat=True)]
    through.objects.bulk_create(rows, ignore_conflicts=True)
    return len(rows)
