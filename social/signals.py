"""Signals the engine sends after commit, so receivers queue the tasks (the engine imports no tasks)."""

from django.dispatch import Signal

# Sent on commit of the step that created a staff notification. kwargs: notification_id.
staff_notification_created = Signal()
