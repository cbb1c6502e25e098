"""The four front doors render in a real browser with no failed request and no console error."""

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("path", ["/", "/admin/login/", "/shop/", "/events/calendar/month/cooperative/"])
def test_front_door_renders_cleanly(live_server, page, path):
    from django.core.management import call_command

    call_command("seed_demo", verbosity=0)
    response = page.goto(f"{live_server.url}{path}")
    page.wait_for_load_state("networkidle")
    assert response.ok
    assert page.failed_requests == []
    assert page.console_errors == []
