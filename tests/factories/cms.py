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


def blog_posts_bulk(index: BlogIndexPage, count: int, *, hero_image=None) -> None:
    """Many live posts fast, for query-count tests and benchmarks (bypasses revisions on purpose).

    Rows go straight into the tree: Page rows in one bulk insert, then each post's own table row.
    """
    from datetime import timedelta

    from django.contrib.contenttypes.models import ContentType
    from django.db.models import F
    from django.utils import timezone
    from taggit.models import Tag
    from wagtail.models import Page

    from cms.models import BlogPostAuthor, BlogPostTag

    index = Page.objects.get(pk=index.pk)
    last = index.get_last_child()
    start = Page._str2int(last.path[-Page.steplen :]) + 1 if last else 1
    content_type = ContentType.objects.get_for_model(BlogPostPage)
    category = BlogCategoryFactory(slug="bulk", name="Bulk")
    authors = [AuthorFactory(slug="bulk-a", name="Bulk A"), AuthorFactory(slug="bulk-b", name="Bulk B")]
    tag, _ = Tag.objects.get_or_create(name="bulk", defaults={"slug": "bulk"})
    now = timezone.now()
    pages = []
    for n in range(count):
        slug = f"bulk-{start + n}"
        when = now - timedelta(minutes=count - n)
        pages.append(
            Page(
                title=f"Bulk post {start + n}",
                draft_title=f"Bulk post {start + n}",
                slug=slug,
                content_type=content_type,
                path=Page._get_path(index.path, index.depth + 1, start + n),
                depth=index.depth + 1,
                numchild=0,
                url_path=f"{index.url_path}{slug}/",
                live=True,
                has_unpublished_changes=False,
                first_published_at=when,
                last_published_at=when,
                locale_id=index.locale_id,
            )
        )
    Page.objects.bulk_create(pages, batch_size=500)
    created = Page.objects.filter(path__in=[page.path for page in pages]).values_list("pk", "title")
    body = [{"type": "paragraph", "value": "<p>Bulk body about bees.</p>"}]
    for pk, title in created:
        post = BlogPostPage(
            page_ptr_id=pk,
            summary=f"{title} summary.",
            body=body,
            category=category,
            hero_image=hero_image,
            hero_image_alt="Bulk picture" if hero_image else "",
        )
        post.save_base(raw=True)
    BlogPostAuthor.objects.bulk_create(
        BlogPostAuthor(page_id=pk, author=author, sort_order=i)
        for pk, _ in created
        for i, author in enumerate(authors)
    )
    BlogPostTag.objects.bulk_create(BlogPostTag(content_object_id=pk, tag=tag) for pk, _ in created)
    Page.objects.filter(pk=index.pk).update(numchild=F("numchild") + count)
