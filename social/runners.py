"""The Celery runner: each flow step a task. It lives next to the tasks so the engine never imports them.

Chosen by path in settings (SOCIAL_FLOW_RUNNER = "social.runners.CeleryRunner"); the engine loads it
with import_string when a flow starts, so neither the engine nor the services import it statically.
"""

from social.tasks import flow_step_task


class CeleryRunner:
    """Each step is a Celery task; the next one is enqueued when the previous step has committed."""

    def start(self, flow_id: int) -> None:
        flow_step_task.delay(flow_id)
