"""What still names a member once the keys to them are gone: their address quoted in logs and error
texts, and rows made under their address without signing in. Scrubbed when the account is deleted.

tests/security/test_account_deletion.py searches every text column of every model for the address
after a deletion, so a new place that keeps it fails there until it is listed here.
"""

import re

from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q

from durable.models import StatefulModel

from .models import MailEvent, User

REDACTED = "[deleted member]"

# Free text that may quote an address: a mail server's refusal names its recipient, and the runner
# copies a handler's exception into `last_error` (every stateful model's, found below) and into the
# row's history. (app label, model, fields)
_LOG_TEXT = (
    ("durable", "Transition", ("error",)),
    ("accounts", "NewsletterDelivery", ("error",)),
    ("events", "Booking", ("refund_error",)),
    ("commerce", "PaymentRefund", ("error",)),
    ("social", "Flow", ("error",)),
    ("social", "FlowStep", ("note", "error")),
    ("social", "FlowEffect", ("error",)),
    ("social", "StaffNotification", ("subject", "body")),
    ("federation", "DeliveryAttempt", ("error",)),
    ("order", "OrderNote", ("message",)),
    ("admin", "LogEntry", ("object_repr", "change_message")),
    ("wagtailcore", "ModelLogEntry", ("label",)),
)


def _log_text_fields() -> list[tuple[type[models.Model], str]]:
    fields = []
    for app_label, model_name, names in _LOG_TEXT:
        try:
            model = apps.get_model(app_label, model_name)
        except LookupError:
            continue
        fields += [(model, name) for name in names]
    for model in apps.get_models():
        if issubclass(model, StatefulModel):
            fields.append((model, "last_error"))
    return fields


def log_text_scrub(email: str) -> int:
    """Replace the address, in any letter case, wherever a log or error text quotes it; returns how
    many rows changed. A scan of these columns: deletions are rare and the logs are pruned."""
    if not email:
        return 0
    pattern = re.compile(re.escape(email), re.IGNORECASE)
    changed = 0
    for model, name in _log_text_fields():
        for row in model._base_manager.filter(**{f"{name}__icontains": email}).only("pk", name):
            setattr(row, name, pattern.sub(REDACTED, getattr(row, name)))
            row.save(update_fields=[name])
            changed += 1
    return changed


def audit_log_scrub(user: User) -> None:
    """The Django and Wagtail admins' logs name an edited (or just deleted) user by `str(user)`, their
    name or address: the lines stay, the name goes."""
    user_type = ContentType.objects.get_for_model(User)
    LogEntry = apps.get_model("admin", "LogEntry")
    LogEntry.objects.filter(content_type=user_type, object_id=str(user.pk)).update(object_repr=REDACTED)
    ModelLogEntry = apps.get_model("wagtailcore", "ModelLogEntry")
    ModelLogEntry.objects.filter(content_type=user_type, object_id=str(user.pk)).update(label=REDACTED)


def rows_of(user: User, email_field: str, user_field: str = "user") -> Q:
    """The member's rows, and those made under their address if they proved it (see ``user_delete``)."""
    theirs = Q(**{user_field: user})
    if user.email_verified:
        theirs |= Q(**{f"{email_field}__iexact": user.email})
    return theirs


def address_rows_erase(user: User) -> None:
    """Rows made under the member's address without their account: anonymous stock alerts and reviews,
    wish lists shared to the address, logged emails, bounce reports. Only for a proven address (see
    ``user_delete``)."""
    email = user.email
    apps.get_model("customer", "ProductAlert").objects.filter(email__iexact=email).delete()
    apps.get_model("reviews", "ProductReview").objects.filter(user=None, email__iexact=email).delete()
    apps.get_model("wishlists", "WishListSharedEmail").objects.filter(email__iexact=email).delete()
    apps.get_model("communication", "Email").objects.filter(Q(user=user) | Q(email__iexact=email)).delete()
    # Outgoing emails to the address, sent or not (the member's own go with the account): nobody to
    # send a queued one to any more, and a sent one keeps its text (a name, an order) for no one.
    apps.get_model("durable", "OutgoingEmail")._base_manager.filter(to__iexact=email).delete()
    # The report stays, without the address: its provider id is what makes a replayed report change
    # nothing, so a deleted row would come back, address and all, with the next replay.
    MailEvent.objects.filter(email__iexact=email).update(email="")
