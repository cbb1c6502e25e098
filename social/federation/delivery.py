"""Delivery: record an activity, one Delivery row per target inbox, signed POSTs on the one runner.

The database is the truth: a Delivery row says what still has to be sent and when; Celery tasks only
say "there is work". Deliveries are a state graph (models.DeliveryGraph) worked by the one runner in
batches of twenty: `deliveries_post` is the batch handler, and the durable sweep picks up anything the
queue lost, any retry now due and any batch whose worker died.
"""

import json
import logging
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from durable import runner
from durable.batch import advance_batch
from durable.models import Outcome

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
    follower, the inbox of a Follow we answer, a hub note's addressee alike). The pending rows are
    handed to the runner after commit, twenty to a task."""
    blocked = blocked_domains()
    hosts = _hosts_for([inbox for inbox in inboxes if not blocked.covers(inbox)])
    now = timezone.now()
    rows = [
        Delivery(
            activity=activity,
            inbox=inbox,
            host=host,
            state=Delivery.State.DEAD_HOST if host.dead else Delivery.State.PENDING,
            created=now,
            state_changed_at=now,
        )
        for inbox, host in hosts.items()
    ]
    Delivery.objects.bulk_create(rows, ignore_conflicts=True, batch_size=1000)
    pending = list(
        Delivery.objects.filter(
            activity=activity, state=Delivery.State.PENDING, state_attempts=0, locked_until__isnull=True
        )
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    runner.advance_batches_on_commit(Delivery, pending)
    return pending


def _hosts_for(inboxes: list[str]) -> dict[str, Host]:
    """The Host row of every inbox, created in bulk: a fan-out may touch a thousand hosts."""
    domains = {inbox: host_domain(inbox) for inbox in inboxes}
    Host.objects.bulk_create(
        [Host(domain=domain) for domain in set(domains.values())], ignore_conflicts=True, batch_size=1000
    )
    known = {host.domain: host for host in Host.objects.filter(domain__in=set(domains.values()))}
    return {inbox: known[domain] for inbox, domain in domains.items()}


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
    except FetchError as exc:
        error = str(exc)[:1000]
    duration = int((time.monotonic() - started) * 1000)
    sent.attempts.append(
        DeliveryAttempt(delivery=delivery, scheme=scheme, status=status, error=error, duration_ms=duration)
    )
    sent.status, sent.error, sent.scheme = status, error, scheme
    # INFO, one line per POST: the log line carries the publish's request id to each delivery (what
    # operators follow from a request to every inbox); the DeliveryAttempt row does not.
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


def deliveries_post(deliveries: list[Delivery], now: datetime) -> Iterator[tuple[Delivery, Outcome]]:
    """The batch handler of `pending`: POST each delivery of a batch the runner claimed, yielding its
    outcome, which the runner records (with the POSTs' attempt rows) before this goes on to the next.

    One load of the batch's hosts and activities; each activity's body is encoded once, only the
    signature differs. A host's health is shared by the batch's deliveries to it, and its successes are
    written once at the end of the batch (a lost write costs nothing: the next success writes it).
    """
    hosts = Host.objects.in_bulk({delivery.host_id for delivery in deliveries})
    activities = {
        activity.pk: activity
        for activity in Activity.objects.filter(pk__in={d.activity_id for d in deliveries})
        .select_related("actor")
        .only("body", "actor", "actor__username", "actor__private_key_pem")
    }
    bodies = {pk: activity.body.encode() for pk, activity in activities.items()}
    blocked = blocked_domains()
    succeeded: dict[str, set[int]] = {}  # scheme -> ids of hosts whose row needs the success written
    try:
        for delivery in deliveries:
            delivery.host = host = hosts[delivery.host_id]
            if blocked.covers(host.domain):  # blocked after it was scheduled: never sent
                yield delivery, Outcome(Delivery.State.FAILED, "the server is blocked")
            elif host.dead:
                yield delivery, Outcome(Delivery.State.DEAD_HOST, "the host is dead")
            else:
                sent = _send(delivery, activities[delivery.activity_id], bodies[delivery.activity_id])
                yield delivery, _sent_outcome(sent, host, succeeded)
    finally:
        at = timezone.now()
        for scheme, host_pks in succeeded.items():
            Host.objects.filter(pk__in=host_pks).update(
                last_success=at, failing_since=None, signature_scheme=scheme, dead=False
            )


def _sent_outcome(sent: _Sent, host: Host, succeeded: dict[str, set[int]]) -> Outcome:
    now = timezone.now()
    if sent.status is not None and 200 <= sent.status < 300:
        fresh = host.last_success and now - host.last_success < timedelta(minutes=1)
        if not (fresh and host.signature_scheme == sent.scheme and host.failing_since is None):
            # A busy host is written at most once a minute, so its workers do not queue on its row.
            succeeded.setdefault(sent.scheme, set()).add(host.pk)
            host.last_success, host.failing_since, host.signature_scheme = now, None, sent.scheme
        fields = {"last_status": sent.status, "delivered": now}
        return Outcome(Delivery.State.DELIVERED, fields=fields, log=sent.attempts)
    fields = {"last_status": sent.status}
    return Outcome(_failure_target(host, sent.status, now), sent.error, fields=fields, log=sent.attempts)


def _failure_target(host: Host, status: int | None, now: datetime) -> str | None:
    """Where a failed POST leaves its delivery: its host dead (unreachable for FEDERATION_HOST_DEAD_AFTER),
    given up (the inbox refused it for good), or None: the state's retry policy decides."""
    if host.failing_since is None:
        Host.objects.filter(pk=host.pk, failing_since=None).update(failing_since=now)
        host.failing_since = now
    dead_after = timedelta(seconds=_setting("FEDERATION_HOST_DEAD_AFTER", 7 * 24 * 3600))
    if status is None and now - host.failing_since >= dead_after:
        Host.objects.filter(pk=host.pk).update(dead=True)
        host.dead = True
        return Delivery.State.DEAD_HOST
    # 4xx other than 401/408/429 will not get better by retrying: the inbox refused the activity itself.
    if status is not None and 400 <= status < 500 and status not in (401, 408, 429):
        return Delivery.State.FAILED
    return None


def deliveries_attempt(delivery_ids: list[int]) -> dict[int, str]:
    """Work a batch of deliveries here (what a `durable.advance_batch` task does): the state each one
    this call claimed rests in; a duplicate call finds them leased or moved on and claims nothing."""
    return advance_batch(Delivery, delivery_ids)


def delivery_attempt(delivery_id: int) -> str:
    """Work one delivery here, if it is due and free; the state it rests in."""
    return runner.advance(Delivery, delivery_id)


def delivery_retry(delivery: Delivery) -> None:
    """Try a delivery that gave up or whose host died again now (admin button); revives its host."""
    Host.objects.filter(pk=delivery.host_id).update(dead=False, failing_since=None)
    delivery.restart()
    runner.advance_batches_on_commit(Delivery, [delivery.pk])


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
