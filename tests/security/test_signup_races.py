"""Two sign-ups for one mailbox, at once or in other spellings: one account, the same answer to both."""

import pytest
from django.core import mail
from django.test import Client

from accounts.models import User
from tests.concurrency import at_once, raised
from tests.factories.accounts import PASSWORD, UserFactory


def _sign_up(email: str):
    def post():
        return Client().post("/account/signup/", {"email": email, "password": PASSWORD})

    return post


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    "spellings",
    [
        ("bob@example.org", "bob@example.org"),
        ("Bob@Example.org", "bob@example.org"),
        ("bob@ﬁnance.example", "bob@finance.example"),  # the "ﬁ" ligature
        ("bob@ＥＸＡＭＰＬＥ.org", "bob@example.org"),  # full-width letters
    ],
    ids=["same", "case", "ligature", "full-width"],
)
def test_two_sign_ups_for_one_mailbox_at_once_make_one_account(spellings):
    """The second INSERT meets the first's unique email: it must not be a 500, nor a second row."""
    answers = at_once(*(_sign_up(email) for email in spellings))

    assert raised(answers) == []
    assert [answer.status_code for answer in answers] == [302, 302]
    assert answers[0]["Location"] == answers[1]["Location"]  # the same page: no member revealed
    (account,) = User.objects.all()
    assert account.email == spellings[1]
    # The account's confirmation link and, for the other sign-up, a notice to its owner.
    assert sorted(message.to[0] for message in mail.outbox) == [account.email, account.email]
    assert sum("/account/confirm/" in message.body for message in mail.outbox) == 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("spelling", "stored"),
    [
        ("BOB@EXAMPLE.ORG", "bob@example.org"),
        ("bob@ＥＸＡＭＰＬＥ.org", "bob@example.org"),
        ("bob@ﬁnance.example", "bob@finance.example"),
        ("bo\u212a@example.org", "bok@example.org"),  # KELVIN SIGN, which Django's validator takes for "k"
    ],
    ids=["upper", "full-width", "ligature", "kelvin"],
)
def test_a_later_sign_up_in_another_spelling_finds_the_account(
    client, spelling, stored, django_capture_on_commit_callbacks
):
    owner = UserFactory(email=stored)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/account/signup/", {"email": spelling, "password": PASSWORD})
    assert response.status_code == 302
    assert list(User.objects.values_list("pk", flat=True)) == [owner.pk]
    (notice,) = mail.outbox
    assert notice.to == [owner.email] and "already has one" in notice.body


@pytest.mark.django_db
def test_the_owner_signs_in_with_any_spelling_of_the_address(client):
    UserFactory(email="bob@finance.example")
    response = client.post("/account/login/", {"username": "Bob@ﬁnance.example", "password": PASSWORD})
    assert response.status_code == 302
    assert "_auth_user_id" in client.session
