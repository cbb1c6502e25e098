"""Delivery: record an activity, one Delivery row per target inbox, signed POSTs with backoff.

The database is the truth: a Delivery row says what still has to be sent and when; Celery tasks only
say "there is work". A sweep (deliveries_due) picks up anything the queue lost or any retry now due.
"""

import json
import time
from datetime import timedelta

import requests
from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from . import ids
from .actors import host_domain
from .fetch import FetchError, post_signed
from .models import Activity, Delivery, DeliveryAttempt, DomainBlock, Follow, Host, LocalActor
from .signatures import CAVAGE, RFC9421, request_sign


def _setting(name: str, default):
    return getattr(settings, name, default)


def activity_record(
    *, activity_id: str, actor: LocalActor, data: dict, obj=None, flow_id: int | None = None
) -> tuple[Activity, bool]:
    """Store an outbound activity once (idempotent on activity_id); its body is serialized here, once."""
    activity, created = Activity.objects.get_or_create(
        activity_id=activity_id,
        defaults={
            "activity_type": data["type"],
            "actor": actor,
            "object": obj,
            "data": data,
            "body": json.dumps(data, separators=(",", ":"), ensure_ascii=False),
            "flow_id": flow_id,
        },
    )
    return activity, created


def follower_inboxes(actors: list[LocalActor]) -> list[str]:
    """Distinct delivery inboxes of the accepted followers of these actors (shared inboxes deduplicated)."""
    blocked = set(DomainBlock.objects.values_list("domain", flat=True))
    inboxes = set()
    rows = (
        Follow.objects.filter(
            local_actor__in=actors, state=Follow.State.ACCEPTED, remote_actor__deleted=False
        )
        .values_list("remote_actor__shared_inbox", "remote_actor__inbox", "remote_actor__domain")
        .iterator(chunk_size=5000)
    )
    for shared, inbox, domain in rows:
        if domain in blocked:
            continue
        if shared or inbox:
            inboxes.add(shared or inbox)
    return sorted(inboxes)


def deliveries_create(activity: Activity, inboxes: list[str]) -> list[int]:
    """One Delivery row per inbox; deliveries to dead hosts are recorded as such and not attempted."""
    hosts = _hosts_for(inboxes)
    rows = [
        Delivery(
            activity=activity,
            inbox=inbox,
            host=host,
            state=Delivery.State.DEAD_HOST if host.dead else Delivery.State.PENDING,
        )
        for inbox, host in hosts.items()
    ]
    Delivery.objects.bulk_create(rows, ignore_conflicts=True, batch_size=1000)
    pending = list(
        Delivery.objects.filter(activity=activity, state=Delivery.State.PENDING, attempts=0).values_list(
            "pk", flat=True
        )
    )
    deliveries_enqueue(pending)
    return pending


def _hosts_for(inboxes: list[str]) -> dict[str, Host]:
    """The Host row of every inbox, created in bulk: a fan-out may touch a thousand hosts."""
    domains = {inbox: host_domain(inbox) for inbox in inboxes}
    Host.objects.bulk_create(
        [Host(domain=domain) for domain in set(domains.values())], ignore_conflicts=True, batch_size=1000
    )
    known = {host.domain: host for host in Host.objects.filter(domain__in=set(domains.values()))}
    return {inbox: known[domain] for inbox, domain in domains.items()}


def deliveries_enqueue(delivery_ids: list[int]) -> None:
    """After commit, enqueue the deliveries in small batches: a fan-out to a thousand inboxes is a few
    dozen messages rather than a thousand, and each worker thread walks its batch."""
    if not delivery_ids:
        return
    from .tasks import deliveries_attempt_task

    size = max(1, _setting("FEDERATION_DELIVERY_BATCH", 20))
    batches = [delivery_ids[start : start + size] for start in range(0, len(delivery_ids), size)]

    def send():
        for batch in batches:
            deliveries_attempt_task.delay(batch)

    transaction.on_commit(send)


DELIVERY_LEASE = timedelta(minutes=10)  # how long a claimed delivery is left to the worker that claimed it


def retry_delay(attempts: int) -> timedelta:
    """Exponential backoff: 1, 2, 4 … minutes, capped at a day."""
    return timedelta(minutes=min(2 ** max(attempts - 1, 0), 24 * 60))


def _post(delivery: Delivery, scheme: str) -> tuple[int | None, str, int]:
    activity = delivery.activity
    body = activity.body.encode()
    actor = activity.actor
    headers = request_sign(
        scheme=scheme,
        method="POST",
        url=delivery.inbox,
        body=body,
        key_id=ids.actor_key_id(actor.username),
        private_key_pem=actor.private_key_pem,
    )
    started = time.monotonic()
    status, error = None, ""
    try:
        response = post_signed(delivery.inbox, body, headers)
        status = response.status_code
        if status >= 300:
            error = response.text[:500]
    except (requests.RequestException, FetchError) as exc:
        error = str(exc)[:1000]
    duration = int((time.monotonic() - started) * 1000)
    DeliveryAttempt.objects.create(
        delivery=delivery, scheme=scheme, status=status, error=error, duration_ms=duration
    )
    return status, error, duration


def delivery_attempt(delivery_id: int) -> str:
    """Make one attempt at a delivery: POST it (double knock: RFC 9421, then cavage on 401) and record it."""
    now = timezone.now()
    # Claim it with one conditional UPDATE: a duplicate task (the queue may deliver twice) finds the
    # row leased and does nothing. The lease is replaced by the real retry time below.
    claimed = Delivery.objects.filter(
        pk=delivery_id, state=Delivery.State.PENDING, next_attempt__lte=now
    ).update(attempts=F("attempts") + 1, next_attempt=now + DELIVERY_LEASE)
    if not claimed:
        return "not due"
    delivery = (
        Delivery.objects.select_related("activity__actor", "host").defer("activity__data").get(pk=delivery_id)
    )
    host = delivery.host
    if host.dead:
        Delivery.objects.filter(pk=delivery.pk).update(state=Delivery.State.DEAD_HOST)
        return "dead host"
    first = host.signature_scheme or _setting("FEDERATION_SIGNATURE_SCHEME", RFC9421)
    status, error, _ = _post(delivery, first)
    scheme = first
    if status == 401 and first == RFC9421:
        scheme = CAVAGE
        status, error, _ = _post(delivery, CAVAGE)
    now = timezone.now()
    if status is not None and 200 <= status < 300:
        Delivery.objects.filter(pk=delivery.pk).update(
            state=Delivery.State.DELIVERED, delivered=now, last_status=status, last_error=""
        )
        fresh = host.last_success and now - host.last_success < timedelta(minutes=1)
        if not (fresh and host.signature_scheme == scheme and host.failing_since is None):
            # A busy host is written at most once a minute, so its workers do not queue on its row.
            Host.objects.filter(pk=host.pk).update(
                last_success=now, failing_since=None, signature_scheme=scheme, dead=False
            )
        return "delivered"
    return _delivery_failed(delivery, host, status, error, now)


def _delivery_failed(delivery: Delivery, host: Host, status: int | None, error: str, now) -> str:
    # 4xx other than 408/429 will not get better by retrying: the inbox refused the activity itself.
    permanent = status is not None and 400 <= status < 500 and status not in (401, 408, 429)
    if host.failing_since is None:
        Host.objects.filter(pk=host.pk, failing_since=None).update(failing_since=now)
        host.failing_since = now
    dead_after = timedelta(seconds=_setting("FEDERATION_HOST_DEAD_AFTER", 7 * 24 * 3600))
    give_up_after = timedelta(seconds=_setting("FEDERATION_DELIVERY_GIVE_UP_AFTER", 3 * 24 * 3600))
    fields = {
        "last_status": status,
        "last_error": error,
        "next_attempt": now + retry_delay(delivery.attempts),
    }
    if status is None and now - host.failing_since >= dead_after:
        Host.objects.filter(pk=host.pk).update(dead=True)
        fields["state"] = Delivery.State.DEAD_HOST
        outcome = "host marked dead"
    elif permanent or now - delivery.created >= give_up_after:
        fields["state"] = Delivery.State.FAILED
        outcome = "gave up"
    else:
        outcome = "will retry"
    Delivery.objects.filter(pk=delivery.pk).update(**fields)
    return outcome


def deliveries_due(limit: int = 1000) -> int:
    """Enqueue pending deliveries whose next attempt is due (the sweep behind the queue)."""
    due = list(
        Delivery.objects.filter(state=Delivery.State.PENDING, next_attempt__lte=timezone.now())
        .order_by("next_attempt")
        .values_list("pk", flat=True)[:limit]
    )
    deliveries_enqueue(due)
    return len(due)


def delivery_retry(delivery: Delivery) -> None:
    """Try a failed or dead-host delivery again now (admin button); revives its host."""
    Host.objects.filter(pk=delivery.host_id).update(dead=False, failing_since=None)
    Delivery.objects.filter(pk=delivery.pk).update(state=Delivery.State.PENDING, next_attempt=timezone.now())
    deliveries_enqueue([delivery.pk])


def host_revive(domain: str) -> None:
    """A host that contacts us is alive again: its pending deliveries may go."""
    now = timezone.now()
    # Only write when something changes (or once a minute): a busy peer must not serialise on its row.
    Host.objects.filter(domain=domain).filter(
        Q(dead=True)
        | Q(failing_since__isnull=False)
        | Q(last_contact__isnull=True)
        | Q(last_contact__lt=now - timedelta(minutes=1))
    ).update(dead=False, failing_since=None, last_contact=now)


def activity_send(*, actor: LocalActor, data: dict, inboxes: list[str], activity_id: str) -> Activity:
    """Record and deliver an activity of ours that is not about a post (Accept, …)."""
    activity, created = activity_record(activity_id=activity_id, actor=actor, data=data)
    if created:
        deliveries_create(activity, inboxes)
    return activity
