"""Log in, log out, sign up with email confirmation, password reset; no enumeration; throttling."""

import re

import pytest
from django.core import mail
from django.core.cache import cache

from accounts.models import User
from tests.factories.accounts import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()
    yield
    cache.clear()


def _link(message) -> str:
    return re.search(r"https?://\S+", message.body).group(0)


def test_login_page_renders_in_site_layout(client):
    response = client.get("/account/login/")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="login-form"' in html
    assert "site-header" in html


def test_login_with_right_password_logs_in_and_follows_next(client):
    user = UserFactory()
    response = client.post(
        "/account/login/", {"username": user.email.upper(), "password": PASSWORD, "next": "/account/"}
    )
    assert response.status_code == 302
    assert response["Location"] == "/account/"
    assert client.get("/account/").context["user"] == user


def test_login_with_wrong_password_is_refused(client):
    user = UserFactory()
    response = client.post("/account/login/", {"username": user.email, "password": "nope"})
    assert response.status_code == 200
    assert "do not match" in response.content.decode()


def test_login_after_repeated_failures_is_throttled_even_with_right_password(client, settings):
    settings.AXES_FAILURE_LIMIT = 3
    user = UserFactory()
    for _ in range(3):
        client.post("/account/login/", {"username": user.email, "password": "wrong"})
    response = client.post("/account/login/", {"username": user.email, "password": PASSWORD})
    assert response.status_code == 429
    assert "Too many failed attempts" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_login_throttle_counts_failures_from_other_login_forms(client, settings):
    settings.AXES_FAILURE_LIMIT = 2
    user = UserFactory()
    for _ in range(2):
        client.post("/django-admin/login/", {"username": user.email, "password": "wrong"})
    response = client.post("/account/login/", {"username": user.email, "password": PASSWORD})
    assert response.status_code == 429


def test_logout_by_get_is_refused_and_post_logs_out(client):
    client.force_login(UserFactory())
    assert client.get("/account/logout/").status_code == 405
    response = client.post("/account/logout/")
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


def test_signup_creates_unverified_user_and_sends_confirmation(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/account/signup/",
            {"email": "New@Example.org", "first_name": "Nia", "last_name": "New", "password": PASSWORD},
        )
    assert response.status_code == 302
    user = User.objects.get(email="new@example.org")
    assert not user.email_verified
    assert len(mail.outbox) == 1
    assert "/account/confirm/" in mail.outbox[0].body
    assert "_auth_user_id" not in client.session


def test_signup_with_weak_password_shows_errors(client):
    response = client.post("/account/signup/", {"email": "weak@example.org", "password": "123"})
    assert response.status_code == 200
    assert not User.objects.filter(email="weak@example.org").exists()


def test_signup_with_existing_email_answers_the_same_and_mails_the_owner(
    client, django_capture_on_commit_callbacks
):
    owner = UserFactory(email="taken@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        taken = client.post("/account/signup/", {"email": "taken@example.org", "password": PASSWORD})
        fresh = client.post("/account/signup/", {"email": "fresh@example.org", "password": PASSWORD})
    assert taken.status_code == fresh.status_code == 302
    assert taken["Location"] == fresh["Location"]
    assert User.objects.filter(email="taken@example.org").count() == 1
    owner.refresh_from_db()
    assert owner.check_password(PASSWORD)
    notice = next(message for message in mail.outbox if message.to == ["taken@example.org"])
    assert "already has one" in notice.body


def test_confirm_link_verifies_logs_in_and_works_only_once(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/account/signup/", {"email": "c@example.org", "password": PASSWORD})
    url = _link(mail.outbox[0])
    path = url.split("://", 1)[1].split("/", 1)[1]
    response = client.get(f"/{path}")
    assert response.status_code == 302
    assert User.objects.get(email="c@example.org").email_verified
    assert "_auth_user_id" in client.session
    client.post("/account/logout/")
    assert client.get(f"/{path}").status_code == 400


def test_password_reset_for_unknown_email_looks_the_same_and_sends_nothing(
    client, django_capture_on_commit_callbacks
):
    UserFactory(email="known@example.org")
    with django_capture_on_commit_callbacks(execute=True):  # the email leaves after commit
        unknown = client.post("/account/password/reset/", {"email": "unknown@example.org"})
        known = client.post("/account/password/reset/", {"email": "known@example.org"})
    assert unknown.status_code == known.status_code == 302
    assert unknown["Location"] == known["Location"]
    assert [message.to for message in mail.outbox] == [["known@example.org"]]


def test_password_reset_link_sets_new_password_and_verifies_email(client, django_capture_on_commit_callbacks):
    user = UserFactory(email="forgot@example.org", email_verified=False)
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/account/password/reset/", {"email": user.email})
    path = "/" + _link(mail.outbox[0]).split("://", 1)[1].split("/", 1)[1]
    form_page = client.get(path, follow=True)
    set_url = form_page.redirect_chain[-1][0]
    response = client.post(
        set_url, {"new_password1": "another-Long-pass-99", "new_password2": "another-Long-pass-99"}
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password("another-Long-pass-99")
    assert user.email_verified


def test_oscar_login_and_register_redirect_to_ours(client):
    login = client.get("/shop/accounts/login/?next=/shop/basket/")
    assert login.status_code == 302
    assert login["Location"] == "/account/login/?next=/shop/basket/"
    register = client.get("/shop/accounts/register/")
    assert register["Location"] == "/account/signup/"


def test_wagtail_admin_sends_anonymous_people_to_our_login(client):
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith("/account/login/")
