"""Start-up refuses bad configuration with one clear line."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def run_manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    clean = {
        k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL", "REDIS_URL"))
    }
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env={**clean, **env}, capture_output=True, text=True
    )


def test_production_without_secrets_stops_with_one_line():
    result = run_manage("check", DJANGO_SETTINGS_MODULE="config.settings.production")
    assert result.returncode != 0
    assert result.stderr.strip().count("\n") == 0
    assert "DJANGO_SECRET_KEY" in result.stderr and "Traceback" not in result.stderr


def test_bad_database_url_stops_with_one_line():
    result = run_manage("check", DJANGO_SETTINGS_MODULE="config.settings.dev", DATABASE_URL="nonsense://x")
    assert result.returncode != 0
    assert "DATABASE_URL" in result.stderr and "Traceback" not in result.stderr
