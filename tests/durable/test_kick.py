"""Debounced kicks on a real Redis broker: one message for many rows, the window reopened before the claim,
and a kick that is lost or never published costs latency only (the sweep works the rows, once)."""

import json
from datetime import timedelta

import pytest
import redis
from django.utils import timezone

from commerce.models import ProductImport
from durable import kick, runner
from tests.conftest import free_port
from tests.workers import celery_on_broker, own_redis_url

pytestmark = pytest.mark.django_db
KEY = "durable:kick:commerce.ProductImport"


@pytest.fixture
def broker():
    """Tasks go to a Redis of our own, not eagerly: what a web process does."""
    url = own_redis_url(15)
    with celery_on_broker(url) as app:
        yield app, redis.Redis.from_url(url)


def queued(client) -> list[dict]:
    return [json.loads(raw) for raw in client.lrange("celery", 0, -1)]


def work_here(app, function, *args):
    """Run what a worker would, with the tasks it hands on run in this process."""
    app.conf.task_always_eager = True
    try:
        return function(*args)
    finally:
        app.conf.task_always_eager = False


def test_kick_many_rows_publishes_one_delayed_message(broker, make_import, settings):
    _app, client = broker
    settings.DURABLE_KICK_DELAY_SECONDS = 0.5
    for _ in range(5):
        make_import()
    assert [kick.kick(ProductImport) for _ in range(5)] == [True, False, False, False, False]
    [message] = queued(client)
    assert message["headers"]["task"] == "durable.kick"
    assert message["headers"]["eta"]  # delayed: the rows written meanwhile share it
    assert 0 < client.ttl(KEY) <= kick.KEY_SECONDS


def test_kicked_reopens_the_window_first_and_works_every_row_written_while_it_stood(broker, make_import):
    app, client = broker
    imports = [make_import() for _ in range(3)]
    kick.kick(ProductImport)
    later = make_import()  # written while the kick is outstanding: no message of its own
    assert not kick.kick(ProductImport)
    assert work_here(app, kick.kicked, ProductImport) == 4
    assert {row.state for row in ProductImport.objects.filter(pk__in=[i.pk for i in [*imports, later]])} == {
        "done"
    }
    assert not client.exists(KEY)
    assert kick.kick(ProductImport)  # the next row written kicks anew
    assert work_here(app, kick.kicked, ProductImport) == 0  # and finds nothing left to do twice


def test_kick_lost_with_its_key_standing_rows_are_worked_by_the_sweep_once(broker, make_import):
    _app, client = broker
    product_import = make_import()
    kick.kick(ProductImport)
    client.delete("celery")  # the message is lost; its key still stands for a while
    assert not kick.kick(ProductImport)
    assert runner.run_due(ProductImport) == {"done": 1}
    assert runner.run_due(ProductImport) == {}
    product_import.refresh_from_db()
    assert (product_import.state, product_import.state_attempts) == ("done", 0)


def test_rows_claimed_by_a_kick_whose_chunk_is_lost_are_worked_once_its_lease_runs_out(broker, make_import):
    _app, client = broker
    product_import = make_import()
    assert kick.kicked(ProductImport) == 1  # claimed; its `durable.advance_rows` is queued
    [message] = queued(client)
    assert message["headers"]["task"] == "durable.advance_rows"
    client.delete("celery")  # lost with the worker that took it
    assert runner.run_due(ProductImport) == {}  # leased: nobody else works it meanwhile
    later = timezone.now() + timedelta(seconds=ProductImport.state_graph.state("pending").timeout + 1)
    assert runner.run_due(ProductImport, now=later) == {"done": 1}
    assert ProductImport.objects.get(pk=product_import.pk).state == "done"


def test_kick_with_the_broker_down_fails_nothing_and_the_sweep_works_the_row(make_import):
    from config.celery import app

    saved = {"broker_url": app.conf.broker_url, "task_always_eager": app.conf.task_always_eager}
    app.conf.update(broker_url=f"redis://127.0.0.1:{free_port()}/0", task_always_eager=False)  # nobody there
    app._pool = app.amqp._producer_pool = None
    try:
        product_import = make_import()
        assert not kick.kick(ProductImport)  # the request that wrote the row still answers
    finally:
        app.conf.update(**saved)
        app._pool = app.amqp._producer_pool = None
    assert runner.run_due(ProductImport) == {"done": 1}
    assert ProductImport.objects.get(pk=product_import.pk).state == "done"


def redis_sets(client) -> int:
    return client.info("commandstats").get("cmdstat_set", {}).get("calls", 0)


def test_rows_written_right_after_our_own_kick_ask_redis_nothing(broker, make_import, settings):
    """The inbox writes hundreds of rows a second: after this process published the kick, the next
    rows cost no round trip to Redis until half the delay has passed (the kick cannot have run yet)."""
    _app, client = broker
    settings.DURABLE_KICK_DELAY_SECONDS = 30  # the window stays open for the whole test
    make_import()
    assert kick.kick(ProductImport)
    sets = redis_sets(client)
    for _ in range(5):
        make_import()
        assert not kick.kick(ProductImport)
    assert redis_sets(client) == sets
    assert len(queued(client)) == 1


def test_our_own_kick_having_run_the_next_row_kicks_anew(broker, make_import, settings):
    app, _client = broker
    settings.DURABLE_KICK_DELAY_SECONDS = 30
    make_import()
    assert kick.kick(ProductImport)
    assert work_here(app, kick.kicked, ProductImport) == 1  # the kick ran in this very process
    later = make_import()
    assert kick.kick(ProductImport)  # not held back by the memo: its key is gone
    assert work_here(app, kick.kicked, ProductImport) == 1
    assert ProductImport.objects.get(pk=later.pk).state == "done"
