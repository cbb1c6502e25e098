"""The demo editor writes a post with an image in the Wagtail admin, previews and publishes it;
readers find it on the index, in the RSS feed and in search; blog pages pass axe-core."""

import re

import feedparser
import pytest

from tests.e2e.axe import serious_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TITLE = "Playwright pollinators report"


def choose_in_modal(page, chooser_id: str, text: str) -> None:
    page.locator(f"#{chooser_id} [data-chooser-action-choose]").click()
    modal = page.locator(".modal.fade.show, .modal[open], .modal-dialog").first
    modal.get_by_role("link", name=re.compile(text)).first.click()
    page.wait_for_selector(f"#{chooser_id}:not(.blank)", state="attached")


def test_editor_creates_previews_publishes_post_seen_by_readers(live_server, page, settings):
    from django.core.management import call_command

    from accounts.demo import DEMO_PASSWORD
    from cms.models import BlogIndexPage, BlogPostPage

    settings.CMS_PAGE_CACHE_SECONDS = 600  # readers get cached pages, as in production
    # Wagtail 8 autosaves every 500 ms by default: the first valid autosave creates the page and swaps
    # the create view for the edit view in place ("hydration"), replacing the preview panel under the
    # editor's hands. That swap, not the preview, is why the preview's <h1> or body never came on a
    # loaded CI machine; and an autosave still in flight when "Publish" commits saves the page again
    # as it was loaded (not live). The journey is the editor's own create, preview and publish, so
    # it runs with autosave off and stays deterministic on SQLite and PostgreSQL.
    settings.WAGTAIL_AUTOSAVE_INTERVAL = 0
    call_command("seed_demo", verbosity=0)
    index = BlogIndexPage.objects.get()
    # An anonymous reader's visit puts the index in the page cache; publishing must refresh it.
    page.goto(f"{live_server.url}/blog/")
    assert TITLE not in page.content()

    page.goto(f"{live_server.url}/admin/login/")
    page.fill("input[name=username]", "editor@example.org")
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/admin/")

    page.goto(f"{live_server.url}/admin/pages/add/cms/blogpostpage/{index.pk}/")
    page.fill("#id_title", TITLE)
    page.fill("#id_summary", "Counting bees with a headless browser.")

    # An image from the library, through Wagtail's image chooser.
    page.locator("#id_hero_image-chooser [data-chooser-action-choose]").click()
    page.locator(".modal [data-chooser-modal-choice]").first.click()
    page.wait_for_selector("#id_hero_image-chooser:not(.blank)", state="attached", timeout=60_000)
    page.fill("#id_hero_image_alt", "A beehive in the orchard")

    choose_in_modal(page, "id_post_authors-0-author-chooser", "Edith Editor")
    choose_in_modal(page, "id_category-chooser", "News")

    page.locator("button[title='Insert a block'], .c-sf-add-button").first.click()
    page.get_by_role("option", name="Paragraph").click()
    editor = page.locator(".public-DraftEditor-content").last
    editor.click()
    editor.type("Forty hives counted by the robot apiarist.")

    # Preview in the side panel before anything is published. The panel refreshes itself from the
    # form as the editor types, so wait for the body to arrive rather than read it once.
    page.locator("[data-side-panel-toggle='preview']").click()
    preview = page.frame_locator("iframe[title='Preview']").last
    preview.locator("h1", has_text=TITLE).wait_for(timeout=90_000)
    preview.locator(".post-body", has_text="Forty hives counted by the robot").wait_for(timeout=30_000)

    assert not BlogPostPage.objects.filter(slug="playwright-pollinators-report").exists()  # nothing saved yet
    page.locator("footer [data-w-dropdown-target='toggle']").last.click()
    page.locator("button[name='action-publish']").click()
    page.wait_for_url(re.compile(r"/admin/pages/\d+/$"))

    page.context.clear_cookies()  # from here on an anonymous reader, served from the page cache
    page.goto(f"{live_server.url}/blog/")
    page.get_by_role("link", name=TITLE).click()
    page.wait_for_url(f"{live_server.url}/blog/playwright-pollinators-report/")
    assert page.locator("h1").inner_text() == TITLE
    hero = page.locator("figure.hero img")
    assert hero.get_attribute("alt") == "A beehive in the orchard"
    assert "400w" in hero.get_attribute("srcset")
    page.wait_for_load_state("networkidle")
    assert serious_violations(page) == []

    feed = feedparser.parse(page.request.get(f"{live_server.url}/blog/feed/").body())
    assert not feed.bozo and feed.entries[0].title == TITLE

    page.goto(f"{live_server.url}/search/?q=pollinators")
    assert page.get_by_role("link", name=TITLE).count() == 1

    assert page.failed_requests == []
    assert page.console_errors == []


def test_blog_pages_pass_axe(live_server, page):
    from django.core.management import call_command

    call_command("seed_demo", verbosity=0)
    problems = {}
    paths = ["/", "/blog/", "/blog/category/urgent/", "/blog/author/edith/", "/blog/nettle-soup/", "/about/"]
    for path in paths:
        response = page.goto(f"{live_server.url}{path}")
        page.wait_for_load_state("networkidle")
        assert response.ok, path
        problems[path] = serious_violations(page)
    assert problems == {path: [] for path in problems}
    assert page.failed_requests == []
