"""The edge app: no models; it is installed for its template filters (safe_url, remote_html)."""

from django.apps import AppConfig


class EdgeConfig(AppConfig):
    name = "edge"
    label = "edge"
    verbose_name = "Trust at the edges"
