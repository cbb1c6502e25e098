"""OpenID Connect RP-initiated logout: a sibling app ends the member's session here (end_session_endpoint)."""

import base64
import hashlib
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from oauth2_provider.models import get_access_token_model, get_refresh_token_model

from tests.factories.accounts import UserFactory, oauth_client

pytestmark = pytest.mark.django_db

REDIRECT_URI = "https://app.example.org/callback"
AFTER_LOGOUT = "https://app.example.org/logged-out"
VERIFIER = "v" * 50


@pytest.fixture
def member(client):
    user = UserFactory()
    client.force_login(user)
    return user


@pytest.fixture
def app_with_tokens(client, member):
    """A trusted app the member signed in to with the code flow: (application, id token)."""
    application, secret = oauth_client(redirect_uri=REDIRECT_URI, skip_authorization=True)
    application.post_logout_redirect_uris = AFTER_LOGOUT
    application.save()
    challenge = base64.urlsafe_b64encode(hashlib.sha256(VERIFIER.encode()).digest()).rstrip(b"=").decode()
    query = {
        "response_type": "code",
        "client_id": application.client_id,
        "redirect_uri": REDIRECT_URI,
        "scope": "openid email",
        "code_challenge": challenge,
        "code_challenge_method": "S256",
    }
    authorized = client.get(f"/o/authorize/?{urlencode(query)}")
    code = parse_qs(urlsplit(authorized["Location"]).query)["code"][0]
    token = client.post(
        "/o/token/",
        {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": REDIRECT_URI,
            "code_verifier": VERIFIER,
            "client_id": application.client_id,
            "client_secret": secret,
        },
    ).json()
    return application, token["id_token"]


def _logged_in(client) -> bool:
    return client.get("/account/").status_code == 200


def test_discovery_advertises_the_end_session_endpoint(client, settings):
    document = client.get("/o/.well-known/openid-configuration").json()
    assert document["end_session_endpoint"] == f"{settings.SITE_URL}/o/logout/"


def test_logout_with_the_members_id_token_ends_session_revokes_tokens_and_returns_to_app(
    client, member, app_with_tokens
):
    _, id_token = app_with_tokens
    assert get_access_token_model().objects.filter(user=member).exists()
    query = {"id_token_hint": id_token, "post_logout_redirect_uri": AFTER_LOGOUT, "state": "s-1"}
    response = client.get(f"/o/logout/?{urlencode(query)}")
    assert response.status_code == 302
    assert response["Location"] == f"{AFTER_LOGOUT}?state=s-1"
    assert not _logged_in(client)
    assert not get_access_token_model().objects.filter(user=member).exists()
    assert not get_refresh_token_model().objects.filter(user=member, revoked__isnull=True).exists()


def test_logout_to_an_unregistered_address_is_refused_and_keeps_the_session(client, member, app_with_tokens):
    _, id_token = app_with_tokens
    query = {"id_token_hint": id_token, "post_logout_redirect_uri": "https://evil.example.org/"}
    response = client.get(f"/o/logout/?{urlencode(query)}")
    assert response.status_code == 400
    assert "Location" not in response
    assert "This logout request was refused" in response.content.decode()
    assert _logged_in(client)
    assert get_access_token_model().objects.filter(user=member).exists()


def test_logout_without_id_token_asks_in_site_layout_and_only_allow_logs_out(client, member):
    asked = client.get("/o/logout/")
    html = asked.content.decode()
    assert asked.status_code == 200
    assert "Log out?" in html and "site-header" in html
    refused = client.post("/o/logout/", {})
    assert "You are still logged in" in refused.content.decode()
    assert _logged_in(client)
    response = client.post("/o/logout/", {"allow": "Logout"})
    assert response.status_code == 302
    assert not _logged_in(client)
