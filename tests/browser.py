"""Browser-test helpers: a Playwright context that carries a Django test client's session."""

from django.conf import settings


def log_in_browser(context, client, user, base_url: str) -> None:
    """Log `user` in through Django's session and give the browser context its cookie (the login
    form is the accounts tests' to drive; here it would only slow every browser test down)."""
    client.force_login(user)
    context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": base_url,
            }
        ]
    )
