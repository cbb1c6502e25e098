"""Accounts models: the user and the newsletters members subscribe to."""

from .newsletters import (
    MailEvent,
    NewsletterDelivery,
    NewsletterDeliveryGraph,
    NewsletterIssue,
    NewsletterList,
    Subscription,
)
from .oidc import SpentAuthorizationCode
from .users import User, email_canonical

__all__ = [
    "MailEvent",
    "NewsletterDelivery",
    "NewsletterDeliveryGraph",
    "NewsletterIssue",
    "NewsletterList",
    "SpentAuthorizationCode",
    "Subscription",
    "User",
    "email_canonical",
]
