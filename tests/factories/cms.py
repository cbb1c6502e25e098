"""Factories for cms: snippets with factory_boy, pages through the same service editors' saves use."""

import itertools

import factory

from cms.images import generated_picture, image_from_bytes
from cms.models import Author, BlogCategory, BlogIndexPage, BlogPostPage
from cms.services import blog_post_create

_counter = itertools.count()


class AuthorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Author
        django_get_or_create = ("slug",)

    slug = factory.Sequence(lambda n: f"author{n}")
    name = factory.Sequence(lambda n: f"Author {n}")
    bio = "Writes things."


class BlogCategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = BlogCategory
        django_get_or_create = ("slug",)

    slug = factory.Sequence(lambda n: f"category{n}")
    name = factory.Sequence(lambda n: f"Category {n}")
    urgent = False


def picture(label: str = "picture", size: tuple[int, int] = (800, 450)):
    return image_from_bytes(generated_picture(next(_counter), label, size), f"{label}.jpg", label)


def blog_index_ensure() -> BlogIndexPage:
    from home.demo import home_page_ensure

    home = home_page_ensure()
    index = BlogIndexPage.objects.child_of(home).first()
    if index is None:
        index = BlogIndexPage(title="Blog", slug="blog")
        home.add_child(instance=index)
        index.save_revision().publish()
    return index


def blog_post(index: BlogIndexPage | None = None, **overrides) -> BlogPostPage:
    n = next(_counter)
    fields = {
        "title": f"Post number {n}",
        "slug": f"post-{n}",
        "summary": f"Summary of post {n}.",
        "body": [{"type": "paragraph", "value": f"<p>Body of post {n} about bees and bread.</p>"}],
        "authors": [AuthorFactory()],
        "category": BlogCategoryFactory(),
        "tags": ["demo"],
    }
    fields.update(overrides)
    return blog_post_create(index or blog_index_ensure(), **fields)
