"""Demo accounts and a newsletter list (development only; the passwords are in the README)."""

from django.contrib.auth.models import Group, Permission

from .models import NewsletterList, User

DEMO_PASSWORD = "demo-pass-2026"
DEMO_USERS = [
    # email, first name, last name, staff, superuser, groups
    ("admin@example.org", "Ada", "Admin", True, True, []),
    ("editor@example.org", "Edith", "Editor", True, False, ["Editors"]),
    ("organiser@example.org", "Otto", "Organiser", False, False, ["Organisers"]),
    ("shopper@example.org", "Sam", "Shopper", False, False, []),
]


def seed() -> str:
    created = 0
    Group.objects.get_or_create(name="Organisers")
    # Wagtail's migrations create Editors; a flushed test database has lost it, so make sure of it.
    editors, _ = Group.objects.get_or_create(name="Editors")
    editors.permissions.add(
        Permission.objects.get(codename="access_admin", content_type__app_label="wagtailadmin")
    )
    for email, first, last, staff, superuser, groups in DEMO_USERS:
        user, was_created = User.objects.get_or_create(
            email=email,
            defaults={
                "first_name": first,
                "last_name": last,
                "is_staff": staff,
                "is_superuser": superuser,
                "email_verified": True,
            },
        )
        if was_created:
            user.set_password(DEMO_PASSWORD)
            user.save()
            created += 1
        for name in groups:
            user.groups.add(Group.objects.get(name=name))
    NewsletterList.objects.get_or_create(
        slug="cooperative-news",
        defaults={"name": "Cooperative news", "description": "What the cooperative is doing, once a month."},
    )
    return f"{created} users created"
