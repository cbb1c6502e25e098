"""Fixtures for the engine's tests: the production transport, posting to a recording receiver of ours."""

import pytest

from social.federation import ids
from social.federation.actors import local_actor_get
from social.federation.models import Follow, RemoteActor
from tests.social.federation.fake_remote import FakeRemote


def follow_blog(remote: FakeRemote, name: str = "alice") -> RemoteActor:
    """The remote's account `name` follows @blog (accepted), and the remote trusts @blog's key, so the
    signed POSTs verify without a live server serving our actor."""
    blog = local_actor_get("blog")
    remote.trust(ids.actor_key_id(blog.username), ids.actor_id(blog.username), blog.public_key_pem)
    actor = RemoteActor.objects.create(
        uri=remote.actor_uri(name),
        domain=f"127.0.0.1:{remote.port}",
        username=name,
        inbox=f"{remote.actor_uri(name)}/inbox",
        shared_inbox=f"{remote.base}/inbox",
        public_key_pem=remote.public_pem,
    )
    Follow.objects.create(local_actor=blog, remote_actor=actor, state=Follow.State.ACCEPTED)
    return actor


@pytest.fixture
def recording_remote():
    """A fake ActivityPub server on 127.0.0.1 (tests/social/federation/fake_remote.py) that verifies
    signatures and records what it receives; its alice follows @blog. Needs the database (the test's
    django_db mark): publishes go through the production transport and reach it as signed POSTs once
    the delivery tasks run (after commit)."""
    with FakeRemote() as remote:
        follow_blog(remote)
        yield remote
