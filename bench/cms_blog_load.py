"""Benchmark: anonymous blog pages under gunicorn (2 workers) with production settings, PostgreSQL
and Redis, measured with wrk.

Usage (PostgreSQL database already migrated; it seeds the demo blog plus bulk posts):
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/coop_cms REDIS_URL=redis://127.0.0.1:6379/3 \
        .venv/bin/python bench/cms_blog_load.py [--posts 1000] [--seconds 10] [--port 8111]
Prints requests/s and latency percentiles per path, first with every request rendered (the
anonymous page cache off, as right after a publish) and then with the anonymous page cache on.
Needs Debian's `wrk` (apt-get install -y wrk).
"""

import argparse
import os
import re
import secrets
import shutil
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PATHS = ["/blog/sourdough-from-scratch/", "/blog/", "/", "/blog/category/news/feed/"]


def setup_django() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
    import django

    django.setup()


def seed(posts: int) -> None:
    from django.core.management import call_command

    from cms.models import BlogIndexPage, BlogPostPage
    from tests.factories.cms import blog_posts_bulk

    call_command("seed_demo", verbosity=0)
    missing = posts - BlogPostPage.objects.count()
    if missing > 0:
        blog_posts_bulk(BlogIndexPage.objects.get(), missing)
    print(f"posts in the blog: {BlogPostPage.objects.count()}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--posts", type=int, default=1000)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--port", type=int, default=8111)
    args = parser.parse_args()
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        sys.exit("Set DATABASE_URL to a PostgreSQL database: the target is measured on PostgreSQL.")
    if not os.environ.get("REDIS_URL", "").startswith("redis"):
        sys.exit("Set REDIS_URL: production settings need Redis (the cache the workers share).")
    if not shutil.which("wrk"):
        sys.exit("wrk is missing: apt-get install -y wrk")
    setup_django()
    seed(args.posts)
    env = production_env(args.port)
    print("collecting static files for the manifest storage …", flush=True)
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"], cwd=ROOT, env=env, check=True
    )
    for cache_seconds in ("0", "600"):
        label = "rendered (page cache off)" if cache_seconds == "0" else "anonymous page cache on"
        print(f"\n== {label}")
        serve_and_measure({**env, "CMS_PAGE_CACHE_SECONDS": cache_seconds}, args)


def production_env(port: int) -> dict:
    """config.settings.production with throwaway secrets, plain http on 127.0.0.1."""
    from accounts.keys import read_or_create_private_key_pem

    pem = read_or_create_private_key_pem(ROOT / "var" / "oidc-bench.pem")
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "SITE_URL": f"http://127.0.0.1:{port}",
        "DJANGO_SECURE_SSL_REDIRECT": "false",
        "DJANGO_STATIC_ROOT": str(ROOT / "var" / "bench-static"),
        "OIDC_RSA_PRIVATE_KEY": pem,
        "SUMUP_API_KEY": "bench-unused",
        "SUMUP_MERCHANT_CODE": "bench-unused",
        "SUMUP_WEBHOOK_SECRET": "bench-unused",
        "DJANGO_CONN_MAX_AGE": "60",  # persistent connections, as production runs
        "DJANGO_LOG_LEVEL": "WARNING",
    }


def serve_and_measure(env: dict, args) -> None:
    import redis

    redis.Redis.from_url(env["REDIS_URL"]).flushdb()  # start cold: no page or fragment cached
    server = subprocess.Popen(
        [
            str(ROOT / ".venv/bin/gunicorn"),
            "config.wsgi",
            "--workers",
            "2",
            "--bind",
            f"127.0.0.1:{args.port}",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )
    try:
        base = f"http://127.0.0.1:{args.port}"
        for _ in range(100):
            try:
                urllib.request.urlopen(base + PATHS[0], timeout=2).read()
                break
            except OSError:
                time.sleep(0.3)
        for path in PATHS:  # warm renditions, caches and connections in both workers
            for _ in range(20):
                urllib.request.urlopen(base + path, timeout=10).read()
        print(f"{'path':40} {'req/s':>9} {'p50 ms':>8} {'p90 ms':>8} {'p99 ms':>8}")
        for path in PATHS:
            out = subprocess.run(
                ["wrk", "-t2", "-c8", f"-d{args.seconds}s", "--latency", base + path],
                capture_output=True,
                text=True,
                check=True,
            ).stdout
            rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
            latency = dict(re.findall(r"\s+(50|90|99)%\s+([\d.]+\w+)", out))
            errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
            print(
                f"{path:40} {rps:9.1f} {to_ms(latency['50']):8.1f} {to_ms(latency['90']):8.1f} "
                f"{to_ms(latency['99']):8.1f}" + (f"  non-2xx: {errors.group(1)}" if errors else ""),
                flush=True,
            )
    finally:
        server.terminate()
        server.wait(timeout=10)


def to_ms(value: str) -> float:
    number, unit = re.match(r"([\d.]+)(\w+)", value).groups()
    return float(number) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


if __name__ == "__main__":
    main()
