"""Follow from your server: a reader's handle goes to their server's subscribe page, found by
WebFinger (over real HTTP, our fake remote server), with Mastodon's authorize_interaction as the
fallback; hostile or invalid handles are refused, never fetched or redirected to."""

from urllib.parse import parse_qs, quote, urlsplit

import pytest
from django.conf import settings

from tests.factories.cms import AuthorFactory
from tests.social.hub.fake_hub_remote import HubRemote

pytestmark = pytest.mark.django_db

EVENTS_URI = f"{settings.SITE_URL.rstrip('/')}/ap/users/events"


class SubscribingRemote(HubRemote):
    """Its WebFinger documents also carry an OStatus subscribe template, as Mastodon's do."""

    def __init__(self, template: str, **kwargs):
        super().__init__(**kwargs)
        remote = self
        webfinger_handler = self.server.RequestHandlerClass

        class Handler(webfinger_handler):
            def _json(self, document):
                if "subject" in document:
                    document["links"].append(
                        {"rel": "http://ostatus.org/schema/1.0/subscribe", "template": remote.template}
                    )
                return super()._json(document)

        self.template = template.replace("BASE", self.base)
        self.server.RequestHandlerClass = Handler


@pytest.fixture
def http_webfinger(settings):
    settings.HUB_WEBFINGER_ALLOW_HTTP = True  # the fake servers speak plain http on 127.0.0.1


@pytest.fixture
def subscribing_remote(http_webfinger):
    with SubscribingRemote("BASE/authorize_follow?acct={uri}") as remote:
        yield remote


def test_follow_redirects_to_the_readers_subscribe_template(client, subscribing_remote):
    response = client.get("/follow/events/", {"handle": subscribing_remote.handle("alice")})

    assert response.status_code == 302
    expected = f"{subscribing_remote.base}/authorize_follow?acct={quote(EVENTS_URI, safe='')}"
    assert response["Location"] == expected


def test_follow_without_a_template_falls_back_to_authorize_interaction(client, http_webfinger):
    with HubRemote() as remote:
        response = client.get("/follow/events/", {"handle": f"alice@{remote.domain}"})

    assert response.status_code == 302
    location = urlsplit(response["Location"])
    assert f"{location.scheme}://{location.netloc}{location.path}" == f"{remote.base}/authorize_interaction"
    assert parse_qs(location.query) == {"uri": [EVENTS_URI]}


def test_follow_from_a_server_name_goes_to_its_authorize_interaction(client, http_webfinger):
    response = client.get("/follow/blog/", {"handle": "127.0.0.1:9"})

    assert response.status_code == 302
    assert response["Location"].startswith("http://127.0.0.1:9/authorize_interaction?uri=")


def test_follow_an_author_by_slug(client, subscribing_remote):
    AuthorFactory(slug="ada", name="Ada")

    response = client.get("/follow/ada/", {"handle": subscribing_remote.handle()})

    assert response["Location"].endswith(quote(f"{settings.SITE_URL.rstrip('/')}/ap/users/ada", safe=""))


def test_follow_a_script_template_is_not_followed(client, http_webfinger):
    with SubscribingRemote("javascript:alert(1)//{uri}") as remote:
        response = client.get("/follow/events/", {"handle": remote.handle()})

    assert response.status_code == 302
    assert response["Location"].startswith(f"{remote.base}/authorize_interaction?")


@pytest.mark.parametrize(
    "handle",
    [
        "javascript:alert(1)",
        "@me@evil.example/path",
        "@me@user:pass@evil.example",
        "https://evil.example/some/path",
        "@me@10.0.0.1",  # a private address: no reader's server
        "@me@169.254.169.254",
        "@me@no-such-host.invalid",
        "@<script>@example.org",
        "",
    ],
)
def test_follow_hostile_or_invalid_handle_refused(client, handle):
    response = client.get("/follow/events/", {"handle": handle})

    if handle:
        assert response.status_code == 400
        assert "Location" not in response
        assert "<script>@" not in response.content.decode()  # the reader's text comes back escaped
    else:
        assert response.status_code == 200  # the form, asking for a handle
    assert 'action="/follow/events/"' in response.content.decode()


def test_follow_unknown_actor_is_404(client):
    assert client.get("/follow/nobody/", {"handle": "@me@mastodon.social"}).status_code == 404


def test_home_page_shows_handles_with_a_follow_form(client):
    from tests.factories.cms import blog_index_ensure

    blog_index_ensure()
    page = client.get("/").content.decode()
    for username in ("blog", "events", "market"):
        assert f"@{username}@{settings.SITE_HOST}" in page
        assert f'action="/follow/{username}/"' in page
    main = page.split("<main", 1)[-1].split("</main>")[0]
    assert "<script" not in main  # the follow dialog is <details>: no script, inline or not
