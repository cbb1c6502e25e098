"""Fixtures for social's tests: the production transport posting to a recording receiver of ours; the
admin's superuser and an editor as the demo makes one."""

import pytest
from django.contrib.auth.models import Group, Permission

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


@pytest.fixture
def superuser(django_user_model):
    return django_user_model.objects.create_superuser(email="boss@example.org", password="x")


@pytest.fixture
def editor(django_user_model):
    """An editor as the demo makes one: in Wagtail's Editors group, not staff, no federation rights."""
    user = django_user_model.objects.create_user(email="ed@example.org", password="x")
    editors, _ = Group.objects.get_or_create(name="Editors")
    editors.permissions.add(Permission.objects.get(codename="access_admin"))
    user.groups.add(editors)
    return user
