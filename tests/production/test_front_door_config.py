"""The front door's configuration agrees with the app: body limits, purge, what may be cached."""

import pytest
import yaml
from django.conf import settings
from django.test import override_settings

from edge.front_door import SHARED_CACHE_HEADER
from tests.factories.accounts import UserFactory

from .stack import ROOT


def test_front_door_compose_limits_match_the_apps():
    cache = yaml.safe_load((ROOT / "docker" / "compose.yml").read_text())["services"]["cache"]["environment"]
    upload = settings.WAGTAILIMAGES_MAX_UPLOAD_SIZE + settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    assert int(cache["MAX_UPLOAD_BYTES"]) == upload
    assert int(cache["MAX_INBOX_BYTES"]) == settings.FEDERATION_MAX_INBOX_BYTES


def test_front_door_nginx_never_caches_personal_requests():
    conf = (ROOT / "docker" / "front-door" / "nginx.conf").read_text()
    # Every cookie, an Authorization header or a JSON Accept skips the cache both ways.
    assert "proxy_cache_bypass $front_door_skip;" in conf and "proxy_no_cache $front_door_skip;" in conf
    assert 'map $http_cookie $front_door_has_cookie { default 1; "" 0; }' in conf
    assert "proxy_ignore_headers Cache-Control Expires Vary;" in conf


@pytest.mark.django_db
@override_settings(CMS_PAGE_CACHE_SECONDS=600, FRONT_DOOR_CACHE_SECONDS=600)
def test_front_door_header_only_on_pages_the_app_caches(client):
    # robots.txt is not a page that opted in: the front door must pass it through uncached.
    response = client.get("/robots.txt")
    assert response.status_code == 200 and SHARED_CACHE_HEADER not in response


@pytest.mark.django_db
@override_settings(FRONT_DOOR_CACHE_SECONDS=600, FRONT_DOOR_AP_SECONDS=5)
def test_front_door_keeps_public_activitypub_documents_seconds_only(client):
    ap = {"HTTP_ACCEPT": "application/activity+json"}
    document = client.get("/ap/users/blog", **ap)
    assert document.status_code == 200 and document[SHARED_CACHE_HEADER] == "5"
    assert "Accept" in document["Vary"]
    # What a signed-in user gets (their session could change it) and the HTML redirect are not kept.
    assert SHARED_CACHE_HEADER not in client.get("/ap/users/blog", HTTP_ACCEPT="text/html")
    client.force_login(UserFactory(is_staff=True))
    assert SHARED_CACHE_HEADER not in client.get("/ap/users/blog", **ap)


def test_compose_brings_back_every_long_running_service():
    # A Celery worker exits on some broker reconnects (kombu 5.x after a Redis restart): it must come
    # back by itself, as must everything else that serves; only the one-shot migrate stays down.
    services = yaml.safe_load((ROOT / "docker" / "compose.yml").read_text())["services"]
    assert services.pop("migrate")["restart"] == "no"
    assert {name: spec.get("restart") for name, spec in services.items()} == dict.fromkeys(
        services, "unless-stopped"
    )
