"""Run a request against the app in a fresh process with its own environment (a database that is
down, or one whose migrations are not applied), as an orchestrator's probe would meet it."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

_REQUEST = """
import json, sys, django
django.setup()
from django.test import Client
headers = json.loads(sys.argv[2])
response = Client().get(sys.argv[1], **headers)
print(json.dumps({"status": response.status_code, "body": response.content.decode(),
                  "headers": dict(response.headers)}))
"""


def request_in_subprocess(path: str, headers: dict[str, str] | None = None, **env: str) -> dict:
    unset = ("DJANGO_", "DATABASE_URL", "REDIS_URL")
    clean = {k: v for k, v in os.environ.items() if not k.startswith(unset)}
    result = subprocess.run(
        [sys.executable, "-c", _REQUEST, path, json.dumps(headers or {})],
        cwd=ROOT,
        env={**clean, "DJANGO_SETTINGS_MODULE": "config.settings.test", **env},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])
