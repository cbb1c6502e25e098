"""Sign-in throttling (django-axes) through the real login page: per email, per client address,
behind reverse proxies, and cleared by a successful login."""

import pytest
from django.core.management import call_command

from tests.factories.accounts import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

LOGIN = "/account/login/"


def _fail(client, email: str, times: int, **extra) -> None:
    for _ in range(times):
        client.post(LOGIN, {"username": email, "password": "wrong"}, **extra)


def test_lockout_page_is_in_site_layout_with_clear_message(client, settings):
    settings.AXES_FAILURE_LIMIT = 2
    user = UserFactory()
    assert client.post(LOGIN, {"username": user.email, "password": "wrong"}).status_code == 200
    # The failure that reaches the limit is answered with the lockout page already.
    response = client.post(LOGIN, {"username": user.email, "password": "wrong"})
    assert response.status_code == 429
    html = response.content.decode()
    assert "site-header" in html
    assert "Too many failed attempts" in html
    assert "/account/password/reset/" in html


def test_lockout_by_email_ignores_letter_case(client, settings):
    settings.AXES_FAILURE_LIMIT = 3
    user = UserFactory()
    _fail(client, user.email.upper(), 2)
    _fail(client, user.email, 1, REMOTE_ADDR="10.9.9.9")  # another address: the email still counts
    response = client.post(LOGIN, {"username": user.email, "password": PASSWORD}, REMOTE_ADDR="10.8.8.8")
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_lockout_by_address_covers_other_emails(client, settings):
    settings.AXES_FAILURE_LIMIT = 3
    user = UserFactory()
    for n in range(3):
        client.post(LOGIN, {"username": f"guess{n}@example.org", "password": "wrong"}, REMOTE_ADDR="10.0.0.7")
    response = client.post(LOGIN, {"username": user.email, "password": PASSWORD}, REMOTE_ADDR="10.0.0.7")
    assert response.status_code == 429
    # The member signs in from elsewhere: only that address was locked out.
    response = client.post(LOGIN, {"username": user.email, "password": PASSWORD}, REMOTE_ADDR="10.0.0.8")
    assert response.status_code == 302


def test_successful_login_clears_earlier_failures(client, settings):
    settings.AXES_FAILURE_LIMIT = 3
    user = UserFactory()
    _fail(client, user.email, 2)
    assert client.post(LOGIN, {"username": user.email, "password": PASSWORD}).status_code == 302
    client.post("/account/logout/")
    _fail(client, user.email, 2)
    assert client.post(LOGIN, {"username": user.email, "password": PASSWORD}).status_code == 302


def _login_via(client, email: str, password: str, proxy_address: str, forwarded_for: str):
    """A login POST arriving from ``proxy_address`` (REMOTE_ADDR) with that X-Forwarded-For."""
    return client.post(
        LOGIN,
        {"username": email, "password": password},
        REMOTE_ADDR=proxy_address,
        HTTP_X_FORWARDED_FOR=forwarded_for,
    )


def test_without_proxies_forwarded_for_is_ignored(client, settings):
    settings.AXES_FAILURE_LIMIT = 2
    settings.ACCOUNTS_TRUSTED_PROXIES = 0
    user = UserFactory()
    # A client rotating a forged X-Forwarded-For is still one address, REMOTE_ADDR.
    for n in range(2):
        _login_via(client, f"guess{n}@example.org", "wrong", "10.0.0.5", f"1.2.3.{n}")
    response = _login_via(client, user.email, PASSWORD, "10.0.0.5", "1.2.3.99")
    assert response.status_code == 429


def test_behind_one_proxy_the_entry_it_wrote_is_the_client(client, settings):
    settings.AXES_FAILURE_LIMIT = 2
    settings.ACCOUNTS_TRUSTED_PROXIES = 1
    user = UserFactory()
    # The client forges the first entry each time; our proxy (REMOTE_ADDR) appends what it saw.
    for n in range(2):
        _login_via(client, f"guess{n}@example.org", "wrong", "10.0.0.1", f"6.6.6.{n}, 203.0.113.7")
    locked = _login_via(client, user.email, PASSWORD, "10.0.0.1", "6.6.6.99, 203.0.113.7")
    assert locked.status_code == 429
    # Another client behind the same proxy is not locked out.
    other = _login_via(client, user.email, PASSWORD, "10.0.0.1", "203.0.113.8")
    assert other.status_code == 302


def test_with_missing_header_the_address_is_remote_addr(client, settings):
    settings.AXES_FAILURE_LIMIT = 2
    settings.ACCOUNTS_TRUSTED_PROXIES = 2
    user = UserFactory()
    for n in range(2):
        client.post(
            LOGIN,
            {"username": f"guess{n}@example.org", "password": "wrong"},
            REMOTE_ADDR="10.0.0.1",
            HTTP_X_FORWARDED_FOR="203.0.113.7",
        )
    response = client.post(LOGIN, {"username": user.email, "password": PASSWORD}, REMOTE_ADDR="10.0.0.1")
    assert response.status_code == 429


def test_reset_username_command_lifts_an_email_lockout(client, settings):
    settings.AXES_FAILURE_LIMIT = 2
    user = UserFactory()
    for address in ("10.1.0.1", "10.1.0.2"):  # two addresses, so only the email is locked out
        client.post(LOGIN, {"username": user.email, "password": "wrong"}, REMOTE_ADDR=address)
    assert client.post(LOGIN, {"username": user.email, "password": PASSWORD}).status_code == 429
    call_command("axes_reset_username", user.email)
    assert client.post(LOGIN, {"username": user.email, "password": PASSWORD}).status_code == 302
