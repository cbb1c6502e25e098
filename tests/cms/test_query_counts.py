"""Query counts stay fixed as the blog grows: the same with 10 posts and with 1,000.

Counts are for an anonymous visitor with warm caches (the header fragments and Wagtail's site root
paths are cached after the first request): first with the page rendered (the anonymous page cache
off, as after a publish), then served from the anonymous page cache, the steady state of a public page.
"""

import pytest

from cms.models import BlogPostPage
from tests.factories.cms import blog_post, blog_posts_bulk, picture

pytestmark = pytest.mark.django_db

# path -> queries (SQLite and PostgreSQL alike). The post page includes one query of social's
# reactions fragment; the rest is Wagtail's routing (site, one page per path segment, view
# restrictions), the page's own relations, and the listing with one query per prefetched relation.
EXPECTED = {
    "/": 12,
    "/blog/": 14,
    "/blog/the-post/": 17,
    "/blog/category/bulk/feed/": 14,
}

# The same pages answered from the anonymous page cache (edge/page_cache.py): no query at all (the
# post's live fragment of fediverse reactions comes from its own short-lived copy).
EXPECTED_CACHED = {
    "/": 0,
    "/blog/": 0,
    "/blog/the-post/": 0,
    "/blog/category/bulk/feed/": 0,
}


@pytest.fixture(params=[10, 1000], ids=["10-posts", "1000-posts"])
def blog_of_size(request, blog_index):
    hero = picture("bulk", (640, 360))
    blog_posts_bulk(blog_index, request.param - 1, hero_image=hero)
    blog_post(
        blog_index,
        slug="the-post",
        hero_image=hero,
        hero_image_alt="A picture",
        tags=["bees", "honey"],
        body=[
            {"type": "paragraph", "value": "<p>Hello.</p>"},
            {"type": "image", "value": {"image": hero.pk, "alt": "x", "caption": "y"}},
        ],
    )
    assert BlogPostPage.objects.live().count() == request.param
    return request.param


@pytest.mark.parametrize("path", list(EXPECTED))
def test_anonymous_page_query_count_fixed_with_content(client, blog_of_size, path, django_assert_num_queries):
    assert client.get(path).status_code == 200  # warms caches and renditions
    with django_assert_num_queries(EXPECTED[path]):
        response = client.get(path)
    assert response.status_code == 200


@pytest.mark.parametrize("path", list(EXPECTED_CACHED))
def test_anonymous_page_cache_hit_query_count_fixed_with_content(
    client, settings, blog_of_size, path, django_assert_num_queries
):
    settings.CMS_PAGE_CACHE_SECONDS = 600
    first = client.get(path)
    with django_assert_num_queries(EXPECTED_CACHED[path]):
        response = client.get(path)
    assert response["X-Page-Cache"] == "hit" and response.content == first.content


def test_post_page_query_count_same_for_one_or_three_authors(client, blog_index):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.factories.cms import AuthorFactory

    counts = []
    for n, slug in [(1, "one-author"), (3, "three-authors")]:
        blog_post(blog_index, slug=slug, authors=[AuthorFactory() for _ in range(n)])
        client.get(f"/blog/{slug}/")  # warm caches
        with CaptureQueriesContext(connection) as queries:
            assert client.get(f"/blog/{slug}/").status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]
