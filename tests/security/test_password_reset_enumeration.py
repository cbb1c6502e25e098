"""The password reset page tells nobody whether an address has an account: not by its answer, not by
the work it does (the lookup and the email happen after the request, in a task)."""

import pytest
from django.conf import settings
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories.accounts import UserFactory

pytestmark = pytest.mark.django_db


def _ask_for_reset(client, email: str, capture):
    """The answer, the SQL the request ran and the work it left for after commit."""
    with CaptureQueriesContext(connection) as queries, capture() as after_commit:
        response = client.post("/account/password/reset/", {"email": email})
    return response, [query["sql"] for query in queries.captured_queries], after_commit


def test_a_member_and_a_stranger_cost_the_request_the_same(client, django_capture_on_commit_callbacks):
    UserFactory(email="known@example.org")

    capture = django_capture_on_commit_callbacks
    known, known_sql, known_later = _ask_for_reset(client, "known@example.org", capture)
    unknown, unknown_sql, unknown_later = _ask_for_reset(client, "unknown@example.org", capture)

    assert (known.status_code, known["Location"]) == (unknown.status_code, unknown["Location"])
    assert len(known_sql) == len(unknown_sql)
    assert not any("accounts_user" in sql for sql in known_sql + unknown_sql)  # no lookup in the request
    # One task queued after commit either way (in production a publish to the broker, the request's
    # only network call): whether anyone is mailed is decided there.
    assert len(known_later) == len(unknown_later) == 1
    assert mail.outbox == []
    for callback in known_later + unknown_later:
        callback()
    assert [message.to for message in mail.outbox] == [["known@example.org"]]


def test_the_link_goes_to_the_stored_address_whatever_spelling_was_typed(
    client, django_capture_on_commit_callbacks
):
    UserFactory(email="known@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/account/password/reset/", {"email": "Known@EXAMPLE.org"})
    (message,) = mail.outbox
    assert message.to == ["known@example.org"]
    assert f"{settings.SITE_URL}/account/password/reset/" in message.body  # the site's address


@pytest.mark.parametrize("usable", [False, True], ids=["inactive", "no-password"])
def test_accounts_that_cannot_reset_get_no_mail(client, usable, django_capture_on_commit_callbacks):
    member = UserFactory(email="locked@example.org", is_active=usable)
    if usable:  # active, but signs in only through another way (no password of its own)
        member.set_unusable_password()
        member.save()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/account/password/reset/", {"email": "locked@example.org"})
    assert response.status_code == 302
    assert mail.outbox == []
