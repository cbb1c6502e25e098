"""The sample Grafana dashboard charts metrics that /metrics really serves."""

import json
import re
from pathlib import Path

import pytest

DASHBOARD = Path(__file__).resolve().parents[2] / "docker" / "grafana-dashboard.json"


@pytest.mark.django_db
def test_grafana_dashboard_queries_only_served_metrics(client):
    client.get("/robots.txt")  # so the request histograms have samples
    served = {
        line.split("{")[0].split(" ")[0]
        for line in client.get("/metrics").content.decode().splitlines()
        if line and not line.startswith("#")
    }
    panels = json.loads(DASHBOARD.read_text())["panels"]
    queried = {
        name
        for panel in panels
        for target in panel["targets"]
        for name in re.findall(r"\b(?:django|coop)_[a-z_]+", target["expr"])
    }
    assert queried
    # Queue depth is served only with a Redis broker; exceptions only once one was raised.
    assert queried - served <= {"coop_celery_queue_depth", "django_http_exceptions_total_by_type_total"}
