"""Oscar's partner admin, unchanged: the fork exists for the classes we override beside it."""

from oscar.apps.partner.admin import *  # noqa: F403
