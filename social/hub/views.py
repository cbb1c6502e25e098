"""The hub's Wagtail admin screens (thin: forms in, one service call, a redirect or a template out)."""

from functools import wraps

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from home.redirects import safe_next_url
from social.federation.models import ActorBlock, DomainBlock, RemoteActor

from . import moderation, notes, reactions, read_markers, selectors, sending
from .following import following_request, following_undo
from .forms import ComposeForm, DomainBlockForm, FollowForm
from .models import Following, Mute, Note, Reaction, TimelineItem

PERMISSION = "hub.use_hub"
PAGE_SIZE = 20


def hub_permission_required(view):
    @wraps(view)  # keeps the view's marks (non_atomic_requests) for the handler that reads them
    def wrapped(request, *args, **kwargs):
        if not request.user.has_perm(PERMISSION):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapped


def _back(request, default: str) -> HttpResponseRedirect:
    target = safe_next_url(request, "")
    return HttpResponseRedirect(target) if target else redirect(default)


def _actor(request, username: str):
    for actor in selectors.actors_for_user(request.user):
        if actor.username == username:
            return actor
    raise PermissionDenied


@hub_permission_required
def timeline(request):
    page = Paginator(selectors.timeline_items(), PAGE_SIZE).get_page(request.GET.get("page"))
    actors = selectors.actors_for_user(request.user)
    last_read = selectors.read_marker(request.user)[0]
    for item in page:
        item.unread = item.pk > last_read
        reacted = {(r.local_actor_id, r.kind) for r in item.our_reactions.all()}
        item.actor_states = [
            {
                "actor": actor,
                "liked": (actor.pk, Reaction.Kind.LIKE) in reacted,
                "boosted": (actor.pk, Reaction.Kind.BOOST) in reacted,
            }
            for actor in actors
        ]
    response = render(request, "hub/timeline.html", {"page": page, "actors": actors})
    # Seen once shown, by this editor only: the others' new items stay new to them.
    read_markers.timeline_mark_read(request.user, max((item.pk for item in page), default=0))
    return response


@hub_permission_required
@require_POST
def react(request, item_id: int):
    item = get_object_or_404(TimelineItem, pk=item_id)
    actor = _actor(request, request.POST.get("actor", ""))
    kind = request.POST.get("kind")
    if kind not in Reaction.Kind.values:
        raise Http404
    existing = Reaction.objects.filter(item=item, local_actor=actor, kind=kind).first()
    if request.POST.get("undo") and existing is not None:
        reactions.reaction_undo(existing)
        messages.success(request, f"Undid the {kind} as @{actor.username}.")
    elif not request.POST.get("undo"):
        reactions.reaction_add(item=item, local_actor=actor, kind=kind)
        messages.success(request, f"{'Liked' if kind == 'like' else 'Boosted'} as @{actor.username}.")
    return _back(request, "hub:timeline")


# These two screens look accounts up on other servers (WebFinger, actor documents): no request-wide
# transaction may stay open across that HTTP. The services open their own, for the writes only.
@transaction.non_atomic_requests
@hub_permission_required
def compose(request):
    actors = selectors.actors_for_user(request.user)
    reply_to = None
    reply_id = request.GET.get("reply_to") or request.POST.get("reply_to")
    if reply_id:
        reply_to = get_object_or_404(TimelineItem, pk=reply_id)
    if request.method == "POST":
        form = ComposeForm(request.POST, request.FILES, actors=actors)
        if form.is_valid():
            try:
                note = notes.note_publish(
                    local_actor=form.local_actor,
                    text=form.cleaned_data["text"],
                    user=request.user,
                    summary=form.cleaned_data["summary"],
                    reply_to=reply_to,
                    image=form.cleaned_data.get("image"),
                    image_alt=form.cleaned_data["image_alt"],
                )
            except sending.HubError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, f"Published as @{note.local_actor.username}.")
                return redirect("hub:timeline")
    else:
        initial = {}
        if reply_to is not None and reply_to.author.username:
            initial["text"] = f"@{reply_to.author.username}@{reply_to.author.domain} "
            if reply_to.summary:
                initial["summary"] = reply_to.summary
        form = ComposeForm(actors=actors, initial=initial)
    return render(request, "hub/compose.html", {"form": form, "reply_to": reply_to})


@transaction.non_atomic_requests
@hub_permission_required
def following(request):
    actors = selectors.actors_for_user(request.user)
    if request.method == "POST":
        form = FollowForm(request.POST, actors=actors)
        if form.is_valid():
            try:
                follow = following_request(
                    local_actor=form.local_actor, query=form.cleaned_data["query"], user=request.user
                )
            except sending.HubError as exc:
                form.add_error("query", str(exc))
            else:
                messages.success(request, f"Asked to follow {follow.remote_actor} as {follow.local_actor}.")
                return redirect("hub:following")
    else:
        form = FollowForm(actors=actors)
    return render(request, "hub/following.html", {"form": form, "followings": selectors.followings()})


@hub_permission_required
@require_POST
def unfollow(request, following_id: int):
    follow = get_object_or_404(Following, pk=following_id)
    _actor(request, follow.local_actor.username)  # only as an actor the editor may act as
    remote = follow.remote_actor
    following_undo(follow)
    messages.success(request, f"Unfollowed {remote}.")
    return redirect("hub:following")


@hub_permission_required
def notifications(request):
    groups = selectors.notifications_grouped(request.user)
    response = render(request, "hub/notifications.html", {"groups": groups})
    # Seen once shown, by this editor only: the unread count in their menu drops on the next page.
    read_markers.notifications_mark_read(
        request.user, max((n.pk for group in groups for n in group.notifications), default=0)
    )
    return response


@hub_permission_required
def blocks(request):
    if request.method == "POST":
        form = DomainBlockForm(request.POST)
        if form.is_valid():
            try:
                moderation.domain_block(form.cleaned_data["domain"], reason=form.cleaned_data["reason"])
            except sending.HubError as exc:
                form.add_error("domain", str(exc))
            else:
                messages.success(request, f"Blocked {form.cleaned_data['domain']}.")
                return redirect("hub:blocks")
    else:
        form = DomainBlockForm()
    context = {
        "form": form,
        "domain_blocks": DomainBlock.objects.order_by("domain"),
        "actor_blocks": ActorBlock.objects.order_by("uri"),
        "mutes": Mute.objects.select_related("account").order_by("-created"),
    }
    return render(request, "hub/blocks.html", context)


@hub_permission_required
@require_POST
def moderate(request):
    """Block or mute an account or its whole domain, from a timeline item or a notification."""
    remote = get_object_or_404(RemoteActor, pk=request.POST.get("remote_actor"))
    action = request.POST.get("action")
    if action == "block_account":
        moderation.account_block(remote)
        messages.success(request, f"Blocked {remote}.")
    elif action == "block_domain":
        moderation.domain_block(remote.domain)
        messages.success(request, f"Blocked the whole of {remote.domain}.")
    elif action == "mute_account":
        moderation.mute_add(remote=remote, user=request.user)
        messages.success(request, f"Muted {remote}.")
    elif action == "mute_domain":
        moderation.mute_add(domain=remote.domain, user=request.user)
        messages.success(request, f"Muted {remote.domain}.")
    else:
        raise Http404
    return _back(request, "hub:timeline")


@hub_permission_required
@require_POST
def unblock(request):
    kind, pk = request.POST.get("kind"), request.POST.get("pk")
    lift = {
        "domain": (DomainBlock, moderation.domain_unblock),
        "account": (ActorBlock, moderation.account_unblock),  # sends Undo{Block}
        "mute": (Mute, moderation.mute_remove),
    }.get(kind)
    if lift is None:
        raise Http404
    model, service = lift
    service(get_object_or_404(model, pk=pk))
    messages.success(request, "Removed.")
    return redirect("hub:blocks")


def note_object(request, note_id: int):
    """A note of ours as ActivityStreams JSON (its id dereferences here)."""
    note = get_object_or_404(Note.objects.select_related("local_actor"), pk=note_id)
    document = {"@context": "https://www.w3.org/ns/activitystreams", **notes.note_document(note)}
    return JsonResponse(document, content_type="application/activity+json")
