"""Celery beat's schedule for every app but social (whose entries stay beside its settings in social.py)."""

CELERY_BEAT_SCHEDULE: dict = {}
# Wagtail's scheduled publishing (go-live / expiry times set by editors).
CELERY_BEAT_SCHEDULE["cms-publish-scheduled"] = {"task": "cms.publish_scheduled", "schedule": 60.0}
