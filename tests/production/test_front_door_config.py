"""The front door's configuration agrees with the app: body limits, purge, what may be cached; the
compose file is valid for a filled-in .env."""

import gzip
import re
import shutil
import subprocess

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


def test_front_door_compresses_a_kept_page_once_never_per_request():
    """Caddy's transport asked nginx for gzip itself and inflated the answer, and nginx gzipped every
    hit afresh: most of the door's CPU per request (bench/front_door.py measures it). Then nginx kept
    the gzipped copy only and inflated it for every reader without gzip, doubling their p99."""
    caddy = (ROOT / "docker" / "front-door" / "Caddyfile").read_text()
    assert re.search(r"transport http \{\s*compression off\s*\}", caddy)
    nginx = (ROOT / "docker" / "front-door" / "nginx.conf").read_text()
    # What the cache may keep is fetched in the encoding of its entry, gzip or plain (the app
    # compresses as it renders), and the key says which: each hit is sent as it was stored.
    assert "proxy_set_header Accept-Encoding $front_door_upstream_encoding;" in nginx
    assert "proxy_cache_key $front_door_variant-$front_door_encoding$request_uri;" in nginx
    assert "gunzip" not in nginx and "gzip_static on;" in nginx
    # A PURGE refreshes both of a page's entries.
    assert (
        "proxy_cache_key page-gzip$request_uri;" in nginx
        and "proxy_cache_key page-identity$request_uri;" in nginx
    )
    assert re.search(r"access_log \S+ combined buffer=\w+ flush=\w+;", nginx)


@pytest.mark.django_db
def test_app_compresses_a_page_for_a_client_that_takes_gzip(client):
    plain = client.get("/shop/catalogue/")
    zipped = client.get("/shop/catalogue/", HTTP_ACCEPT_ENCODING="gzip")
    assert "Content-Encoding" not in plain
    assert zipped["Content-Encoding"] == "gzip" and gzip.decompress(zipped.content) == plain.content


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


def compose_command() -> list[str] | None:
    """`docker compose` (the CLI plugin) or Debian's `docker-compose`: both check a file with no daemon."""
    if (
        shutil.which("docker")
        and subprocess.run(["docker", "compose", "version"], capture_output=True).returncode == 0
    ):
        return ["docker", "compose"]
    return ["docker-compose"] if shutil.which("docker-compose") else None


@pytest.mark.skipif(
    compose_command() is None, reason="neither `docker compose` nor docker-compose is installed"
)
def test_compose_config_refuses_the_unfilled_example_and_accepts_it_filled(tmp_path):
    """README's first steps: copy docker/env.example to .env, fill it in, `docker compose config`."""
    shutil.copytree(ROOT / "docker", tmp_path / "docker")  # compose reads ../.env beside docker/
    example = (ROOT / "docker" / "env.example").read_text()

    def config(env_text: str) -> subprocess.CompletedProcess:
        (tmp_path / ".env").write_text(env_text)
        command = [*compose_command(), "-f", "docker/compose.yml", "--env-file", ".env", "config"]
        return subprocess.run(command, cwd=tmp_path, capture_output=True, text=True, timeout=60)

    refused = config(example)
    assert refused.returncode != 0 and "set POSTGRES_PASSWORD" in refused.stderr
    filled = {"DJANGO_SECRET_KEY": "s" * 50, "POSTGRES_PASSWORD": "pw", "ACME_EMAIL": "admin@coop.example"}
    lines = [f"{line}{filled[line[:-1]]}" if line[:-1] in filled else line for line in example.splitlines()]
    accepted = config("\n".join(lines) + "\n")
    assert accepted.returncode == 0, accepted.stderr
    services = yaml.safe_load(accepted.stdout)["services"]
    assert {"db", "redis", "redis-cache", "migrate", "web", "worker", "beat", "cache", "proxy"} <= set(
        services
    )
    proxy = services["proxy"]
    assert proxy["environment"]["FRONT_DOOR_SITE"] == "coop.example"
    assert proxy["environment"]["FRONT_DOOR_TLS"] == "admin@coop.example"
    assert services["web"]["environment"]["DATABASE_URL"] == "postgres://coop:pw@db:5432/coop"
    assert services["web"]["environment"]["SITE_URL"] == "https://coop.example"
