"""Demo content for the hub: editors may use it, and a followed demo account has posted a little."""

from datetime import timedelta

from django.contrib.auth.models import Group, Permission
from django.utils import timezone

DEMO_DOMAIN = "fediverse.example"
DEMO_POSTS = [
    ("<p>Our allotment's first <strong>broad beans</strong> are up! #gardening</p>", "", ["gardening"]),
    ("<p>Spoilers for Sunday's bake-off: the crumble won.</p>", "bake-off results", []),
    ("<p>Anyone near the market fancy swapping seeds? Reply here.</p>", "", []),
]

DEMO_REPLY = "<p>Lovely to read this. <strong>Count us in</strong> for Saturday!</p>"


def editors_permission_grant() -> None:
    permission = Permission.objects.get(codename="use_hub", content_type__app_label="hub")
    editors, _ = Group.objects.get_or_create(name="Editors")
    editors.permissions.add(permission)


def seed() -> str:
    from social.federation.actors import local_actor_get
    from social.federation.models import Comment, FederatedObject, Follow, RemoteActor

    from .models import Following, Notification, TimelineItem

    editors_permission_grant()

    blog = local_actor_get("blog")
    uri = f"https://{DEMO_DOMAIN}/users/friend"
    friend, _ = RemoteActor.objects.get_or_create(
        uri=uri,
        defaults={
            "domain": DEMO_DOMAIN,
            "username": "friend",
            "name": "A Friendly Gardener",
            "url": f"https://{DEMO_DOMAIN}/@friend",
            "inbox": f"{uri}/inbox",
        },
    )
    Following.objects.get_or_create(
        local_actor=blog,
        remote_actor=friend,
        defaults={"state": Following.State.ACCEPTED, "follow_activity_uri": f"{uri}#demo-follow"},
    )
    now = timezone.now()
    for n, (content, warning, tags) in enumerate(DEMO_POSTS):
        post_uri = f"{uri}/statuses/demo-{n}"
        TimelineItem.objects.get_or_create(
            uri=post_uri,
            defaults={
                "object_uri": post_uri,
                "author": friend,
                "content": content,
                "summary": warning,
                "sensitive": bool(warning),
                "hashtags": tags,
                "url": f"https://{DEMO_DOMAIN}/@friend/demo-{n}",
                "published": now - timedelta(hours=n + 1),
            },
        )
    # The notification says the friend followed @blog: so they are in @blog's followers (the Federation
    # menu's Followers list and the followers collection), as they would be had the Follow arrived.
    Follow.objects.get_or_create(
        local_actor=blog,
        remote_actor=friend,
        defaults={"state": Follow.State.ACCEPTED, "follow_id": f"{uri}/activities/demo-follow-us"},
    )
    Notification.objects.get_or_create(
        activity_uri=f"{uri}/activities/demo-follow-us",
        defaults={"kind": Notification.Kind.FOLLOW, "local_actor": blog, "remote_actor": friend},
    )
    # The same follower replied to our newest post: a reply waiting in "Replies to moderate", and the
    # hub's notification of it, both naming that post.
    post = FederatedObject.objects.filter(deleted__isnull=True).order_by("-published", "-pk").first()
    if post is not None:
        Comment.objects.get_or_create(
            uri=f"{uri}/statuses/demo-reply",
            defaults={
                "remote_actor": friend,
                "object": post,
                "url": f"https://{DEMO_DOMAIN}/@friend/demo-reply",
                "content": DEMO_REPLY,
            },
        )
        Notification.objects.get_or_create(
            activity_uri=f"{uri}/activities/demo-reply",
            defaults={
                "kind": Notification.Kind.REPLY,
                "local_actor": post.actor,
                "remote_actor": friend,
                "object_uri": post.url,
                "content": DEMO_REPLY,
            },
        )
    return "editors may use the social hub; a demo account with 3 posts, following and followed by @blog"
