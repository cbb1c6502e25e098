"""App config for durable: checks every stateful model's graph once the models are loaded."""

from django.apps import AppConfig


class DurableConfig(AppConfig):
    name = "durable"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from durable import tasks  # noqa: F401 (registers durable.advance, which the runner enqueues by name)
        from durable.runner import stateful_models

        stateful_models()  # raises now, at start-up, if a concrete stateful model lacks its graph
