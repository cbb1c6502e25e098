"""Under gunicorn with several workers, /metrics counts every worker's requests (gunicorn.conf.py
turns on prometheus_client's multiprocess mode), not those of whichever worker answers."""

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import requests

from tests.conftest import free_port

ROOT = Path(__file__).resolve().parents[2]
GUNICORN = str(Path(sys.executable).with_name("gunicorn"))


def test_metrics_under_gunicorn_add_up_all_workers(tmp_path):
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL", "PROMETHEUS"))}
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.test",
        DATABASE_URL=f"sqlite:///{tmp_path / 'empty.sqlite3'}",  # the counted requests need no tables
        TMPDIR=str(tmp_path),  # where gunicorn.conf.py puts the metrics files when nothing says
    )
    log = (tmp_path / "gunicorn.log").open("w")
    server = subprocess.Popen(
        [GUNICORN, "config.wsgi:application", "--preload", "--bind", f"127.0.0.1:{port}", "--workers", "3"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                requests.get(f"{base}/healthz", timeout=2)
                break
            except requests.ConnectionError:
                assert time.monotonic() < deadline, (tmp_path / "gunicorn.log").read_text()[-2000:]
                time.sleep(0.3)
        for _ in range(30):
            # An unknown host is refused with a 400 before any view or query, by whichever worker.
            requests.get(f"{base}/", headers={"Host": "not-ours.example"}, timeout=5)
        for _ in range(6):
            text = requests.get(f"{base}/metrics", timeout=10).text
            total = re.search(r"^django_http_requests_before_middlewares_total (\S+)$", text, re.MULTILINE)
            assert total and float(total.group(1)) == 30, text[:3000]
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
