"""Deleting an account works for every kind of member and leaves nothing that still names them."""

from datetime import timedelta

import pytest
from axes.handlers.proxy import AxesProxyHandler
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db import models
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import timezone
from oauth2_provider.models import (
    get_access_token_model,
    get_application_model,
    get_grant_model,
    get_id_token_model,
    get_refresh_token_model,
)
from oscar.core.loading import get_model
from oscar.test.factories import (
    ProductAlertFactory,
    ProductReviewFactory,
    UserAddressFactory,
    WishListFactory,
)

from accounts import services
from accounts.models import Subscription
from commerce.models import PaymentAttempt
from events.bookings import booking_create_free, waiting_list_join
from tests.factories import events as event_factories
from tests.factories import hub as hub_factories
from tests.factories.accounts import PASSWORD, NewsletterListFactory, UserFactory, oauth_client
from tests.factories.commerce import ADDRESS, country_gb, stocked_product

pytestmark = pytest.mark.django_db

User = get_user_model()
Basket = get_model("basket", "Basket")
Order = get_model("order", "Order")

# Every relation to the user model, and what deleting the account does to its rows. A relation added
# later fails test_every_relation_to_the_user_is_classified until someone decides (and the
# data-rights page says) what happens to it.
REMOVED = {
    "accounts.Subscription.user",
    "accounts.User_groups.user",
    "accounts.User_user_permissions.user",
    "address.UserAddress.user",
    "admin.LogEntry.user",
    "analytics.UserProductView.user",
    "analytics.UserRecord.user",
    "analytics.UserSearch.user",
    "basket.Basket.owner",  # open and saved baskets; one a payment refers to is kept, detached
    "communication.Email.user",
    "communication.Notification.recipient",
    "customer.ProductAlert.user",
    "durable.OutgoingEmail.user",  # the emails to the member, sent or waiting
    "events.CalendarOwnership_owners.user",
    "events.WaitingListEntry.user",
    "hub.ReadMarker.user",
    "oauth2_provider.AccessToken.user",
    "oauth2_provider.DeviceGrant.user",
    "oauth2_provider.Grant.user",
    "oauth2_provider.IDToken.user",
    "oauth2_provider.RefreshToken.user",
    "offer.RangeProductFileUpload.uploaded_by",
    "partner.Partner_users.user",
    "payment.Bankcard.user",
    "reviews.ProductReview.user",
    "reviews.Vote.user",
    "social.StaffNotification_read_by.user",
    "wagtailadmin.EditingSession.user",
    "wagtailadmin.FormState.user",
    "wagtailcore.APIToken.user",
    "wagtailcore.Comment.user",
    "wagtailcore.CommentReply.user",
    "wagtailcore.PageSubscription.user",
    "wagtailusers.UserProfile.user",
    "wishlists.WishList.owner",
}
KEPT_WITHOUT_THE_MEMBER = {
    "cms.Author.user",
    "commerce.PaymentAttempt.user",
    "commerce.ProductImport.uploaded_by",
    "communication.Notification.sender",
    "events.Booking.checked_in_by",
    "events.Booking.user",
    "hub.Following.requested_by",
    "hub.Mute.created_by",
    "hub.Note.author",
    "oauth2_provider.Application.user",  # other members' sign-ins through the app keep working
    "order.Order.user",
    "order.OrderNote.user",
    "schedule.Event.creator",
    "voucher.VoucherApplication.user",
    "wagtailcore.Comment.resolved_by",
    "wagtailcore.Page.locked_by",
    "wagtailcore.Page.owner",
    "wagtailcore.Revision.user",
    "wagtailcore.TaskState.finished_by",
    "wagtailcore.UploadedFile.uploaded_by_user",
    "wagtailcore.WorkflowState.requested_by",
    "wagtaildocs.Document.uploaded_by_user",
    "wagtailimages.Image.uploaded_by_user",
    # A staff member's retry in a durable row's history: the line stays, its user link goes.
    "durable.Transition.user",
    # Wagtail's audit log keeps the id on purpose (no constraint) and shows "deleted user".
    "wagtailcore.ModelLogEntry.user",
    "wagtailcore.PageLogEntry.user",
}


def _relations_to_user():
    """Every foreign key to the user, hidden ones (related_name="+", M2M tables) included."""
    return [
        relation
        for relation in User._meta.get_fields(include_hidden=True)
        if relation.auto_created and not relation.concrete and not relation.many_to_many
    ]


def _name(relation) -> str:
    return f"{relation.related_model._meta.label}.{relation.field.name}"


def test_every_relation_to_the_user_is_classified():
    names = {_name(relation) for relation in _relations_to_user()}
    assert names >= {_name(r) for r in User._meta.related_objects if not r.many_to_many}
    assert names - REMOVED - KEPT_WITHOUT_THE_MEMBER == set(), "decide what deleting an account does"
    assert (REMOVED | KEPT_WITHOUT_THE_MEMBER) - names == set()


def _cascade_closure():
    """The models whose rows go when a user goes (following CASCADE)."""
    seen, todo = set(), [User]
    while todo:
        model = todo.pop()
        for relation in model._meta.get_fields(include_hidden=True):
            cascades = relation.auto_created and getattr(relation, "on_delete", None) is models.CASCADE
            if cascades and relation.related_model not in seen:
                seen.add(relation.related_model)
                todo.append(relation.related_model)
    return seen


def test_no_protected_key_stops_a_deletion_unhandled():
    """A PROTECT or RESTRICT key into anything a deleted account cascades to makes deletion fail
    (the 500 on members who had checked out: PaymentAttempt.basket). The only one is handled."""
    protected = {
        _name(relation)
        for model in _cascade_closure()
        for relation in model._meta.get_fields(include_hidden=True)
        if relation.auto_created
        and not relation.concrete
        and relation.on_delete in (models.PROTECT, models.RESTRICT)
    }
    # user_delete keeps every basket a protected key refers to, detached from its owner.
    assert protected == {"commerce.PaymentAttempt.basket"}


def _checkout(client, product) -> PaymentAttempt:
    """A signed-in member's checkout up to SumUp's hosted page; returns the payment attempt."""
    client.post(reverse("basket:add", args=[product.pk]), {"quantity": 1})
    client.post(reverse("checkout:shipping-address"), ADDRESS)
    client.post(reverse("checkout:shipping-method"), {"method_code": "delivery"})
    response = client.post(reverse("checkout:preview"), {"action": "place_order"})
    assert response.status_code == 302, response.content[:500]
    return PaymentAttempt.objects.latest("pk")


@pytest.fixture
def loaded_member(client, fake_sumup, django_capture_on_commit_callbacks):
    """A member with one of everything the site keeps about people."""
    country_gb()
    member = UserFactory(email="everything@example.org")
    client.force_login(member)
    honey, jam = stocked_product(), stocked_product(title="Plum jam")

    paid = _checkout(client, honey)
    fake_sumup.settle(paid.sumup_checkout_id, "pay", webhook="none")
    with django_capture_on_commit_callbacks(execute=True):
        client.get(reverse("commerce:sumup-return", args=[paid.public_id]))
    pending = _checkout(client, jam)  # left on SumUp's page: its basket is frozen
    client.post(reverse("basket:add", args=[honey.pk]), {"quantity": 2})  # a new open basket

    start = (timezone.now() + timedelta(days=3)).replace(microsecond=0)
    calendar = event_factories.organiser_calendar("Suppers")
    supper = event_factories.event(calendar, "Soup night", start=start, end=start + timedelta(hours=2))
    seat = event_factories.ticket_type(supper, name="Seat", quota=1)
    booking = booking_create_free(ticket_type=seat, original_start=start, user=member)
    waiting = waiting_list_join(
        ticket_type=event_factories.ticket_type(supper, name="Front row", quota=0),
        original_start=start,
        user=member,
    )

    newsletter = NewsletterListFactory()
    Subscription.objects.create(newsletter=newsletter, email=member.email, user=member, status="active")

    application, _ = oauth_client(redirect_uri="https://app.example.org/cb")
    expires = timezone.now() + timedelta(hours=1)
    access = get_access_token_model().objects.create(
        user=member, application=application, token="a" * 40, scope="openid", expires=expires
    )
    get_refresh_token_model().objects.create(
        user=member, application=application, token="r" * 40, access_token=access
    )
    get_grant_model().objects.create(
        user=member,
        application=application,
        code="c" * 30,
        expires=expires,
        redirect_uri="https://app.example.org/cb",
    )
    owned_app, _ = oauth_client(redirect_uri="https://owned.example.org/cb", name="Member's app")
    owned_app.user = member
    owned_app.save()
    other = UserFactory(email="other@example.org")
    other_token = get_access_token_model().objects.create(
        user=other, application=owned_app, token="o" * 40, scope="openid", expires=expires
    )

    follow = hub_factories.following()
    follow.requested_by = member
    follow.save()
    from social.hub.models import Mute, Note

    reply = Note.objects.create(
        local_actor=hub_factories.local_actor(),
        author=member,
        uri="https://coop.example/ap/hub/notes/1",
        text="Lovely!",
        content="<p>Lovely!</p>",
        in_reply_to="https://remote.example/notes/1",
    )
    Mute.objects.create(domain="spam.example", created_by=member)

    UserAddressFactory(user=member, country=country_gb())
    WishListFactory(owner=member)
    ProductAlertFactory(user=member, product=honey)
    ProductReviewFactory(user=member, product=jam)

    # Failed sign-ins for the address (axes counts them in the cache) and a pending email change.
    stranger = Client()  # the member's own sign-in would clear the count
    for _ in range(2):
        stranger.post("/account/login/", {"username": member.email, "password": "wrong"})
    services.user_email_change_request(member, "new-address@example.org")
    return {
        "member": member,
        "paid": paid,
        "pending": pending,
        "booking": booking,
        "waiting": waiting,
        "owned_app": owned_app,
        "other_token": other_token,
        "follow": follow,
        "reply": reply,
    }


def _axes_failures(email: str) -> int:
    request = RequestFactory().post("/account/login/", REMOTE_ADDR="203.0.113.9")
    return AxesProxyHandler.get_failures(request, {"username": email})


def test_delete_a_member_who_has_everything(client, loaded_member, django_capture_on_commit_callbacks):
    member = loaded_member["member"]
    assert _axes_failures(member.email) == 2
    assert cache.get(f"accounts:email-change:{member.pk}")

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/account/delete/", {"password": PASSWORD})

    assert response.status_code == 302
    assert not User.objects.filter(pk=member.pk).exists()
    # Nothing (but Wagtail's audit log, which keeps ids on purpose) still points at the member.
    for relation in _relations_to_user():
        if relation.on_delete is models.DO_NOTHING:
            continue
        rows = relation.related_model._base_manager.filter(**{relation.field.attname: member.pk})
        assert not rows.exists(), _name(relation)

    order = Order.objects.get()  # kept, anonymised
    assert order.user is None and order.guest_email == ""
    assert order.shipping_address.first_name == "" and order.shipping_address.line1 == ""
    assert order.shipping_address.postcode == "HX7"
    for attempt in (loaded_member["paid"], loaded_member["pending"]):
        attempt.refresh_from_db()
        assert attempt.user is None and attempt.guest_email == ""
        assert attempt.shipping_address.get("line1", "") == ""
        assert attempt.shipping_address.get("first_name", "") == ""
        assert attempt.shipping_address["country"] == "GB"
        # The baskets payments refer to stay for the books; every other basket went.
        assert attempt.basket.owner is None
    assert Basket._base_manager.count() == 2
    assert order.basket_id == loaded_member["paid"].basket_id

    booking = loaded_member["booking"]
    booking.refresh_from_db()
    assert booking.user is None and booking.email == ""
    assert not type(loaded_member["waiting"]).objects.filter(pk=loaded_member["waiting"].pk).exists()

    assert not Subscription.objects.filter(email__iexact=member.email).exists()
    assert not get_grant_model().objects.exists()
    assert not get_id_token_model().objects.filter(user_id=member.pk).exists()
    owned_app = get_application_model().objects.get(pk=loaded_member["owned_app"].pk)
    assert owned_app.user is None
    assert get_access_token_model().objects.filter(pk=loaded_member["other_token"].pk).exists()

    follow, reply = loaded_member["follow"], loaded_member["reply"]
    follow.refresh_from_db()
    reply.refresh_from_db()
    assert follow.requested_by is None and reply.author is None  # the cooperative's, kept

    assert _axes_failures(member.email) == 0
    assert cache.get(f"accounts:email-change:{member.pk}") is None


def test_delete_a_member_with_nothing(client):
    member = UserFactory()
    client.force_login(member)
    assert client.post("/account/delete/", {"password": PASSWORD}).status_code == 302
    assert not User.objects.filter(pk=member.pk).exists()


def test_delete_a_staff_member_who_owns_a_calendar(client):
    staff = UserFactory(is_staff=True)
    calendar = event_factories.organiser_calendar("Markets", owner=staff)
    client.force_login(staff)
    assert client.post("/account/delete/", {"password": PASSWORD}).status_code == 302
    assert not User.objects.filter(pk=staff.pk).exists()
    calendar.refresh_from_db()


def test_the_data_rights_page_says_what_deletion_does(client):
    client.force_login(UserFactory())
    page = client.get("/account/delete/").content.decode()
    for promise in (
        "Orders",
        "addresses",
        "baskets",
        "wish lists",
        "product alerts",
        "reviews",
        "newsletter subscriptions",
        "waiting lists",
        "connected to your account",
        "Tickets and bookings stay",
        "without your name or email",
    ):
        assert promise in page, promise
    assert "removes your profile, newsletter subscriptions, bookings" not in page


def test_oscar_profile_delete_goes_to_the_one_account_deletion(client):
    member = UserFactory()
    client.force_login(member)
    response = client.post("/shop/accounts/profile/delete/", {"password": PASSWORD})
    assert response.status_code in (301, 302, 307, 308)
    assert response["Location"].startswith("/account/delete/")
    assert User.objects.filter(pk=member.pk).exists()


def test_staff_delete_a_member_who_checked_out_from_the_django_admin(client, loaded_member, admin_user):
    member = loaded_member["member"]
    client.force_login(admin_user)
    url = reverse("admin:accounts_user_delete", args=[member.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, {"post": "yes"})
    assert response.status_code == 302, response.content[:3000]
    assert not User.objects.filter(pk=member.pk).exists()
    order = Order.objects.get()
    assert order.user is None and order.guest_email == ""
    assert loaded_member["paid"].basket.__class__._base_manager.filter(owner__isnull=True).count() == 2


def test_staff_delete_a_member_who_checked_out_from_the_wagtail_admin(client, loaded_member, admin_user):
    member = loaded_member["member"]
    client.force_login(admin_user)
    url = reverse("wagtailusers_users:delete", args=[member.pk])
    assert client.get(url).status_code == 200
    response = client.post(url)
    assert response.status_code == 302
    assert not User.objects.filter(pk=member.pk).exists()
    order = Order.objects.get()
    assert order.user is None and order.guest_email == ""
