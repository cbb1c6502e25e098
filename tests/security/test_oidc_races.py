"""The OIDC provider under replays at once, public clients without PKCE, and a member who left."""

import contextlib
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from django.conf import settings
from django.test import Client
from oauth2_provider.models import (
    get_access_token_model,
    get_application_model,
    get_grant_model,
    get_refresh_token_model,
)

from tests.concurrency import at_once, raised, rows_held
from tests.factories.accounts import PASSWORD, UserFactory, oauth_client
from tests.security.test_oidc_edges import REDIRECT_URI, VERIFIER, _code, _exchange

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def member_at_app():
    member = UserFactory()
    browser = Client()
    browser.force_login(member)
    application, secret = oauth_client(redirect_uri=REDIRECT_URI, skip_authorization=True)
    return member, browser, application, secret


def _refresh(application, secret, refresh_token: str):
    return Client().post(
        "/o/token/",
        {
            "grant_type": "refresh_token",
            "refresh_token": refresh_token,
            "client_id": application.client_id,
            "client_secret": secret,
        },
    )


def _userinfo(access_token: str) -> int:
    return Client().get("/o/userinfo/", headers={"Authorization": f"Bearer {access_token}"}).status_code


@pytest.mark.skipif(not settings.USING_POSTGRES, reason="row locks need PostgreSQL; SQLite serialises")
def test_one_code_exchanged_twice_at_once_is_a_replay_and_revokes_what_it_gave(member_at_app):
    """Both exchanges find the code before either deletes it (the first is held just before it
    does); RFC 6749 §4.1.2: a code used twice leaked, so the token it gave is revoked too."""
    _, browser, application, secret = member_at_app
    code = _code(browser, application)

    with rows_held(get_grant_model().objects.all(), until_waiting=2):
        answers = at_once(*(lambda: _exchange(Client(), application, secret, code) for _ in range(2)))

    assert raised(answers) == []
    assert sorted(answer.status_code for answer in answers) == [200, 400]
    assert next(answer for answer in answers if answer.status_code == 400).json()["error"] == "invalid_grant"
    issued = next(answer.json() for answer in answers if answer.status_code == 200)
    assert _userinfo(issued["access_token"]) == 401
    assert not get_access_token_model().objects.exists()
    assert not get_refresh_token_model().objects.filter(revoked__isnull=True).exists()
    assert _refresh(application, secret, issued["refresh_token"]).status_code == 400


def test_one_refresh_token_used_twice_at_once_is_reuse_and_revokes_its_family(member_at_app):
    """As when it is used again a moment later (REFRESH_TOKEN_REUSE_PROTECTION, no grace period):
    one request rotates it, the other finds it spent, and the family it belongs to is revoked."""
    _, browser, application, secret = member_at_app
    first = _exchange(browser, application, secret, _code(browser, application)).json()

    # On PostgreSQL both requests are held until both have validated the token (SQLite runs them in turn).
    held = rows_held(get_refresh_token_model().objects.all(), until_waiting=2)
    with held if settings.USING_POSTGRES else contextlib.nullcontext():
        answers = at_once(*(lambda: _refresh(application, secret, first["refresh_token"]) for _ in range(2)))

    assert raised(answers) == []
    assert sorted(answer.status_code for answer in answers) == [200, 400]
    refused = next(answer for answer in answers if answer.status_code == 400)
    assert refused.json()["error"] == "invalid_grant" and refused["Cache-Control"] == "no-store"
    rotated = next(answer.json() for answer in answers if answer.status_code == 200)
    assert rotated["access_token"] and rotated["refresh_token"]
    assert _userinfo(rotated["access_token"]) == 401
    assert _refresh(application, secret, rotated["refresh_token"]).status_code == 400
    assert not get_access_token_model().objects.exists()
    assert not get_refresh_token_model().objects.filter(revoked__isnull=True).exists()


@pytest.fixture
def public_app():
    Application = get_application_model()
    return Application.objects.create(
        name="Phone app",
        client_type=Application.CLIENT_PUBLIC,
        authorization_grant_type=Application.GRANT_AUTHORIZATION_CODE,
        redirect_uris=REDIRECT_URI,
        algorithm=Application.RS256_ALGORITHM,
        skip_authorization=True,
    )


def test_a_public_client_gets_no_code_without_pkce(member_at_app, public_app):
    _, browser, _, _ = member_at_app
    query = {"response_type": "code", "client_id": public_app.client_id, "redirect_uri": REDIRECT_URI}
    response = browser.get(f"/o/authorize/?{urlencode({**query, 'scope': 'openid'})}")
    assert response.status_code == 302
    answer = parse_qs(urlsplit(response["Location"]).query)
    assert answer["error"] == ["invalid_request"] and "code" not in answer


def test_a_public_client_needs_the_verifier_to_exchange_its_code(member_at_app, public_app):
    _, browser, _, _ = member_at_app
    code = _code(browser, public_app)
    exchange = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": REDIRECT_URI,
        "client_id": public_app.client_id,
    }
    assert Client().post("/o/token/", exchange).status_code == 400
    assert Client().post("/o/token/", {**exchange, "code_verifier": "w" * 50}).status_code == 400
    assert not get_access_token_model().objects.exists()
    # The code was refused, not spent: with the right verifier it is still good once.
    assert Client().post("/o/token/", {**exchange, "code_verifier": VERIFIER}).status_code == 200


def test_a_deleted_members_tokens_and_codes_stop_working(member_at_app):
    _, browser, application, secret = member_at_app
    tokens = _exchange(browser, application, secret, _code(browser, application)).json()
    unused_code = _code(browser, application)
    assert _userinfo(tokens["access_token"]) == 200

    assert browser.post("/account/delete/", {"password": PASSWORD}).status_code == 302

    assert _userinfo(tokens["access_token"]) == 401
    assert _refresh(application, secret, tokens["refresh_token"]).status_code == 400
    assert _exchange(Client(), application, secret, unused_code).status_code == 400
    introspection = Client().post(
        "/o/introspect/",
        {"token": tokens["access_token"]},
        headers={"Authorization": f"Bearer {tokens['access_token']}"},
    )
    assert introspection.status_code in (401, 403) or introspection.json() == {"active": False}
