"""Factories for hub tests: remote accounts, follows, timeline items and notifications as rows."""

import itertools

from django.utils import timezone

_counter = itertools.count(1)


def remote_actor(*, name: str | None = None, domain: str = "remote.example"):
    from social.federation.models import RemoteActor

    name = name or f"user{next(_counter)}"
    uri = f"https://{domain}/users/{name}"
    return RemoteActor.objects.create(
        uri=uri,
        domain=domain,
        username=name,
        name=name.title(),
        inbox=f"{uri}/inbox",
        url=f"https://{domain}/@{name}",
    )


def local_actor(username: str = "blog"):
    from social.federation.actors import local_actor_get

    return local_actor_get(username)


def following(*, remote=None, local=None, state: str = "accepted"):
    from social.hub.models import Following

    remote = remote or remote_actor()
    local = local or local_actor()
    return Following.objects.create(
        local_actor=local,
        remote_actor=remote,
        state=state,
        follow_activity_uri=f"https://site/ap/f/{next(_counter)}",
    )


def timeline_item(*, author=None, content: str = "<p>Hello</p>", published=None, **fields):
    from social.hub.models import TimelineItem

    author = author or remote_actor()
    n = next(_counter)
    uri = f"https://{author.domain}/notes/{n}"
    return TimelineItem.objects.create(
        uri=uri,
        object_uri=uri,
        author=author,
        content=content,
        url=uri,
        published=published or timezone.now(),
        **fields,
    )


def notification(
    *, kind: str = "like", remote=None, object_uri: str = "https://site/ap/hub/notes/1", **fields
):
    from social.hub.models import Notification

    return Notification.objects.create(
        kind=kind,
        activity_uri=f"https://remote.example/activities/{next(_counter)}",
        remote_actor=remote or remote_actor(),
        local_actor=local_actor(),
        object_uri=object_uri,
        **fields,
    )


def note_activity(remote, content: str = "<p>Hi</p>", **object_fields) -> dict:
    n = next(_counter)
    note = {
        "id": f"{remote.uri}/statuses/{n}",
        "type": "Note",
        "attributedTo": remote.uri,
        "content": content,
        "published": "2026-11-27T01:00:00Z",
        **object_fields,
    }
    return {"id": f"{remote.uri}/activities/{n}", "type": "Create", "actor": remote.uri, "object": note}
