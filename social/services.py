"""Writes for social: start a flow for a page's or a source's event (in the caller's transaction),
retry a failed one, notifications."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import connection, transaction
from django.utils import timezone
from django.utils.module_loading import import_string
from wagtail.log_actions import log

from social import registry
from social.behaviors import behavior_get
from social.federation.models import FederatedObject
from social.models import Flow, FlowStep, StaffNotification
from social.triggers import PageEvent, Triggers


def triggers() -> Triggers:
    return import_string(settings.SOCIAL_TRIGGERS)()


def flow_start(
    *,
    behavior: str,
    event: str,
    object_key: str,
    payload: dict,
    page_id: int | None = None,
    revision_id: int | None = None,
) -> Flow:
    """Write the Flow row in the caller's transaction; the runner picks it up once that commits.

    This is the transactional outbox: if the publish rolls back, so does the flow; if the process
    dies after the commit but before the runner starts, the sweep finds the pending flow. A flow with
    a `revision_id` and an empty payload has its payload read from that revision by the runner.
    """
    definition = behavior_get(behavior)
    flow = Flow.objects.create(
        behavior=definition.name,
        event=event,
        object_key=object_key,
        page_id=page_id,
        revision_id=revision_id,
        payload=payload,
        cursor=definition.start,
    )
    from social.engine import runner

    flow_runner = runner()
    transaction.on_commit(lambda: flow_runner.start(flow.pk))
    return flow


def flow_start_once(*, behavior: str, event: str, object_key: str, payload: dict) -> Flow:
    """The one flow of `behavior` for an object (a payment is settled once, however often it is
    asked): written if there is none yet, then run in this process right away.

    It runs here, not queued, because the caller waits for its outcome (a runner's handler answering
    where the payment went, a webhook). Called outside a transaction, each step commits on its own,
    as under any runner; called inside one (with the object's row locked, so two callers cannot both
    write a flow), the flow's steps commit with the caller's work or not at all. The engine's claims
    keep a second runner of the same flow out, and a flow stopped on a failing step is not started
    again: the sweep or staff retry it from that step.
    """
    with transaction.atomic():
        flow = Flow.objects.filter(behavior=behavior, object_key=object_key).order_by("pk").first()
        if flow is None:
            definition = behavior_get(behavior)
            flow = Flow.objects.create(
                behavior=definition.name,
                event=event,
                object_key=object_key,
                payload=payload,
                cursor=definition.start,
            )
    from social.engine import flow_run

    flow_run(flow.pk)
    return flow


class FlowNotRetryable(Exception):
    """Only a failed flow can be retried; a running one is the runner's, a finished one is done."""


def flow_retry_from_failed_step(flow: Flow, *, user=None) -> FlowStep:
    """Give a failed flow's failed step a fresh set of attempts and hand the flow back to the runner.

    The next attempt is recorded by the engine's claim as any other (the step's `attempts` goes up);
    steps already done are not run again, and the failed step's own effects rolled back with it, so
    no effect is dispatched twice (each FlowEffect's idempotency key would refuse a second row anyway).
    """
    with transaction.atomic():
        flow = Flow.objects.select_for_update().get(pk=flow.pk)
        if flow.status != Flow.Status.FAILED or not flow.cursor:
            raise FlowNotRetryable(f"flow {flow.pk} is {flow.status}, not failed")
        step = FlowStep.objects.select_for_update().get(flow=flow, name=flow.cursor)
        step.attempt_limit = step.attempts + settings.SOCIAL_STEP_MAX_ATTEMPTS
        step.save(update_fields=["attempt_limit"])
        flow.status, flow.error, flow.finished_at = Flow.Status.PENDING, "", None
        flow.save(update_fields=["status", "error", "finished_at", "updated_at"])
        if user is not None:
            log(flow, "social.flow_retry", user=user, data={"step": step.name, "attempts": step.attempts})
        from social.engine import runner

        flow_runner = runner()
        transaction.on_commit(lambda: flow_runner.start(flow.pk))
    return step


def _federation_state_lock(object_key: str, page_id: int | None) -> tuple[int, str]:
    """The object's federation state row, inserted if missing and locked, in one round trip: (pk, state).

    INSERT … ON CONFLICT DO UPDATE (PostgreSQL; SQLite has it too) locks the existing row as SELECT …
    FOR UPDATE would, so two concurrent first publishes of one page queue on the unique key and the
    second sees the first's committed state: they cannot both be a Create. The ORM would take two
    statements (or four, with get_or_create's savepoint), each a round trip in the publish transaction.
    """
    ops, meta = connection.ops, FederatedObject._meta
    table, key = ops.quote_name(meta.db_table), ops.quote_name(meta.get_field("object_key").column)
    pk, state = ops.quote_name(meta.pk.column), ops.quote_name(meta.get_field("state").column)
    # A new row is a decision only: the transport builds the object (actor, url, data) when it records
    # the activity. Columns without a database default are given one here, as literals.
    literals = {
        "created_activity_id": "''",
        "object_type": "''",
        "url": "''",
        "data": "'{}'",
        "pinned": "FALSE",
        "period": "1",
        "digest": "''",
    }
    params = {"page_id": page_id, "state": FederatedObject.State.NONE.value}
    now = ops.adapt_datetimefield_value(timezone.now())
    params |= {"published": now, "updated": now}
    columns = [ops.quote_name(meta.get_field(name).column) for name in [*params, *literals]]
    values = ["%s"] * len(params) + list(literals.values())
    # Identifiers come from the model's metadata (quoted); every value is a parameter or a constant.
    sql = " ".join(
        [
            f"INSERT INTO {table} ({key}, {', '.join(columns)})",
            f"VALUES (%s, {', '.join(values)}) ON CONFLICT ({key}) DO UPDATE SET {key} = EXCLUDED.{key}",
            f"RETURNING {pk}, {state}",
        ]
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [object_key, *params.values()])
        row_pk, current = cursor.fetchone()
    return row_pk, current


def page_event_handle(
    page, kind: str, *, revision_id: int | None = None, is_private: bool | None = None
) -> Flow | None:
    """A federated page was published, unpublished or deleted (or its app reports it changed, was
    cancelled or saved, see social.triggers): start the behavior it triggers.

    This runs inside the editor's publish transaction, so it does only what must commit with the
    publish: one view-restriction query (the trigger needs it), the locked federation state row, the
    Flow row and the state change. A publish names its revision and the runner builds the payload from
    it (rendering the body, the hero rendition, tags, authors); an unpublished, deleted or called-off
    page can only be Deleted, so what identifies it (its Tombstone) is taken now, with nothing rendered.
    A page's app may say the page is private for reasons the view restrictions do not know (events:
    the event it shows is not public).
    """
    if kind in ("published", "changed", "saved") and revision_id is not None:
        payload = None
    elif kind in registry.TOMBSTONE_KINDS:
        payload = registry.page_tombstone(page)  # a Delete: nothing to render
        # Sent by the actor that federated it (events: @events), as the flow log shows it.
        federated_by = (
            FederatedObject.objects.filter(object_key=registry.object_key(page))
            .values_list("actor__username", flat=True)
            .first()
        )
        if federated_by:
            payload["actor"] = federated_by
    else:
        payload = registry.page_payload(page)
    if payload is not None:
        is_private = bool(payload.get("is_private"))
    else:
        is_private = bool(is_private) or registry.page_is_private(page)
    object_key = registry.object_key(page)
    return _object_event_handle(
        object_key,
        PageEvent(kind, object_key, is_private),
        payload=payload,
        page_id=page.pk,
        revision_id=revision_id if payload is None else None,
    )


def source_event_handle(
    object_key: str, kind: str, *, is_private: bool, payload: dict | None = None
) -> Flow | None:
    """A non-page source (settings.SOCIAL_FEDERATED_SOURCES: a scheduler event) reports what it now is
    ("saved"), or that it was cancelled or deleted: start the behavior that triggers, fire-once per
    transition as for a page.

    Without a payload the runner reads it from the source when the flow runs (registry.source_payload);
    a source about to vanish hands over what identifies it (its Tombstone's title and url) instead.
    """
    if not registry.is_source_key(object_key):
        raise ValueError(f"{object_key!r} is not the key of a source in SOCIAL_FEDERATED_SOURCES")
    return _object_event_handle(object_key, PageEvent(kind, object_key, is_private), payload=payload)


def _object_event_handle(
    object_key: str,
    event: PageEvent,
    *,
    payload: dict | None,
    page_id: int | None = None,
    revision_id: int | None = None,
) -> Flow | None:
    # No savepoint of its own: inside the publish transaction a failure here fails the publish anyway.
    with transaction.atomic(savepoint=False):
        state_pk, state = _federation_state_lock(object_key, page_id)
        decision = triggers().decide(event, state)
        if decision is None:
            return None
        flow = flow_start(
            behavior=decision.behavior,
            event=decision.event,
            object_key=object_key,
            payload=payload or {},
            page_id=page_id,
            revision_id=revision_id,
        )
        changes = {"state": decision.new_state} if decision.new_state != state else {}
        if decision.behavior == "publish":
            changes["created_activity_id"] = flow.activity_id
        if changes:  # a re-publish (live → live) changes nothing: no write
            FederatedObject.all_objects.filter(pk=state_pk).update(**changes)
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
        try:
            send_mail(f"[{settings.SITE_NAME}] {notification.subject}", body, None, recipients)
        except Exception:
            # Refused: the claim goes back, so the task's retry (or the next one) sends it, once.
            StaffNotification.objects.filter(pk=notification_id).update(emailed_at=None)
            raise
    return True


def notification_mark_read(notification: StaffNotification, user) -> None:
    notification.read_by.add(user)


def notifications_mark_all_read(user) -> int:
    unread = StaffNotification.objects.exclude(read_by=user)
    through = StaffNotification.read_by.through
    rows = [through(staffnotification_id=pk, user_id=user.pk) for pk in unread.values_list("pk", flat=True)]
    through.objects.bulk_create(rows, ignore_conflicts=True)
    return len(rows)
