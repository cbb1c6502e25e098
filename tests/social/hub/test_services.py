"""Hub services with the database: boosts fetched from their origin, moderation, pruning, digest, grouping."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from social.hub import following, housekeeping, moderation, notes, reactions, read_markers, selectors, sending
from social.hub.inbound import activity_handle
from social.hub.models import Mute, Notification, Reaction, TimelineItem
from social.hub.remote import AccountNotFound, webfinger_resolve
from tests.factories import hub as f
from tests.social.hub.fake_hub_remote import HubRemote

pytestmark = pytest.mark.django_db


@pytest.fixture
def remote(settings):
    settings.EDGE_ALLOWED_NETWORKS = ["127.0.0.0/8"]
    settings.HUB_WEBFINGER_ALLOW_HTTP = True
    with HubRemote() as server:
        yield server


def test_webfinger_resolve_handle_to_actor_id(remote):
    assert webfinger_resolve(remote.handle("carol")) == remote.actor_uri("carol")


def test_webfinger_resolve_http_refused_unless_allowed(remote, settings):
    settings.HUB_WEBFINGER_ALLOW_HTTP = False
    with pytest.raises(AccountNotFound):
        webfinger_resolve(remote.handle("carol"))


def test_webfinger_resolve_not_a_handle_refused():
    with pytest.raises(AccountNotFound):
        webfinger_resolve("not a handle")


def test_following_request_private_address_refused_by_default(remote, settings):
    settings.EDGE_ALLOWED_NETWORKS = []
    with pytest.raises(sending.HubError):
        following.following_request(local_actor=f.local_actor(), query=remote.handle("carol"))


def test_announce_by_followed_account_fetches_boosted_post_from_origin(remote):
    from social.federation.actors import remote_actor_get

    booster = remote_actor_get(remote.actor_uri("alice"))
    f.following(remote=booster)
    original = remote.note("<p>original words</p>", name="dave")
    # The inline copy lies; the hub must store what the origin serves.
    announce = {
        "id": f"{booster.uri}/boosts/1",
        "type": "Announce",
        "actor": booster.uri,
        "object": {**original, "content": "<p>forged</p>"},
    }
    assert activity_handle(announce, booster) == "timeline boost"
    item = TimelineItem.objects.get()
    assert item.kind == "boost" and item.boosted_by == booster
    assert item.author.uri == remote.actor_uri("dave") and "original words" in item.content
    undo = {"id": f"{booster.uri}/undo/1", "type": "Undo", "actor": booster.uri, "object": announce["id"]}
    activity_handle(undo, booster)
    assert not TimelineItem.objects.exists()


def test_reaction_add_twice_one_reaction_then_undo_removes():
    item = f.timeline_item()
    blog = f.local_actor()
    first = reactions.reaction_add(item=item, local_actor=blog, kind=Reaction.Kind.LIKE)
    second = reactions.reaction_add(item=item, local_actor=blog, kind=Reaction.Kind.LIKE)
    assert first.pk == second.pk
    flow = reactions.reaction_undo(first)
    assert flow.payload["activity"]["type"] == "Undo"
    assert flow.payload["activity"]["object"]["id"] == first.activity_uri
    assert not Reaction.objects.exists()


def test_reaction_add_boost_goes_to_author_and_followers():
    from social.models import Flow

    item = f.timeline_item()
    reactions.reaction_add(item=item, local_actor=f.local_actor(), kind=Reaction.Kind.BOOST)
    flow = Flow.objects.get(behavior="hub_send")
    assert flow.payload["followers"] is True and flow.payload["inboxes"] == [item.author.inbox]
    assert flow.payload["activity"]["type"] == "Announce"
    assert flow.payload["activity"]["id"].endswith(str(flow.activity_id))


def test_note_publish_image_without_alt_refused():
    from django.core.files.uploadedfile import SimpleUploadedFile

    with pytest.raises(sending.HubError):
        notes.note_publish(
            local_actor=f.local_actor(), text="look", image=SimpleUploadedFile("a.png", b"x"), image_alt=" "
        )


def test_note_publish_reply_mentions_and_addresses_the_author():
    item = f.timeline_item()
    note = notes.note_publish(local_actor=f.local_actor(), text="Agreed", reply_to=item)
    document = notes.note_document(note)
    assert document["inReplyTo"] == item.object_uri
    assert item.author.uri in document["cc"]
    assert {
        "type": "Mention",
        "href": item.author.uri,
        "name": f"@{item.author.username}@{item.author.domain}",
    } in (document["tag"])


def test_domain_block_forgets_held_items_and_notifications():
    from social.federation.models import DomainBlock

    spammer = f.remote_actor(domain="spam.example")
    f.timeline_item(author=spammer)
    f.notification(remote=spammer)
    keeper = f.timeline_item()
    moderation.domain_block("Spam.Example ")
    assert DomainBlock.objects.filter(domain="spam.example").exists()
    assert list(TimelineItem.objects.all()) == [keeper]
    assert not Notification.objects.exists()


def test_domain_block_own_site_refused(settings):
    with pytest.raises(sending.HubError):
        moderation.domain_block(settings.SITE_HOST)


def test_mute_hides_from_timeline_and_notifications_but_keeps_rows(admin_user):
    noisy = f.remote_actor(domain="noisy.example")
    f.timeline_item(author=noisy)
    f.notification(remote=noisy)
    quiet = f.timeline_item()
    moderation.mute_add(domain="noisy.example")
    assert list(selectors.timeline_items()) == [quiet]
    assert selectors.notifications_unread_count(admin_user) == 0
    assert TimelineItem.objects.count() == 2
    Mute.objects.all().delete()
    moderation.mute_add(remote=noisy)
    assert list(selectors.timeline_items()) == [quiet]


def test_timeline_items_newest_first_off_timeline_excluded():
    old = f.timeline_item(published=timezone.now() - timedelta(days=2))
    new = f.timeline_item()
    f.timeline_item(on_timeline=False)
    assert list(selectors.timeline_items()) == [new, old]


def test_timeline_prune_old_items_go_reacted_items_stay(settings):
    settings.HUB_TIMELINE_RETENTION_DAYS = 7
    long_ago = timezone.now() - timedelta(days=8)
    stale = f.timeline_item(received=long_ago)
    liked = f.timeline_item(received=long_ago)
    Reaction.objects.create(
        item=liked, local_actor=f.local_actor(), kind="like", activity_uri="https://s/a/1"
    )
    fresh = f.timeline_item()
    assert housekeeping.timeline_prune() == 1
    assert set(TimelineItem.objects.all()) == {liked, fresh}
    assert not TimelineItem.objects.filter(pk=stale.pk).exists()


def test_notifications_grouped_likes_of_one_object_together(admin_user):
    f.notification(kind="like", object_uri="https://s/n/1")
    f.notification(kind="like", object_uri="https://s/n/1")
    f.notification(kind="like", object_uri="https://s/n/2")
    f.notification(kind="follow", object_uri="")
    f.notification(kind="follow", object_uri="")
    groups = selectors.notifications_grouped(admin_user)
    sizes = sorted((group.kind, len(group.notifications)) for group in groups)
    assert sizes == [("follow", 1), ("follow", 1), ("like", 1), ("like", 2)]


def test_notifications_digest_send_once_to_configured_staff(settings):
    settings.HUB_DIGEST_EMAILS = ["staff@example.org"]
    f.notification(kind="follow", object_uri="")
    f.notification(kind="like")
    assert housekeeping.notifications_digest_send() == 2
    assert housekeeping.notifications_digest_send() == 0
    assert len(mail.outbox) == 1 and "2 new fediverse notifications" in mail.outbox[0].subject


def test_notifications_digest_send_off_without_recipients(settings):
    settings.HUB_DIGEST_EMAILS = []
    f.notification()
    assert housekeeping.notifications_digest_send() == 0
    assert mail.outbox == []


def test_read_markers_per_editor_and_never_move_back(django_user_model):
    first = django_user_model.objects.create_user(email="one@example.org", password="x")
    second = django_user_model.objects.create_user(email="two@example.org", password="x")
    older, newer = f.notification(kind="follow", object_uri=""), f.notification(kind="mention")
    read_markers.notifications_mark_read(first, newer.pk)
    read_markers.notifications_mark_read(first, older.pk)  # an older page seen later: no step back
    assert selectors.notifications_unread_count(first) == 0
    assert selectors.notifications_unread_count(second) == 2
    assert [g.unread for g in selectors.notifications_grouped(second)] == [True, True]
    assert not any(g.unread for g in selectors.notifications_grouped(first))
    item = f.timeline_item()
    read_markers.timeline_mark_read(second, item.pk)
    assert (selectors.timeline_unread_count(first), selectors.timeline_unread_count(second)) == (1, 0)


def test_notifications_digest_skips_what_an_editor_has_read(settings, admin_user):
    settings.HUB_DIGEST_EMAILS = ["staff@example.org"]
    seen = f.notification(kind="follow", object_uri="")
    read_markers.notifications_mark_read(admin_user, seen.pk)
    f.notification(kind="like")
    assert housekeeping.notifications_digest_send() == 1
    assert "1 new fediverse notification" in mail.outbox[0].subject
