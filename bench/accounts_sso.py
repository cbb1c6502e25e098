"""Benchmark: the SSO provider's hot paths and a newsletter send, in-process through Django's stack.

    .venv/bin/python bench/accounts_sso.py            # SQLite (var/test-accounts-bench.sqlite3)
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/coop_accounts .venv/bin/python bench/accounts_sso.py

Measures the token endpoint (authorization-code exchange with PKCE, which signs an RS256 id token,
and refresh with rotation), userinfo, the login POST and newsletter sending throughput. It uses its
own test database (created once with keepdb; it copies the accounts suite's SQLite database when
there is one) and the test settings, so password hashing is MD5: the login figure excludes the
deliberate cost of the production hasher.
"""

import base64
import hashlib
import os
import secrets
import shutil
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
os.environ["TEST_DB_TAG"] = "accounts-bench"
os.environ.pop("REDIS_URL", None)

_bench_db, _suite_db = ROOT / "var/test-accounts-bench.sqlite3", ROOT / "var/test-accounts.sqlite3"
if not os.environ.get("DATABASE_URL") and not _bench_db.exists() and _suite_db.exists():
    shutil.copy(_suite_db, _bench_db)

import django  # noqa: E402

django.setup()

from django.core import mail  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402

RUNS = int(os.environ.get("BENCH_RUNS", "50"))
SUBSCRIBERS = int(os.environ.get("BENCH_SUBSCRIBERS", "1000"))
REDIRECT_URI = "https://bench.example.org/callback"


def report(name: str, samples: list[float]) -> None:
    samples = sorted(samples)
    p95 = samples[max(0, int(len(samples) * 0.95) - 1)]
    print(
        f"{name:<44} n={len(samples):<4} mean={statistics.mean(samples) * 1000:7.2f} ms  "
        f"p50={statistics.median(samples) * 1000:7.2f} ms  p95={p95 * 1000:7.2f} ms"
    )


def pkce_pair() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    return verifier, challenge


def main() -> None:
    setup_test_environment()
    connection.creation.create_test_db(verbosity=0, keepdb=True)

    from oauth2_provider.models import get_application_model

    from accounts.models import NewsletterDelivery, NewsletterIssue, NewsletterList, Subscription, User
    from accounts.newsletter_deliveries import issue_send
    from tests.factories.accounts import PASSWORD, wagtail_page

    User.objects.filter(email="bench@example.org").delete()
    user = User.objects.create_user(
        email="bench@example.org", password=PASSWORD, first_name="Ben", email_verified=True
    )
    Application = get_application_model()
    Application.objects.filter(name="bench").delete()
    secret = "bench-secret-" + "x" * 30
    application = Application.objects.create(
        name="bench",
        client_type=Application.CLIENT_CONFIDENTIAL,
        authorization_grant_type=Application.GRANT_AUTHORIZATION_CODE,
        redirect_uris=REDIRECT_URI,
        client_secret=secret,
        algorithm=Application.RS256_ALGORITHM,
        skip_authorization=True,
    )
    auth = "Basic " + base64.b64encode(f"{application.client_id}:{secret}".encode()).decode()
    browser, rp = Client(), Client()
    browser.force_login(user)

    exchange, refresh, userinfo, authorize = [], [], [], []
    for _ in range(RUNS):
        verifier, challenge = pkce_pair()
        query = urlencode(
            {
                "response_type": "code",
                "client_id": application.client_id,
                "redirect_uri": REDIRECT_URI,
                "scope": "openid email profile",
                "code_challenge": challenge,
                "code_challenge_method": "S256",
                "nonce": "n",
                "state": "s",
            }
        )
        started = time.perf_counter()
        response = browser.get(f"/o/authorize/?{query}")
        authorize.append(time.perf_counter() - started)
        code = parse_qs(urlsplit(response["Location"]).query)["code"][0]
        started = time.perf_counter()
        token = rp.post(
            "/o/token/",
            {
                "grant_type": "authorization_code",
                "code": code,
                "redirect_uri": REDIRECT_URI,
                "code_verifier": verifier,
            },
            HTTP_AUTHORIZATION=auth,
        ).json()
        exchange.append(time.perf_counter() - started)
        assert "id_token" in token, token
        started = time.perf_counter()
        info = rp.get("/o/userinfo/", HTTP_AUTHORIZATION=f"Bearer {token['access_token']}")
        userinfo.append(time.perf_counter() - started)
        assert info.status_code == 200
        started = time.perf_counter()
        refreshed = rp.post(
            "/o/token/",
            {"grant_type": "refresh_token", "refresh_token": token["refresh_token"]},
            HTTP_AUTHORIZATION=auth,
        )
        refresh.append(time.perf_counter() - started)
        assert refreshed.status_code == 200, refreshed.content

    logins = []
    for _ in range(RUNS):
        client = Client()
        started = time.perf_counter()
        response = client.post("/account/login/", {"username": user.email, "password": PASSWORD})
        logins.append(time.perf_counter() - started)
        assert response.status_code == 302

    print(f"accounts SSO benchmark ({connection.vendor}, {RUNS} runs each, in-process test client)")
    report("authorize (trusted app, code issued)", authorize)
    report("token: code exchange + RS256 id token", exchange)
    report("token: refresh with rotation", refresh)
    report("userinfo", userinfo)
    report("login POST (MD5 test hasher)", logins)

    # Newsletter throughput: lease, render, guard, send (locmem backend) and record, per subscriber.
    newsletter, _ = NewsletterList.objects.get_or_create(slug="bench", defaults={"name": "Bench"})
    newsletter.subscriptions.all().delete()
    Subscription.objects.bulk_create(
        Subscription(
            newsletter=newsletter, email=f"r{i}@example.org", status="active", token=secrets.token_urlsafe(24)
        )
        for i in range(SUBSCRIBERS)
    )
    issue = NewsletterIssue.objects.create(
        newsletter=newsletter,
        page=wagtail_page(f"Bench issue {secrets.token_hex(3)}"),
        subject="Bench",
        status=NewsletterIssue.Status.SENDING,
        body_html="<p>Hello</p>",
        body_text="Hello",
        recipient_count=SUBSCRIBERS,
    )
    NewsletterDelivery.objects.bulk_create(
        NewsletterDelivery(issue=issue, subscription=sub) for sub in newsletter.subscriptions.all()
    )
    mail.outbox = []
    started = time.perf_counter()
    issue_send(issue.pk)
    elapsed = time.perf_counter() - started
    assert len(mail.outbox) == SUBSCRIBERS
    rate = SUBSCRIBERS / elapsed
    print(f"newsletter send: {SUBSCRIBERS} emails in {elapsed:.2f} s = {rate:.0f} emails/s (durable rows)")


if __name__ == "__main__":
    main()
