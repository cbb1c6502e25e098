"""Deleting an account: what is removed, what stays for the books without the member, and in what order.

The data-rights page (templates accounts/delete.html) promises exactly this; the test
tests/security/test_account_deletion.py lists every relation to the user model and fails when a
new one appears that nobody has decided about.
"""

from axes.utils import reset as axes_reset
from django.apps import apps
from django.core.cache import cache
from django.db import models, transaction
from oauth2_provider.models import get_access_token_model, get_application_model, get_refresh_token_model

from .dashboard import data_erasers
from .models import Subscription, User, email_canonical
from .traces import address_rows_erase, audit_log_scrub, log_text_scrub, rows_of

# Rows other people or the books still need: they stay and lose the member (the rest cascade away).
# (app label, model, field)
_DETACHED = (
    ("order", "OrderNote", "user"),
    ("voucher", "VoucherApplication", "user"),  # the voucher's usage counts stay right
    ("communication", "Notification", "sender"),
)


def _anonymise_orders(user: User) -> None:
    """Orders stay for the accounts (a legal duty) but lose everything personal: the member's, and
    the guest orders placed under their (proven) address."""
    Order = apps.get_model("order", "Order")
    orders = Order.objects.filter(rows_of(user, "guest_email"))
    for order in orders.select_related("shipping_address", "billing_address"):
        for address in (order.shipping_address, order.billing_address):
            if address is None:
                continue
            # Keep the country (VAT) and postcode area; drop the name, street and phone.
            address.title = ""
            address.first_name = ""
            address.last_name = "Deleted member"
            address.line1 = address.line2 = address.line3 = ""
            address.line4 = ""
            address.postcode = (address.postcode or "").split(" ")[0]
            if hasattr(address, "phone_number"):
                address.phone_number = ""
            if hasattr(address, "notes"):
                address.notes = ""
            address.save()
    orders.update(user=None, guest_email="")


def _baskets_erase(user: User) -> None:
    """Open and saved baskets go; a basket something protects (a payment attempt: the record of a
    SumUp checkout) stays, without its owner, or deleting it would fail the whole deletion."""
    Basket = apps.get_model("basket", "Basket")
    baskets = Basket._base_manager.filter(owner=user)
    kept: set[int] = set()
    for relation in Basket._meta.related_objects:
        if relation.on_delete in (models.PROTECT, models.RESTRICT):
            kept |= set(
                relation.related_model._base_manager.filter(**{f"{relation.field.name}__in": baskets})
                .values_list(relation.field.attname, flat=True)
                .distinct()
            )
    baskets.filter(pk__in=kept).update(owner=None)
    baskets.exclude(pk__in=kept).delete()


def _oauth_erase(user: User) -> None:
    # Revoke first (a refresh token's revoke() also drops its access token), then the rows cascade.
    from .services import connected_app_revoke

    AccessToken, RefreshToken = get_access_token_model(), get_refresh_token_model()
    application_ids = set(AccessToken.objects.filter(user=user).values_list("application_id", flat=True))
    application_ids |= set(RefreshToken.objects.filter(user=user).values_list("application_id", flat=True))
    for application_id in application_ids:
        connected_app_revoke(user, application_id)
    # An app the member registered keeps working for everyone else who signs in through it.
    get_application_model().objects.filter(user=user).update(user=None)


def _caches_forget(user_id: int, email: str) -> None:
    """Sign-in failure counts (django-axes) and the email-change throttle are keyed by the member."""
    axes_reset(username=email_canonical(email))
    cache.delete(f"accounts:email-change:{user_id}")


@transaction.atomic
def user_delete(user: User) -> None:
    """Delete an account: orders, payments and bookings stay anonymised; everything else personal goes.

    Rows matched by address alone (guest orders, subscriptions and alerts made before signing up)
    are the member's only if they proved the address: anyone can sign up unverified with a
    stranger's address, and deleting that account must not erase the stranger's records.
    """
    _anonymise_orders(user)
    for erase in data_erasers().values():
        erase(user)
    if user.email_verified:
        address_rows_erase(user)
    log_text_scrub(user.email)
    audit_log_scrub(user)
    _baskets_erase(user)
    for app_label, model_name, field in _DETACHED:
        apps.get_model(app_label, model_name)._base_manager.filter(**{field: user}).update(**{field: None})
    # Subscriptions by address (made before signing up) belong to the person too.
    Subscription.objects.filter(rows_of(user, "email")).delete()
    _oauth_erase(user)
    # The axes log tables stay empty with the cache handler; cleared anyway should that change.
    for model_name in ("AccessAttempt", "AccessLog", "AccessFailureLog"):
        apps.get_model("axes", model_name).objects.filter(username__iexact=user.email).delete()
    user_id, email = user.pk, user.email
    user.delete()
    # The cache is Redis in production: touched only once the deletion has committed.
    transaction.on_commit(lambda: _caches_forget(user_id, email))
