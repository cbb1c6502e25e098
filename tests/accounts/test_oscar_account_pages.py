"""Oscar's own profile, password and reset pages send people to the site's: one place to change
details and delete the account. Oscar's dashboard and checkout keep working."""

import pytest
from django.contrib.auth.models import Permission
from django.core import mail
from django.urls import reverse

from tests.factories.accounts import PASSWORD, UserFactory
from tests.factories.commerce import stocked_product
from tests.security.outbound_guard import outbound_guard_fixture  # noqa: F401

REDIRECTS = [
    ("/shop/accounts/", "/account/"),
    ("/shop/accounts/profile/", "/account/"),
    ("/shop/accounts/profile/edit/", "/account/"),
    ("/shop/accounts/change-password/", "/account/password/change/"),
    ("/shop/accounts/profile/delete/", "/account/delete/"),
    ("/shop/password-reset/", "/account/password/reset/"),
    ("/shop/password-reset/done/", "/account/password/reset/done/"),
    ("/shop/password-reset/confirm/MQ/set-password/", "/account/password/reset/MQ/set-password/"),
    ("/shop/password-reset/complete/", "/account/password/reset/complete/"),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("oscar", "ours"), REDIRECTS)
def test_oscar_account_page_redirects_to_ours(client, oscar, ours):
    client.force_login(UserFactory())
    response = client.get(oscar)
    assert response.status_code == 302
    assert response["Location"] == ours


@pytest.mark.django_db
def test_oscar_account_links_in_its_templates_lead_to_ours(client):
    client.force_login(UserFactory())
    for name in (
        "customer:summary",
        "customer:profile-view",
        "customer:profile-update",
        "customer:change-password",
    ):
        response = client.get(reverse(name))
        assert response.status_code == 302 and response["Location"].startswith("/account/"), name


@pytest.mark.django_db
def test_oscar_profile_and_password_posts_change_nothing_and_mail_nobody(
    client, django_capture_on_commit_callbacks
):
    member = UserFactory(email="may@example.org")
    client.force_login(member)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            "/shop/accounts/profile/edit/",
            {"email": "taken-over@example.org", "first_name": "X", "last_name": "Y"},
        )
        client.post(
            "/shop/accounts/change-password/",
            {
                "old_password": PASSWORD,
                "new_password1": "Another-long-9x",
                "new_password2": "Another-long-9x",
            },
        )
    member.refresh_from_db()
    assert member.email == "may@example.org" and member.check_password(PASSWORD)
    assert mail.outbox == []


@pytest.mark.django_db
def test_oscar_dashboard_and_checkout_still_served(client, admin_user):
    member = UserFactory()
    client.force_login(admin_user)
    assert client.get("/shop/dashboard/").status_code == 200
    assert client.get(f"/shop/dashboard/users/{member.pk}/").status_code == 200
    shopper = client.__class__()
    shopper.post(reverse("basket:add", args=[stocked_product().pk]), {"quantity": 1})
    gateway = shopper.get("/shop/checkout/")
    assert gateway.status_code == 200
    assert 'href="/shop/password-reset/"' in gateway.content.decode()  # Oscar's link, redirected


@pytest.mark.django_db(transaction=True)
def test_oscar_dashboard_password_reset_mails_after_commit_from_our_template(client, outbound_guard):
    staff = UserFactory(is_staff=True)
    staff.user_permissions.add(*Permission.objects.filter(codename__in=["view_user", "change_user"]))
    member = UserFactory(email="reset-me@example.org")
    client.force_login(staff)

    response = client.post(f"/shop/dashboard/users/{member.pk}/password-reset/")

    assert response.status_code == 302
    assert response["Location"] == f"/shop/dashboard/users/{member.pk}/"
    assert [call.target for call in outbound_guard.of("mail")] == ["reset-me@example.org"]
    assert "/account/password/reset/" in mail.outbox[0].body
    outbound_guard.assert_clean("mail")


@pytest.mark.django_db
def test_oscar_dashboard_password_reset_needs_oscars_permission(client):
    staff = UserFactory(is_staff=True)
    member = UserFactory(email="reset-me@example.org")
    client.force_login(staff)
    response = client.post(f"/shop/dashboard/users/{member.pk}/password-reset/")
    assert response.status_code in (302, 403)
    assert mail.outbox == []
