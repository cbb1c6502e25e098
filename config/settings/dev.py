"""Local development: debug on, console email, an OIDC key generated once under var/."""

from pathlib import Path

from .base import *
from .base import OAUTH2_PROVIDER, STATIC_ROOT, VAR_DIR

DEBUG = True

if not OAUTH2_PROVIDER["OIDC_RSA_PRIVATE_KEY"]:
    from accounts.keys import read_or_create_private_key_pem

    OAUTH2_PROVIDER["OIDC_RSA_PRIVATE_KEY"] = read_or_create_private_key_pem(VAR_DIR / "oidc.pem")

Path(STATIC_ROOT).mkdir(parents=True, exist_ok=True)  # whitenoise warns about a missing root

# Fake remote servers in tests and local peers in development listen on loopback; nothing else private.
EDGE_ALLOWED_NETWORKS = ["127.0.0.0/8", "::1/128"]
