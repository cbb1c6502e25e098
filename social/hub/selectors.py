"""Hub reads: the timeline, notifications (grouped, unread counts), follows, blocks and mutes."""

from contextlib import suppress
from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import QuerySet

from social.federation.blocks import DomainList
from social.federation.display import object_titles
from social.federation.models import LocalActor

from .content import plain_text
from .models import Following, Mute, Note, Notification, ReadMarker, TimelineItem


def _muted() -> tuple[list[int], DomainList]:
    """The muted remote accounts (ids) and domains (a muted domain covers its subdomains, as a block)."""
    mutes = list(Mute.objects.values_list("account_id", "domain"))
    accounts = [account for account, _ in mutes if account]
    domains = DomainList(domain for _, domain in mutes if domain)
    return accounts, domains


def timeline_items() -> QuerySet[TimelineItem]:
    """Followed accounts' posts and boosts, newest first, without muted accounts or domains."""
    accounts, domains = _muted()
    items = TimelineItem.objects.filter(on_timeline=True).select_related("author", "boosted_by")
    if accounts or domains.domains:
        items = items.exclude(author_id__in=accounts).exclude(boosted_by_id__in=accounts)
        items = items.exclude(domains.q("author__domain")).exclude(domains.q("boosted_by__domain"))
    return items.prefetch_related("our_reactions").order_by("-published", "-id")


def notifications_visible() -> QuerySet[Notification]:
    accounts, domains = _muted()
    rows = Notification.objects.select_related("remote_actor", "local_actor", "item")
    if accounts or domains.domains:
        rows = rows.exclude(remote_actor_id__in=accounts).exclude(domains.q("remote_actor__domain"))
    return rows


def read_marker(user) -> tuple[int, int]:
    """This editor's (timeline, notifications) last-read ids; (0, 0) for one who never looked."""
    row = ReadMarker.objects.filter(user_id=user.pk).values_list(
        "timeline_last_read_id", "notifications_last_read_id"
    )
    return row.first() or (0, 0)


def notifications_unread_count(user) -> int:
    """Visible notifications newer than what this editor has seen."""
    return notifications_visible().filter(pk__gt=read_marker(user)[1]).count()


def timeline_unread_count(user) -> int:
    """Timeline items that arrived since this editor last looked at the timeline."""
    return timeline_items().filter(pk__gt=read_marker(user)[0]).count()


@dataclass
class NotificationGroup:
    """Likes or boosts of one object shown as one line; everything else one per notification."""

    kind: str
    object_uri: str
    latest: datetime
    notifications: list[Notification] = field(default_factory=list)
    unread: bool = False  # new to the editor looking
    # The post or note of ours it is about, by its title, and where it is read (never its bare id).
    object_title: str = ""
    object_url: str = ""

    @property
    def first(self) -> Notification:
        return self.notifications[0]

    @property
    def others(self) -> int:
        return len(self.notifications) - 1


GROUPED_KINDS = (Notification.Kind.LIKE, Notification.Kind.BOOST)


def notifications_grouped(user, limit: int = 200) -> list[NotificationGroup]:
    """The newest notifications, grouped, each group marked unread if it holds one new to this editor."""
    last_read = read_marker(user)[1]
    groups: dict[tuple, NotificationGroup] = {}
    for notification in notifications_visible()[:limit]:
        if notification.kind in GROUPED_KINDS:
            key = (notification.kind, notification.object_uri)
        else:
            key = (notification.kind, notification.pk)
        group = groups.get(key)
        if group is None:
            group = groups[key] = NotificationGroup(
                notification.kind, notification.object_uri, notification.created
            )
        group.notifications.append(notification)
        group.unread = group.unread or notification.pk > last_read
    ordered = sorted(groups.values(), key=lambda g: g.latest, reverse=True)
    _objects_name(ordered)
    return ordered


NOTE_TITLE_CHARS = 80


def _objects_name(groups: list[NotificationGroup]) -> None:
    """Name what each group is about: a federated post by its title, a hub note by its opening words.
    Two queries for the whole page."""
    uris = {group.object_uri for group in groups if group.kind != Notification.Kind.MENTION}
    named = object_titles(uris)
    for note in Note.objects.filter(uri__in=uris - named.keys()).only("uri", "text", "content"):
        words = plain_text(note.text or note.content, 2000)
        title = words if len(words) <= NOTE_TITLE_CHARS else words[: NOTE_TITLE_CHARS - 1].rstrip() + "…"
        named[note.uri] = (f"your note “{title}”", "")
    for group in groups:
        group.object_title, group.object_url = named.get(group.object_uri, ("", ""))


def followings() -> QuerySet[Following]:
    return Following.objects.select_related("local_actor", "remote_actor").order_by("state", "-created")


def actors_for_user(user) -> list[LocalActor]:
    """The actors an editor may act as: the blog, and their own author actor if they have one."""
    from social.federation.actors import local_actor_get

    actors = [local_actor_get("blog")]
    author = _author_of(user)
    if author is not None:
        with suppress(LocalActor.DoesNotExist):
            actors.append(local_actor_get(author.slug))
    return actors


def _author_of(user):
    from django.apps import apps
    from django.conf import settings

    try:
        model = apps.get_model(getattr(settings, "SOCIAL_AUTHOR_MODEL", "cms.Author"))
    except (LookupError, ValueError):
        return None
    if not any(f.name == "user" for f in model._meta.get_fields()):
        return None
    return model.objects.filter(user=user).first()
