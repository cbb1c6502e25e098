"""Remote fetch limits: one deadline across connect and every read, a size cap, 401 when a key fetch fails."""

import io
import json
import time

import pytest

from cms.ghost import GhostImages, PostSkipped
from social.federation.fetch import FetchError, fetch_json, post_signed
from social.federation.signatures import CAVAGE, request_sign

from .slow_remote import SlowRemote

DEADLINE = 2.0
# Thread start-up, the signature check and a loaded 2-core CI machine (4.9-5.8 s seen at load 12). A
# per-read timeout instead of one deadline would drip on for minutes, so this still tells them apart.
SLACK = 8.0


@pytest.fixture
def slow(settings):
    settings.EDGE_FETCH_DEADLINE_SECONDS = DEADLINE
    with SlowRemote(interval=0.5, huge_bytes=5_000_000) as server:
        yield server


def _elapsed(started: float) -> float:
    return time.monotonic() - started


def _signed_inbox_post(client, settings, slow, actor: str):
    activity = {
        "id": f"{slow.base}/activities/1",
        "type": "Like",
        "actor": actor,
        "object": settings.SITE_URL,
    }
    body = json.dumps(activity).encode()
    path = "/ap/users/blog/inbox"
    headers = request_sign(
        scheme=CAVAGE,
        method="POST",
        url=settings.SITE_URL + path,
        body=body,
        key_id=f"{actor}#main-key",
        private_key_pem=slow.private_pem,
    )
    headers.pop("Content-Type", None)
    return client.generic("POST", path, body, content_type="application/activity+json", headers=headers)


@pytest.mark.django_db
@pytest.mark.timeout(60)
def test_inbox_key_on_dripping_server_answers_401_within_the_deadline(client, settings, slow):
    started = time.monotonic()
    response = _signed_inbox_post(client, settings, slow, f"{slow.base}/drip/alice")
    assert response.status_code == 401
    assert _elapsed(started) < DEADLINE + SLACK
    assert "/drip/alice" in slow.requests


@pytest.mark.django_db
@pytest.mark.timeout(60)
@pytest.mark.parametrize("path", ["/deep/alice", "/odd/alice", "/huge-undeclared"])
def test_inbox_key_document_unusable_answers_401(client, settings, slow, path):
    settings.FEDERATION_MAX_FETCH_BYTES = 500_000
    response = _signed_inbox_post(client, settings, slow, f"{slow.base}{path}")
    assert response.status_code == 401


@pytest.mark.django_db
@pytest.mark.timeout(60)
@pytest.mark.parametrize("path", ["/drip/alice", "/drip-headers"])
def test_fetch_json_dripping_server_stops_at_the_deadline(slow, path):
    started = time.monotonic()
    with pytest.raises(FetchError, match=f"within {DEADLINE:g} s"):
        fetch_json(f"{slow.base}{path}", signed=False)
    assert _elapsed(started) < DEADLINE + SLACK


@pytest.mark.django_db
@pytest.mark.timeout(60)
def test_fetch_json_fast_server_still_answers(slow):
    assert fetch_json(f"{slow.base}/ok/alice", signed=False)["preferredUsername"] == "alice"


@pytest.mark.django_db
@pytest.mark.timeout(60)
@pytest.mark.parametrize("path", ["/huge", "/huge-undeclared"])
def test_fetch_json_body_over_the_cap_refused(settings, slow, path):
    settings.FEDERATION_MAX_FETCH_BYTES = 100_000
    with pytest.raises(FetchError, match="larger than 100000 bytes"):
        fetch_json(f"{slow.base}{path}", signed=False)


@pytest.mark.timeout(60)
def test_delivery_post_to_dripping_inbox_stops_at_the_deadline(slow):
    started = time.monotonic()
    with pytest.raises(FetchError, match=f"within {DEADLINE:g} s"):
        post_signed(f"{slow.base}/drip/alice", b"{}", {})
    assert _elapsed(started) < DEADLINE + SLACK


@pytest.mark.timeout(60)
def test_delivery_post_huge_answer_kept_only_up_to_the_cap(slow):
    response = post_signed(f"{slow.base}/huge-undeclared", b"{}", {})
    assert response.status_code == 200
    assert len(response.content) <= 1_000_000


@pytest.mark.timeout(60)
def test_ghost_image_fetch_from_dripping_server_skipped_at_the_deadline(slow):
    images = GhostImages(images_dir=None, ghost_url=slow.base)
    started = time.monotonic()
    with pytest.raises(PostSkipped, match="could not be fetched"):
        images.read("/drip/picture")
    assert _elapsed(started) < DEADLINE + SLACK


@pytest.mark.django_db(transaction=True)
@pytest.mark.timeout(120)
def test_ghost_import_fetches_remote_images_before_each_post_transaction():
    """No HTTP while a post's transaction is open: the images are fetched first, then the rows written."""
    import functools
    import threading
    from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
    from pathlib import Path

    from django.core.management import call_command
    from django.db import connections

    from cms.models import BlogCategory
    from tests.conftest import free_port
    from tests.factories.cms import blog_index_ensure

    fixtures = Path(__file__).parent.parent / "cms" / "fixtures"
    importing = connections["default"]  # this thread's connection: the handler reads its state
    in_transaction: list[bool] = []

    class Handler(SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def do_GET(self):
            in_transaction.append(importing.in_atomic_block)
            super().do_GET()

    server = ThreadingHTTPServer(
        ("127.0.0.1", free_port()), functools.partial(Handler, directory=str(fixtures / "ghost-remote"))
    )
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        blog_index_ensure()
        BlogCategory.objects.create(slug="recipes", name="Recipes")
        call_command(
            "import_ghost",
            str(fixtures / "ghost-export.json"),
            "--images-dir",
            str(fixtures / "ghost-images"),
            "--ghost-url",
            f"http://127.0.0.1:{server.server_port}",
            stdout=io.StringIO(),
            stderr=io.StringIO(),
        )
    finally:
        server.shutdown()
        server.server_close()
    assert in_transaction, "the export's remote images were not fetched at all"
    assert not any(in_transaction)


@pytest.mark.django_db(transaction=True)
@pytest.mark.timeout(120)
@pytest.mark.parametrize(
    ("path", "field", "value"),
    [
        ("/admin/hub/following/", "query", "@carol@{domain}"),
        ("/admin/hub/compose/", "text", "hi @carol@{domain}"),
    ],
)
def test_hub_follow_and_mention_look_ups_happen_outside_the_request_transaction(
    client, django_user_model, settings, path, field, value
):
    """WebFinger and actor fetches take up to the deadline: no request transaction is held open meanwhile."""
    from django.contrib.auth.models import Permission
    from django.db import connections

    from tests.social.hub.fake_hub_remote import HubRemote

    settings.HUB_WEBFINGER_ALLOW_HTTP = True
    requesting = connections["default"]  # the test client runs the view on this thread's connection
    in_transaction: list[bool] = []

    class WatchedRemote(HubRemote):
        def actor_document(self, name):
            in_transaction.append(requesting.in_atomic_block)
            return super().actor_document(name)

    user = django_user_model.objects.create_user(email="ed@example.org", password="x")
    for codename in ("access_admin", "use_hub"):
        user.user_permissions.add(Permission.objects.get(codename=codename))
    client.force_login(user)
    with WatchedRemote() as remote:
        response = client.post(path, {field: value.format(domain=remote.domain), "actor": "blog"})
    assert response.status_code == 302, response.content.decode()[:2000]
    assert in_transaction, "the remote account was not looked up"
    assert not any(in_transaction)
