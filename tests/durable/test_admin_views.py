"""The admin's state machines page: every registered stateful model, its rows counted per state, each
count a link to those rows; staff only; a fixed number of queries however many rows there are."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Group, Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from commerce.models import ProductImport
from events.reminders import BookingReminder
from tests.factories import events as f

pytestmark = pytest.mark.django_db

INDEX = "/admin/state-machines/"
IMPORTS = "/admin/state-machines/commerce.productimport/"


@pytest.fixture
def boss(client):
    from accounts.models import User

    user = User.objects.create_superuser(email="boss@example.org", password="x")
    client.force_login(user)
    return user


def imports(**states: int) -> None:
    now = timezone.now()
    ProductImport.objects.bulk_create(
        ProductImport(original_name=f"{state}-{n}.json", state=state, state_changed_at=now)
        for state, count in states.items()
        for n in range(count)
    )


@pytest.fixture
def reminders(db):
    """Three reminders of one weekly meetup: one sent, one failed, one still scheduled."""
    meetup = f.weekly_meetup(f.organiser_calendar("Otto's", f.user("otto@example.org")))
    f.free_bookings(meetup, "a@example.org", "b@example.org", "c@example.org", quota=10)
    first, second, _ = BookingReminder.objects.order_by("pk")
    BookingReminder.objects.filter(pk=first.pk).update(state="sent")
    BookingReminder.objects.filter(pk=second.pk).update(state="failed", last_error="SMTPDataError: refused")
    return BookingReminder.objects.order_by("pk")


def _state_cells(html: str, machine: str, state: str) -> str:
    section = html.split(f'id="machine-{machine}"', 1)[1].split("</section>", 1)[0]
    return section.split(f'data-state="{state}"', 1)[1].split("</tr>", 1)[0]


def test_state_machines_lists_both_models_with_counts_per_state(client, boss, reminders):
    now = timezone.now()
    imports(pending=2, running=1, done=3, failed=1)
    # A running import whose worker died an hour ago: its lease ran out, it is stalled, not due.
    ProductImport.objects.filter(state="running").update(locked_until=now - timedelta(hours=1))
    # One pending import waits for later: it is not due yet.
    later = ProductImport.objects.filter(state="pending").first()
    ProductImport.objects.filter(pk=later.pk).update(due_at=now + timedelta(hours=1))

    html = client.get(INDEX).content.decode()

    assert "commerce.ProductImport" in html and "events.BookingReminder" in html
    pending = _state_cells(html, "commerceproductimport", "pending")
    assert f'state-row__rows"><a href="{IMPORTS}?state=pending">2</a>' in pending
    assert f'state-row__due"><a href="{IMPORTS}?state=pending&amp;only=due">1</a>' in pending
    running = _state_cells(html, "commerceproductimport", "running")
    assert ">1</a>" in running.split("state-row__stalled")[1].split("</td>")[0]
    assert ">0<" in running.split("state-row__due")[1]
    assert ">3</a>" in _state_cells(html, "commerceproductimport", "done")
    failed = _state_cells(html, "commerceproductimport", "failed")
    assert "state-row--failure" in html.split('data-state="failed"')[0].rsplit("<tr", 1)[1]
    assert ">1</a>" in failed and "1 row<" in html
    for state in ("scheduled", "sent", "failed"):
        assert ">1</a>" in _state_cells(html, "eventsbookingreminder", state).split("state-row__stalled")[0]
    assert ">0<" in _state_cells(html, "eventsbookingreminder", "skipped")
    # The pictures: one per model, the failure state drawn apart, counts linked to the rows.
    # and the newsletter deliveries', ticket refunds', the waiting list's, federation's deliveries and
    # inbox items', the bookings', the cancellation notices' and the outgoing emails'
    assert html.count('class="graph-picture state-graph"') == 12
    assert '<g class="node failure" data-node="failed">' in html
    assert f'<a href="{IMPORTS}?state=done"><text class="count" data-label="rows"' in html


def test_state_machines_lists_newsletter_deliveries_with_counts(client, boss):
    from accounts.models import NewsletterDelivery
    from tests.factories.accounts import NewsletterIssueFactory, NewsletterListFactory, SubscriptionFactory

    newsletter = NewsletterListFactory()
    issue = NewsletterIssueFactory(newsletter=newsletter)
    states = ["sent", "sent", "sent", "queued", "unconfirmed", "failed"]
    NewsletterDelivery.objects.bulk_create(
        NewsletterDelivery(issue=issue, subscription=SubscriptionFactory(newsletter=newsletter), state=state)
        for state in states
    )
    rows = "/admin/state-machines/accounts.newsletterdelivery/"

    html = client.get(INDEX).content.decode()

    assert "accounts.NewsletterDelivery" in html
    assert html.count('class="graph-picture state-graph"') == 12
    machine = "accountsnewsletterdelivery"
    assert f'state-row__rows"><a href="{rows}?state=sent">3</a>' in _state_cells(html, machine, "sent")
    for state in ("queued", "unconfirmed", "failed"):
        assert f'<a href="{rows}?state={state}">1</a>' in _state_cells(html, machine, state)
    for state in ("sending", "skipped"):
        assert ">0<" in _state_cells(html, machine, state)
    listed = client.get(rows, {"state": "sent"}).content.decode()
    assert listed.count('class="durable-row"') == 3


def test_state_machines_lists_bookings_with_counts(client, boss, reminders):
    from events.models import Booking

    # The reminders' three bookings, their ticket emails not sent yet: one let in at the door meanwhile,
    # one cancelled, and one the runner gave up on.
    first, second, third = Booking.objects.order_by("pk")
    Booking.objects.filter(pk=first.pk).update(state="checked_in")
    Booking.objects.filter(pk=second.pk).update(state="cancelled")
    Booking.objects.filter(pk=third.pk).update(state="failed", last_error="stalled: 9 workers took it")
    f.free_bookings(
        f.weekly_meetup(f.organiser_calendar("Olga's", f.user("olga@example.org"))), "d@example.org"
    )
    rows = "/admin/state-machines/events.booking/"

    html = client.get(INDEX).content.decode()

    assert "events.Booking" in html and html.count('class="graph-picture state-graph"') == 12
    for state in ("issuing", "checked_in", "cancelled", "failed"):
        assert f'<a href="{rows}?state={state}">1</a>' in _state_cells(html, "eventsbooking", state)
    assert ">0<" in _state_cells(html, "eventsbooking", "confirmed")
    # The door's words, not the code's: what a volunteer or organiser reads.
    assert "Booked; ticket email on its way" in html and "Checked in" in html
    listed = client.get(rows, {"state": "failed"}).content.decode()
    assert listed.count('class="durable-row"') == 1 and "stalled: 9 workers took it" in listed


def test_state_count_links_filter_the_rows(client, boss, reminders):
    now = timezone.now()
    imports(pending=3, done=2)
    stuck = ProductImport.objects.filter(state="pending").first()
    ProductImport.objects.filter(pk=stuck.pk).update(
        locked_until=now - timedelta(minutes=5), state_attempts=2
    )
    url = reverse("durable_admin_rows", args=["commerce.productimport"])

    done = client.get(url, {"state": "done"}).content.decode()
    assert done.count('class="durable-row"') == 2 and "<code>done</code>" in done
    assert "<code>pending</code>" not in done.split("<tbody>")[1]

    stalled = client.get(url, {"only": "stalled"}).content.decode()
    assert stalled.count('class="durable-row"') == 1 and f'data-pk="{stuck.pk}"' in stalled
    due = client.get(url, {"state": "pending", "only": "due"}).content.decode()
    assert due.count('class="durable-row"') == 2 and f'data-pk="{stuck.pk}"' not in due

    failed = reminders.get(state="failed")
    page = client.get(reverse("durable_admin_rows", args=["events.bookingreminder"]), {"state": "failed"})
    body = page.content.decode()
    assert body.count('class="durable-row"') == 1 and f'data-pk="{failed.pk}"' in body
    assert "SMTPDataError: refused" in body


def test_state_machine_rows_paged_by_fifty(client, boss):
    imports(done=51)
    url = reverse("durable_admin_rows", args=["commerce.productimport"])
    assert client.get(url, {"state": "done"}).content.decode().count('class="durable-row"') == 50
    assert client.get(url, {"state": "done", "p": 2}).content.decode().count('class="durable-row"') == 1


def test_state_machine_rows_unknown_model_or_state_404(client, boss):
    assert client.get("/admin/state-machines/accounts.user/").status_code == 404
    assert client.get("/admin/state-machines/commerce.productimport/?state=nowhere").status_code == 404


def test_state_machines_non_staff_editor_forbidden(client):
    from accounts.models import User

    editor = User.objects.create_user(email="ed@example.org", password="x")
    editors = Group.objects.create(name="Editors here")
    editors.permissions.add(Permission.objects.get(codename="access_admin"))
    editor.groups.add(editors)
    client.force_login(editor)
    assert client.get("/admin/").status_code == 200  # Wagtail lets them in...
    # ...but the runner's rows are for staff: Wagtail turns the refusal into a way back to its home.
    for url in (INDEX, "/admin/state-machines/commerce.productimport/?state=done"):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"] == "/admin/"
    assert "State machines" not in client.get("/admin/").content.decode()


def test_state_machines_anonymous_sent_to_login(client):
    response = client.get(INDEX)
    assert response.status_code == 302 and "login" in response["Location"]


def test_state_machines_menu_item_shown_to_staff(client, boss):
    # The sidebar is drawn from JSON, so the item is found by its label.
    assert "State machines" in client.get("/admin/").content.decode()


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_state_machines_queries_fixed_for_2_or_20_rows(client, boss):
    imports(pending=1, done=1)
    few = _queries(client, INDEX)
    rows = _queries(client, "/admin/state-machines/commerce.productimport/?state=done")
    imports(pending=9, running=5, done=4)
    assert _queries(client, INDEX) == few
    assert _queries(client, "/admin/state-machines/commerce.productimport/?state=done") == rows
