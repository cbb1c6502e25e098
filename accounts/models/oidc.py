"""What the OpenID Connect provider remembers beyond django-oauth-toolkit's own tables."""

from django.db import models
from oauth2_provider.settings import oauth2_settings


class SpentAuthorizationCode(models.Model):
    """An authorization code already exchanged, and what it was exchanged for.

    django-oauth-toolkit deletes the grant once it is exchanged, so a second exchange only finds
    nothing. RFC 6749 §4.1.2 asks for more: a replayed code means it leaked, and the tokens first
    issued for it are revoked. The code is kept only as a SHA-256 checksum, like the tokens.
    """

    code_checksum = models.CharField(max_length=64, unique=True)
    application = models.ForeignKey(oauth2_settings.APPLICATION_MODEL, on_delete=models.CASCADE)
    access_token_checksum = models.CharField(max_length=64)
    # The refresh token family the code started: every rotation of it came from this code too.
    token_family = models.UUIDField(null=True, blank=True)
    spent_at = models.DateTimeField(auto_now_add=True, db_index=True)

    def __str__(self) -> str:
        return f"code {self.code_checksum[:12]}… spent {self.spent_at:%Y-%m-%d %H:%M}"
