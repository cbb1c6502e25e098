"""Fixtures shared by the security tests of more than one module."""

import pytest


@pytest.fixture
def eager_celery():
    """Run tasks in-process even when REDIS_URL is set (CI): these tests follow effects synchronously."""
    from config.celery import app

    saved = (app.conf.task_always_eager, app.conf.task_eager_propagates)
    app.conf.task_always_eager, app.conf.task_eager_propagates = True, True
    yield app
    app.conf.task_always_eager, app.conf.task_eager_propagates = saved
