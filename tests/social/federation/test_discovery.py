"""WebFinger, host-meta, NodeInfo and actor documents."""

import pytest

from social.federation.models import LocalActor

pytestmark = pytest.mark.django_db
AP = "application/activity+json"


def test_webfinger_blog_acct_with_port_returns_self_and_profile_links(client, settings):
    settings.SITE_URL, settings.SITE_HOST = "https://coop.example:8443", "coop.example:8443"
    response = client.get("/.well-known/webfinger", {"resource": "acct:blog@coop.example:8443"})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/jrd+json"
    document = response.json()
    assert document["subject"] == "acct:blog@coop.example:8443"
    links = {link["rel"]: link for link in document["links"]}
    assert links["self"] == {"rel": "self", "type": AP, "href": "https://coop.example:8443/ap/users/blog"}
    assert links["http://webfinger.net/rel/profile-page"]["href"] == "https://coop.example:8443/"


def test_webfinger_other_host_is_not_found(client):
    response = client.get("/.well-known/webfinger", {"resource": "acct:blog@elsewhere.example"})
    assert response.status_code == 404


def test_webfinger_unknown_user_is_not_found(client, settings):
    response = client.get("/.well-known/webfinger", {"resource": f"acct:nobody@{settings.SITE_HOST}"})
    assert response.status_code == 404


def test_host_meta_points_lrdd_at_webfinger(client, settings):
    response = client.get("/.well-known/host-meta")
    assert response.status_code == 200
    assert f'template="{settings.SITE_URL}/.well-known/webfinger?resource={{uri}}"' in response.text


def test_nodeinfo_counts_actors_and_posts(client, settings):
    from social.federation.actors import local_actor_get

    local_actor_get("blog")
    local_actor_get("market")  # a placeholder is not a user
    discovery = client.get("/.well-known/nodeinfo").json()
    assert discovery["links"][0]["href"] == f"{settings.SITE_URL}/nodeinfo/2.1"
    document = client.get("/nodeinfo/2.1").json()
    assert document["version"] == "2.1"
    assert document["protocols"] == ["activitypub"]
    assert document["usage"]["users"]["total"] == 1
    assert document["usage"]["localPosts"] == 0


def test_actor_document_has_every_field(client, settings):
    response = client.get("/ap/users/blog", HTTP_ACCEPT=AP)
    assert response.status_code == 200
    assert response["Content-Type"].startswith(AP)
    document = response.json()
    base = f"{settings.SITE_URL}/ap/users/blog"
    assert document["id"] == base
    assert document["type"] == "Person"
    assert document["preferredUsername"] == "blog"
    assert document["name"] == settings.SITE_NAME
    for name in ("inbox", "outbox", "followers", "following", "featured"):
        assert document[name] == f"{base}/{name}"
    assert document["endpoints"]["sharedInbox"] == f"{settings.SITE_URL}/ap/inbox"
    assert document["publicKey"]["id"] == f"{base}#main-key"
    assert document["publicKey"]["owner"] == base
    assert document["publicKey"]["publicKeyPem"].startswith("-----BEGIN PUBLIC KEY-----")
    assert document["manuallyApprovesFollowers"] is False
    assert document["discoverable"] is True
    assert document["url"] == f"{settings.SITE_URL}/"
    assert {item["type"] for item in document["attachment"]} == {"PropertyValue"}
    assert "summary" in document


def test_actor_key_is_generated_once(client):
    first = client.get("/ap/users/blog", HTTP_ACCEPT=AP).json()["publicKey"]["publicKeyPem"]
    second = client.get("/ap/users/blog", HTTP_ACCEPT=AP).json()["publicKey"]["publicKeyPem"]
    assert first == second
    assert LocalActor.objects.filter(username="blog").count() == 1


def test_actor_placeholders_exist(client):
    for name in ("market", "events"):
        document = client.get(f"/ap/users/{name}", HTTP_ACCEPT=AP).json()
        assert document["type"] == "Service"
        assert document["preferredUsername"] == name


def test_actor_unknown_is_not_found(client):
    assert client.get("/ap/users/nobody", HTTP_ACCEPT=AP).status_code == 404


def test_actor_browser_is_redirected_to_profile(client, settings):
    response = client.get("/ap/users/blog", HTTP_ACCEPT="text/html")
    assert response.status_code == 302
    assert response["Location"] == f"{settings.SITE_URL}/"


def test_manual_approval_setting_shows_on_actor(client, settings):
    settings.FEDERATION_MANUAL_APPROVAL = True
    assert client.get("/ap/users/blog", HTTP_ACCEPT=AP).json()["manuallyApprovesFollowers"] is True
