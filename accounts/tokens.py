"""One-time tokens for confirming an email address (valid for PASSWORD_RESET_TIMEOUT, 3 days)."""

from django.contrib.auth.tokens import PasswordResetTokenGenerator


class EmailConfirmationTokenGenerator(PasswordResetTokenGenerator):
    """Like the password-reset token, but spent by confirming: the hash covers the verified flag."""

    key_salt = "accounts.tokens.EmailConfirmationTokenGenerator"

    def _make_hash_value(self, user, timestamp: int) -> str:
        return f"{user.pk}{user.email}{user.email_verified}{user.is_active}{timestamp}"


email_confirmation_token = EmailConfirmationTokenGenerator()
