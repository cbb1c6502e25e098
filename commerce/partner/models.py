"""Oscar's partner models, unchanged: the fork exists for the classes we override beside it."""

from oscar.apps.partner.models import *  # noqa: F403
