"""Each stateful row's history (durable.Transition): written with every move, failed try and restart,
one INSERT per batch in batch mode, read back on the row's admin page with its path drawn; staff retry a
failed row from the state it failed in, logged under their name, without doing twice what was done."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Group, Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from oscar.core.loading import get_model

from accounts.models import User
from commerce.models import PaymentAttempt, ProductImport
from durable import runner
from durable.batch import advance_batch
from durable.models import Transition, transitions_prune
from social.federation.models import Delivery
from tests.durable.test_batch import activity, dead_inboxes, deliveries  # noqa: F401 (a fixture)
from tests.factories.commerce import guest_checkout_to_sumup, stocked_product

pytestmark = pytest.mark.django_db
Order = get_model("order", "Order")
BOOM_FEED = b'[{"sku": "BOOM", "title": "Leeks", "price": "1.20"}]'


@pytest.fixture
def boss(client):
    user = User.objects.create_superuser(email="boss@example.org", password="x")
    client.force_login(user)
    return user


def row_url(row) -> str:
    return reverse("durable_admin_row", args=[row._meta.label_lower, row.pk])


def retry_url(row) -> str:
    return reverse("durable_admin_row_retry", args=[row._meta.label_lower, row.pk])


def history(row) -> list[tuple[str, str, str, int]]:
    lines = Transition.objects.filter(model_label=row._meta.label_lower, object_pk=str(row.pk))
    return list(lines.order_by("at", "pk").values_list("kind", "from_state", "to_state", "attempt"))


def test_import_failing_then_exhausted_logs_each_try_and_its_page_draws_the_path(
    client, boss, make_import, stock_record_insert_fails_for_boom
):
    product_import = make_import(BOOM_FEED)
    now = timezone.now()
    runner.advance(ProductImport, product_import.pk, now=now)
    policy = ProductImport.state_graph.running.retry
    for _ in range(policy.max_attempts - 1):
        now += timedelta(seconds=policy.cap_seconds * 2)
        runner.advance(ProductImport, product_import.pk, now=now)

    assert history(product_import) == [
        ("move", "pending", "running", 1),
        ("retry", "running", "running", 1),
        ("retry", "running", "running", 2),
        ("move", "running", "failed", 3),
    ]
    retry = Transition.objects.filter(kind="retry").first()
    assert "boom" in retry.error and retry.due_at > retry.at and retry.by

    html = client.get(row_url(product_import)).content.decode()
    assert '<g class="node visited failure current" data-node="failed">' in html
    assert 'class="edge taken" data-from="pending" data-to="running"' in html
    assert 'class="edge taken" data-from="running" data-to="failed"' in html
    assert html.count('data-kind="retry"') == 2 and "boom" in html
    assert "Retry from running</button>" in html
    assert f'href="{reverse("commerce:product-import-detail", args=[product_import.pk])}"' in html


@pytest.fixture
def placed_then_stalled(client, fake_sumup):
    """A paid attempt whose worker placed the order, then died before recording it, five times over:
    the runner gives up and flags it, though its order exists."""
    guest_checkout_to_sumup(client, [(stocked_product(num_in_stock=3), 1)])
    attempt = PaymentAttempt.objects.get()
    fake_sumup.settle(attempt.sumup_checkout_id, "pay", webhook="none")
    now = timezone.now()
    assert attempt.payment_check(now) == "paid"
    attempt.transition("paid", now=now)
    assert attempt.payment_place(now) == "placed"  # the order is made; the worker dies here
    policy = PaymentAttempt.state_graph.paid.retry
    PaymentAttempt.objects.filter(pk=attempt.pk).update(
        state_attempts=policy.max_attempts, locked_until=now - timedelta(seconds=1)
    )
    assert runner.advance(PaymentAttempt, attempt.pk) == "flagged"
    attempt.refresh_from_db()
    return attempt


def test_payment_that_failed_to_become_an_order_shows_path_and_error(client, boss, placed_then_stalled):
    attempt = placed_then_stalled
    assert history(attempt) == [("move", "pending", "paid", 0), ("move", "paid", "flagged", 6)]

    html = client.get(row_url(attempt)).content.decode()

    assert 'class="edge taken" data-from="pending" data-to="paid"' in html
    assert 'class="edge taken" data-from="paid" data-to="flagged"' in html
    assert 'data-node="flagged"' in html.split('class="node visited failure current"')[1][:40]
    assert "stalled: 5 workers took it and none recorded a result" in html
    assert "Retry from paid</button>" in html
    order_url = reverse("dashboard:order-detail", kwargs={"number": attempt.order_number})
    assert f'href="{order_url}"' in html


def test_staff_retry_is_logged_with_the_user_and_places_no_second_order(
    client, boss, placed_then_stalled, django_capture_on_commit_callbacks
):
    attempt = placed_then_stalled
    with django_capture_on_commit_callbacks(execute=True):  # the retry's durable.advance runs (eager)
        response = client.post(retry_url(attempt), follow=True)

    assert "retried from &#x27;paid&#x27;" in response.content.decode()
    attempt.refresh_from_db()
    assert attempt.state == "placed"
    assert Order.objects.filter(number=attempt.order_number).count() == 1
    assert history(attempt)[-2:] == [("restart", "flagged", "paid", 0), ("move", "paid", "placed", 1)]
    restart = Transition.objects.get(kind="restart")
    assert restart.user == boss and restart.by == f"staff:{boss.pk}"
    page = client.get(row_url(attempt)).content.decode()
    assert "boss@example.org" in page and "Retry from" not in page

    # Pressed again (a second tab): not failed any more, so refused and nothing logged.
    response = client.post(retry_url(attempt), follow=True)
    assert "only a failed row can be retried" in response.content.decode()
    assert Transition.objects.filter(kind="restart").count() == 1


def test_retry_refused_while_a_worker_holds_the_row(client, boss, make_import):
    held = make_import(state="failed", locked_until=timezone.now() + timedelta(minutes=5))
    response = client.post(retry_url(held), follow=True)
    assert "A worker holds" in response.content.decode()
    held.refresh_from_db()
    assert held.state == "failed" and not Transition.objects.exists()


def test_row_page_and_retry_refused_to_anonymous_and_non_staff(client, make_import):
    failed = make_import(state="failed")
    assert "login" in client.get(row_url(failed))["Location"]
    assert "login" in client.post(retry_url(failed))["Location"]
    editor = User.objects.create_user(email="ed@example.org", password="x")
    editors = Group.objects.create(name="Editors here")
    editors.permissions.add(Permission.objects.get(codename="access_admin"))
    editor.groups.add(editors)
    client.force_login(editor)
    assert client.get(row_url(failed))["Location"] == "/admin/"
    assert client.post(retry_url(failed)).status_code == 403
    assert client.get(retry_url(failed)).status_code == 405
    assert ProductImport.objects.get(pk=failed.pk).state == "failed" and not Transition.objects.exists()


@pytest.mark.parametrize("size", [3, 12])
def test_batch_writes_its_history_in_one_insert(activity, size):  # noqa: F811 (the fixture)
    pks = deliveries(activity, dead_inboxes(size))
    with CaptureQueriesContext(connection) as queries:
        outcomes = advance_batch(Delivery, pks)
    assert set(outcomes.values()) == {"dead_host"}
    inserts = [q["sql"] for q in queries if q["sql"].startswith('INSERT INTO "durable_transition"')]
    assert len(inserts) == 1
    assert Transition.objects.filter(kind="move", to_state="dead_host").count() == size


def test_rows_filtered_by_object_and_machines_by_kind(client, boss):
    leeks = ProductImport.objects.create(original_name="leeks-march.json")
    ProductImport.objects.create(original_name="honey.json")
    rows = reverse("durable_admin_rows", args=["commerce.productimport"])
    for query in ("LEEKS", str(leeks.pk)):
        html = client.get(rows, {"q": query}).content.decode()
        assert html.count('class="durable-row"') == 1 and f'href="{row_url(leeks)}"' in html

    index = reverse("durable_admin_state_machines")
    html = client.get(index, {"kind": "commerce.productimport"}).content.decode()
    assert html.count('class="graph-picture state-graph"') == 1
    assert 'href="/admin/flows/"' in html  # the flow log, one click away
    assert client.get(index, {"kind": "nothing.here"}).content.decode().count("state-graph") > 1
    flows = client.get(reverse("social_admin_flows")).content.decode()
    assert f'href="{index}"' in flows


def test_sweep_prunes_history_past_its_retention(settings, make_import):
    settings.DURABLE_TRANSITIONS_KEEP_DAYS = 90
    row = make_import(state="done")
    now = timezone.now()
    for days in (91, 89):
        Transition.of(row, "done", at=now - timedelta(days=days)).save()
    runner.sweep(now=now)
    assert list(Transition.objects.values_list("at", flat=True)) == [now - timedelta(days=89)]
    settings.DURABLE_TRANSITIONS_KEEP_DAYS = 0
    assert transitions_prune(now + timedelta(days=400)) == 0
