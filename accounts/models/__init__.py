"""Accounts models: the user and the newsletters members subscribe to."""

from .newsletters import MailEvent, NewsletterDelivery, NewsletterIssue, NewsletterList, Subscription
from .oidc import SpentAuthorizationCode
from .users import User

__all__ = [
    "MailEvent",
    "NewsletterDelivery",
    "NewsletterIssue",
    "NewsletterList",
    "SpentAuthorizationCode",
    "Subscription",
    "User",
]
