"""No page sends people to another site because a `next` parameter (or a Referer) said so."""

from urllib.parse import urlencode

import pytest
from django.urls import reverse

from social.federation.actors import local_actor_get
from social.federation.models import Follow, RemoteActor
from tests.factories.accounts import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

OFF_SITE = [
    "https://evil.example/",
    "//evil.example/",
    "///evil.example/",
    "/\\evil.example/",
    "\\\\evil.example",
    "https:evil.example",
    "javascript:alert(1)",
    " https://evil.example/",
    "http://testserver@evil.example/",
]


def _stays_here(location: str) -> bool:
    return location.startswith("/") and not location.startswith(("//", "/\\")) and "evil" not in location


@pytest.fixture
def follow():
    remote = RemoteActor.objects.create(
        uri="https://remote.example/users/bob",
        domain="remote.example",
        username="bob",
        inbox="https://remote.example/users/bob/inbox",
    )
    return Follow.objects.create(
        local_actor=local_actor_get("blog"), remote_actor=remote, follow_id="https://remote.example/f/1"
    )


@pytest.mark.parametrize("in_query", [False, True])
@pytest.mark.parametrize("target", OFF_SITE)
def test_federation_action_does_not_redirect_off_site(client, admin_user, follow, target, in_query):
    client.force_login(admin_user)
    url = reverse("federation_action", args=["follow-reject", follow.pk])
    response = (
        client.post(f"{url}?{urlencode({'next': target})}")
        if in_query
        else client.post(url, {"next": target})
    )
    assert response.status_code == 302
    assert _stays_here(response["Location"]), response["Location"]


@pytest.mark.parametrize("target", OFF_SITE)
def test_federation_confirmation_page_links_back_only_on_site(client, admin_user, follow, target):
    client.force_login(admin_user)
    url = reverse("federation_action", args=["follow-accept", follow.pk])
    response = client.get(url, {"next": target})
    assert response.status_code == 200
    assert "evil.example" not in response.text
    assert "javascript:" not in response.text


def test_federation_action_keeps_an_on_site_next(client, admin_user, follow):
    client.force_login(admin_user)
    back = reverse("federation_followers:index") + "?p=2"
    url = reverse("federation_action", args=["follow-accept", follow.pk])
    assert back.replace("&", "&amp;") in client.get(url, {"next": back}).text
    assert client.post(url, {"next": back})["Location"] == back


@pytest.mark.parametrize("target", OFF_SITE)
def test_login_does_not_redirect_off_site(client, target):
    member = UserFactory()
    response = client.post(f"/account/login/?next={target}", {"username": member.email, "password": PASSWORD})
    assert response.status_code == 302
    assert _stays_here(response["Location"]), response["Location"]


@pytest.mark.parametrize("target", OFF_SITE)
def test_oscar_login_address_passes_next_to_a_login_that_ignores_off_site(client, target):
    member = UserFactory()
    forwarded = client.get("/shop/accounts/login/", {"next": target})
    assert forwarded.status_code == 302
    response = client.post(forwarded["Location"], {"username": member.email, "password": PASSWORD})
    assert _stays_here(response["Location"]), response["Location"]


@pytest.mark.parametrize("target", OFF_SITE)
def test_logout_does_not_redirect_off_site(client, target):
    client.force_login(UserFactory())
    response = client.post("/account/logout/", {"next": target})
    assert response.status_code == 302
    assert _stays_here(response["Location"]), response["Location"]


@pytest.mark.parametrize("target", OFF_SITE)
def test_referer_is_not_followed_off_site(client, admin_user, follow, target):
    """Oscar's basket and wish-list views go back to the Referer; only ever on this site."""
    from tests.factories.commerce import stocked_product

    product = stocked_product()
    response = client.post(
        reverse("basket:add", args=[product.pk]), {"quantity": 1}, headers={"Referer": target}
    )
    assert response.status_code == 302
    assert _stays_here(response["Location"]), response["Location"]
