"""A member's links and forms used twice at once: email change, password reset, account deletion."""

import re

import pytest
from django.conf import settings
from django.core import mail
from django.core.cache import cache
from django.test import Client

from accounts.models import Subscription, User
from tests.concurrency import at_once, raised, rows_held
from tests.factories.accounts import PASSWORD, NewsletterListFactory, SubscriptionFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _throttles_cleared():
    cache.clear()  # the email-change interval and sign-in counts live in the cache
    yield
    cache.clear()


def _signed_in(user: User) -> Client:
    browser = Client()
    browser.force_login(user)
    return browser


def _path(url: str) -> str:
    return "/" + url.split("://", 1)[1].split("/", 1)[1]


def _email_change_link(user: User, new_email: str) -> str:
    response = _signed_in(user).post("/account/email/change/", {"new_email": new_email, "password": PASSWORD})
    assert response.status_code == 302
    body = next(message.body for message in reversed(mail.outbox) if message.to == [new_email])
    return _path(re.search(r"https?://\S+/account/email/change/\S+", body).group(0))


@pytest.mark.skipif(not settings.USING_POSTGRES, reason="row locks need PostgreSQL; SQLite serialises")
def test_two_members_confirming_changes_to_one_address_at_once_one_gets_it():
    """Both links went out while the address was free, and both pass the "is it taken?" check before
    either commits: the second UPDATE meets the first's unique email, which must not be a 500."""
    ann, bea = UserFactory(email="ann@example.org"), UserFactory(email="bea@example.org")
    links = [_email_change_link(ann, "shared@example.org"), _email_change_link(bea, "shared@example.org")]
    # Their subscriptions follow them: held, the first to change its address waits there, uncommitted.
    news = NewsletterListFactory()
    for member in (ann, bea):
        SubscriptionFactory(newsletter=news, email=member.email)

    with rows_held(Subscription.objects.all(), until_waiting=2):
        answers = at_once(*(lambda link=link: Client().get(link) for link in links))

    assert raised(answers) == []
    assert sorted(answer.status_code for answer in answers) == [302, 400]
    emails = set(User.objects.values_list("email", flat=True))
    assert "shared@example.org" in emails and len(emails) == 2


def test_one_email_change_link_followed_twice_at_once_changes_once():
    ann = UserFactory(email="ann@example.org")
    link = _email_change_link(ann, "new@example.org")
    mail.outbox.clear()

    answers = at_once(lambda: Client().get(link), lambda: Client().get(link))

    assert raised(answers) == []
    assert sorted(answer.status_code for answer in answers) == [302, 400]
    assert User.objects.get(pk=ann.pk).email == "new@example.org"
    assert [message.to for message in mail.outbox] == [["ann@example.org"]]  # one "your email changed"


def _reset_link(user: User) -> str:
    Client().post("/account/password/reset/", {"email": user.email})
    body = next(message.body for message in mail.outbox if message.to == [user.email])
    return _path(re.search(r"https?://\S+", body).group(0))


def _new_password_form(link: str) -> tuple[Client, str]:
    """A browser that followed the reset link and sees the new-password form (its URL)."""
    browser = Client()
    landed = browser.get(link, follow=True)
    assert landed.context["validlink"]
    return browser, landed.redirect_chain[-1][0]


def test_one_reset_link_submitted_twice_at_once_sets_one_password():
    """Two tabs (or two people holding the link) submit together: the first to save spends it."""
    member = UserFactory(email="forgot@example.org")
    link = _reset_link(member)
    forms = [_new_password_form(link), _new_password_form(link)]
    passwords = ["first-Long-pass-11", "other-Long-pass-22"]

    answers = at_once(
        *(
            lambda browser=browser, url=url, password=password: browser.post(
                url, {"new_password1": password, "new_password2": password}
            )
            for (browser, url), password in zip(forms, passwords, strict=True)
        )
    )

    assert raised(answers) == []
    codes = [answer.status_code for answer in answers]
    assert sorted(codes) == [200, 302]
    winner = codes.index(302)
    assert not answers[1 - winner].context["validlink"]  # "this link does not work any more"
    member.refresh_from_db()
    assert member.check_password(passwords[winner]) and not member.check_password(passwords[1 - winner])
    assert "_auth_user_id" in forms[winner][0].session and "_auth_user_id" not in forms[1 - winner][0].session


def test_deleting_an_account_signs_out_its_other_browsers():
    member = UserFactory()
    laptop, phone = _signed_in(member), _signed_in(member)

    assert laptop.post("/account/delete/", {"password": PASSWORD}).status_code == 302

    assert not User.objects.filter(pk=member.pk).exists()
    response = phone.get("/account/")
    assert response.status_code == 302 and response["Location"].startswith("/account/login/")
    assert phone.get("/account/export/").status_code == 302


def test_deleting_an_account_twice_at_once_deletes_it_once_without_an_error():
    member = UserFactory()
    laptop, phone = _signed_in(member), _signed_in(member)

    answers = at_once(
        lambda: laptop.post("/account/delete/", {"password": PASSWORD}),
        lambda: phone.post("/account/delete/", {"password": PASSWORD}),
    )

    assert raised(answers) == []
    assert [answer.status_code for answer in answers] == [302, 302]
    assert not User.objects.filter(pk=member.pk).exists()
    for browser in (laptop, phone):
        assert browser.get("/account/").status_code == 302
