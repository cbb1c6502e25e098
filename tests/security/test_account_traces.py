"""After an account is deleted its address and name are found nowhere: not in logs and error texts,
not in rows made under the address without signing in (guest orders, anonymous stock alerts)."""

from datetime import timedelta

import pytest
from django.apps import apps
from django.contrib.admin.models import CHANGE, LogEntry
from django.db import models
from django.db.models.functions import Cast
from django.urls import reverse
from oscar.core.loading import get_model
from oscar.test.factories import ShippingAddressFactory, create_order

from accounts import newsletter_services
from accounts.deletion import user_delete
from durable import runner
from durable.models import Transition
from events.reminders import BookingReminder
from tests.factories import events as event_factories
from tests.factories.accounts import UserFactory
from tests.factories.commerce import country_gb, stocked_product

pytestmark = pytest.mark.django_db

ProductAlert = get_model("customer", "ProductAlert")
Order = get_model("order", "Order")

ADDRESS = "Zeb.Quill@example.org"
SURNAME = "Quillfeather"


def _texts_naming(needle: str) -> list[str]:
    """Every row of every model with a text (or JSON) column containing ``needle``, any letter case."""
    found = []
    for model in apps.get_models():
        if model._meta.proxy or not model._meta.managed:
            continue
        for field in model._meta.concrete_fields:
            if not isinstance(field, models.CharField | models.TextField | models.JSONField):
                continue
            rows = model._base_manager.annotate(_text=Cast(field.name, models.TextField()))
            for pk in rows.filter(_text__icontains=needle).values_list("pk", flat=True):
                found.append(f"{model._meta.label}.{field.name} #{pk}")
    return found


def _guest_order(email: str):
    """An order placed as a guest under ``email``, before (or without) signing up."""
    address = ShippingAddressFactory(first_name="Zebedee", last_name=SURNAME, country=country_gb())
    return create_order(guest_email=email, shipping_address=address)


@pytest.fixture
def traced_member(refusing_mail, admin_user):
    """A member whose address and name sit in rows no foreign key ties to them."""
    member = UserFactory(email=ADDRESS, first_name="Zebedee", last_name=SURNAME)
    order = _guest_order(ADDRESS.lower())
    honey = stocked_product(num_in_stock=0)
    # Signed out, the member asked to hear when honey is back: an anonymous alert by address.
    ProductAlert.objects.create(product=honey, email=ADDRESS.upper())
    newsletter_services.mail_event_record("evt-zeb-1", "hard_bounce", ADDRESS)

    # The mail server refuses the member's reminder: the refusal (which names the recipient) lands in
    # the reminder's last_error and its history line.
    meetup = event_factories.weekly_meetup(event_factories.organiser_calendar("Workshops"))
    event_factories.free_bookings(meetup, ADDRESS)
    refusing_mail.add(ADDRESS)
    runner.run_due(BookingReminder, now=meetup.start - timedelta(hours=20))
    assert ADDRESS in BookingReminder.objects.get().last_error
    assert Transition.objects.filter(error__icontains=ADDRESS).exists()

    # Staff once edited the member in the Django admin: the log line names them.
    LogEntry.objects.log_actions(user_id=admin_user.pk, queryset=[member], action_flag=CHANGE)
    assert _texts_naming(ADDRESS) and _texts_naming(SURNAME)
    return member, order


def test_deleted_member_address_and_name_appear_nowhere(traced_member, django_capture_on_commit_callbacks):
    member, order = traced_member
    with django_capture_on_commit_callbacks(execute=True):
        user_delete(member)

    assert _texts_naming(ADDRESS) == []
    assert _texts_naming(SURNAME) == []
    order.refresh_from_db()  # the guest order stays for the books, anonymised
    assert order.guest_email == "" and order.shipping_address.first_name == ""
    assert not ProductAlert.objects.exists()
    assert BookingReminder.objects.exists() and LogEntry.objects.exists()  # the lines stay, unnamed


def test_unverified_member_deletion_leaves_the_address_owner_records(django_capture_on_commit_callbacks):
    """Anyone can sign up, unverified, with a stranger's address: deleting that account must not
    erase the stranger's guest orders and alerts."""
    stranger_order = _guest_order(ADDRESS)
    ProductAlert.objects.create(product=stocked_product(num_in_stock=0), email=ADDRESS)
    impostor = UserFactory(email=ADDRESS, email_verified=False)

    with django_capture_on_commit_callbacks(execute=True):
        user_delete(impostor)

    stranger_order.refresh_from_db()
    assert stranger_order.guest_email == ADDRESS
    assert stranger_order.shipping_address.last_name == SURNAME
    assert ProductAlert.objects.filter(email=ADDRESS).exists()


@pytest.mark.parametrize("admin", ["django", "wagtail"])
def test_staff_deletion_leaves_no_name_in_the_admin_logs(client, admin_user, admin):
    """Both admins log a deletion under ``str(user)`` (the member's name) before it happens."""
    member = UserFactory(email=ADDRESS, first_name="Zebedee", last_name=SURNAME)
    client.force_login(admin_user)
    if admin == "django":
        url = reverse("admin:accounts_user_delete", args=[member.pk])
        client.post(reverse("admin:accounts_user_change", args=[member.pk]), {})  # an edit, logged or not
        response = client.post(url, {"post": "yes"})
    else:
        response = client.post(reverse("wagtailusers_users:delete", args=[member.pk]))
    assert response.status_code == 302
    assert _texts_naming(ADDRESS) == [] and _texts_naming(SURNAME) == []
