"""The social hub driven through the Wagtail admin in a real browser, against fake remote servers of ours."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser import log_in_browser
from tests.social.hub.fake_hub_remote import HubRemote, hub_seed

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def editor_page(live_server, page, client, settings):
    from accounts.models import User

    settings.SITE_URL = live_server.url
    settings.SITE_HOST = live_server.url.split("://")[1]
    settings.HUB_WEBFINGER_ALLOW_HTTP = True
    settings.EDGE_ALLOWED_NETWORKS = ["127.0.0.0/8"]
    settings.WAGTAIL_GRAVATAR_PROVIDER_URL = None  # no request leaves this machine
    hub_seed()
    # Logged in as the editor (the login form is the accounts issue's to test).
    log_in_browser(page.context, client, User.objects.get(email="editor@example.org"), live_server.url)
    return page


def test_hub_admin_follow_read_reply_like_notify_block(editor_page, live_server):
    from social.federation.models import InboxItem
    from social.hub.models import TimelineItem

    page = editor_page
    with HubRemote() as alice, HubRemote() as evil:
        # Follow alice by her handle from the Following screen.
        page.goto(f"{live_server.url}/admin/hub/following/")
        page.locator("#id_query").fill(alice.handle("alice"))
        page.locator("#id_actor").select_option("blog")
        page.get_by_role("button", name="Follow").click()
        expect(page.locator("tr.hub-following")).to_have_attribute("data-state", "pending")
        follow = alice.wait_for(lambda a: a["type"] == "Follow")["activity"]
        assert (
            alice.send(f"{live_server.url}/ap/users/blog/inbox", alice.activity("Accept", follow)).status_code
            == 202
        )
        page.reload()
        expect(page.locator("tr.hub-following")).to_have_attribute("data-state", "accepted")

        # Her post arrives; the timeline shows it with its warning collapsed and the image's alt text.
        note = alice.note(
            "<p>Our first <strong>pie</strong> of the season</p>",
            summary="food",
            attachment=[
                {"type": "Image", "mediaType": "image/png", "url": alice.image(), "name": "A golden pie"}
            ],
        )
        assert alice.send(f"{live_server.url}/ap/inbox", alice.activity("Create", note)).status_code == 202
        page.goto(f"{live_server.url}/admin/hub/")
        item = page.locator("article.hub-item").first
        expect(item.get_by_text("Our first")).to_be_hidden()  # behind the content warning
        item.locator("details.hub-item__cw summary").click()
        expect(item.get_by_text("Our first")).to_be_visible()
        expect(item.get_by_role("img", name="A golden pie")).to_be_visible()
        assert item.locator("a.hub-item__original").get_attribute("href") == note["url"]

        # Like it, then reply to it.
        item.get_by_role("button", name="Like as @blog").click()
        like = alice.wait_for(lambda a: a["type"] == "Like")["activity"]
        assert like["object"] == note["id"]
        expect(
            page.locator("article.hub-item").first.get_by_role("button", name="Unlike as @blog")
        ).to_be_visible()
        page.locator("article.hub-item").first.get_by_role("link", name="Reply").click()
        text = page.locator("#id_text")
        assert text.input_value().startswith(alice.handle("alice"))
        text.press("End")
        text.type("Looks wonderful! #pies")
        page.get_by_role("button", name="Reply").click()
        reply = alice.wait_for(lambda a: a["type"] == "Create" and a["object"].get("inReplyTo") == note["id"])
        assert "Looks wonderful!" in reply["activity"]["object"]["content"]
        assert alice.rejected == []

        # Someone mentions the blog: the admin menu counts it, the notifications screen shows it.
        mention = alice.note(
            "<p>@blog are you open on Sunday?</p>",
            name="bob",
            tag=[{"type": "Mention", "href": f"{live_server.url}/ap/users/blog", "name": "@blog"}],
        )
        response = alice.send(
            f"{live_server.url}/ap/inbox", alice.activity("Create", mention, name="bob"), name="bob"
        )
        assert response.status_code == 202
        page.goto(f"{live_server.url}/admin/")
        assert "Notifications (1)" in page.content()
        page.goto(f"{live_server.url}/admin/hub/notifications/")
        notification = page.locator("li.hub-notification[data-kind=mention]")
        expect(notification.get_by_text("are you open on Sunday?")).to_be_visible()

        # Block the other server's domain from the Blocks screen: its posts are refused and never stored.
        page.goto(f"{live_server.url}/admin/hub/blocks/")
        page.locator("#id_domain").fill(evil.domain)
        page.get_by_role("button", name="Block", exact=True).click()
        expect(
            page.locator("li.hub-domain-block").filter(has_text=re.compile(re.escape(evil.domain)))
        ).to_be_visible()
        before = InboxItem.objects.count()
        spam = evil.note("<p>spam</p>")
        assert evil.send(f"{live_server.url}/ap/inbox", evil.activity("Create", spam)).status_code == 403
        assert InboxItem.objects.count() == before
        assert not TimelineItem.objects.filter(object_uri=spam["id"]).exists()

    assert page.console_errors == [], (page.console_errors, page.failed_requests)
    assert page.failed_requests == []
