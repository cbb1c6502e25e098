"""Provider rules in-process: PKCE S256 only, exact redirect URIs, discovery, JWKS, createapplication."""

import base64
import hashlib
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from django.core.management import call_command
from oauth2_provider.models import get_application_model

from tests.factories.accounts import UserFactory, oauth_client

pytestmark = pytest.mark.django_db

REDIRECT_URI = "https://app.example.org/callback"


def _challenge(verifier: str) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()


def _authorize(client, application, **overrides):
    params = {
        "response_type": "code",
        "client_id": application.client_id,
        "redirect_uri": REDIRECT_URI,
        "scope": "openid email",
        "state": "xyz",
        "code_challenge": _challenge("v" * 50),
        "code_challenge_method": "S256",
        **overrides,
    }
    params = {key: value for key, value in params.items() if value is not None}
    return client.get(f"/o/authorize/?{urlencode(params)}")


@pytest.fixture
def member_client(client):
    client.force_login(UserFactory())
    return client


def test_authorize_with_s256_shows_consent_in_site_layout(member_client):
    application, _ = oauth_client(redirect_uri=REDIRECT_URI, name="Food co-op app")
    response = _authorize(member_client, application)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Allow Food co-op app to use your account?" in html
    assert "site-header" in html


@pytest.mark.parametrize("method", ["plain", None])  # no method means plain (RFC 7636 §4.3)
def test_authorize_with_plain_pkce_is_refused_before_consent(member_client, method):
    application, _ = oauth_client(redirect_uri=REDIRECT_URI)
    response = _authorize(member_client, application, code_challenge="v" * 50, code_challenge_method=method)
    assert response.status_code == 302
    query = parse_qs(urlsplit(response["Location"]).query)
    assert query["error"] == ["invalid_request"]
    assert "code" not in query


def test_authorize_without_pkce_is_refused(member_client):
    application, _ = oauth_client(redirect_uri=REDIRECT_URI)
    response = _authorize(member_client, application, code_challenge=None, code_challenge_method=None)
    query = parse_qs(urlsplit(response["Location"]).query)
    assert query["error"] == ["invalid_request"]


@pytest.mark.parametrize(
    "redirect_uri",
    [
        "https://app.example.org/callback/extra",
        "https://app.example.org/callback?next=/x",
        "https://app.example.org/CALLBACK",
        "https://evil.example.org/callback",
        "http://app.example.org/callback",
        "https://app.example.org/callbac",
        "https://app.example.org/callback?",
        "https://app.example.org/callback#",
        "https://app.example.org/callback;x=1",
        "https://app.example.org:443/callback",
        "https://app.example.org.evil.example/callback",
        "https://app.example.org@evil.example/callback",
        "https://evil.example@app.example.org/callback",
        "https://app.example.org/callback/../callback",
        "https://app.example.org/%63allback",
    ],
)
def test_authorize_with_inexact_redirect_uri_is_refused_without_redirecting(member_client, redirect_uri):
    application, _ = oauth_client(redirect_uri=REDIRECT_URI)
    response = _authorize(member_client, application, redirect_uri=redirect_uri)
    assert response.status_code == 400
    assert "Location" not in response


def test_trusted_app_skips_consent(member_client):
    application, _ = oauth_client(redirect_uri=REDIRECT_URI, skip_authorization=True)
    response = _authorize(member_client, application)
    assert response.status_code == 302
    assert "code" in parse_qs(urlsplit(response["Location"]).query)


def test_discovery_has_fixed_issuer_and_our_claims(client, settings):
    document = client.get("/o/.well-known/openid-configuration").json()
    assert document["issuer"] == f"{settings.SITE_URL}/o"
    assert document["code_challenge_methods_supported"] == ["S256"]
    assert {"email", "email_verified", "name", "preferred_username"} <= set(document["claims_supported"])
    assert (
        document["id_token_signing_alg_values_supported"] == ["RS256"]
        or "RS256" in document["id_token_signing_alg_values_supported"]
    )


def test_jwks_publishes_active_and_inactive_keys(client, settings):
    from accounts.keys import generate_private_key_pem

    oauth = dict(settings.OAUTH2_PROVIDER)
    oauth["OIDC_RSA_PRIVATE_KEYS_INACTIVE"] = [generate_private_key_pem()]
    settings.OAUTH2_PROVIDER = oauth
    keys = client.get("/o/.well-known/jwks.json").json()["keys"]
    assert len(keys) == 2
    assert all(key["kty"] == "RSA" and key["alg"] == "RS256" and "d" not in key for key in keys)


def test_createapplication_command_registers_a_client():
    call_command(
        "createapplication",
        "confidential",
        "authorization-code",
        "--name",
        "Bookshop",
        "--redirect-uris",
        REDIRECT_URI,
        "--algorithm",
        "RS256",
        "--skip-authorization",
        verbosity=0,
    )
    application = get_application_model().objects.get(name="Bookshop")
    assert application.redirect_uris == REDIRECT_URI
    assert application.skip_authorization
