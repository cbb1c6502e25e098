"""App config for sitesearch (its label is not `search`: that is Oscar's)."""

from django.apps import AppConfig


class SiteSearchConfig(AppConfig):
    name = "sitesearch"
    label = "sitesearch"
    default_auto_field = "django.db.models.BigAutoField"
