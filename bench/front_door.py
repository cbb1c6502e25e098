"""The anonymous page through the front door beside a static file through the same front door.

Start the stack first (`scripts/prod-stack start`, with DATABASE_URL and REDIS_URL), then
`python bench/front_door.py [--page /blog/some-post/] [--seconds 10]`. It reads the stack's ports
from PROD_STACK_DIR (var/prod-stack), warms the page into the cache, and runs wrk (Debian's `wrk`)
against both URLs over HTTPS/1.1 with the same connections, printing req/s and p99 for each and the
page's share of the static file's rate (the issue asks for >= 50%, p99 < 20 ms).
"""

import argparse
import os
import re
import shutil
import ssl
import subprocess
import sys
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def stack_values(state: Path) -> dict[str, str]:
    env_file = state / "stack.env"
    if not env_file.exists():
        sys.exit(f"no stack in {state}: run `scripts/prod-stack start` first")
    return dict(line.split("=", 1) for line in env_file.read_text().splitlines() if "=" in line)


def static_path(state: Path) -> str:
    root = Path(os.environ.get("DJANGO_STATIC_ROOT", state / "static"))
    candidates = sorted((root / "css").glob("*.css")) or sorted(root.rglob("*.css"))
    if not candidates:
        sys.exit(f"no static files under {root}")
    return "/static/" + str(candidates[0].relative_to(root))


def wrk(url: str, seconds: int, connections: int) -> tuple[float, float]:
    out = subprocess.run(
        ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", url],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    value, unit = re.search(r"99%\s+([\d.]+)(us|ms|s)", out).groups()
    p99_ms = float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]
    return rate, p99_ms


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--page", default="/")
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=32)
    args = parser.parse_args()
    if not shutil.which("wrk"):
        sys.exit("needs Debian's wrk: apt-get install wrk")
    state = Path(os.environ.get("PROD_STACK_DIR", ROOT / "var" / "prod-stack"))
    base = f"https://127.0.0.1:{stack_values(state)['FRONT_DOOR_HTTPS_PORT']}"
    context = ssl.create_default_context(
        cafile=str(state / "caddy-data/caddy/pki/authorities/local/root.crt")
    )
    for _ in range(2):  # the second answer is the cached one
        with urllib.request.urlopen(base + args.page, context=context) as response:
            status = response.headers.get("X-Cache-Status")
    print(f"page {args.page}: X-Cache-Status {status}")
    page = wrk(base + args.page, args.seconds, args.connections)
    static = wrk(base + static_path(state), args.seconds, args.connections)
    for name, (rate, p99) in (("anonymous page", page), ("static file", static)):
        print(f"{name:15} {rate:10.0f} req/s   p99 {p99:6.2f} ms")
    print(f"page / static: {page[0] / static[0]:.0%}")


if __name__ == "__main__":
    main()
