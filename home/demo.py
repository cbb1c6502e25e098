"""Demo home page: replaces Wagtail's placeholder root child with our HomePage."""

from django.conf import settings
from django.contrib.auth.models import Group, Permission
from wagtail.coreutils import get_supported_content_language_variant
from wagtail.models import GroupPagePermission, Locale, Page, Site

from .models import HomePage
from .services import sites_sync_from_settings


def tree_root_ensure() -> Page:
    """Wagtail's migrations make the locale and root page; a flushed test database has lost them."""
    Locale.objects.get_or_create(language_code=get_supported_content_language_variant(settings.LANGUAGE_CODE))
    return Page.get_first_root_node() or Page.add_root(instance=Page(title="Root", slug="root"))


# What the home page composes beside the latest posts (`make run` shows them).
DEMO_SECTIONS = [
    ("fragment", {"fragment": "events-week", "heading": "On this week", "filter": "", "limit": 6}),
    ("fragment", {"fragment": "products", "heading": "The producers' picks", "filter": "", "limit": 6}),
    ("fragment", {"fragment": "market-day", "heading": "Next market day", "filter": "", "limit": 1}),
    ("fragment", {"fragment": "newsletter", "heading": "", "filter": "", "limit": 1}),
]


def home_sections_ensure(home: HomePage) -> None:
    """Give a home page seeded before the sections existed its demo sections, once."""
    if not home.sections:
        home.sections = DEMO_SECTIONS
        home.save_revision().publish()


def home_page_ensure() -> HomePage:
    existing = HomePage.objects.first()
    if existing:
        return existing
    root = tree_root_ensure()
    home = HomePage(
        title="Rose Ash Cooperative",
        slug="home",
        intro="Food, crafts and gatherings from the cooperative's producers.",
        body="<p>Read the blog, shop the market, and come to our events.</p>",
        sections=DEMO_SECTIONS,
    )
    placeholder = root.get_children().exclude(content_type__model="homepage").filter(slug="home").first()
    if placeholder:
        placeholder.slug = "welcome-placeholder"
        placeholder.save_revision().publish()
    root.add_child(instance=home)
    home.save_revision().publish()
    site = Site.objects.filter(is_default_site=True).first()
    if site:
        site.root_page = home
        site.save()
    if placeholder:
        placeholder.delete()
    return home


def editors_may_edit_pages(home: HomePage) -> None:
    editors = Group.objects.get(name="Editors")
    for codename in ("add_page", "change_page", "publish_page", "lock_page", "unlock_page"):
        GroupPagePermission.objects.get_or_create(
            group=editors,
            page=home,
            permission=Permission.objects.get(codename=codename, content_type__app_label="wagtailcore"),
        )


def seed() -> str:
    home = home_page_ensure()
    home_sections_ensure(home)
    editors_may_edit_pages(home)
    sites_sync_from_settings()
    return f"home page {home.url_path}"
