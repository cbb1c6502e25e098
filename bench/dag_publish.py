"""Benchmark: what publishing a federated post costs the editor's request, with 0 and 10,000
followers, and what a five-step flow costs (in the publish transaction and when it runs).

    createdb -h 127.0.0.1 -U postgres coop_dag_bench       # once; the benchmark migrates it
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/coop_dag_bench .venv/bin/python bench/dag_publish.py
    .venv/bin/python bench/dag_publish.py                  # SQLite (var/test-dag-bench.sqlite3)

PostgreSQL is what the targets are about (issue 4: the publish request's time is the same within 20%
with 0 and 10,000 followers; a five-step flow adds under 10 ms to the publish transaction); SQLite is
for a quick look. With DATABASE_URL it migrates that database first (it gains bench rows). It uses the
Celery runner with a non-eager in-memory broker (so the request only enqueues, as in production), and
prints numbers. BENCH_PROFILE=1 also profiles the flow's share of the transaction and lists its queries.
"""

import os
import shutil
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
os.environ["TEST_DB_TAG"] = "dag-bench"
os.environ.pop("REDIS_URL", None)  # the broker is in-memory: the request's enqueue, never a worker

# A head start: copy the migrated SQLite test database of the social suite when there is one.
_bench_db, _suite_db = ROOT / "var/test-dag-bench.sqlite3", ROOT / "var/test-dag.sqlite3"
if not os.environ.get("DATABASE_URL") and not _bench_db.exists() and _suite_db.exists():
    shutil.copy(_suite_db, _bench_db)

import django  # noqa: E402

django.setup()

from django.apps import apps  # noqa: E402
from django.conf import settings  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402
from wagtail.signals import page_published  # noqa: E402

RUNS = int(os.environ.get("BENCH_RUNS", "30"))
FOLLOWERS = int(os.environ.get("BENCH_FOLLOWERS", "10000"))


def ms(samples: list[float]) -> str:
    ordered = sorted(samples)
    p90 = ordered[int(len(ordered) * 0.9) - 1]
    return f"median {statistics.median(ordered):7.2f} ms   p90 {p90:7.2f} ms   (n={len(ordered)})"


def main() -> None:
    setup_test_environment()
    if os.environ.get("DATABASE_URL"):
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
    else:
        connection.creation.create_test_db(verbosity=0, keepdb=True)
    from config.celery import app

    app.conf.update(task_always_eager=False, broker_url="memory://")
    settings.SOCIAL_FLOW_RUNNER = "social.runners.CeleryRunner"

    from social import engine
    from social.models import Flow, FlowStep
    from tests.factories.social import blog_post

    user = apps.get_model("accounts", "User").objects.filter(is_superuser=True).first()
    if user is None:
        user = apps.get_model("accounts", "User").objects.create_superuser(
            email=f"bench-{time.time_ns()}@example.org", password="x"
        )

    def publish_request(post) -> float:
        """What the editor's Publish does after form validation, in one transaction (ATOMIC_REQUESTS)."""
        started = time.perf_counter()
        with transaction.atomic():
            post.save_revision(user=user).publish(user=user)
        return (time.perf_counter() - started) * 1000  # includes the on_commit enqueue

    def publish_many(urgent: bool = False) -> tuple[list[float], list[int]]:
        posts = [blog_post(title=f"Bench {time.time_ns()}", urgent=urgent) for _ in range(RUNS)]
        before = Flow.objects.order_by("-id").values_list("id", flat=True).first() or 0
        times = [publish_request(post) for post in posts]
        return times, list(Flow.objects.filter(id__gt=before).values_list("id", flat=True))

    print(f"database: {connection.vendor} {connection.settings_dict['NAME']}")
    publish_many()  # warm caches, content types, the blog index, the actor keys

    # 1. Publish request with 0 and with 10,000 followers, interleaved: on a shared machine the load
    # drifts within seconds, so back-to-back series would compare two different machines. Between two
    # publishes the followers are switched on or off (accepted ↔ pending, outside the timing).
    Follow = apps.get_model("federation", "Follow")
    RemoteActor = apps.get_model("federation", "RemoteActor")
    Follow.objects.all().delete()
    from social.federation.actors import local_actor_get

    blog = local_actor_get("blog")
    stamp = time.time_ns()
    actors = RemoteActor.objects.bulk_create(
        [
            RemoteActor(
                uri=f"https://h{i % 200}.example/{stamp}/u{i}",
                domain=f"h{i % 200}.example",
                username=f"u{i}",
                inbox=f"https://h{i % 200}.example/{stamp}/u{i}/inbox",
            )
            for i in range(FOLLOWERS)
        ],
        batch_size=2000,
    )
    Follow.objects.bulk_create(
        [Follow(local_actor=blog, remote_actor=actor, state="pending") for actor in actors], batch_size=2000
    )
    followers = Follow.objects.filter(local_actor=blog, remote_actor__in=actors)
    zero, many, many_flows = [], [], []
    for n in range(RUNS * 2):
        with_followers = n % 4 in (1, 2)  # 0, 10k, 10k, 0, … : neither series always goes first
        followers.update(state="accepted" if with_followers else "pending")
        post = blog_post(title=f"Bench {time.time_ns()}")
        (many if with_followers else zero).append(publish_request(post))
        if with_followers:
            many_flows.append(Flow.objects.filter(page_id=post.pk).values_list("id", flat=True).get())
    followers.update(state="accepted")  # for the flow run below
    accepted = Follow.objects.filter(local_actor=blog, state="accepted").count()
    print(f"\npublish request, 0 followers:      {ms(zero)}")
    print(f"publish request, {accepted:,} followers: {ms(many)}")
    print(f"ratio (median):                    {statistics.median(many) / statistics.median(zero):.2f}")

    # Where the fan-out went: the deliver step, in a worker, after the request (through federation).
    started = time.perf_counter()
    engine.flow_run(many_flows[0])
    flow = Flow.objects.get(pk=many_flows[0])
    deliver = FlowStep.objects.get(flow=flow, name="deliver")
    receipt = flow.effects.get(kind="schedule_delivery").result["receipt"]
    elapsed = (time.perf_counter() - started) * 1000
    print(f"one flow run in a worker with {FOLLOWERS:,} followers: {elapsed:.0f} ms")
    scheduled = receipt["deliveries_scheduled"]
    print(f"  deliver step {deliver.duration_ms:.0f} ms, {scheduled} deliveries scheduled")
    print(f"  ({receipt['detail']})")
    Follow.objects.filter(local_actor=blog, remote_actor__in=actors).delete()
    RemoteActor.objects.filter(pk__in=[a.pk for a in actors]).delete()

    # 2. What the flow adds to the publish transaction. Whole publishes are noisy on a shared machine,
    # so time the receiver's own work (trigger decision, federation state row, Flow row, on_commit hook)
    # directly, and also compare whole publishes with the receivers off and on, interleaved.
    from social import services

    def flow_share(post):
        """What Publish hands the receiver: a live page and the published revision."""
        revision = post.save_revision(user=user)
        post.live, post.live_revision = True, revision
        return post, revision.pk

    outbox = []
    for post in [blog_post(title=f"Outbox {time.time_ns()}", urgent=True) for _ in range(RUNS)]:
        post, revision_id = flow_share(post)
        with transaction.atomic():
            started = time.perf_counter()
            services.page_event_handle(post, "published", revision_id=revision_id)
            outbox.append((time.perf_counter() - started) * 1000)
    urgent_flows = list(Flow.objects.order_by("-id").values_list("id", flat=True)[:RUNS])
    from social import receivers

    without, with_flow = [], []
    for _ in range(RUNS // 2):
        page_published.disconnect(dispatch_uid="social.page_published")
        without.append(publish_request(blog_post(title=f"Off {time.time_ns()}")))
        page_published.connect(receivers.on_page_published, dispatch_uid="social.page_published")
        with_flow.append(publish_request(blog_post(title=f"On {time.time_ns()}")))
    print(f"\nthe flow's work inside the publish transaction:  {ms(outbox)}")
    print(f"whole publish, social receivers off (interleaved): {ms(without)}")
    print(f"whole publish, social receivers on  (interleaved): {ms(with_flow)}")

    if os.environ.get("BENCH_PROFILE"):
        import cProfile
        import pstats

        from django.test.utils import CaptureQueriesContext

        post, revision_id = flow_share(blog_post(title="Profiled", urgent=True))
        profiler = cProfile.Profile()
        with transaction.atomic(), CaptureQueriesContext(connection) as queries:
            profiler.runcall(services.page_event_handle, post, "published", revision_id=revision_id)
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(25)
        print(f"{len(queries)} queries in the flow's share of the publish transaction:")
        for query in queries.captured_queries:
            print(f"  {float(query['time']) * 1000:6.2f} ms  {query['sql'][:150]}")

    # 3. Running the five-step flow (validate, compose, route, notify, deliver) itself, on the one
    # transport (the followers above are gone: it builds the object and schedules no delivery).
    run_times = []
    for flow_id in urgent_flows:
        started = time.perf_counter()
        with transaction.atomic():
            engine.flow_run(flow_id)
        run_times.append((time.perf_counter() - started) * 1000)
    steps = Flow.objects.get(pk=urgent_flows[-1]).path
    assert steps == ["validate", "compose", "route", "notify", "deliver"], steps
    assert Flow.objects.get(pk=urgent_flows[-1]).payload["title"].startswith("Outbox"), "payload not read"
    per_step = FlowStep.objects.filter(flow_id__in=urgent_flows).values_list("duration_ms", flat=True)
    print(f"\nfive-step flow run ({' → '.join(steps)}), activity-log transport, in the runner")
    print("(after the publish commits; it reads the payload from the published revision):")
    print(f"  whole flow: {ms(run_times)}")
    print(f"  per step:   {ms(list(per_step))}")


if __name__ == "__main__":
    main()
