"""The sign-in throttle's idea of the client address, with and without reverse proxies."""

from django.test import RequestFactory

from accounts.ratelimit import client_address


def test_client_address_without_proxies_ignores_forwarded_for(settings):
    settings.ACCOUNTS_TRUSTED_PROXIES = 0
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_FOR="1.2.3.4")
    assert client_address(request) == "10.0.0.5"


def test_client_address_behind_one_proxy_takes_the_entry_it_wrote(settings):
    settings.ACCOUNTS_TRUSTED_PROXIES = 1
    # The client forged the first entry; our proxy appended the address it saw.
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.7")
    assert client_address(request) == "203.0.113.7"


def test_client_address_with_missing_header_falls_back_to_remote_addr(settings):
    settings.ACCOUNTS_TRUSTED_PROXIES = 2
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.7")
    assert client_address(request) == "10.0.0.1"
