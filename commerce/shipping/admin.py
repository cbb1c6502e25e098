"""Oscar's shipping admin, unchanged: the fork exists for the classes we override beside it."""

from oscar.apps.shipping.admin import *  # noqa: F403
