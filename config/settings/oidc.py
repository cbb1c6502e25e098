"""The OAuth2 / OpenID Connect provider (django-oauth-toolkit) that sibling apps sign in through."""

from .site import SITE_URL, env

# --- OAuth2 / OpenID Connect -------------------------------------------------------------------
# Named so our own models (accounts.SpentAuthorizationCode) can point at the swappable client model.
OAUTH2_PROVIDER_APPLICATION_MODEL = "oauth2_provider.Application"
OAUTH2_PROVIDER = {
    "OIDC_ENABLED": True,
    "OIDC_RSA_PRIVATE_KEY": env("OIDC_RSA_PRIVATE_KEY", default=""),
    "OIDC_ISS_ENDPOINT": f"{SITE_URL}/o",
    "PKCE_REQUIRED": True,
    "ALLOWED_CODE_CHALLENGE_METHODS": ["S256"],
    "SCOPES": {"openid": "OpenID Connect", "profile": "Your name", "email": "Your email address"},
    "OAUTH2_VALIDATOR_CLASS": "accounts.oidc.ClaimsValidator",
    "OIDC_RESPONSE_TYPES_SUPPORTED": ["code"],
    # Key rotation: the previous signing keys (PEM, separated by blank-line-free "|||") stay in the JWKS.
    "OIDC_RSA_PRIVATE_KEYS_INACTIVE": [
        pem for pem in env("OIDC_RSA_PRIVATE_KEYS_INACTIVE", default="").split("|||") if pem.strip()
    ],
    # RP-initiated logout (end_session_endpoint /o/logout/): a sibling app that sends the member's id
    # token logs them out here too, and their tokens go; without a matching id token we ask first.
    "OIDC_RP_INITIATED_LOGOUT_ENABLED": True,
    "OIDC_RP_INITIATED_LOGOUT_ALWAYS_PROMPT": False,
    "OIDC_RP_INITIATED_LOGOUT_STRICT_REDIRECT_URIS": True,
    "ROTATE_REFRESH_TOKEN": True,
    "REFRESH_TOKEN_REUSE_PROTECTION": True,
    # Adopt the OAuth 2.0 Security BCP (RFC 9700) now rather than when the library flips its defaults.
    "COMPLIANT_BCP_RFC9700_IMPLICIT_GRANT": True,
    "COMPLIANT_BCP_RFC9700_PASSWORD_GRANT": True,
    "COMPLIANT_BCP_RFC9700_PKCE_METHOD": True,
    "COMPLIANT_BCP_RFC9700_ACCESS_TOKEN_TRANSPORT": True,
    "COMPLIANT_BCP_RFC9700_AUTHZ_RESPONSE_ISS": True,
    "COMPLIANT_BCP_RFC9700_TOKEN_STORAGE": True,
}
