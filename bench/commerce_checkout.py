"""Benchmark: a full guest checkout (basket → SumUp → paid order) and the catalogue pages, in-process.

    .venv/bin/python bench/commerce_checkout.py       # SQLite (var/test-shop-bench.sqlite3)
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/coop_shop .venv/bin/python bench/commerce_checkout.py

Each checkout adds two products, goes through Oscar's checkout as a guest, is sent to the fake SumUp
server (a real HTTP server in this process), pays there and returns. "server time" is the sum of the
Django requests' wall time, excluding the fake's pay step. Also counts SQL queries for the product
list and detail pages.
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
os.environ["TEST_DB_TAG"] = "shop-bench"
os.environ.pop("REDIS_URL", None)

_bench_db, _suite_db = ROOT / "var/test-shop-bench.sqlite3", ROOT / "var/test-shop.sqlite3"
if not os.environ.get("DATABASE_URL") and not _bench_db.exists() and _suite_db.exists():
    shutil.copy(_suite_db, _bench_db)

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402
from django.urls import reverse  # noqa: E402

RUNS = int(os.environ.get("BENCH_RUNS", "20"))


def report(name: str, samples: list[float]) -> None:
    samples = sorted(samples)
    p95 = samples[max(0, int(len(samples) * 0.95) - 1)]
    print(
        f"{name:<40} n={len(samples):<4} mean={statistics.mean(samples) * 1000:7.1f} ms  "
        f"p50={statistics.median(samples) * 1000:7.1f} ms  p95={p95 * 1000:7.1f} ms"
    )


def main() -> None:
    setup_test_environment()
    connection.creation.create_test_db(verbosity=0, keepdb=True)
    from commerce.models import PaymentAttempt
    from commerce.sumup_fake import FakeSumUp
    from tests.factories.commerce import ADDRESS, country_gb, stocked_product

    fake = FakeSumUp(api_key="bench", webhook_secret="bench", send_webhooks=False).start()
    settings.SUMUP_API_URL, settings.SUMUP_API_KEY = fake.url, "bench"
    settings.SUMUP_MERCHANT_CODE, settings.SUMUP_WEBHOOK_SECRET = "MBENCH", "bench"
    country_gb()
    honey = stocked_product(title="Bench honey", num_in_stock=100000)
    bread = stocked_product(title="Bench bread", price="4.20", num_in_stock=100000)

    totals, adds = [], []
    for _ in range(RUNS):
        client = Client()
        server = 0.0
        steps = [
            ("post", reverse("basket:add", args=[honey.pk]), {"quantity": 1}),
            ("post", reverse("basket:add", args=[bread.pk]), {"quantity": 2}),
            ("post", reverse("checkout:index"), {"username": "bench@example.org", "options": "anonymous"}),
            ("post", reverse("checkout:shipping-address"), ADDRESS),
            ("post", reverse("checkout:shipping-method"), {"method_code": "delivery"}),
            ("post", reverse("checkout:preview"), {"action": "place_order"}),
        ]
        for index, (method, url, data) in enumerate(steps):
            started = time.perf_counter()
            getattr(client, method)(url, data)
            elapsed = time.perf_counter() - started
            server += elapsed
            if index == 0:
                adds.append(elapsed)
        attempt = PaymentAttempt.objects.order_by("-pk").first()
        fake.settle(attempt.sumup_checkout_id, "pay", webhook="none")
        started = time.perf_counter()
        response = client.get(reverse("commerce:sumup-return", args=[attempt.public_id]))
        server += time.perf_counter() - started
        assert response["Location"] == reverse("checkout:thank-you"), response
        totals.append(server)
    report("basket add (first line)", adds)
    report("full checkout, server time", totals)

    client = Client()
    for name, url in [
        ("product list", reverse("catalogue:index")),
        ("product detail", honey.get_absolute_url()),
    ]:
        with CaptureQueriesContext(connection) as queries:
            client.get(url)
        samples = []
        for _ in range(RUNS):
            started = time.perf_counter()
            client.get(url)
            samples.append(time.perf_counter() - started)
        report(f"{name} ({len(queries)} queries)", samples)
    fake.stop()


if __name__ == "__main__":
    main()
