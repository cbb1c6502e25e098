"""A fake oEmbed provider on 127.0.0.1, configured as Wagtail's only embed provider, for the outbound guard.

Import the fixtures into a test module explicitly (as with the outbound guard):

    from tests.security.fake_oembed import oembed_provider_fixture, oembed_remote_fixture  # noqa: F401

`oembed_provider` is the URL of a video the provider knows; its answer's player is `PLAYER`, so a page
showing `PLAYER` was rendered from the provider's answer. `provider_down` makes it answer 404 (the
Embed row then stays unstored) and returns what `provider_up` puts back.
"""

import json
import re

import pytest

from tests.social.hub.fake_hub_remote import HubRemote

PLAYER = "player.example/bees"


@pytest.fixture(name="oembed_remote")
def oembed_remote_fixture():
    with HubRemote() as server:
        yield server


@pytest.fixture(name="oembed_provider")
def oembed_provider_fixture(oembed_remote, settings):
    answer = {"type": "video", "version": "1.0", "title": "Bees", "width": 640, "height": 360}
    answer["html"] = f'<iframe src="https://{PLAYER}" title="Bees"></iframe>'
    oembed_remote.files["/oembed"] = ("application/json", json.dumps(answer).encode())
    base = oembed_remote.base
    provider = {"endpoint": f"{base}/oembed", "urls": [rf"^{re.escape(base)}/video/.+$"]}
    finder = settings.WAGTAILEMBEDS_FINDERS[0]["class"]  # the configured one, asking through the edge
    settings.WAGTAILEMBEDS_FINDERS = [{"class": finder, "providers": [provider]}]
    return f"{base}/video/bees"


def provider_down(remote: HubRemote) -> tuple[str, bytes]:
    return remote.files.pop("/oembed")


def provider_up(remote: HubRemote, answer: tuple[str, bytes]) -> None:
    remote.files["/oembed"] = answer


def embed_body(url: str) -> list[dict]:
    """A post's body: a paragraph, then an embed of `url`."""
    return [{"type": "paragraph", "value": "<p>Words.</p>"}, {"type": "embed", "value": url}]
