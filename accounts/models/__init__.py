"""Accounts models: the user and the newsletters members subscribe to."""

from .newsletters import MailEvent, NewsletterDelivery, NewsletterIssue, NewsletterList, Subscription
from .users import User

__all__ = ["MailEvent", "NewsletterDelivery", "NewsletterIssue", "NewsletterList", "Subscription", "User"]
