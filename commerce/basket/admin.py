"""Oscar's basket admin, unchanged: the fork exists for the forms we override beside it."""

from oscar.apps.basket.admin import *  # noqa: F403
