"""Wagtail admin actions on federation rows: accept/reject a follower, approve/reject a reply, retry a
delivery, revive a host. GET asks for confirmation, POST does it."""

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from wagtail.admin import messages
from wagtail.permissions import policy_registry

from home.redirects import safe_next_url

from .answers import follow_accept, follow_reject
from .delivery import delivery_retry, host_revive
from .models import Comment, Delivery, Follow, Host


def _comment_status(status: str):
    def run(comment: Comment) -> None:
        comment.status = status
        comment.save(update_fields=["status"])

    return run


@dataclass(frozen=True)
class Action:
    model: Any
    label: str
    run: Any
    applies: Any  # instance → bool: whether the button shows


ACTIONS = {
    "follow-accept": Action(
        Follow, "Accept follower", follow_accept, lambda f: f.state == Follow.State.PENDING
    ),
    "follow-reject": Action(Follow, "Reject follower", follow_reject, lambda f: True),
    "comment-approve": Action(
        Comment, "Approve reply", _comment_status(Comment.Status.APPROVED), lambda c: c.status != "approved"
    ),
    "comment-reject": Action(
        Comment, "Reject reply", _comment_status(Comment.Status.REJECTED), lambda c: c.status != "rejected"
    ),
    "delivery-retry": Action(
        Delivery, "Retry delivery", delivery_retry, lambda d: d.state != Delivery.State.DELIVERED
    ),
    "host-revive": Action(Host, "Revive host", lambda h: host_revive(h.domain), lambda h: h.dead),
}


def action_url(name: str, pk: int) -> str:
    return reverse("federation_action", args=[name, pk])


def action_allowed(user, instance) -> bool:
    """Whether `user` may act on this row: the model's permission policy decides (an editor moderates
    the replies to their own posts only, see permissions.py)."""
    return policy_registry.get_by_type(type(instance)).user_has_permission_for_instance(
        user, "change", instance
    )


def action_view(request, name: str, pk: int):
    action = ACTIONS.get(name)
    if action is None:
        raise PermissionDenied
    instance = get_object_or_404(action.model, pk=pk)
    if not action_allowed(request.user, instance):
        raise PermissionDenied
    # Only ever back to a page of this site: the link that brought the editor here could be anyone's.
    back = safe_next_url(request, reverse("wagtailadmin_home"))
    if request.method == "POST":
        action.run(instance)
        messages.success(request, f"{action.label}: done for {instance}.")
        return redirect(back)
    return TemplateResponse(
        request,
        "federation/admin/confirm_action.html",
        {"action": action, "instance": instance, "next": back, "page_title": action.label},
    )
