"""Editors run newsletters from the Wagtail admin: lists, issues, sending and its progress."""

import pytest
from django.core import mail

from accounts.models import NewsletterIssue, NewsletterList
from tests.factories.accounts import (
    NewsletterIssueFactory,
    NewsletterListFactory,
    SubscriptionFactory,
    UserFactory,
    wagtail_page,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


@pytest.fixture
def issue():
    page = wagtail_page("Autumn letter")
    newsletter = NewsletterListFactory()
    for _ in range(3):
        SubscriptionFactory(newsletter=newsletter)
    return NewsletterIssueFactory(newsletter=newsletter, page=page)


def test_editor_creates_a_list_in_the_admin(admin_client):
    response = admin_client.post(
        "/admin/snippets/accounts/newsletterlist/add/",
        {"name": "Growers", "slug": "growers", "description": "For growers", "is_public": "on"},
    )
    assert response.status_code == 302
    assert NewsletterList.objects.filter(slug="growers").exists()


@pytest.mark.parametrize("model", ["newsletterlist", "newsletterissue", "subscription"])
def test_admin_listings_render(admin_client, issue, model):
    response = admin_client.get(f"/admin/snippets/accounts/{model}/")
    assert response.status_code == 200


def test_send_view_asks_then_sends_and_progress_reports(
    admin_client, issue, django_capture_on_commit_callbacks
):
    ask = admin_client.get(f"/admin/newsletters/issues/{issue.pk}/send/")
    assert ask.status_code == 200
    assert "3 confirmed subscribers" in ask.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(f"/admin/newsletters/issues/{issue.pk}/send/")
    assert response["Location"] == f"/admin/newsletters/issues/{issue.pk}/progress/"
    assert len(mail.outbox) == 3
    issue.refresh_from_db()
    assert issue.status == NewsletterIssue.Status.SENT
    progress = admin_client.get(response["Location"], HTTP_ACCEPT="application/json").json()
    assert progress["sent"] == 3 and progress["percent"] == 100
    page = admin_client.get(response["Location"]).content.decode()
    assert 'id="issue-progress"' in page


def test_send_view_refuses_members_without_permission(client, issue):
    client.force_login(UserFactory(is_staff=True))
    response = client.post(f"/admin/newsletters/issues/{issue.pk}/send/")
    assert response.status_code in (302, 403)
    issue.refresh_from_db()
    assert issue.status == NewsletterIssue.Status.DRAFT
