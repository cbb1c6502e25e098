"""The OpenID Connect claims our provider issues (OAUTH2_PROVIDER["OAUTH2_VALIDATOR_CLASS"])."""

from oauth2_provider.oauth2_validators import OAuth2Validator
from oauthlib.oauth2.rfc6749 import errors


class ClaimsValidator(OAuth2Validator):
    """Adds the standard profile and email claims; the parent filters them by granted scope."""

    def is_pkce_required(self, client_id, request) -> bool:
        # Refuse "plain" (and a missing method, which RFC 7636 reads as plain) before the consent
        # screen: the library would only refuse it after the member had clicked "Allow".
        if request.code_challenge is not None and request.code_challenge_method != "S256":
            raise errors.UnsupportedCodeChallengeMethodError(request=request)
        return super().is_pkce_required(client_id, request)

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
