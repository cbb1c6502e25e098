"""No oEmbed request while a transaction is open: Wagtail's previews and the admin screens that render a page.

Under ATOMIC_REQUESTS a view runs inside one transaction. Wagtail renders a page for a preview
(the draft, a revision, a revision awaiting moderation) inside the view itself, and the newsletter's
"Send" renders the issue's page, so an embed not yet stored in wagtailembeds is asked of its provider
while that transaction is open. Each test renders a page whose embed is not stored, against a fake
oEmbed provider on 127.0.0.1, with the outbound guard. The public page, the revisions comparison and
a new page's preview already render outside it; their tests keep it so.
"""

import pytest

from tests.security.fake_oembed import (  # noqa: F401
    PLAYER,
    embed_body,
    oembed_provider_fixture,
    oembed_remote_fixture,
    provider_down,
    provider_up,
)
from tests.security.outbound_guard import outbound_guard_fixture  # noqa: F401

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def editor(client):
    from tests.factories.accounts import UserFactory

    client.force_login(UserFactory(email="ed@example.org", is_staff=True, is_superuser=True))
    return client


def _draft_with_unstored_embed(oembed_remote, url: str, **fields):
    """A post whose latest revision embeds `url`, with nothing stored for it; the provider is back."""
    from wagtail.embeds.models import Embed

    from tests.factories.cms import blog_post

    answer = provider_down(oembed_remote)
    post = blog_post(publish=False, body=embed_body(url), **fields)
    provider_up(oembed_remote, answer)
    assert not Embed.objects.filter(url=url).exists()
    return post


# --- Wagtail's admin: the draft, a revision, a revision in moderation --------------------------------


def test_view_draft_asks_the_provider_outside_the_request_transaction(
    editor, oembed_remote, oembed_provider, outbound_guard
):
    post = _draft_with_unstored_embed(oembed_remote, oembed_provider, slug="drafted")
    outbound_guard.clear()
    response = editor.get(f"/admin/pages/{post.pk}/view_draft/")
    assert PLAYER in response.content.decode()  # asked as the draft renders
    outbound_guard.assert_clean("connect")


def test_view_draft_of_rich_text_with_an_embed_asks_the_provider_outside_the_request_transaction(
    editor, oembed_provider, outbound_guard
):
    """Rich text fields with Wagtail's default features (the home page's, events', producers') embed too."""
    from home.demo import home_page_ensure

    home = home_page_ensure()
    home.body = f'<p>Words.</p><embed embedtype="media" url="{oembed_provider}"/>'
    home.save_revision()
    outbound_guard.clear()
    response = editor.get(f"/admin/pages/{home.pk}/view_draft/")
    assert PLAYER in response.content.decode()
    outbound_guard.assert_clean("connect")


def test_revision_view_asks_the_provider_outside_the_request_transaction(
    editor, oembed_remote, oembed_provider, outbound_guard
):
    post = _draft_with_unstored_embed(oembed_remote, oembed_provider, slug="revised")
    outbound_guard.clear()
    response = editor.get(f"/admin/pages/{post.pk}/revisions/{post.latest_revision_id}/view/")
    assert PLAYER in response.content.decode()
    outbound_guard.assert_clean("connect")


def test_revisions_compare_asks_the_provider_outside_the_request_transaction(
    editor, oembed_remote, oembed_provider, outbound_guard
):
    from tests.factories.cms import blog_post

    answer = provider_down(oembed_remote)
    post = blog_post(publish=False, slug="compared")
    first = post.latest_revision_id
    post.body = embed_body(oembed_provider)
    post.save_revision()
    provider_up(oembed_remote, answer)
    outbound_guard.clear()
    response = editor.get(f"/admin/pages/{post.pk}/revisions/compare/{first}...latest/")
    assert response.status_code == 200
    outbound_guard.assert_clean("connect")  # the comparison renders the new embed block


def test_workflow_preview_asks_the_provider_outside_the_request_transaction(
    editor, django_user_model, oembed_remote, oembed_provider, outbound_guard
):
    from django.contrib.auth.models import Group
    from wagtail.models import GroupApprovalTask, Workflow, WorkflowTask

    post = _draft_with_unstored_embed(oembed_remote, oembed_provider, slug="moderated")
    workflow = Workflow.objects.create(name="Review")
    task = GroupApprovalTask.objects.create(name="Editors' review")
    task.groups.add(Group.objects.get_or_create(name="Reviewers")[0])
    WorkflowTask.objects.create(workflow=workflow, task=task, sort_order=0)
    workflow.start(post, django_user_model.objects.get(email="ed@example.org"))
    outbound_guard.clear()
    response = editor.get(f"/admin/pages/workflow/preview/{post.pk}/{task.pk}/")
    assert PLAYER in response.content.decode()
    outbound_guard.assert_clean("connect")


def test_preview_of_a_new_page_asks_the_provider_outside_the_request_transaction(
    editor, oembed_remote, oembed_provider, outbound_guard
):
    from wagtail.test.utils.form_data import inline_formset, nested_form_data, rich_text, streamfield

    from tests.factories.cms import AuthorFactory, BlogCategoryFactory, blog_index_ensure

    index = blog_index_ensure()
    form = {
        "title": "New post",
        "slug": "new-post",
        "summary": "Bees.",
        "hero_image_alt": "",
        "category": BlogCategoryFactory().pk,
        "tags": "",
        "post_authors": inline_formset([{"author": AuthorFactory().pk}]),
        "body": streamfield([("paragraph", rich_text("<p>Words.</p>")), ("embed", oembed_provider)]),
    }
    url = f"/admin/pages/add/cms/blogpostpage/{index.pk}/preview/"
    answer = provider_down(oembed_remote)
    assert editor.post(url, nested_form_data(form)).json()["is_valid"]
    provider_up(oembed_remote, answer)
    outbound_guard.clear()
    response = editor.get(url)
    assert PLAYER in response.content.decode()
    outbound_guard.assert_clean("connect")


def test_block_preview_asks_the_provider_outside_the_request_transaction(
    editor, oembed_provider, outbound_guard
):
    """None of our embed blocks has a preview value; one that had would render here, after the view."""
    from cms.blocks import StoredEmbedBlock

    block = StoredEmbedBlock(preview_value=oembed_provider)  # Wagtail registers each block it makes
    response = editor.get(f"/admin/block-preview/?id={block.definition_prefix}")
    assert PLAYER in response.content.decode()
    outbound_guard.assert_clean("connect")


# --- the public page -----------------------------------------------------------------------------


def test_public_page_asks_the_provider_outside_the_request_transaction(
    client, oembed_remote, oembed_provider, outbound_guard
):
    from wagtail.embeds.models import Embed

    from tests.factories.cms import blog_post

    answer = provider_down(oembed_remote)
    post = blog_post(slug="served", body=embed_body(oembed_provider))
    provider_up(oembed_remote, answer)
    assert not Embed.objects.exists()
    outbound_guard.clear()
    response = client.get(post.url)
    assert PLAYER in response.content.decode()
    outbound_guard.assert_clean("connect")


# --- a staff screen that renders a page: the newsletter's "Send" ---------------------------------


def test_newsletter_send_renders_the_page_outside_any_transaction(
    editor, oembed_remote, oembed_provider, outbound_guard
):
    from accounts.models import NewsletterIssue
    from tests.factories.accounts import NewsletterIssueFactory, SubscriptionFactory
    from tests.factories.cms import blog_post

    answer = provider_down(oembed_remote)
    post = blog_post(slug="issued", body=embed_body(oembed_provider))
    provider_up(oembed_remote, answer)
    issue = NewsletterIssueFactory(page=post)
    SubscriptionFactory(newsletter=issue.newsletter)
    outbound_guard.clear()
    response = editor.post(f"/admin/newsletters/issues/{issue.pk}/send/")
    assert response.status_code == 302, response
    issue.refresh_from_db()
    assert issue.status == NewsletterIssue.Status.SENT
    assert PLAYER in issue.body_html  # frozen with the provider's answer
    outbound_guard.assert_clean("connect", "mail")


# --- the routes taken out of the request transaction keep Wagtail's access checks ------------------


def test_routes_out_of_the_transaction_keep_wagtails_access_checks(client):
    """Signed in without admin access: Wagtail's admin check. In the admin without the right on the
    page (or the issue), not a reviewer: the view's own check (Wagtail answers PermissionDenied with a
    redirect to the dashboard). The newsletter stays unsent."""
    from django.contrib.auth.models import Group, Permission
    from wagtail.models import GroupApprovalTask, Workflow, WorkflowTask

    from accounts.models import NewsletterIssue
    from tests.factories.accounts import NewsletterIssueFactory, UserFactory
    from tests.factories.cms import blog_post

    post = blog_post(publish=False, slug="closed")
    task = GroupApprovalTask.objects.create(name="Editors' review")
    task.groups.add(Group.objects.create(name="Reviewers"))
    workflow = Workflow.objects.create(name="Review")
    WorkflowTask.objects.create(workflow=workflow, task=task, sort_order=0)
    workflow.start(post, UserFactory(email="author@example.org"))
    issue = NewsletterIssueFactory(page=post)
    routes = (
        f"/admin/pages/{post.pk}/view_draft/",
        f"/admin/pages/{post.pk}/revisions/{post.latest_revision_id}/view/",
        f"/admin/pages/workflow/preview/{post.pk}/{task.pk}/",
        f"/admin/newsletters/issues/{issue.pk}/send/",
    )
    outsider = UserFactory(email="outsider@example.org")
    outsider.user_permissions.add(Permission.objects.get(codename="access_admin"))
    for user, refused in ((UserFactory(email="member@example.org"), "/account/login/?next="), (outsider, "")):
        client.force_login(user)
        answers = {url: client.post(url) if "/send/" in url else client.get(url) for url in routes}
        expected = {url: (302, f"{refused}{url}" if refused else "/admin/") for url in routes}
        assert {url: (r.status_code, r.get("Location")) for url, r in answers.items()} == expected
    issue.refresh_from_db()
    assert issue.status == NewsletterIssue.Status.DRAFT
