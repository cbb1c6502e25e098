"""Lighthouse's four category scores for the home page, a blog post, a product and an event date.

Usage: `.venv/bin/python bench/lighthouse.py [--port 8123]`. It installs Lighthouse (pinned below)
into var/lighthouse with npm the first time, builds a demo site in its own SQLite database under
var/lighthouse (migrate + seed_demo, as `make run` does), serves it with gunicorn on 127.0.0.1 and
runs headless Debian chromium against each page. Static files are collected and compressed as in
production (bench/lighthouse_settings.py). Targets (issue 16): accessibility, best practices
and SEO >= 95, performance >= 90. Exits 1 when a score misses its target.
"""

import argparse
import json
import os
import re
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import urljoin

ROOT = Path(__file__).resolve().parents[1]
STATE = ROOT / "var" / "lighthouse"
LIGHTHOUSE_VERSION = "12.8.2"  # the last line that runs on Node 20 (13.x needs Node 22)
LIGHTHOUSE = STATE / "node_modules" / ".bin" / "lighthouse"
CHROME = "/usr/bin/chromium"
CATEGORIES = ("performance", "accessibility", "best-practices", "seo")
TARGETS = {"performance": 90, "accessibility": 95, "best-practices": 95, "seo": 95}


def install_lighthouse() -> None:
    package = STATE / "node_modules" / "lighthouse" / "package.json"
    if package.exists() and json.loads(package.read_text())["version"] == LIGHTHOUSE_VERSION:
        return
    print(f"installing lighthouse@{LIGHTHOUSE_VERSION} into {STATE} …", flush=True)
    subprocess.run(
        ["npm", "install", "--prefix", str(STATE), "--no-audit", "--no-fund"]
        + [f"lighthouse@{LIGHTHOUSE_VERSION}"],
        check=True,
    )


def site_env(port: int) -> dict[str, str]:
    """`make run`'s development settings with production's static files (bench/lighthouse_settings.py),
    on a database of the bench's own."""
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "bench.lighthouse_settings",
        "DATABASE_URL": f"sqlite:///{STATE / 'site.sqlite3'}",
        "REDIS_URL": "",  # Celery runs eagerly and the cache is local memory: nothing shared touched
        "SITE_URL": f"http://127.0.0.1:{port}",
        "DJANGO_MEDIA_ROOT": str(STATE / "media"),
    }


def manage(env: dict[str, str], *args: str) -> None:
    subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True)


def demo_paths(env: dict[str, str]) -> dict[str, str]:
    """The pages to measure, read from the seeded database."""
    script = (
        "import json\n"
        "from oscar.core.loading import get_model\n"
        "from cms.models import BlogPostPage\n"
        "post = BlogPostPage.objects.live().order_by('path').first()\n"
        "product = get_model('catalogue', 'Product').objects.get(upc='RA-HONEY')\n"
        "print(json.dumps({'post': post.url, 'product': product.get_absolute_url()}))\n"
    )
    out = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", script],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return json.loads(out.strip().splitlines()[-1])


def event_date_path(base: str) -> str:
    """The first date linked from the events calendar (this month's, else next month's)."""
    html = urllib.request.urlopen(base + "/events/", timeout=30).read().decode()
    found = re.findall(r'href="(/events/o/\d+/[^"]+/)"', html)
    if not found:
        following = re.search(r'href="([^"]*)"[^>]*>\s*Next month', html)
        if following:
            html = urllib.request.urlopen(urljoin(base + "/events/", following.group(1)), timeout=30)
            found = re.findall(r'href="(/events/o/\d+/[^"]+/)"', html.read().decode())
    if not found:
        sys.exit("no event date linked from /events/")
    return found[0]


def serve(env: dict[str, str], port: int) -> subprocess.Popen:
    server = subprocess.Popen(
        [
            str(ROOT / ".venv" / "bin" / "gunicorn"),
            "config.wsgi",
            "--workers",
            "2",
            "--bind",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )
    for _ in range(150):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5).read()
            return server
        except OSError:
            if server.poll() is not None:
                sys.exit("the demo site did not start")
            time.sleep(0.3)
    server.terminate()
    sys.exit("the demo site did not answer")


def lighthouse(url: str, report: Path) -> dict[str, int]:
    subprocess.run(
        [
            str(LIGHTHOUSE),
            url,
            "--quiet",
            "--output=json",
            f"--output-path={report}",
            f"--only-categories={','.join(CATEGORIES)}",
            "--chrome-flags=--headless=new --no-sandbox --disable-gpu",
        ],
        env={**os.environ, "CHROME_PATH": CHROME},
        check=True,
    )
    categories = json.loads(report.read_text())["categories"]
    return {name: round(categories[name]["score"] * 100) for name in CATEGORIES}


def failing_audits(report: Path) -> list[str]:
    """The audits that lost points, for the categories below their target."""
    data = json.loads(report.read_text())
    lost = []
    for name in CATEGORIES:
        for ref in data["categories"][name]["auditRefs"]:
            audit = data["audits"][ref["id"]]
            if ref["weight"] and audit["score"] is not None and audit["score"] < 0.9:
                lost.append(f"{name}: {audit['id']} ({audit['score']})")
    return lost


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=8123)
    args = parser.parse_args()
    STATE.mkdir(parents=True, exist_ok=True)
    install_lighthouse()
    env = site_env(args.port)
    manage(env, "migrate", "--noinput", "-v0")
    manage(env, "seed_demo", "-v0")
    manage(env, "collectstatic", "--noinput", "-v0")
    paths = {"home": "/", **demo_paths(env)}
    server = serve(env, args.port)
    base = f"http://127.0.0.1:{args.port}"
    missed = []
    try:
        paths["event date"] = event_date_path(base)
        print(f"{'page':12} {'path':45} " + " ".join(f"{name:>14}" for name in CATEGORIES))
        for name, path in paths.items():
            report = STATE / f"report-{name.replace(' ', '-')}.json"
            scores = lighthouse(base + path, report)
            print(f"{name:12} {path:45} " + " ".join(f"{scores[c]:>14}" for c in CATEGORIES), flush=True)
            missed += [f"{name} {c} {scores[c]} < {TARGETS[c]}" for c in CATEGORIES if scores[c] < TARGETS[c]]
            for line in failing_audits(report):
                print(f"    {line}")
    finally:
        server.terminate()  # gunicorn's graceful stop can outlast a loaded machine's patience
        try:
            server.wait(timeout=60)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
    if missed:
        print("below target: " + "; ".join(missed))
        sys.exit(1)


if __name__ == "__main__":
    main()
