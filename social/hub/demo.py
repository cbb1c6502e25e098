"""Demo set-up for the hub: editors may use it (the permission lives on a hub model)."""

from django.contrib.auth.models import Group, Permission


def seed() -> str:
    permission = Permission.objects.get(codename="use_hub", content_type__app_label="hub")
    editors, _ = Group.objects.get_or_create(name="Editors")
    editors.permissions.add(permission)
    return "editors may use the social hub"
