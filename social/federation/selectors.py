"""Read-side queries for federation: collections, counts, reactions under a post."""

from datetime import timedelta

from django.db.models import Q
from django.utils import timezone

from . import ids
from .blocks import blocked_domains
from .models import Comment, FederatedObject, Follow, LocalActor, Reaction


def object_for_uri(uri: str) -> FederatedObject | None:
    """Our built object that `uri` names: its id in this or an earlier period (a Like of a product's id
    from before it sold out still counts on the product), or its page's URL."""
    ref = ids.object_ref(uri)
    if ref is not None:
        key, period = ref
        return FederatedObject.objects.filter(object_key=key, period__gte=period).first()
    return FederatedObject.objects.filter(url=uri).first() if uri else None


def actor_objects(actor: LocalActor):
    """Live objects this actor published or authored, newest first."""
    return (
        FederatedObject.objects.filter(Q(actor=actor) | Q(authors=actor), deleted__isnull=True)
        .distinct()
        .order_by("-published", "-pk")
    )


def accepted_followers(actor: LocalActor):
    """Accepted followers, less those on blocked servers (a block made later must hide them too)."""
    return (
        Follow.objects.filter(local_actor=actor, state=Follow.State.ACCEPTED)
        .exclude(blocked_domains().q("remote_actor__domain"))
        .select_related("remote_actor")
    )


def object_counts(obj: FederatedObject) -> dict[str, int]:
    counts = {"likes": 0, "shares": 0}
    for kind in obj.reactions.exclude(kind=Reaction.Kind.JOIN).values_list("kind", flat=True):
        counts["likes" if kind == Reaction.Kind.LIKE else "shares"] += 1
    counts["replies"] = obj.comments.filter(status=Comment.Status.APPROVED).count()
    return counts


def post_reactions(object_key: str) -> dict:
    """Likes, boosts and approved replies for the post with this object key (template tag)."""
    obj = FederatedObject.objects.filter(object_key=object_key, deleted__isnull=True).first()
    if obj is None:
        return {"likes": 0, "shares": 0, "comments": []}
    counts = object_counts(obj)
    comments = list(
        obj.comments.filter(status=Comment.Status.APPROVED)
        .select_related("remote_actor")
        .order_by("published")
    )
    return {"likes": counts["likes"], "shares": counts["shares"], "comments": comments}


def object_key_known(object_key: str) -> bool:
    """True once the fediverse has been told of the object (or is being told: its row is decided)."""
    return FederatedObject.all_objects.filter(object_key=object_key).exists()


def object_interest_count(object_keys: list[str]) -> int:
    """Remote people who said they would attend (a Join) the object under any of these keys, still
    on the fediverse; a blocked server's people are not counted."""
    return (
        Reaction.objects.filter(
            kind=Reaction.Kind.JOIN, object__object_key__in=object_keys, object__deleted__isnull=True
        )
        .exclude(blocked_domains().q("remote_actor__domain"))
        .count()
    )


def nodeinfo_usage() -> dict:
    now = timezone.now()
    people = LocalActor.objects.filter(kind__in=[LocalActor.Kind.BLOG, LocalActor.Kind.AUTHOR])
    live = FederatedObject.objects.filter(deleted__isnull=True)

    def active(days: int) -> int:
        since = now - timedelta(days=days)
        return (
            people.filter(Q(published_objects__updated__gte=since) | Q(authored__updated__gte=since))
            .distinct()
            .count()
        )

    return {
        "users": {"total": people.count(), "activeMonth": active(30), "activeHalfyear": active(180)},
        "localPosts": live.count(),
        "localComments": Comment.objects.filter(status=Comment.Status.APPROVED).count(),
    }
