"""Signal receivers for accounts (connected in AccountsConfig.ready)."""

from . import ratelimit


def on_login_failed(sender, credentials: dict, request=None, **kwargs) -> None:
    """Count every failed sign-in, whichever form it came from, towards the throttle."""
    email = credentials.get("username") or credentials.get("email") or ""
    ratelimit.login_failure_record(str(email), request)
