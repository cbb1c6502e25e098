"""Oscar's shipping models, unchanged: the fork exists for the classes we override beside it."""

from oscar.apps.shipping.models import *  # noqa: F403
