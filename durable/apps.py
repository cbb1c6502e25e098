"""App config for durable: checks every stateful model's graph once the models are loaded."""

from django.apps import AppConfig


class DurableConfig(AppConfig):
    name = "durable"
    default_auto_field = "django.db.models.BigAutoField"

    def import_models(self) -> None:
        super().import_models()
        # The outgoing email row lives beside its handler and `email_queue`, imported the same way as
        # the apps' own durable rows.
        from durable import outgoing  # noqa: F401

    def ready(self) -> None:
        from durable import tasks  # noqa: F401 (registers durable.advance, which the runner enqueues by name)
        from durable.runner import stateful_models

        stateful_models()  # raises now, at start-up, if a concrete stateful model lacks its graph
