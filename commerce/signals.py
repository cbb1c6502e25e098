"""Signals commerce sends about its own business, for apps it may not import (social) to act on.

Commerce never imports social: social connects to the signals named in settings
(SOCIAL_BEHAVIOR_SIGNALS) and runs the behavior each asks for, performing its steps' effects through
commerce functions named in SOCIAL_FLOW_ACTIONS.
"""

from django.dispatch import Signal

# A multi-step business process commerce wants run and logged as a behavior, sent inside the
# transaction that records why (so the flow is written with it, or not at all), with:
# behavior (its name), object_key ("payment:<id>"), event (what happened: "paid", "paid_late"),
# and payload (the facts the behavior's pure steps decide on).
behavior_wanted = Signal()
