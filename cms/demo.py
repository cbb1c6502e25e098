"""Demo blog: three categories (one urgent), two authors, a dozen posts with generated images, menus."""

from datetime import timedelta

from django.apps import apps
from django.contrib.auth.models import Group, Permission
from django.utils import timezone
from wagtail.models import GroupCollectionPermission, Site

from cms.images import collection_root_ensure, generated_picture, image_from_bytes
from cms.models import Author, BlogCategory, BlogIndexPage, BlogPostPage, ContentPage, NavigationSettings
from cms.services import blog_post_create

CATEGORIES = [("news", "News", False), ("recipes", "Recipes", False), ("urgent", "Urgent notices", True)]
AUTHORS = [
    ("ada", "Ada Admin", "admin@example.org", "Keeps the cooperative's books and its bees."),
    ("edith", "Edith Editor", "editor@example.org", "Writes about the market, the kitchen and the land."),
]
POSTS = [
    # slug, title, category, authors, tags
    ("spring-market-opens", "The spring market opens", "news", ["edith"], ["market", "spring"]),
    ("wildflower-honey-harvest", "A record wildflower honey harvest", "news", ["ada"], ["honey", "bees"]),
    ("sourdough-from-scratch", "Sourdough from scratch", "recipes", ["edith"], ["bread", "baking"]),
    ("nettle-soup", "Nettle soup for the hungry gap", "recipes", ["edith", "ada"], ["soup", "foraging"]),
    ("road-closure-market-day", "Road closure on market day", "urgent", ["ada"], ["market", "travel"]),
    ("new-members-welcome", "Welcome to our new members", "news", ["ada"], ["members"]),
    ("elderflower-cordial", "Elderflower cordial", "recipes", ["edith"], ["drinks", "foraging"]),
    (
        "storm-warning-stalls",
        "Storm warning: stalls move indoors",
        "urgent",
        ["edith"],
        ["market", "weather"],
    ),
    ("apple-pressing-day", "Apple pressing day", "news", ["edith"], ["apples", "autumn"]),
    ("rhubarb-crumble", "Rhubarb and ginger crumble", "recipes", ["ada"], ["baking", "spring"]),
    ("annual-meeting-minutes", "Minutes of the annual meeting", "news", ["ada", "edith"], ["members"]),
    ("winter-veg-boxes", "Winter veg boxes are back", "news", ["edith"], ["veg", "winter"]),
]


def editor_permissions_ensure() -> None:
    """Editors write the blog: images, authors, categories and navigation, not just pages."""
    editors, _ = Group.objects.get_or_create(name="Editors")
    root_collection = collection_root_ensure()
    image_model = apps.get_model("wagtailimages", "Image")
    for codename in ("add_image", "change_image", "choose_image"):
        GroupCollectionPermission.objects.get_or_create(
            group=editors,
            collection=root_collection,
            permission=Permission.objects.get(
                codename=codename, content_type__app_label=image_model._meta.app_label
            ),
        )
    codenames = [
        f"{action}_{model}" for model in ("author", "blogcategory") for action in ("add", "change", "view")
    ] + ["change_navigationsettings"]
    editors.permissions.add(*Permission.objects.filter(content_type__app_label="cms", codename__in=codenames))


def body_for(title: str, image_id: int, n: int) -> list[dict]:
    body = [
        {
            "type": "paragraph",
            "value": f"<p>{title} — news from the cooperative's growers, makers and members. "
            "We write these notes so everyone knows what is happening at the market and in the fields.</p>"
            "<h2>What happened</h2><p>Members met, planned and got their hands dirty. "
            "Read on for the details and for what comes next.</p>",
        },
        {
            "type": "image",
            "value": {"image": image_id, "alt": f"Illustration for {title}", "caption": "Our photo"},
        },
        {"type": "quote", "value": {"text": "Many hands make light work.", "attribution": "A member"}},
    ]
    if n % 3 == 0:
        body.append(
            {"type": "code", "value": {"language": "text", "code": "200g flour\n150ml water\n5g salt"}}
        )
    return body


def seed() -> str:
    editor_permissions_ensure()
    # By label: home composes cms, so cms imports nothing of home (home.demo.seed runs first).
    home = apps.get_model("home", "HomePage").objects.first()
    if home is None:
        return "no home page: run home.demo.seed first"
    categories = {
        slug: BlogCategory.objects.get_or_create(slug=slug, defaults={"name": name, "urgent": urgent})[0]
        for slug, name, urgent in CATEGORIES
    }
    user_model = apps.get_model("accounts", "User")
    authors = {}
    for n, (slug, name, email, bio) in enumerate(AUTHORS):
        avatar = image_from_bytes(generated_picture(100 + n, name, (400, 400)), f"avatar-{slug}.jpg", name)
        authors[slug], _ = Author.objects.get_or_create(
            slug=slug,
            defaults={
                "name": name,
                "bio": bio,
                "avatar": avatar,
                "user": user_model.objects.filter(email=email).first(),
            },
        )

    index = BlogIndexPage.objects.child_of(home).first()
    if index is None:
        index = BlogIndexPage(title="Blog", slug="blog", intro="<p>News, recipes and notices.</p>")
        home.add_child(instance=index)
        index.save_revision().publish()
        index.show_in_menus = True
        index.save()

    pages = {}
    for slug, title, summary in [
        ("about", "About the cooperative", "Who we are and how the cooperative works."),
        ("contact", "Contact us", "Where to find us and how to reach us."),
    ]:
        page = ContentPage.objects.child_of(home).filter(slug=slug).first()
        if page is None:
            page = ContentPage(
                title=title,
                slug=slug,
                summary=summary,
                body=[{"type": "paragraph", "value": f"<p>{summary} We are a member-owned cooperative.</p>"}],
                show_in_menus=True,
            )
            home.add_child(instance=page)
            page.save_revision().publish()
        pages[slug] = page

    created = 0
    start = timezone.now() - timedelta(days=len(POSTS) * 3)
    for n, (slug, title, category, author_slugs, tags) in enumerate(POSTS):
        if BlogPostPage.objects.filter(slug=slug).exists():
            continue
        picture = image_from_bytes(generated_picture(n, title), f"{slug}.jpg", title)
        published = start + timedelta(days=n * 3)
        blog_post_create(
            index,
            title=title,
            slug=slug,
            summary=f"{title}: what it means for members, shoppers and neighbours.",
            body=body_for(title, picture.pk, n),
            authors=[authors[a] for a in author_slugs],
            category=categories[category],
            tags=tags,
            hero_image=picture,
            hero_image_alt=f"Illustration for {title}",
            published_at=published,
        )
        created += 1

    navigation_ensure(index, pages)
    return f"blog: {created} posts created, {BlogPostPage.objects.count()} in all"


def navigation_ensure(index: BlogIndexPage, pages: dict) -> None:
    site = Site.objects.filter(is_default_site=True).first()
    if site is None:
        return
    navigation = NavigationSettings.for_site(site)
    if navigation.main_menu or navigation.footer_menu:
        return  # an editor has set the menus; leave them alone
    link = {"label": "", "page": None, "section": "", "url": ""}
    navigation.main_menu = [
        {"type": "link", "value": {**link, "page": index.pk}},
        {"type": "link", "value": {**link, "label": "Market", "section": "/shop/"}},
        {"type": "link", "value": {**link, "label": "Events", "section": "/events/"}},
        {
            "type": "group",
            "value": {
                "label": "About",
                "links": [
                    {**link, "page": pages["about"].pk},
                    {**link, "page": pages["contact"].pk},
                ],
            },
        },
    ]
    navigation.footer_menu = [
        {"type": "link", "value": {**link, "page": pages["about"].pk}},
        {"type": "link", "value": {**link, "page": pages["contact"].pk}},
        {"type": "link", "value": {**link, "label": "Blog", "page": index.pk}},
        {"type": "link", "value": {**link, "label": "Market", "section": "/shop/"}},
        {"type": "link", "value": {**link, "label": "Events", "section": "/events/"}},
    ]
    navigation.save()
