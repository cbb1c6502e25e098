"""Content changes PURGE the front door's copies after the commit, through Wagtail's frontend cache,
against a small HTTP server of ours standing in for nginx's purge listener."""

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from tests.factories.cms import blog_index_ensure, blog_post

pytestmark = pytest.mark.django_db


class PurgeListener(ThreadingHTTPServer):
    """Records each PURGE as (Host header, path) and answers 200, as nginx's cache_purge does."""

    def __init__(self) -> None:
        self.purged: list[tuple[str, str]] = []
        listener = self

        class Handler(BaseHTTPRequestHandler):
            def do_PURGE(self) -> None:
                listener.purged.append((self.headers.get("Host", ""), self.path))
                self.send_response(200)
                self.end_headers()

            def log_message(self, *args) -> None:
                pass

        super().__init__(("127.0.0.1", 0), Handler)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


@pytest.fixture
def purge_listener(settings):
    listener = PurgeListener()
    thread = threading.Thread(target=listener.serve_forever, daemon=True)
    thread.start()
    settings.WAGTAILFRONTENDCACHE = {
        "front_door": {
            "BACKEND": "wagtail.contrib.frontend_cache.backends.HTTPBackend",
            "LOCATION": listener.url,
        }
    }
    yield listener
    listener.shutdown()
    listener.server_close()


def test_front_door_publish_purges_the_post_and_the_blog_index_after_commit(
    purge_listener, django_capture_on_commit_callbacks
):
    index = blog_index_ensure()
    purge_listener.purged.clear()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        post = blog_post(index, title="Fresh from the hive", slug="fresh")
        assert purge_listener.purged == []  # nothing leaves inside the publish transaction
    for callback in callbacks:
        callback()
    paths = {path for _host, path in purge_listener.purged}
    assert {post.url, index.url} <= paths


def test_front_door_not_purged_without_a_purge_url(
    purge_listener, settings, django_capture_on_commit_callbacks
):
    settings.WAGTAILFRONTENDCACHE = {}
    with django_capture_on_commit_callbacks(execute=True):
        blog_post(blog_index_ensure(), title="Quiet news", slug="quiet")
    assert purge_listener.purged == []
