"""Federation's fake remote server, grown what a followed account needs: WebFinger and its own posts."""

import json
import uuid
from urllib.parse import parse_qs, urlsplit

from tests.social.federation.fake_remote import FakeRemote


class HubRemote(FakeRemote):
    """Also answers WebFinger for its actors and serves the notes it published (for boosts)."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.objects: dict[str, dict] = {}
        self.files: dict[str, tuple[str, bytes]] = {}  # path -> (content type, body)
        remote = self
        base_handler = self.server.RequestHandlerClass

        class Handler(base_handler):
            def do_GET(self):
                parts = urlsplit(self.path)
                if parts.path == "/.well-known/webfinger":
                    resource = parse_qs(parts.query).get("resource", [""])[0]
                    user = resource.removeprefix("acct:").split("@")[0]
                    document = {
                        "subject": resource,
                        "links": [
                            {
                                "rel": "self",
                                "type": "application/activity+json",
                                "href": remote.actor_uri(user),
                            }
                        ],
                    }
                    return self._json(document)
                if remote.base + parts.path in remote.objects:
                    return self._json(remote.objects[remote.base + parts.path])
                if parts.path in remote.files:
                    content_type, body = remote.files[parts.path]
                    self.send_response(200)
                    self.send_header("Content-Type", content_type)
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                    return None
                return super().do_GET()

            def _json(self, document):
                body = json.dumps(document).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/activity+json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.server.RequestHandlerClass = Handler

    @property
    def domain(self) -> str:
        return f"127.0.0.1:{self.port}"

    def handle(self, name: str = "alice") -> str:
        return f"@{name}@{self.domain}"

    def image(self, name: str = "pie.png") -> str:
        """A small PNG it serves; its URL."""
        import io

        from PIL import Image

        buffer = io.BytesIO()
        Image.new("RGB", (40, 30), (200, 120, 40)).save(buffer, "PNG")
        self.files[f"/media/{name}"] = ("image/png", buffer.getvalue())
        return f"{self.base}/media/{name}"

    def note(self, content: str, name: str = "alice", **extra) -> dict:
        """A public Note by one of its actors, also served at its id."""
        uri = f"{self.base}/users/{name}/statuses/{uuid.uuid4().hex[:12]}"
        note = {
            "id": uri,
            "type": "Note",
            "attributedTo": self.actor_uri(name),
            "content": content,
            "published": "2026-11-27T01:00:00Z",
            "to": ["https://www.w3.org/ns/activitystreams#Public"],
            "url": uri.replace("/users/", "/@").replace("/statuses/", "/"),
            **extra,
        }
        self.objects[uri] = note
        return note


def hub_seed() -> None:
    """The demo users and the hub permission: all the hub's transactional tests need of seed_demo.

    (The whole seed_demo also builds the shop and the calendars, which these tests never look at.)
    """
    from accounts.demo import seed as accounts_seed
    from social.hub.demo import editors_permission_grant

    accounts_seed()
    editors_permission_grant()
