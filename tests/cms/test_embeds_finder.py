"""oEmbed providers are asked through the edge: public addresses only, one deadline, safe photo URLs."""

import json
import re
import time

import pytest
from wagtail.embeds.models import Embed

from cms.embeds import embed_fetch
from tests.security.slow_remote import SlowRemote
from tests.social.hub.fake_hub_remote import HubRemote

pytestmark = pytest.mark.django_db

VIDEO = "https://video.example/watch/bees"


def _provider(settings, endpoint: str) -> None:
    """The configured finder class, asking `endpoint` for video.example's URLs."""
    configured = settings.WAGTAILEMBEDS_FINDERS[0]["class"]
    provider = {"endpoint": endpoint, "urls": [rf"^{re.escape('https://video.example/')}.+$"]}
    settings.WAGTAILEMBEDS_FINDERS = [{"class": configured, "providers": [provider]}]


@pytest.fixture
def provider(settings):
    with HubRemote() as remote:
        _provider(settings, f"{remote.base}/oembed")
        yield remote


def _answer(remote, **fields) -> None:
    answer = {"type": "video", "version": "1.0", "title": "Bees", **fields}
    remote.files["/oembed"] = ("application/json", json.dumps(answer).encode())


def test_embed_fetch_local_provider_answer_stored(provider):
    _answer(provider, html='<iframe src="https://player.example/bees" title="Bees"></iframe>', cache_age=60)
    assert embed_fetch(VIDEO)
    embed = Embed.objects.get(url=VIDEO)
    assert (embed.title, embed.type) == ("Bees", "video") and "player.example" in embed.html


def test_embed_fetch_photo_with_script_url_not_made_a_src(provider):
    _answer(provider, type="photo", url="javascript:alert(1)", width=10, height=10)
    assert embed_fetch(VIDEO)
    assert "javascript" not in Embed.objects.get(url=VIDEO).html


def test_embed_fetch_provider_on_private_address_refused_without_a_request(settings):
    settings.EDGE_ALLOWED_NETWORKS = []  # as in production: 127.0.0.1 is not public
    with SlowRemote() as remote:
        _provider(settings, f"{remote.base}/ok/bees")
        assert not embed_fetch(VIDEO)
    assert remote.requests == [] and not Embed.objects.exists()


def test_embed_fetch_provider_dripping_gives_up_at_the_deadline(settings):
    settings.EDGE_FETCH_DEADLINE_SECONDS = 1.0
    with SlowRemote(interval=0.1) as remote:  # each byte well within any per-read timeout
        _provider(settings, f"{remote.base}/drip/bees")
        started = time.monotonic()
        assert not embed_fetch(VIDEO)
        assert time.monotonic() - started < 4
    assert not Embed.objects.exists()
