"""The production stack for tests/production's front-door modules: one for the whole package, on the
one xdist process of the "front-door" group (a second stack would empty the first's Redis)."""

import os
import shutil
import time
import uuid

import pytest
from django.core.management import call_command

from tests.factories.cms import blog_index_ensure
from tests.workers import celery_on_broker, own_redis_url, shared_database_url

from .stack import ROOT, ProdStack


def stack_redis_url() -> str:
    """The stack's broker and cache: a Redis database of its own, emptied when the stack starts
    (asked for by the stack only: the package's other tests start no redis-server)."""
    return os.environ.get("FRONT_DOOR_TEST_REDIS_URL") or own_redis_url(8)


@pytest.fixture(scope="package")
def stack(django_db_setup, django_db_blocker):
    """One running site for the package, as in production: what each test writes is committed and
    stays, and the database is emptied once, after the stack has stopped.

    Flushing between tests (pytest-django's transactional tests) would pull the tables from under
    the stack's worker and gunicorn: TRUNCATE deadlocked against a flow step still running, and the
    content types they had cached no longer existed afterwards."""
    with django_db_blocker.unblock():
        database_url = shared_database_url()
    redis_url = stack_redis_url()
    state = ROOT / "var" / f"test-prod-stack-{os.getpid()}"  # nginx's workers must reach it
    prefix = f"door-{uuid.uuid4().hex[:8]}"
    with celery_on_broker(redis_url):
        front_door = ProdStack(
            state,
            {
                "DATABASE_URL": database_url,
                "REDIS_URL": redis_url,
                "CACHE_KEY_PREFIX": prefix,
                "EDGE_ALLOWED_NETWORKS": "127.0.0.0/8",  # the fake remote listens on loopback
                "DJANGO_STATIC_ROOT": str(ROOT / "var" / "test-prod-stack-static"),
                "DJANGO_MEDIA_ROOT": str(state / "media"),
            },
        )
        front_door.cache_prefix, front_door.redis_url = prefix, redis_url
        try:
            front_door.start()
            worker_ready_wait(front_door)
            yield front_door
        finally:
            front_door.stop()
            with django_db_blocker.unblock():
                call_command("flush", interactive=False, verbosity=0)
            if not os.environ.get("FRONT_DOOR_TEST_KEEP"):  # set it to read the stack's logs
                shutil.rmtree(state, ignore_errors=True)


def worker_ready_wait(stack, timeout: float = 90.0) -> None:
    """Wait for the stack's worker to answer a ping. The stack is up when gunicorn answers, but a task
    sent to the fresh (just emptied) Redis before the worker has declared its queue was lost in CI."""
    from config.celery import app

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if app.control.ping(timeout=1.0):
            return
    raise AssertionError(f"the stack's worker did not answer a ping in {timeout} s\n{stack.logs()}")


@pytest.fixture
def site(stack, settings, monkeypatch, django_db_blocker):
    """This process publishes as an editor would: into the stack's database, cache and broker."""
    settings.SITE_URL = stack.url
    settings.SITE_HOST = stack.url.split("//")[1]
    settings.SOCIAL_FLOW_RUNNER = "social.runners.CeleryRunner"
    settings.CMS_PAGE_CACHE_SECONDS = 600
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": stack.redis_url,
            "KEY_PREFIX": stack.cache_prefix,
        }
    }
    settings.WAGTAILFRONTENDCACHE = {
        "front_door": {
            "BACKEND": "wagtail.contrib.frontend_cache.backends.HTTPBackend",
            "LOCATION": stack.purge_url,
        }
    }
    # The fake remote fetches our keys through the front door: it trusts the stack's CA only.
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(stack.ca))
    with django_db_blocker.unblock():
        blog_index_ensure()
        yield stack
