"""Shared fixtures: demo data, a Playwright browser on Debian's chromium, free ports."""

import os
import socket

import pytest
from django.db.models.signals import post_migrate

# Playwright's sync API runs an event loop in the test thread; the ORM calls made beside it are
# still synchronous, so Django's async-safety guard would misfire.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def wagtail_tree_restore(sender, app_config=None, using: str = "default", **kwargs) -> None:
    """What Wagtail's migrations made, made again after a transactional test flushed the database.

    Django's flush at the end of a TransactionTestCase (`transactional_db`, `django_db(transaction=
    True)`) empties every table, data migrations' rows included, then sends post_migrate: so the
    page tree's root, the default locale, the root collection and the default Site are restored here
    once, for whichever test runs next on this process, instead of in each factory or fixture. On
    a freshly migrated database every row is there already and nothing is written."""
    if app_config is None or app_config.label != "wagtailcore":
        return
    from django.conf import settings
    from wagtail.coreutils import get_supported_content_language_variant
    from wagtail.models import Collection, Locale, Page

    from home.services import sites_sync_from_settings

    language = get_supported_content_language_variant(settings.LANGUAGE_CODE)
    Locale.objects.using(using).get_or_create(language_code=language)
    if Page.get_first_root_node() is None:
        Page.add_root(instance=Page(title="Root", slug="root"))
    if Collection.get_first_root_node() is None:
        Collection.add_root(name="Root")
    sites_sync_from_settings(using=using)  # home's own receiver ran before the root was back


post_migrate.connect(wagtail_tree_restore, dispatch_uid="tests.wagtail_tree_restore")


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config, items):
    """Under pytest-xdist, tests that start Celery workers run one after another on one process:
    they flush and share Redis broker databases, and two at once would also starve the 2 cores.

    pytest-xdist 3.8 puts a test in its `xdist_group` by appending "@group" to `item._nodeid`, which
    pytest 9 no longer reads (the id lives in `item._id`): every group was silently ignored, so a
    module-scoped front-door stack was started on both processes at once. The suffix is set here
    the way pytest 9 reads it, until xdist does so itself."""
    for item in items:
        if item.get_closest_marker("worker"):
            item.add_marker(pytest.mark.xdist_group("celery-workers"))
    if not getattr(config.option, "loadgroup", False):  # set on xdist's workers under --dist loadgroup
        return
    from _pytest.nodeid import NodeId

    for item in items:
        groups = {
            str(m.args[0] if m.args else m.kwargs.get("name", "default"))
            for m in item.iter_markers("xdist_group")
        }
        suffix = "@" + "_".join(sorted(groups))
        if groups and not item.nodeid.endswith(suffix):
            item._id = NodeId.parse(item.nodeid + suffix)


@pytest.fixture(autouse=True)
def cache_emptied():
    """Every test starts with an empty cache, whatever ran before it on this process: test databases
    roll back but the cache does not (on Redis, tests.cache clears only this process's keys)."""
    from django.core.cache import cache

    from durable import kick

    cache.clear()
    kick._own_kick_until.clear()  # a kick published by an earlier test is not outstanding for this one


@pytest.fixture
def latest_schema_after():
    """For a test that migrates backwards (tests/migrations.py): every app is at its latest migration
    again afterwards, as the rest of the suite expects."""
    yield
    from tests.migrations import migrate_to_latest

    migrate_to_latest()


@pytest.fixture
def seeded(db):
    """The demo content, as `make run` shows it."""
    from django.core.management import call_command

    call_command("seed_demo", verbosity=0)


@pytest.fixture
def sumup_webhook_delay() -> float:
    """Seconds SumUp's (fake) webhook lags the shopper's redirect; browser tests override it."""
    return 0.0


@pytest.fixture
def fake_sumup(settings, sumup_webhook_delay):
    """Our fake SumUp API on 127.0.0.1 (commerce/sumup_fake), with the SDK's settings pointing at it."""
    from commerce.sumup_fake import FakeSumUp

    fake = FakeSumUp(api_key="sup_sk_test", webhook_secret="whsec-test", webhook_delay=sumup_webhook_delay)
    fake.start()
    settings.SUMUP_API_URL = fake.url
    settings.SUMUP_API_KEY = "sup_sk_test"
    settings.SUMUP_MERCHANT_CODE = "MTEST001"
    settings.SUMUP_WEBHOOK_SECRET = "whsec-test"
    yield fake
    fake.wait_for_webhooks()
    fake.stop()


@pytest.fixture
def refusing_mail(settings):
    """A mail backend that refuses the addresses in the set it yields (tests/security/failing_mail)."""
    from tests.security import failing_mail

    settings.EMAIL_BACKEND = "tests.security.failing_mail.RefusingBackend"
    failing_mail.REFUSED.clear()
    yield failing_mail.REFUSED
    failing_mail.REFUSED.clear()


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    if not os.path.exists(CHROMIUM):
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium package (.ci/run does)")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def _record_failure(tab, request) -> None:
    # A request the browser itself abandons because the page navigated away (a late favicon,
    # a prefetch) is not a broken link; a refused connection or a DNS error is.
    if request.failure == "net::ERR_ABORTED":
        return
    tab.failed_requests.append(f"{request.failure} {request.url}")


@pytest.fixture
def page(browser):
    """A fresh browser context per test that records failed requests and console errors."""
    context = browser.new_context()
    tab = context.new_page()
    tab.failed_requests = []
    tab.console_errors = []
    tab.on("requestfailed", lambda request: _record_failure(tab, request))
    tab.on(
        "response",
        lambda response: (
            response.status >= 400 and tab.failed_requests.append(f"{response.status} {response.url}")
        ),
    )
    tab.on("console", lambda message: message.type == "error" and tab.console_errors.append(message.text))
    yield tab
    context.close()


@pytest.fixture
def staff_page(live_server, page, client, settings):
    """The browser page logged in as a superuser (boss@example.org) of the live server, for the admin
    screens; Wagtail's avatars are not fetched from Gravatar (no request leaves this machine)."""
    from accounts.models import User
    from tests.browser import log_in_browser

    settings.WAGTAIL_GRAVATAR_PROVIDER_URL = None
    staff = User.objects.create_superuser(email="boss@example.org", password="x")
    log_in_browser(page.context, client, staff, live_server.url)
    return page


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """Run an action and what it queues on commit (reports, the flow runner, deliveries, the inbox)
    as a commit would."""

    def run(action, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return action(*args, **kwargs)

    return run
