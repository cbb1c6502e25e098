"""The production stack of scripts/prod-stack, started by a test: Caddy, nginx, gunicorn, a Celery
worker and beat against the test database and a Redis database of its own."""

import os
import shutil
import socket
import ssl
import subprocess
import sys
from pathlib import Path

import pytest
import requests

ROOT = Path(__file__).resolve().parents[2]


def front_door_missing() -> str | None:
    """Why the stack cannot start here, or None. `make test` installs these (Makefile)."""
    if not shutil.which("nginx") and not Path("/usr/sbin/nginx").exists():
        return "nginx is not installed (apt-get install nginx-light)"
    if not shutil.which("caddy"):
        return "caddy is not installed (apt-get install caddy)"
    return None


class ProdStack:
    def __init__(self, state: Path, env: dict[str, str]):
        self.state = state
        self.env = {**os.environ, **env, "PROD_STACK_DIR": str(state)}

    def command(self, action: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, str(ROOT / "scripts" / "prod-stack"), action],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=180,
        )

    def start(self) -> None:
        result = self.command("start")
        if result.returncode != 0:
            pytest.fail(f"prod-stack start failed:\n{result.stdout}\n{result.stderr}\n{self.logs()}")
        values = dict(
            line.split("=", 1) for line in (self.state / "stack.env").read_text().splitlines() if "=" in line
        )
        self.url = f"https://127.0.0.1:{values['FRONT_DOOR_HTTPS_PORT']}"
        self.purge_url = f"http://127.0.0.1:{values['NGINX_PORT']}"
        self.ca = self.state / "caddy-data" / "caddy" / "pki" / "authorities" / "local" / "root.crt"

    def stop(self) -> None:
        self.command("stop")

    def logs(self) -> str:
        found = []
        for log in sorted((self.state / "logs").glob("*.log")) if (self.state / "logs").exists() else []:
            found.append(f"--- {log.name}\n{log.read_text(errors='replace')[-20000:]}")
        return "\n".join(found)

    def session(self) -> requests.Session:
        """A client that trusts only the stack's local CA: the certificate is really checked."""
        session = requests.Session()
        session.verify = str(self.ca)
        return session

    def tls_version(self) -> str:
        context = ssl.create_default_context(cafile=str(self.ca))
        context.set_alpn_protocols(["h2", "http/1.1"])
        host, port = self.url.removeprefix("https://").split(":")
        with (
            socket.create_connection((host, int(port)), timeout=5) as raw,
            context.wrap_socket(raw, server_hostname=host) as tls,
        ):
            return tls.selected_alpn_protocol() or ""
