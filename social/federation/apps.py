"""App config for federation: its own label so its models migrate apart from the flow log's."""

from django.apps import AppConfig


class FederationConfig(AppConfig):
    name = "social.federation"
    label = "federation"
    default_auto_field = "django.db.models.BigAutoField"
