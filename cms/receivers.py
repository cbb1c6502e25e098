"""Signal receivers for cms: queue the oEmbed lookups blocks ask for (after commit, off the request);
mail Wagtail's moderation notices once the workflow's move has committed."""

from collections.abc import Callable
from typing import Any

from django.db import transaction


def on_embed_wanted(
    sender: Any, url: str, max_width: int | None, max_height: int | None, **kwargs: Any
) -> None:
    from cms import tasks

    tasks.embed_fetch.delay(url, max_width, max_height)


def after_commit(notifier: Callable[..., Any]) -> Callable[..., None]:
    """Wagtail's workflow email notifier, called once the transaction it fired in commits.

    Wagtail mails moderators from the workflow signals, inside `Workflow.start`'s and the task
    actions' own transactions (and the request's): a rollback would leave the email of a submission
    that never happened, and the mail server's wait holds the page's rows."""

    def receiver(sender: Any, **kwargs: Any) -> None:
        transaction.on_commit(lambda: notifier(sender=sender, **kwargs))

    return receiver


def workflow_mail_after_commit() -> None:
    """Swap Wagtail's moderation email receivers (wagtail.admin.signal_handlers) for after-commit ones.
    Called from cms.wagtail_admin's ready(), once Wagtail's own have been connected."""
    from wagtail.admin import signal_handlers as wagtail_mail
    from wagtail.models import TaskState, WorkflowState
    from wagtail.signals import task_submitted, workflow_approved, workflow_rejected, workflow_submitted

    swaps = (
        (
            task_submitted,
            TaskState,
            wagtail_mail.task_submission_email_notifier,
            "group_approval_task_submitted",
        ),
        (
            workflow_submitted,
            WorkflowState,
            wagtail_mail.workflow_submission_email_notifier,
            "workflow_state_submitted",
        ),
        (
            workflow_rejected,
            WorkflowState,
            wagtail_mail.workflow_rejection_email_notifier,
            "workflow_state_rejected",
        ),
        (
            workflow_approved,
            WorkflowState,
            wagtail_mail.workflow_approval_email_notifier,
            "workflow_state_approved",
        ),
    )
    for signal, sender, notifier, name in swaps:
        uid = f"{name}_email_notification"  # Wagtail's dispatch_uid
        if not signal.disconnect(sender=sender, dispatch_uid=uid):
            raise RuntimeError(f"Wagtail's {uid} receiver is gone: look at how it mails moderators now")
        signal.connect(after_commit(notifier), sender=sender, dispatch_uid=f"cms.{uid}", weak=False)
