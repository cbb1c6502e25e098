"""The single user model shared by Wagtail, Oscar and the calendar."""

import unicodedata

from django.core.validators import RegexValidator
from django.db import models
from oscar.apps.customer.abstract_models import AbstractUser

# @name@host.tld — what people type to be found on the fediverse.
fediverse_handle_validator = RegexValidator(
    r"^@?[A-Za-z0-9_.\-]+@[A-Za-z0-9.\-]+\.[A-Za-z]{2,}$",
    "Enter a handle like @name@example.social.",
)


def email_canonical(address: str) -> str:
    """The one spelling an address is stored and compared in: NFKC, then case-folded.

    Django's email validation lets through spellings that reach the same mailbox, such as a domain
    in full-width letters or with the "fi" ligature (U+FB01), which IDNA folds when mail is sent,
    or a KELVIN SIGN for "k". Folded as Django's password reset compares addresses, every such
    spelling is one address, so the unique email column holds one account per mailbox.
    """
    return unicodedata.normalize("NFKC", address.strip()).casefold()


class User(AbstractUser):
    """An account: logs in by email; editors, shoppers and organisers are all users."""

    email_verified = models.BooleanField(
        default=False, help_text="The member proved they read mail sent to this address."
    )
    fediverse_handle = models.CharField(
        max_length=255,
        blank=True,
        validators=[fediverse_handle_validator],
        help_text="e.g. @name@example.social",
    )

    class Meta(AbstractUser.Meta):
        swappable = "AUTH_USER_MODEL"
        verbose_name = "user"
        verbose_name_plural = "users"

    def __str__(self) -> str:
        return self.get_full_name() or self.email

    @property
    def display_name(self) -> str:
        return self.get_full_name() or self.email.split("@", 1)[0]
