"""The OpenID Connect claims and checks our provider adds (OAUTH2_PROVIDER["OAUTH2_VALIDATOR_CLASS"])."""

import hashlib
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

from django.db import IntegrityError, transaction
from django.utils import timezone
from oauth2_provider.models import get_access_token_model, get_id_token_model, get_refresh_token_model
from oauth2_provider.oauth2_validators import OAuth2Validator
from oauth2_provider.settings import oauth2_settings
from oauthlib.oauth2.rfc6749 import errors

from .models import SpentAuthorizationCode

# A spent code is remembered this long; a replay later than that is refused but revokes nothing.
SPENT_CODE_RETENTION = timedelta(days=30)


def _checksum(value: str) -> str:
    return hashlib.sha256(value.encode("utf-8")).hexdigest()


class SpentGrantError(errors.InvalidGrantError):
    """invalid_grant raised while tokens are saved. oauthlib's own token answers carry their JSON
    headers, but an error raised this late reaches the token view with only the error's headers
    (none): RFC 6749 §5.2 answers in application/json, and nothing here may be cached."""

    @property
    def headers(self) -> dict[str, str]:
        return {"Content-Type": "application/json", "Cache-Control": "no-store", "Pragma": "no-cache"}


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
        if request.grant_type == "refresh_token":
            self._refresh_token_unspent(request)
        super().save_bearer_token(token, request, *args, **kwargs)
        if request.grant_type == "authorization_code" and request.code and token.get("access_token"):
            self._code_spent(token, request)

    def _refresh_token_unspent(self, request) -> None:
        """Refuse a refresh token that another request rotated after this one validated it.

        Two refreshes with one token at once both pass validate_refresh_token. The library then
        hands the second the pair the first minted, but with tokens stored hashed (RFC 9700 token
        storage) it only has an empty string to hand, and the token view fails on it with a 500.
        Used once more a moment later the token counts as reused and its family is revoked
        (REFRESH_TOKEN_REUSE_PROTECTION, no grace period): so it does at once, too.
        """
        model = get_refresh_token_model()
        with transaction.atomic():
            current = model.objects.select_for_update().filter(pk=request.refresh_token_instance.pk).first()
        if current is not None and current.revoked is None:
            return
        if current is not None and oauth2_settings.REFRESH_TOKEN_REUSE_PROTECTION:
            # The token view answers 400 without raising, so the revocation commits.
            model.revoke_family(current.token_family)
        raise SpentGrantError(request=request)

    def _code_spent(self, token, request) -> None:
        access_checksum = _checksum(token["access_token"])
        family = None
        if token.get("refresh_token"):
            family = (
                get_refresh_token_model()
                .objects.filter(access_token__token_checksum=access_checksum)
                .values_list("token_family", flat=True)
                .first()
            )
        SpentAuthorizationCode.objects.filter(spent_at__lt=timezone.now() - SPENT_CODE_RETENTION).delete()
        try:
            with transaction.atomic():
                SpentAuthorizationCode.objects.create(
                    code_checksum=_checksum(request.code),
                    application=request.client,
                    access_token_checksum=access_checksum,
                    token_family=family,
                )
        except IntegrityError:
            # Two exchanges of one code raced past validate_code: the code was used twice, so
            # both sets of tokens go, and this one is refused.
            earlier = SpentAuthorizationCode.objects.filter(code_checksum=_checksum(request.code)).first()
            if earlier is not None:
                _revoke_spent(earlier)
            _revoke_tokens(access_checksum, family)
            raise SpentGrantError(request=request) from None

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


def _revoke_tokens(access_token_checksum: str, token_family) -> None:
    """Revoke an access token (and its id token) and the whole refresh family it started, which
    holds every token rotated from it since."""
    if token_family:
        get_refresh_token_model().revoke_family(token_family)
    first = get_access_token_model().objects.filter(token_checksum=access_token_checksum).first()
    if first is not None:
        id_token_id = first.id_token_id
        first.revoke()
        if id_token_id:
            get_id_token_model().objects.filter(pk=id_token_id).delete()


def _revoke_spent(spent: SpentAuthorizationCode) -> None:
    """Revoke the tokens first issued for a spent code."""
    _revoke_tokens(spent.access_token_checksum, spent.token_family)
    spent.delete()  # revoked once; a further replay has nothing left to revoke
