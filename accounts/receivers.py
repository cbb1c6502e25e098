"""Signal receivers for accounts: queue the emails and newsletter sends the services asked for."""

from typing import Any

from . import tasks


def on_account_email_wanted(sender: Any, template_prefix: str, to: str, context: dict, **kwargs: Any) -> None:
    tasks.send_account_email.delay(template_prefix, to, context)


def on_newsletter_issue_queued(sender: Any, issue_id: int, **kwargs: Any) -> None:
    tasks.newsletter_send.delay(issue_id)
