"""The default behaviors: what publishing, re-publishing and unpublishing a federated page do."""

from social.behaviors import steps
from social.behaviors.graph import END, Behavior, Node

PUBLISH = Behavior(
    name="publish",
    description="First publish of a federated page: Create an Article.",
    start="validate",
    nodes={
        "validate": Node(steps.validate_post, {"ok": "compose", "refused": "forget"}),
        "forget": Node(steps.forget_object, {"done": END}),
        "compose": Node(steps.compose_create, {"done": "route"}),
        "route": Node(steps.route_by_category, {"urgent": "notify", "normal": "deliver"}),
        "notify": Node(steps.notify_staff, {"done": "deliver"}),
        "deliver": Node(steps.deliver, {"done": END}),
    },
)

UPDATE = Behavior(
    name="update",
    description=(
        "Re-publish of a page the fediverse already has: Update the Article, unless nothing that "
        "federates changed."
    ),
    start="validate",
    nodes={
        "validate": Node(steps.validate_post, {"ok": "compose", "refused": END}),
        "compose": Node(steps.compose_update, {"done": "changed?"}),
        "changed?": Node(steps.skip_unchanged, {"changed": "deliver", "unchanged": END}),
        "deliver": Node(steps.deliver, {"done": END}),
    },
)

DELETE = Behavior(
    name="delete",
    description="Unpublish or deletion of a federated page (or a page turned private): Delete it.",
    start="compose",
    nodes={
        "compose": Node(steps.compose_delete, {"done": "deliver"}),
        "deliver": Node(steps.deliver, {"done": END}),
    },
)
