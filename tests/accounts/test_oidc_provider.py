"""The OpenID Connect provider, driven over real HTTP by an independent client library (Authlib)."""

import copy
import html as html_lib
import re
import secrets
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from authlib.common.security import generate_token
from authlib.integrations.requests_client import OAuth2Session
from authlib.jose import JsonWebKey, jwt
from authlib.oidc.core import CodeIDToken
from django.core.cache import cache

from tests.factories.accounts import PASSWORD, UserFactory, oauth_client

pytestmark = pytest.mark.django_db(transaction=True)

REDIRECT_URI = "http://127.0.0.1:9/callback"  # never fetched: the test reads the redirect itself


@pytest.fixture
def provider(live_server, settings):
    """The provider with SITE_URL (and so the fixed issuer) at the live server's address."""
    cache.clear()
    settings.SITE_URL = live_server.url
    oauth = copy.deepcopy(settings.OAUTH2_PROVIDER)
    oauth["OIDC_ISS_ENDPOINT"] = f"{live_server.url}/o"
    settings.OAUTH2_PROVIDER = oauth
    discovery = requests.get(f"{live_server.url}/o/.well-known/openid-configuration", timeout=10).json()
    return discovery


def _field(html: str, name: str) -> str:
    return html_lib.unescape(re.search(rf'name="{name}" value="([^"]*)"', html).group(1))


def _hidden_fields(html: str) -> dict:
    form = html[html.index('id="authorizationForm"') :]
    fields = re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', form)
    return {name: html_lib.unescape(value) for name, value in fields}


def _browser_login_and_consent(authorize_url: str, email: str, *, expect_consent: bool = True) -> str:
    """What a person does in a browser: log in on our page, allow the app; returns the redirect."""
    browser = requests.Session()
    response = browser.get(authorize_url, allow_redirects=False, timeout=10)
    assert response.status_code == 302
    login_url = response.headers["Location"]
    assert urlsplit(login_url).path == "/account/login/"
    login_page = browser.get(requests.compat.urljoin(authorize_url, login_url), timeout=10)
    response = browser.post(
        login_page.url,
        data={
            "csrfmiddlewaretoken": _field(login_page.text, "csrfmiddlewaretoken"),
            "username": email,
            "password": PASSWORD,
            "next": _field(login_page.text, "next"),
        },
        headers={"Referer": login_page.url},
        allow_redirects=False,
        timeout=10,
    )
    assert response.status_code == 302, response.text[:500]
    response = browser.get(
        requests.compat.urljoin(authorize_url, response.headers["Location"]),
        allow_redirects=False,
        timeout=10,
    )
    if expect_consent:
        assert response.status_code == 200, response.text[-1500:]
        assert "Allow" in response.text and "site-header" in response.text  # our layout
        data = _hidden_fields(response.text)
        data.update(csrfmiddlewaretoken=browser.cookies["csrftoken"], allow="Authorize")
        response = browser.post(
            response.url, data=data, headers={"Referer": response.url}, allow_redirects=False, timeout=10
        )
    assert response.status_code == 302, response.text[:500]
    return response.headers["Location"]


def test_authlib_client_logs_in_with_pkce_and_validates_id_token_and_userinfo(provider, live_server):
    user = UserFactory(email="sso@example.org", first_name="Sasha", last_name="Sso")
    application, secret = oauth_client(redirect_uri=REDIRECT_URI)
    issuer = f"{live_server.url}/o"
    assert provider["issuer"] == issuer
    assert provider["code_challenge_methods_supported"] == ["S256"]
    assert provider["response_types_supported"] == ["code"]

    client = OAuth2Session(
        application.client_id,
        secret,
        scope="openid email profile",
        redirect_uri=REDIRECT_URI,
        code_challenge_method="S256",
    )
    code_verifier = generate_token(48)
    nonce = secrets.token_urlsafe(16)
    authorize_url, state = client.create_authorization_url(
        provider["authorization_endpoint"], nonce=nonce, code_verifier=code_verifier
    )
    callback = _browser_login_and_consent(authorize_url, user.email)
    assert callback.startswith(REDIRECT_URI)
    query = parse_qs(urlsplit(callback).query)
    assert query["state"] == [state]
    assert query["iss"] == [issuer]  # RFC 9207 authorization response issuer

    token = client.fetch_token(
        provider["token_endpoint"], authorization_response=callback, code_verifier=code_verifier
    )
    jwks = JsonWebKey.import_key_set(requests.get(provider["jwks_uri"], timeout=10).json())
    claims = jwt.decode(
        token["id_token"],
        jwks,
        claims_cls=CodeIDToken,
        claims_options={
            "iss": {"essential": True, "value": issuer},
            "aud": {"essential": True, "value": application.client_id},
            "nonce": {"essential": True, "value": nonce},
        },
        claims_params={
            "nonce": nonce,
            "client_id": application.client_id,
            "access_token": token["access_token"],
        },
    )
    claims.validate()  # exp, iat, iss, aud, nonce and at_hash (against the access token)
    assert claims.header["alg"] == "RS256"
    assert claims["at_hash"]
    assert claims["sub"] == str(user.pk)

    userinfo = client.get(provider["userinfo_endpoint"]).json()
    assert userinfo == {
        "sub": str(user.pk),
        "email": "sso@example.org",
        "email_verified": True,
        "name": "Sasha Sso",
        "given_name": "Sasha",
        "family_name": "Sso",
        "preferred_username": "sso",
    }

    # The same code a second time is refused (and, per RFC 6749 §4.1.2, it is spent).
    code = query["code"][0]
    replay = requests.post(
        provider["token_endpoint"],
        data={
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": REDIRECT_URI,
            "code_verifier": code_verifier,
        },
        auth=(application.client_id, secret),
        timeout=10,
    )
    assert replay.status_code == 400
    assert replay.json()["error"] == "invalid_grant"


def test_refresh_rotates_and_revocation_and_introspection_work(provider, live_server):
    user = UserFactory()
    application, secret = oauth_client(redirect_uri=REDIRECT_URI, skip_authorization=True)
    client = OAuth2Session(
        application.client_id,
        secret,
        scope="openid email",
        redirect_uri=REDIRECT_URI,
        code_challenge_method="S256",
    )
    verifier = generate_token(48)
    url, _ = client.create_authorization_url(
        provider["authorization_endpoint"], code_verifier=verifier, nonce="n1"
    )
    # A trusted first-party app: no consent screen.
    callback = _browser_login_and_consent(url, user.email, expect_consent=False)
    token = client.fetch_token(
        provider["token_endpoint"], authorization_response=callback, code_verifier=verifier
    )

    refreshed = client.refresh_token(provider["token_endpoint"], refresh_token=token["refresh_token"])
    assert refreshed["refresh_token"] != token["refresh_token"]
    auth = (application.client_id, secret)
    introspection = provider.get("introspection_endpoint") or f"{live_server.url}/o/introspect/"
    active = requests.post(introspection, data={"token": refreshed["access_token"]}, auth=auth, timeout=10)
    assert active.status_code == 200
    assert active.json()["active"] is True
    assert active.json()["client_id"] == application.client_id

    revocation = provider.get("revocation_endpoint") or f"{live_server.url}/o/revoke_token/"
    revoked = requests.post(
        revocation,
        data={"token": refreshed["access_token"], "token_type_hint": "access_token"},
        auth=auth,
        timeout=10,
    )
    assert revoked.status_code == 200
    after = requests.post(introspection, data={"token": refreshed["access_token"]}, auth=auth, timeout=10)
    assert after.json()["active"] is False
    userinfo = requests.get(
        provider["userinfo_endpoint"],
        headers={"Authorization": f"Bearer {refreshed['access_token']}"},
        timeout=10,
    )
    assert userinfo.status_code == 401

    # Replaying the rotated-out refresh token is refused and, as theft detection, kills its successor too.
    def refresh(value):
        return requests.post(
            provider["token_endpoint"],
            data={"grant_type": "refresh_token", "refresh_token": value},
            auth=auth,
            timeout=10,
        )

    assert refresh(token["refresh_token"]).status_code == 400
    assert refresh(refreshed["refresh_token"]).status_code == 400
