"""Accounts models: the user and the newsletters members subscribe to."""

from .newsletters import NewsletterDelivery, NewsletterIssue, NewsletterList, Subscription
from .users import User

__all__ = ["NewsletterDelivery", "NewsletterIssue", "NewsletterList", "Subscription", "User"]
