"""Oscar's basket models, unchanged: the fork exists for the forms we override beside it."""

from oscar.apps.basket.models import *  # noqa: F403
