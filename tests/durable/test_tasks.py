"""One beat entry drives every durable row: the sweep every 30 s, and no per-app sweeps for moved models."""

from django.conf import settings

from config.celery import app


def test_beat_runs_the_one_sweep_every_30_seconds_and_no_reminder_sweep():
    entries = {entry["task"]: entry["schedule"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert entries["durable.sweep"] == 30.0
    assert not any("reminder" in task or "product_import" in task for task in entries)
    assert not any(task.startswith("accounts.") for task in entries)  # newsletters: no resume of their own
    assert not any("refund" in task and task.startswith("events.") for task in entries)
    assert not any(task.startswith("federation.") for task in entries)  # deliveries: the durable sweep


def test_durable_tasks_registered_under_their_names():
    app.loader.import_default_modules()
    assert {
        "durable.advance",
        "durable.advance_batch",
        "durable.sweep",
        "durable.kick",
        "durable.advance_rows",
    } <= set(app.tasks)


def test_no_beat_entry_of_its_own_for_stalled_flows():
    entries = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert not any(task.startswith("social.") and "stalled" in task for task in entries)
    assert "social.engine.flows_resume_stalled" in settings.DURABLE_SWEEP_ALSO
