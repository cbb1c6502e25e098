"""Debounced kicks: many new rows of one model say "there is work" with one message, not one each.

A row written on a busy request path (the inbox takes hundreds a second) publishes no task of its own:
publishing one costs the request more CPU than storing the row. After commit the writer sets a short
lived key beside the broker's queue (`SET NX EX`); the one that sets it publishes one `durable.kick`
for the model, delayed by `DURABLE_KICK_DELAY_SECONDS`, and the others publish nothing. The kick's task
deletes the key first and only then claims every due row of the model, so a row committed while the key
stood is seen by that claim, and a row committed after the delete sets the key again and publishes the
next kick. The claimed rows are handed to workers in small chunks, under the claim's lease, as the
sweep hands on what it claims.

A process that has just published the kick itself asks Redis nothing for its next rows: until half the
kick's delay has passed, its own message cannot have run (a countdown task runs at its ETA or later),
so the key certainly stands and `SET NX` would refuse. That saves the inbox a Redis round trip on
nearly every request. The kick's task clears the memo when it runs in the same process; a worker on a
machine whose clock runs ahead could run it early, and then the rows of that half-window wait for the
next kick or the sweep: latency only, like any lost kick.

Nothing here is needed for a row to be worked once: a lost kick (Redis restarted, a publish that
failed) costs latency only. The key runs out after `KEY_SECONDS`, and the sweep (every 30 s) claims
whatever is still due; the lease and the fenced record keep every row worked exactly once.
"""

from __future__ import annotations

import logging
import threading
import time
from datetime import datetime

import redis
from celery import current_app
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from kombu.exceptions import OperationalError

from durable.models import StatefulModel
from durable.runner import SWEEP_LIMIT, _advance_batch_enqueue, _chunks, _claimed, advance

logger = logging.getLogger(__name__)

KEY_SECONDS = 10  # a kick whose message was lost stops suppressing new kicks after this long
ROWS_PER_TASK = 10  # claimed rows one `durable.advance_rows` message works, one after the other

# model label -> monotonic time until which this process's own kick is certainly still outstanding
_own_kick_until: dict[str, float] = {}
_clients: dict[str, redis.Redis] = {}
_clients_lock = threading.Lock()


def kick_on_commit(model: type[StatefulModel]) -> None:
    """Have the model's due rows worked soon after the caller commits: at most one message per
    kick window for all the rows written meanwhile (the sweep is the safety net)."""
    transaction.on_commit(lambda: kick(model))


def kick(model: type[StatefulModel]) -> bool:
    """Publish one delayed `durable.kick` for the model unless one is outstanding; whether one was."""
    label = model._meta.label
    if current_app.conf.task_always_eager:  # no worker and no queue: work the rows here and now
        kicked(model)
        return True
    if time.monotonic() < _own_kick_until.get(label, 0.0):
        return False  # our own kick has not run yet: its key stands and its claim will see this row
    client = _broker_client()
    key = f"durable:kick:{label}"
    try:
        if client is not None and not client.set(key, "1", nx=True, ex=KEY_SECONDS):
            return False  # the kick outstanding will claim this row too: it deletes the key first
        delay = _delay()
        current_app.tasks["durable.kick"].apply_async((label,), countdown=delay)
        if client is not None:
            _own_kick_until[label] = time.monotonic() + delay / 2
    except (redis.RedisError, OperationalError):
        # The row is stored: the sweep works it. The request that wrote it must not fail for the queue.
        logger.warning("durable: kick for %s not published; the sweep finds its rows", label, exc_info=True)
        _key_drop(client, key)
        return False
    return True


def kicked(model: type[StatefulModel], *, now: datetime | None = None) -> int:
    """The kick's task: reopen the window, claim the model's due rows and hand them on in chunks; how
    many rows were claimed. A full claim kicks again for the rest rather than holding this worker."""
    label = model._meta.label
    _own_kick_until.pop(label, None)  # this process's next row must set the key again
    _key_drop(_broker_client(), f"durable:kick:{label}")  # first: rows written from now on kick anew
    now = now or timezone.now()
    claimed, more = 0, False
    for _model, node, pks, lease in _claimed(SWEEP_LIMIT, now, only=model):
        token = lease.isoformat()
        for chunk in _chunks(pks, node.batch or ROWS_PER_TASK):
            if node.batch:
                _advance_batch_enqueue(label, chunk, token)
            else:
                current_app.tasks["durable.advance_rows"].delay(label, chunk, token)
        claimed += len(pks)
        more = more or len(pks) == SWEEP_LIMIT
    if more:
        kick(model)
    return claimed


def advance_rows(model: type[StatefulModel], pks: list, lease: datetime) -> dict:
    """Work claimed rows one after the other under the claim's `lease`; the state each rests in."""
    return {pk: advance(model, pk, lease=lease) for pk in pks}


def _delay() -> float:
    return getattr(settings, "DURABLE_KICK_DELAY_SECONDS", 0.2)


def _broker_client() -> redis.Redis | None:
    """A client on the broker's Redis (one pool per process and URL), or None for another broker:
    the key lives beside the queue, so the web and worker processes always see the same one."""
    url = current_app.conf.broker_url or ""
    if not url.startswith(("redis://", "rediss://", "unix://")):
        return None
    client = _clients.get(url)
    if client is None:
        with _clients_lock:
            client = _clients.setdefault(
                url, redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2)
            )
    return client


def _key_drop(client: redis.Redis | None, key: str) -> None:
    if client is None:
        return
    try:
        client.delete(key)
    except redis.RedisError:  # the key runs out by itself; the sweep covers the window meanwhile
        logger.warning("durable: kick key %s not deleted", key, exc_info=True)
