"""README's Production walk-through, step by step, on the stack scripts/prod-stack runs: the health
checks, the first superuser, the domain the site answers for, a backup. (docker/compose.yml's own
check is tests/production/test_front_door_config.py; federating is tests/production/test_front_door.py.)"""

import json
import tarfile

import pytest

from tests.factories.accounts import PASSWORD

from .stack import front_door_missing, login

pytestmark = [
    pytest.mark.front_door,
    pytest.mark.xdist_group("front-door"),  # the package's one stack (conftest.py)
    pytest.mark.skipif(bool(front_door_missing()), reason=front_door_missing() or ""),
]


def test_walkthrough_health_checks_answer_through_the_door_uncached(site):
    reader = site.session()
    for path in ("/healthz", "/readyz", "/readyz"):
        response = reader.get(f"{site.url}{path}")
        assert response.status_code == 200, (path, response.text)
        assert response.headers.get("X-Cache-Status") != "HIT"
    assert reader.get(f"{site.url}/readyz").json()  # names each check it made


def test_walkthrough_createsuperuser_then_sign_in_to_the_admin_through_the_door(site):
    made = site.command(
        "manage",
        "createsuperuser",
        "--noinput",
        env={"DJANGO_SUPERUSER_EMAIL": "admin@door.example", "DJANGO_SUPERUSER_PASSWORD": PASSWORD},
    )
    assert made.returncode == 0, made.stderr
    admin = login(site, "admin@door.example")
    dashboard = admin.get(f"{site.url}/admin/")
    assert dashboard.status_code == 200 and "wagtail" in dashboard.text.lower()
    assert dashboard.headers.get("X-Cache-Status") != "HIT"


def test_walkthrough_the_site_answers_for_the_domain_in_site_url(site):
    from wagtail.models import Site

    host, port = site.url.removeprefix("https://").split(":")
    default = Site.objects.get(is_default_site=True)  # set from SITE_URL by migrate
    assert (default.hostname, default.port) == (host, int(port))
    actor = site.session().get(f"{site.url}/ap/users/blog", headers={"Accept": "application/activity+json"})
    assert actor.json()["id"] == f"{site.url}/ap/users/blog"
    finger = site.session().get(f"{site.url}/.well-known/webfinger", params={"resource": f"acct:blog@{host}"})
    assert finger.status_code == 200, finger.text
    assert f"{site.url}/ap/users/blog" in {link.get("href") for link in finger.json()["links"]}


def test_walkthrough_backup_writes_one_archive_with_its_manifest(site, tmp_path):
    archive = tmp_path / "site.tar.gz"
    made = site.command("manage", "backup", "--output", str(archive))
    assert made.returncode == 0, made.stderr
    with tarfile.open(archive) as tar:
        manifest = json.load(tar.extractfile("manifest.json"))
    from django.db import connection

    assert manifest["database_vendor"] == connection.vendor and manifest["migration_heads"]["accounts"]
