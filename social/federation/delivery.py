"""Delivery: record an activity, one Delivery row per target inbox, signed POSTs with backoff.

The database is the truth: a Delivery row says what still has to be sent and when; Celery tasks only
say "there is work". A sweep (deliveries_due) picks up anything the queue lost or any retry now due.
"""

import json
import logging
import time
from dataclasses import dataclass, field
from datetime import timedelta

import requests
from django.conf import settings
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from . import ids
from .actors import host_domain
from .blocks import blocked_domains
from .fetch import FetchError, post_signed
from .models import Activity, Delivery, DeliveryAttempt, Follow, Host, LocalActor
from .signatures import CAVAGE, RFC9421, request_sign

logger = logging.getLogger(__name__)


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
    inboxes = set()
    rows = (
        Follow.objects.filter(
            local_actor__in=actors, state=Follow.State.ACCEPTED, remote_actor__deleted=False
        )
        .exclude(blocked_domains().q("remote_actor__domain"))
        .values_list("remote_actor__shared_inbox", "remote_actor__inbox")
        .iterator(chunk_size=5000)
    )
    for shared, inbox in rows:
        if shared or inbox:
            inboxes.add(shared or inbox)
    return sorted(inboxes)


def deliveries_create(activity: Activity, inboxes: list[str]) -> list[int]:
    """One Delivery row per inbox; deliveries to dead hosts are recorded as such and not attempted.

    Every delivery passes here, so here inboxes on blocked servers are left out (a shared inbox of a
    follower, the inbox of a Follow we answer, a hub note's addressee alike)."""
    blocked = blocked_domains()
    hosts = _hosts_for([inbox for inbox in inboxes if not blocked.covers(inbox)])
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


def delivery_lease() -> timedelta:
    """How long a claimed delivery is left to the worker that claimed it (FEDERATION_DELIVERY_LEASE)."""
    return timedelta(seconds=_setting("FEDERATION_DELIVERY_LEASE", 600))


def retry_delay(attempts: int) -> timedelta:
    """Exponential backoff: 1, 2, 4 … minutes, capped at a day."""
    return timedelta(minutes=min(2 ** max(attempts - 1, 0), 24 * 60))


def _deliveries_claim(delivery_ids: list[int], now) -> list[int]:
    """Claim every due delivery of a batch with one UPDATE … RETURNING (PostgreSQL and SQLite both have
    it): a duplicate task (the queue may deliver twice) finds the rows leased and claims nothing. The
    lease is replaced by the real retry time when the attempt is recorded."""
    if not delivery_ids:
        return []
    ops, meta = connection.ops, Delivery._meta
    column = {
        name: ops.quote_name(meta.get_field(name).column) for name in ("attempts", "next_attempt", "state")
    }
    pk = ops.quote_name(meta.pk.column)
    ids = list(dict.fromkeys(int(delivery_id) for delivery_id in delivery_ids))
    # Identifiers come from the model's metadata (quoted); every value is a parameter.
    table, placeholders = ops.quote_name(meta.db_table), ", ".join(["%s"] * len(ids))
    attempts, next_attempt, state = column["attempts"], column["next_attempt"], column["state"]
    sql = " ".join(
        [
            f"UPDATE {table} SET {attempts} = {attempts} + 1, {next_attempt} = %s",  # noqa: S608
            f"WHERE {pk} IN ({placeholders}) AND {state} = %s AND {next_attempt} <= %s",
            f"RETURNING {pk}",
        ]
    )
    params = [
        ops.adapt_datetimefield_value(now + delivery_lease()),
        *ids,
        Delivery.State.PENDING.value,
        ops.adapt_datetimefield_value(now),
    ]
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [row[0] for row in cursor.fetchall()]


@dataclass
class _Sent:
    """What the POSTs of one delivery came to: the attempt rows to write and the final answer."""

    delivery: Delivery
    attempts: list[DeliveryAttempt] = field(default_factory=list)
    status: int | None = None
    error: str = ""
    scheme: str = ""


def _post(delivery: Delivery, activity: Activity, body: bytes, scheme: str, sent: _Sent) -> None:
    """One signed POST of the activity's serialized body (the same bytes for every inbox)."""
    headers = request_sign(
        scheme=scheme,
        method="POST",
        url=delivery.inbox,
        body=body,
        key_id=ids.actor_key_id(activity.actor.username),
        private_key_pem=activity.actor.private_key_pem,  # parsed once per process (keys.private_key_load)
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
    sent.attempts.append(
        DeliveryAttempt(delivery=delivery, scheme=scheme, status=status, error=error, duration_ms=duration)
    )
    sent.status, sent.error, sent.scheme = status, error, scheme
    logger.info(
        "delivery %s to %s (%s): %s in %d ms", delivery.pk, delivery.inbox, scheme, status or error, duration
    )


def _send(delivery: Delivery, activity: Activity, body: bytes) -> _Sent:
    """POST a delivery, double knock: RFC 9421 first (or the scheme the host took last), cavage on 401."""
    sent = _Sent(delivery)
    first = delivery.host.signature_scheme or _setting("FEDERATION_SIGNATURE_SCHEME", RFC9421)
    _post(delivery, activity, body, first, sent)
    if sent.status == 401 and first == RFC9421:
        _post(delivery, activity, body, CAVAGE, sent)
    return sent


def deliveries_attempt(delivery_ids: list[int]) -> dict[int, str]:
    """Make one attempt at each due delivery of a batch; record every POST. Outcome per delivery id.

    One claim, one load of the deliveries with their hosts, one of their activities; then each POST's
    result is written (in its own short transaction) before the next POST goes, so a worker killed
    mid-batch has sent at most one delivery it did not record: the retry after the lease repeats that
    one, never the whole batch. Each activity's body is encoded once; only the signature differs.
    """
    now = timezone.now()
    claimed = _deliveries_claim(delivery_ids, now)
    outcomes: dict[int, str] = {int(delivery_id): "not due" for delivery_id in delivery_ids}
    if not claimed:
        return outcomes
    deliveries = list(Delivery.objects.filter(pk__in=claimed).select_related("host").order_by("pk"))
    shared_hosts: dict[int, Host] = {}
    for delivery in deliveries:  # one Host object per host: what one result writes, the next one sees
        delivery.host = shared_hosts.setdefault(delivery.host_id, delivery.host)
    activities = {
        activity.pk: activity
        for activity in Activity.objects.filter(pk__in={d.activity_id for d in deliveries})
        .select_related("actor")
        .only("body", "actor", "actor__username", "actor__private_key_pem")
    }
    bodies = {pk: activity.body.encode() for pk, activity in activities.items()}
    dead, blocked = [], blocked_domains()
    for delivery in deliveries:
        if blocked.covers(delivery.host.domain):  # blocked after it was scheduled: never sent
            Delivery.objects.filter(pk=delivery.pk).update(
                state=Delivery.State.FAILED, last_error="the server is blocked"
            )
            outcomes[delivery.pk] = "blocked"
            continue
        if delivery.host.dead:
            dead.append(delivery.pk)
            continue
        sent = _send(delivery, activities[delivery.activity_id], bodies[delivery.activity_id])
        _deliveries_record([sent], [], outcomes)
    _deliveries_record([], dead, outcomes)
    return outcomes


def _deliveries_record(results: list[_Sent], dead: list[int], outcomes: dict[int, str]) -> None:
    now = timezone.now()
    with transaction.atomic():
        DeliveryAttempt.objects.bulk_create([attempt for sent in results for attempt in sent.attempts])
        if dead:
            Delivery.objects.filter(pk__in=dead).update(state=Delivery.State.DEAD_HOST)
            outcomes.update(dict.fromkeys(dead, "dead host"))
        delivered: dict[int, list[int]] = {}  # status -> delivery ids
        hosts: dict[str, set[int]] = {}  # scheme -> ids of hosts whose row needs the success written
        for sent in results:
            delivery, host = sent.delivery, sent.delivery.host
            if sent.status is not None and 200 <= sent.status < 300:
                delivered.setdefault(sent.status, []).append(delivery.pk)
                outcomes[delivery.pk] = "delivered"
                fresh = host.last_success and now - host.last_success < timedelta(minutes=1)
                if not (fresh and host.signature_scheme == sent.scheme and host.failing_since is None):
                    # A busy host is written at most once a minute, so its workers do not queue on its row.
                    hosts.setdefault(sent.scheme, set()).add(host.pk)
            else:
                outcomes[delivery.pk] = _delivery_failed(delivery, host, sent.status, sent.error, now)
        for status, delivery_pks in delivered.items():
            Delivery.objects.filter(pk__in=delivery_pks).update(
                state=Delivery.State.DELIVERED, delivered=now, last_status=status, last_error=""
            )
        for scheme, host_pks in hosts.items():
            Host.objects.filter(pk__in=host_pks).update(
                last_success=now, failing_since=None, signature_scheme=scheme, dead=False
            )
        for sent in results:  # the batch's next deliveries to these hosts see what was just written
            host = sent.delivery.host
            if host.pk in hosts.get(sent.scheme, ()):
                host.last_success, host.failing_since, host.signature_scheme = now, None, sent.scheme


def delivery_attempt(delivery_id: int) -> str:
    """Make one attempt at one delivery (see deliveries_attempt): "delivered", "will retry", …"""
    return deliveries_attempt([delivery_id])[int(delivery_id)]


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
