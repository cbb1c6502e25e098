"""OIDC provider edges: bearer tokens only in the header, replayed authorization codes (RFC 6749 §4.1.2)."""

import base64
import hashlib
import json
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from oauth2_provider.models import get_access_token_model, get_refresh_token_model

from tests.factories.accounts import UserFactory, oauth_client

pytestmark = pytest.mark.django_db

REDIRECT_URI = "https://app.example.org/callback"
VERIFIER = "v" * 50


def _code(client, application) -> str:
    challenge = base64.urlsafe_b64encode(hashlib.sha256(VERIFIER.encode()).digest()).rstrip(b"=").decode()
    params = {
        "response_type": "code",
        "client_id": application.client_id,
        "redirect_uri": REDIRECT_URI,
        "scope": "openid email",
        "state": "xyz",
        "code_challenge": challenge,
        "code_challenge_method": "S256",
    }
    response = client.get(f"/o/authorize/?{urlencode(params)}")
    assert response.status_code == 302, response.content[:300]
    return parse_qs(urlsplit(response["Location"]).query)["code"][0]


def _exchange(client, application, secret, code):
    return client.post(
        "/o/token/",
        {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": REDIRECT_URI,
            "code_verifier": VERIFIER,
            "client_id": application.client_id,
            "client_secret": secret,
        },
    )


@pytest.fixture
def signed_in(client):
    member = UserFactory()
    client.force_login(member)
    application, secret = oauth_client(redirect_uri=REDIRECT_URI, skip_authorization=True)
    return client, application, secret


@pytest.fixture
def tokens(signed_in):
    client, application, secret = signed_in
    response = _exchange(client, application, secret, _code(client, application))
    assert response.status_code == 200, response.content
    return response.json()


def test_userinfo_answers_a_bearer_header(client, tokens):
    response = client.get("/o/userinfo/", headers={"Authorization": f"Bearer {tokens['access_token']}"})
    assert response.status_code == 200
    assert "email" in response.json()


@pytest.mark.parametrize("method", ["get", "post"])
def test_userinfo_refuses_an_access_token_in_the_query_string(client, tokens, method):
    """RFC 6750 §5.3 / RFC 9700 §4.3.2: query strings end up in logs and Referer headers."""
    client.logout()
    response = getattr(client, method)(f"/o/userinfo/?access_token={tokens['access_token']}")
    assert response.status_code in (400, 401, 403)
    assert "email" not in response.content.decode()


def test_userinfo_refuses_the_query_token_even_beside_a_header(client, tokens):
    response = client.get(
        f"/o/userinfo/?access_token={tokens['access_token']}",
        headers={"Authorization": f"Bearer {tokens['access_token']}"},
    )
    assert response.status_code in (400, 401)


def test_replayed_code_is_refused_and_revokes_the_tokens_it_gave(signed_in):
    client, application, secret = signed_in
    code = _code(client, application)
    first = _exchange(client, application, secret, code)
    assert first.status_code == 200
    issued = first.json()
    # The client refreshes once: the rotated tokens came from the same code, so they go too.
    refreshed = client.post(
        "/o/token/",
        {
            "grant_type": "refresh_token",
            "refresh_token": issued["refresh_token"],
            "client_id": application.client_id,
            "client_secret": secret,
        },
    )
    assert refreshed.status_code == 200, refreshed.content
    latest = refreshed.json()

    replay = _exchange(client, application, secret, code)

    assert replay.status_code == 400
    assert replay.json()["error"] == "invalid_grant"
    for access in (issued["access_token"], latest["access_token"]):
        response = client.get("/o/userinfo/", headers={"Authorization": f"Bearer {access}"})
        assert response.status_code == 401
    assert not get_access_token_model().objects.exists()
    assert not get_refresh_token_model().objects.filter(revoked__isnull=True).exists()
    again = client.post(
        "/o/token/",
        {
            "grant_type": "refresh_token",
            "refresh_token": latest["refresh_token"],
            "client_id": application.client_id,
            "client_secret": secret,
        },
    )
    assert again.status_code == 400


def test_unknown_code_revokes_nothing(signed_in, tokens):
    client, application, secret = signed_in
    response = _exchange(client, application, secret, "never-issued-code")
    assert response.status_code == 400
    assert get_access_token_model().objects.filter(user__isnull=False).count() == 1


def test_a_code_replayed_by_another_client_revokes_nothing(signed_in):
    client, application, secret = signed_in
    code = _code(client, application)
    assert _exchange(client, application, secret, code).status_code == 200
    other, other_secret = oauth_client(redirect_uri=REDIRECT_URI, name="Other app")
    assert _exchange(client, other, other_secret, code).status_code == 400
    assert get_access_token_model().objects.filter(application=application).count() == 1


def test_two_exchanges_racing_past_the_code_check_both_lose_their_tokens(signed_in):
    """On PostgreSQL two exchanges of one code can both find the grant before either deletes it;
    the spent-code row is unique, so the second notices, and both sets of tokens go."""
    from accounts.models import SpentAuthorizationCode

    client, application, secret = signed_in
    code = _code(client, application)
    # What the other exchange, committed a moment earlier, left behind.
    other = _exchange(client, application, secret, _code(client, application)).json()
    SpentAuthorizationCode.objects.create(
        code_checksum=hashlib.sha256(code.encode()).hexdigest(),
        application=application,
        access_token_checksum=hashlib.sha256(other["access_token"].encode()).hexdigest(),
    )

    response = _exchange(client, application, secret, code)

    assert response.status_code == 400
    assert json.loads(response.content)["error"] == "invalid_grant"
    assert not get_access_token_model().objects.exists()
