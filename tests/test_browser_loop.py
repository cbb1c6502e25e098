"""A browser test leaves Playwright's event loop marked as running in the thread; the tests after it
in the same process must still reach async views (django-health-check's /readyz) through
async_to_sync. Fails without tests/conftest.py's loop-hiding fixture (in this file's order)."""

import pytest


@pytest.mark.django_db
def test_browser_started_first(browser):
    assert browser.version


@pytest.mark.django_db
def test_async_view_after_the_browser_still_answers(client):
    assert client.get("/readyz", HTTP_HOST="10.0.0.7:8000").status_code == 200
