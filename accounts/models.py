"""The single user model shared by Wagtail, Oscar and the calendar."""

from oscar.apps.customer.abstract_models import AbstractUser


class User(AbstractUser):
    """An account: logs in by email; editors, shoppers and organisers are all users."""

    class Meta(AbstractUser.Meta):
        swappable = "AUTH_USER_MODEL"
        verbose_name = "user"
        verbose_name_plural = "users"

    def __str__(self) -> str:
        return self.get_full_name() or self.email
