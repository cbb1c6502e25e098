"""Writes about members: sign-up and confirmation, password reset mail, email change, connected apps
(deletion: deletion.py)."""

from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import PasswordResetForm
from django.contrib.auth.tokens import default_token_generator
from django.core import signing
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_decode, urlsafe_base64_encode
from oauth2_provider.models import (
    get_access_token_model,
    get_grant_model,
    get_id_token_model,
    get_refresh_token_model,
)

from .emails import email_send
from .models import Subscription, User, email_canonical
from .signals import account_email_wanted
from .tokens import email_confirmation_token


def _absolute(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


def _email_later(template_prefix: str, to: str, context: dict) -> None:
    transaction.on_commit(
        lambda: account_email_wanted.send(
            sender=User, template_prefix=template_prefix, to=to, context=context
        )
    )


def email_confirmation_url(user: User) -> str:
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = email_confirmation_token.make_token(user)
    return _absolute(reverse("accounts:confirm_email", args=[uid, token]))


def user_signup(*, email: str, password: str, first_name: str = "", last_name: str = "") -> User | None:
    """Create an unconfirmed account and mail a confirmation link.

    If the address already has an account we create nothing and mail its owner a notice instead, so
    the page shown (and the time it takes) is the same either way: sign-up reveals no members.
    """
    email = email_canonical(email)
    existing = get_user_model().objects.filter(email__iexact=email).first()
    if existing is None:
        try:
            with transaction.atomic():
                user = get_user_model().objects.create_user(
                    email=email, password=password, first_name=first_name, last_name=last_name
                )
        except IntegrityError:
            # A sign-up for the same address (a double click, two tabs) committed between our look
            # and our INSERT: the unique email refused ours, and this one is the "taken" case.
            existing = get_user_model().objects.filter(email__iexact=email).first()
            if existing is None:
                raise
        else:
            user_send_confirmation(user)
            return user
    _email_later(
        "signup_existing",
        existing.email,
        {
            "login_url": _absolute(settings.LOGIN_URL),
            "reset_url": _absolute(reverse("accounts:password_reset")),
        },
    )
    return None


def user_send_confirmation(user: User) -> None:
    _email_later(
        "confirm_email", user.email, {"name": user.display_name, "confirm_url": email_confirmation_url(user)}
    )


def user_confirm_email(uidb64: str, token: str) -> User | None:
    """Mark the address verified if the link is genuine and unspent; returns the user or None."""
    try:
        pk = urlsafe_base64_decode(uidb64).decode()
        user = get_user_model().objects.get(pk=pk, is_active=True)
    except (ValueError, TypeError, OverflowError, get_user_model().DoesNotExist):
        return None
    if not email_confirmation_token.check_token(user, token):
        return None
    user.email_verified = True
    user.save(update_fields=["email_verified"])
    return user


def password_reset_mail(email: str) -> int:
    """Mail a password reset link to each active account at ``email``; how many went (0 or 1).

    Run by a task, never by the request: the reset page answers alike for members and strangers,
    and this is where the difference lies. Accounts are matched as Django's reset form matches them
    (case-insensitively, active, with a usable password), and the link goes to the stored address.
    """
    users = list(PasswordResetForm().get_users(email))
    for user in users:
        email_send(
            "password_reset",
            user.email,
            {
                "protocol": urlsplit(settings.SITE_URL).scheme,
                "domain": urlsplit(settings.SITE_URL).netloc,
                "site_name": settings.SITE_NAME,
                "uid": urlsafe_base64_encode(force_bytes(user.pk)),
                "token": default_token_generator.make_token(user),
            },
        )
    return len(users)


EMAIL_CHANGE_SALT = "accounts.email-change"


def email_change_url(user: User, new_email: str) -> str:
    # The link carries the address it replaces: once the change is made (or another one is), the
    # account's email no longer matches and the link is spent.
    signed = signing.dumps({"user": user.pk, "old": user.email, "new": new_email}, salt=EMAIL_CHANGE_SALT)
    return _absolute(reverse("accounts:email_change_confirm", args=[signed]))


class EmailChangeTooSoon(Exception):
    """A change was asked for moments ago; its mails are on their way."""


def user_email_change_request(user: User, new_email: str) -> None:
    """Mail a confirmation link to ``new_email`` and tell the current address a change was asked for.

    Nothing changes until the link is followed, so a stolen session cannot quietly move the account
    to an attacker's address. If ``new_email`` already has an account its owner gets a notice instead
    of a link, and the member sees the same answer: the form reveals no members.

    One request per account per ACCOUNTS_EMAIL_CHANGE_INTERVAL_SECONDS, or the form would let a
    signed-in account mail any address over and over (raises EmailChangeTooSoon).
    """
    interval = settings.ACCOUNTS_EMAIL_CHANGE_INTERVAL_SECONDS
    if interval and not cache.add(f"accounts:email-change:{user.pk}", True, interval):
        raise EmailChangeTooSoon
    new_email = email_canonical(new_email)
    taken = get_user_model().objects.filter(email__iexact=new_email).exclude(pk=user.pk).exists()
    if taken:
        _email_later("email_change_taken", new_email, {"login_url": _absolute(settings.LOGIN_URL)})
    else:
        _email_later(
            "email_change_confirm",
            new_email,
            {"name": user.display_name, "confirm_url": email_change_url(user, new_email)},
        )
    _email_later(
        "email_change_requested",
        user.email,
        {
            "name": user.display_name,
            "new_email": new_email,
            "reset_url": _absolute(reverse("accounts:password_reset")),
        },
    )


@transaction.atomic
def user_email_change_confirm(signed: str) -> User | None:
    """Switch the account to the new address if the link is genuine, fresh and unspent; else None.

    The member's newsletter subscriptions follow them to the new address (they confirmed both the
    lists and the address), except on lists where the new address already has its own choice.
    """
    try:
        data = signing.loads(signed, salt=EMAIL_CHANGE_SALT, max_age=settings.PASSWORD_RESET_TIMEOUT)
        user = get_user_model().objects.select_for_update().get(pk=data["user"], is_active=True)
    except (signing.BadSignature, KeyError, TypeError, get_user_model().DoesNotExist):
        return None
    old, new = data["old"], data["new"]
    if user.email != old:
        return None
    if get_user_model().objects.filter(email__iexact=new).exclude(pk=user.pk).exists():
        return None  # someone signed up with it since the link was sent
    user.email = new
    user.email_verified = True
    try:
        with transaction.atomic():
            user.save(update_fields=["email", "email_verified"])
    except IntegrityError:
        # Another account took the address a moment ago (its own change or a sign-up, committed
        # after our look above): the unique email keeps it theirs, and this link is spent.
        return None
    taken_lists = Subscription.objects.filter(email__iexact=new).values("newsletter_id")
    Subscription.objects.filter(email__iexact=old).exclude(newsletter_id__in=taken_lists).update(
        email=new, user=user
    )
    # A password reset would go to the new address, so the old one is told to write back instead.
    _email_later("email_changed", old, {"name": user.display_name, "new_email": new})
    return user


def connected_app_revoke(user: User, application_id: int) -> int:
    """Revoke every token and pending code ``user`` granted to one client; returns how many went."""
    revoked = 0
    for refresh in get_refresh_token_model().objects.filter(
        user=user, application_id=application_id, revoked__isnull=True
    ):
        refresh.revoke()  # also deletes its access token
        revoked += 1
    for model in (get_access_token_model(), get_id_token_model(), get_grant_model()):
        deleted, _ = model.objects.filter(user=user, application_id=application_id).delete()
        revoked += deleted
    return revoked
