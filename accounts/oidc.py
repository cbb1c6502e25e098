"""The OpenID Connect claims and checks our provider adds (OAUTH2_PROVIDER["OAUTH2_VALIDATOR_CLASS"])."""

import hashlib
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

from django.utils import timezone
from oauth2_provider.models import get_access_token_model, get_id_token_model, get_refresh_token_model
from oauth2_provider.oauth2_validators import OAuth2Validator
from oauthlib.oauth2.rfc6749 import errors

from .models import SpentAuthorizationCode

# A spent code is remembered this long; a replay later than that is refused but revokes nothing.
SPENT_CODE_RETENTION = timedelta(days=30)


def _checksum(value: str) -> str:
    return hashlib.sha256(value.encode("utf-8")).hexdigest()


class ClaimsValidator(OAuth2Validator):
    """Adds the standard profile and email claims (the parent filters them by granted scope), refuses
    bearer tokens in query strings and revokes what a replayed authorization code was exchanged for."""

    def is_pkce_required(self, client_id, request) -> bool:
        # Refuse "plain" (and a missing method, which RFC 7636 reads as plain) before the consent
        # screen: the library would only refuse it after the member had clicked "Allow".
        if request.code_challenge is not None and request.code_challenge_method != "S256":
            raise errors.UnsupportedCodeChallengeMethodError(request=request)
        return super().is_pkce_required(client_id, request)

    def validate_bearer_token(self, token, scopes, request) -> bool:
        # RFC 6750 §5.3 and RFC 9700 §4.3.2: a token in the URL ends up in logs, history and Referer
        # headers. The library refuses it in verify_request (protected resources) but the userinfo
        # endpoint goes straight to oauthlib, which reads ?access_token=; every path comes here.
        if "access_token" in parse_qs(urlsplit(request.uri or "").query):
            return False
        return super().validate_bearer_token(token, scopes, request)

    def validate_code(self, client_id, code, client, request, *args, **kwargs) -> bool:
        if super().validate_code(client_id, code, client, request, *args, **kwargs):
            return True
        spent = SpentAuthorizationCode.objects.filter(
            code_checksum=_checksum(code), application=client
        ).first()
        if spent is not None:
            # RFC 6749 §4.1.2: a code used twice leaked; revoke what it was first exchanged for.
            # The token view answers 400 without raising, so this commits with the request.
            _revoke_spent(spent)
        return False

    def save_bearer_token(self, token, request, *args, **kwargs):
        super().save_bearer_token(token, request, *args, **kwargs)
        if request.grant_type == "authorization_code" and request.code and token.get("access_token"):
            family = None
            if token.get("refresh_token"):
                family = (
                    get_refresh_token_model()
                    .objects.filter(access_token__token_checksum=_checksum(token["access_token"]))
                    .values_list("token_family", flat=True)
                    .first()
                )
            SpentAuthorizationCode.objects.filter(spent_at__lt=timezone.now() - SPENT_CODE_RETENTION).delete()
            SpentAuthorizationCode.objects.create(
                code_checksum=_checksum(request.code),
                application=request.client,
                access_token_checksum=_checksum(token["access_token"]),
                token_family=family,
            )

    def get_additional_claims(self, request) -> dict:
        user = request.user
        return {
            "email": user.email,
            "email_verified": bool(user.email_verified),
            "name": user.get_full_name() or user.email,
            "given_name": user.first_name,
            "family_name": user.last_name,
            # The local part of the email: stable enough to prefill a username, never an identifier.
            "preferred_username": user.email.split("@", 1)[0],
        }

    def get_discovery_claims(self, request) -> list[str]:
        # The parent can only list claims for request-agnostic validators; ours need the user.
        return ["sub", "email", "email_verified", "name", "given_name", "family_name", "preferred_username"]


def _revoke_spent(spent: SpentAuthorizationCode) -> None:
    """Revoke the tokens first issued for a spent code: its access token (and id token) and the
    whole refresh family, which holds every token rotated from it since."""
    RefreshToken, AccessToken = get_refresh_token_model(), get_access_token_model()
    if spent.token_family:
        RefreshToken.revoke_family(spent.token_family)
    first = AccessToken.objects.filter(token_checksum=spent.access_token_checksum).first()
    if first is not None:
        id_token_id = first.id_token_id
        first.revoke()
        if id_token_id:
            get_id_token_model().objects.filter(pk=id_token_id).delete()
    spent.delete()  # revoked once; a further replay has nothing left to revoke
