"""A handle is believed only where its host and the actor's host agree (Mastodon's WebFinger rule)."""

from urllib.parse import urlencode, urlsplit

import pytest

from social.federation.models import RemoteActor
from social.hub.remote import AccountNotFound, account_resolve

pytest_plugins = ["tests.security.hostile_remote"]  # network, offline_site

pytestmark = pytest.mark.django_db


@pytest.fixture
def hosts(network, offline_site):
    offline_site.HUB_WEBFINGER_ALLOW_HTTP = True
    return network["a"], network["b"]


def _host(remote) -> str:
    return urlsplit(remote.base).netloc


def _webfinger(remote, user: str, *, subject: str, href: str) -> None:
    """`remote` answers WebFinger for acct:user@<its host> with this subject and actor."""
    query = urlencode({"resource": f"acct:{user}@{_host(remote)}"})
    link = {"rel": "self", "type": "application/activity+json", "href": href}
    remote.documents[f"/.well-known/webfinger?{query}"] = {"subject": subject, "links": [link]}


def test_account_resolve_handle_on_b_naming_an_actor_on_a_refused(hosts):
    a, b = hosts
    a.serve_actor("ceo")
    _webfinger(a, "ceo", subject=f"acct:ceo@{_host(a)}", href=a.actor_uri("ceo"))  # A: ceo is ceo@A
    _webfinger(b, "alice", subject=f"acct:alice@{_host(b)}", href=a.actor_uri("ceo"))  # B: alice is A's ceo
    with pytest.raises(AccountNotFound, match="does not confirm"):
        account_resolve(f"@alice@{_host(b)}")


def test_account_resolve_host_answering_for_another_hosts_handle_refused(hosts):
    a, b = hosts
    a.serve_actor("mallory")
    # Asked for mallory@A, A says the account is alice@B.
    _webfinger(a, "mallory", subject=f"acct:alice@{_host(b)}", href=a.actor_uri("mallory"))
    with pytest.raises(AccountNotFound, match="answered for"):
        account_resolve(f"@mallory@{_host(a)}")


def test_account_resolve_handle_delegated_and_confirmed_by_the_actors_host(hosts):
    a, b = hosts
    a.serve_actor("alice")
    # B's handles live on A (a split domain), and A confirms its alice is alice@B.
    _webfinger(b, "alice", subject=f"acct:alice@{_host(b)}", href=a.actor_uri("alice"))
    _webfinger(a, "alice", subject=f"acct:alice@{_host(b)}", href=a.actor_uri("alice"))
    assert account_resolve(f"@alice@{_host(b)}") == RemoteActor.objects.get(uri=a.actor_uri("alice"))


def test_account_resolve_handle_on_its_own_host_accepted(hosts):
    a, _ = hosts
    a.serve_actor("carol")
    _webfinger(a, "carol", subject=f"acct:carol@{_host(a)}", href=a.actor_uri("carol"))
    assert account_resolve(f"@carol@{_host(a)}").uri == a.actor_uri("carol")
