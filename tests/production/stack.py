"""The production stack of scripts/prod-stack, started by a test: Caddy, nginx, gunicorn, a Celery
worker and beat against the test database and a Redis database of its own."""

import os
import re
import shutil
import socket
import ssl
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests
from django.contrib.auth.hashers import PBKDF2PasswordHasher

from tests.factories.accounts import PASSWORD, UserFactory

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

    def command(
        self, action: str, *arguments: str, env: dict[str, str] | None = None
    ) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, str(ROOT / "scripts" / "prod-stack"), action, *arguments],
            cwd=ROOT,
            env={**self.env, **(env or {})},
            capture_output=True,
            text=True,
            timeout=600,  # a start on a busy machine: migrate, collectstatic, gunicorn --preload
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


def cached_twice(session, url: str):
    """The second answer for `url`: the first one put the page at the door."""
    session.get(url)
    return session.get(url)


def wait_until(predicate, timeout: float, what: str, stack=None):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if value := predicate():
            return value
        time.sleep(0.05)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}\n{stack.logs() if stack else ''}")


def member(first_name: str):
    """A member whose password the stack can check: production has no test-only MD5 hasher."""
    user = UserFactory(first_name=first_name)
    hasher = PBKDF2PasswordHasher()
    user.password = hasher.encode(PASSWORD, hasher.salt())
    user.save(update_fields=["password"])
    return user


def login(stack, email: str):
    session = stack.session()
    form = session.get(f"{stack.url}/account/login/")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form.text).group(1)
    response = session.post(
        f"{stack.url}/account/login/",
        data={"username": email, "password": PASSWORD, "csrfmiddlewaretoken": token},
        headers={"Referer": f"{stack.url}/account/login/", "Origin": stack.url},
    )
    assert response.status_code == 200 and "sessionid" in session.cookies, re.findall(
        r"match[^<]*", response.text
    )
    return session
