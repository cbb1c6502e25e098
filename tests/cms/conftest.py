"""Fixtures for cms tests: a small blog built without the demo's image generation."""

import pytest
from django.core.cache import cache

from tests.factories.cms import AuthorFactory, BlogCategoryFactory, blog_index_ensure, blog_post, picture


@pytest.fixture(autouse=True)
def clear_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def blog_index(db):
    return blog_index_ensure()


@pytest.fixture
def urgent_category(db):
    return BlogCategoryFactory(slug="alerts", name="Alerts", urgent=True)


@pytest.fixture
def author(db):
    return AuthorFactory(slug="ada", name="Ada Lovelace", bio="Counts the bees.")


@pytest.fixture
def post(blog_index, author, urgent_category):
    hero = picture("hero", (1600, 900))
    return blog_post(
        blog_index,
        title="Bees swarm the market",
        slug="bees-swarm",
        summary="A swarm settled on the honey stall.",
        authors=[author, AuthorFactory(slug="bob", name="Bob")],
        category=urgent_category,
        tags=["bees", "market"],
        hero_image=hero,
        hero_image_alt="A swarm of bees on a stall",
        body=[
            {"type": "paragraph", "value": '<p>It happened <a href="/shop/">at the market</a>.</p>'},
            {"type": "image", "value": {"image": hero.pk, "alt": "Bees", "caption": "The swarm"}},
            {"type": "quote", "value": {"text": "Bzzz.", "attribution": "A bee"}},
            {"type": "code", "value": {"language": "python", "code": "print('bees')"}},
        ],
    )
