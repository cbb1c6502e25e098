"""Fixtures for federation tests: a fake remote server and signed POSTs through the test client."""

import json

import pytest

from .fake_remote import FakeRemote


@pytest.fixture(autouse=True)
def eager_celery():
    """Run tasks in-process even when REDIS_URL is set (CI): these tests follow effects synchronously.

    The worker end-to-end test turns this off and talks to a real worker."""
    from config.celery import app

    saved = (app.conf.task_always_eager, app.conf.task_eager_propagates)
    app.conf.task_always_eager, app.conf.task_eager_propagates = True, True
    yield app
    app.conf.task_always_eager, app.conf.task_eager_propagates = saved


@pytest.fixture
def remote():
    with FakeRemote() as server:
        yield server


@pytest.fixture
def signed_post(client, settings):
    """POST an activity to one of our paths, signed by the fake remote as the test client would send it."""

    def post(remote, path, activity, *, scheme="cavage", name="alice", body=None, headers=None):
        body = json.dumps(activity).encode() if body is None else body
        signed = remote.signed_headers(settings.SITE_URL + path, body, scheme=scheme, name=name)
        signed.update(headers or {})
        content_type = signed.pop("Content-Type")
        return client.generic("POST", path, body, content_type=content_type, headers=signed)

    return post
