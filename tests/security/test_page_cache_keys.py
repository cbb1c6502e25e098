"""The anonymous page cache keys only on the query parameters a page reads, in the form it reads
them: junk query strings are answered from the one cached copy and cannot fill Redis."""

from pathlib import Path

import pytest
import yaml
from django.core.cache import cache

from tests.factories.cms import blog_index_ensure, blog_post, blog_posts_bulk

pytestmark = pytest.mark.django_db

COMPOSE = Path(__file__).resolve().parents[2] / "docker" / "compose.yml"


@pytest.fixture(autouse=True)
def page_cache_on(settings):
    settings.CMS_PAGE_CACHE_SECONDS = 600


def _cached_entries() -> int:
    """How many page entries the cache holds (locmem in tests; Redis through its client)."""
    if hasattr(cache, "_cache") and isinstance(cache._cache, dict):
        return sum(1 for key in cache._cache if ":page-cache:page:" in key)
    client = cache._cache.get_client(write=False)
    return sum(1 for _ in client.scan_iter(match=f"{cache.key_prefix}:*page-cache:page:*", count=1000))


@pytest.fixture
def post():
    return blog_post(blog_index_ensure(), title="Bees in winter", slug="bees-in-winter")


def test_junk_query_strings_share_the_one_cached_page(client, post):
    first = client.get(post.url)
    assert first.status_code == 200
    stored = _cached_entries()
    assert stored >= 1
    for n in range(30):
        response = client.get(post.url, {f"junk{n}": "x" * n, "utm_source": str(n)})
        assert response.status_code == 200
        assert response["X-Page-Cache"] == "hit"
        assert response.content == first.content
    assert _cached_entries() == stored


def test_junk_beside_a_parameter_the_page_reads_hits_that_parameter_s_copy(client, post):
    blog_posts_bulk(blog_index_ensure(), 12)
    index = blog_index_ensure().url
    second_page = client.get(index, {"page": "2"})
    assert second_page.status_code == 200
    stored = _cached_entries()
    again = client.get(index, {"page": "2", "fbclid": "abc", "ref": "x"})
    assert again["X-Page-Cache"] == "hit" and again.content == second_page.content
    first_page = client.get(index, {"fbclid": "zzz"})
    assert first_page.content != second_page.content
    assert _cached_entries() <= stored + 1


def test_other_spellings_of_a_value_are_served_but_never_stored(client, post):
    blog_posts_bulk(blog_index_ensure(), 12)
    index = blog_index_ensure().url
    canonical = client.get(index, {"page": "2"})
    stored = _cached_entries()
    for spelling in ("02", "002", "+2", " 2", "2 "):
        response = client.get(index, {"page": spelling})
        assert response.status_code == 200 and canonical.status_code == 200
        assert "X-Page-Cache" not in response
    assert _cached_entries() == stored


def test_a_parameter_the_page_reads_still_varies_the_page(client, post):
    from cms.models import BlogCategory

    honey = BlogCategory.objects.create(name="Honey", slug="honey")
    blog_post(blog_index_ensure(), title="Runny or set?", slug="runny", category=honey)
    index = blog_index_ensure().url
    everything = client.get(index).content.decode()
    assert "Bees in winter" in everything
    only_honey = client.get(index, {"category": "honey"})
    assert "Runny or set?" in only_honey.content.decode()
    assert "Bees in winter" not in only_honey.content.decode()
    assert client.get(index, {"category": "honey", "x": "1"})["X-Page-Cache"] == "hit"


def test_compose_gives_the_cache_its_own_bounded_redis():
    compose = yaml.safe_load(COMPOSE.read_text())
    services = compose["services"]
    cache_command = " ".join(services["redis-cache"]["command"])
    assert "--maxmemory 256mb" in cache_command
    assert "--maxmemory-policy allkeys-lru" in cache_command
    broker_command = " ".join(services["redis"]["command"])
    assert "--maxmemory-policy noeviction" in broker_command
    assert services["redis-cache"]["image"] == services["redis"]["image"]
    environment = compose["x-app"]["environment"]
    assert environment["REDIS_URL"].startswith("redis://redis:")
    assert environment["REDIS_CACHE_URL"].startswith("redis://redis-cache:")


def test_settings_read_a_separate_cache_redis(monkeypatch):
    import importlib

    import config.settings.base as base
    import config.settings.stores as stores  # base reads the caches and broker from this include

    monkeypatch.setenv("REDIS_URL", "redis://broker.internal:6379/0")
    monkeypatch.setenv("REDIS_CACHE_URL", "redis://cache.internal:6379/0")
    try:
        importlib.reload(stores)
        reloaded = importlib.reload(base)
        assert reloaded.CACHES["default"]["LOCATION"] == "redis://cache.internal:6379/0"
        assert reloaded.CELERY_BROKER_URL == "redis://broker.internal:6379/0"
        monkeypatch.delenv("REDIS_CACHE_URL")
        importlib.reload(stores)
        reloaded = importlib.reload(base)
        assert reloaded.CACHES["default"]["LOCATION"] == "redis://broker.internal:6379/0"
    finally:
        monkeypatch.delenv("REDIS_URL", raising=False)
        monkeypatch.delenv("REDIS_CACHE_URL", raising=False)
        importlib.reload(stores)
        importlib.reload(base)
