"""The front door, side by side in one run, on the stack scripts/prod-stack runs (Caddy -> nginx -> gunicorn).

    DATABASE_URL=postgres://... REDIS_URL=redis://... python bench/front_door.py [--seconds 10]

Starts the stack in PROD_STACK_DIR (var/bench-front-door) unless one is running there, and reports:
- an anonymous post page through the door beside the same bytes as a static file through the same
  door (wrk, HTTPS/1.1, same connections): req/s, p99, and the page's share (the issue: >= 50 %,
  p99 < 20 ms);
- a logged-in reader's page through the door beside the same request straight to gunicorn (the door
  must not slow members, whose pages it never caches);
- a burst of 10,000 preview fetches (h2load, HTTP/2) of a post published a moment before: time, status
  codes, and how many of them reached Django at all (gunicorn's access log), the rest being answered
  by the door without a query; PostgreSQL's transaction count over the burst beside it (every
  process's, the worker's and beat's included);
- publish-to-visible, edit-to-visible and stock-change-to-visible (the product page, the market
  page's card) through the door (from the commit to the first read showing it, polled every 10 ms);
- beside each wrk row, the CPU time each process of the door spent per request (Caddy, nginx's
  workers, gunicorn's, wrk's own), from /proc: on a shared machine wall-clock figures move with the
  other load, CPU per request much less;
- the load average at the start and the end: on a busy machine every figure is worse.
Needs Debian's wrk and nghttp2-client (h2load), besides the stack's nginx-light and caddy.
"""

import argparse
import json
import os
import re
import shutil
import ssl
import subprocess
import sys
import time
import urllib.request
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PROD_STACK = [sys.executable, str(ROOT / "scripts" / "prod-stack")]
BURST = 10_000
EXITING: list[subprocess.Popen] = []  # shells that printed their line and are still exiting

# Run by `scripts/prod-stack manage shell -c` with the stack's settings; each prints one JSON line.
SETUP = """
import json, time
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from accounts.models import User
from tests.factories.cms import blog_index_ensure
from tests.factories.commerce import stocked_product
blog_index_ensure()
member, _ = User.objects.get_or_create(email="bench@front-door.example")
hasher = PBKDF2PasswordHasher()
member.password = hasher.encode("bench-password", hasher.salt()); member.save()
product = stocked_product(title="Bench honey", num_in_stock=50)
from commerce.models import MarketPage
from home.demo import home_page_ensure
market = MarketPage.objects.filter(slug="bench-market").first() or home_page_ensure().add_child(
    instance=MarketPage(title="Bench market", slug="bench-market"))
market.body = [("products", {"products": [product]})]; market.save()
print("BENCH " + json.dumps(
    {"product": product.get_absolute_url(), "product_id": product.pk, "market": market.url}), flush=True)
"""
PUBLISH = """
import json, time
from tests.factories.social import blog_post, publish
post = publish(blog_post(title=TITLE, summary="A post the bench publishes."))
print("BENCH " + json.dumps({"url": post.url, "id": post.pk, "committed": time.time()}), flush=True)
"""
EDIT = """
import json, time
from cms.models import BlogPostPage
from tests.factories.social import publish
post = BlogPostPage.objects.get(pk=PAGE_ID); post.title = TITLE; publish(post)
print("BENCH " + json.dumps({"committed": time.time()}), flush=True)
"""
STOCK = """
import json, time
from oscar.core.loading import get_model
record = get_model("partner", "StockRecord").objects.get(product_id=PRODUCT_ID)
record.num_in_stock = STOCK; record.save()
print("BENCH " + json.dumps({"committed": time.time()}), flush=True)
"""


def state_dir() -> Path:
    return Path(os.environ.get("PROD_STACK_DIR", ROOT / "var" / "bench-front-door")).resolve()


def stack_values(state: Path) -> dict[str, str]:
    text = (state / "stack.env").read_text()
    return dict(line.split("=", 1) for line in text.splitlines() if "=" in line)


def stack_running(state: Path) -> bool:
    if not (state / "stack.env").exists():
        return False
    status = subprocess.run([*PROD_STACK, "status"], env=stack_env(state), capture_output=True, text=True)
    return "stopped" not in status.stdout


def stack_env(state: Path) -> dict[str, str]:
    return {**os.environ, "PROD_STACK_DIR": str(state)}


def in_stack(state: Path, code: str, **values) -> tuple[dict, float]:
    """Run `code` in the stack's Django; returns its JSON line and when that line arrived."""
    for name, value in values.items():
        code = code.replace(name, repr(value))
    process = subprocess.Popen(
        [*PROD_STACK, "manage", "shell", "-c", code],
        env=stack_env(state),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    for line in process.stdout:
        if line.startswith("BENCH "):
            # Not waiting for the shell to exit: its teardown (the broker's connections) took
            # seconds on a busy machine, and the page is read from the moment of the commit.
            EXITING.append(process)
            return json.loads(line[6:]), time.time()
    sys.exit(f"the stack's shell failed:\n{process.stderr.read()}")


class Door:
    def __init__(self, state: Path):
        values = stack_values(state)
        self.base = f"https://127.0.0.1:{values['FRONT_DOOR_HTTPS_PORT']}"
        self.gunicorn = f"http://127.0.0.1:{values['GUNICORN_PORT']}"
        self.context = ssl.create_default_context(
            cafile=str(state / "caddy-data/caddy/pki/authorities/local/root.crt")
        )
        self.state = state

    def get(self, path: str, headers: dict | None = None) -> tuple[int, dict, bytes]:
        request = urllib.request.Request(self.base + path, headers=headers or {})
        try:
            with urllib.request.urlopen(request, context=self.context, timeout=10) as response:
                return response.status, dict(response.headers), response.read()
        except urllib.error.HTTPError as error:
            return error.code, dict(error.headers), b""

    def visible_after(self, path: str, committed: float, shows: str, timeout: float = 60.0) -> float:
        """Seconds from the commit to the first read through the door that shows `shows`."""
        deadline = time.time() + timeout
        while time.time() < deadline:
            status, _, body = self.get(path)
            if status == 200 and shows.encode() in body:
                return time.time() - committed
            time.sleep(0.01)
        return float("inf")

    def app_requests(self, path: str) -> int:
        """How many requests for `path` gunicorn has answered (its access log)."""
        log = self.state / "logs" / "gunicorn.log"
        return log.read_text(errors="replace").count(f'"GET {path} ') if log.exists() else 0

    def member_cookie(self, email: str, password: str) -> str:
        import http.cookiejar

        jar = http.cookiejar.CookieJar()
        https = urllib.request.HTTPSHandler(context=self.context)
        opener = urllib.request.build_opener(https, urllib.request.HTTPCookieProcessor(jar))
        form = opener.open(self.base + "/account/login/").read().decode()
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form).group(1)
        data = urllib.parse.urlencode({"username": email, "password": password, "csrfmiddlewaretoken": token})
        login = urllib.request.Request(
            self.base + "/account/login/",
            data=data.encode(),
            headers={"Referer": self.base + "/account/login/", "Origin": self.base},
        )
        opener.open(login).read()
        cookies = {cookie.name: cookie.value for cookie in jar}
        if "sessionid" not in cookies:
            sys.exit("the bench's member could not sign in")
        return "; ".join(f"{name}={value}" for name, value in cookies.items())


def process_tree(pid: int) -> list[int]:
    """A process and all its descendants (nginx's workers, gunicorn's)."""
    found = [pid]
    try:
        for thread in os.listdir(f"/proc/{pid}/task"):
            for child in Path(f"/proc/{pid}/task/{thread}/children").read_text().split():
                found += process_tree(int(child))
    except OSError:
        pass
    return found


def cpu_seconds(pids: list[int]) -> float:
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / os.sysconf("SC_CLK_TCK")


DOOR_PROCESSES = ("caddy", "nginx", "gunicorn")


def wrk(
    url: str, seconds: int, connections: int, headers: dict | None = None, *, state: Path
) -> tuple[float, float, str]:
    """req/s, p99 in ms, and each door process's CPU microseconds per request."""
    extra = [arg for name, value in (headers or {}).items() for arg in ("-H", f"{name}: {value}")]
    command = ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--timeout", "10s", "--latency", *extra]
    command.append(url)
    pids = {name: process_tree(int((state / f"{name}.pid").read_text())) for name in DOOR_PROCESSES}
    before, wrk_before = {name: cpu_seconds(tree) for name, tree in pids.items()}, os.times()
    out = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    after, wrk_after = {name: cpu_seconds(tree) for name, tree in pids.items()}, os.times()
    requests = int(re.search(r"(\d+) requests in", out).group(1)) or 1
    used = {name: after[name] - before[name] for name in DOOR_PROCESSES}
    used["wrk"] = sum(wrk_after[2:4]) - sum(wrk_before[2:4])
    cpu = " ".join(f"{name} {seconds / requests * 1e6:.0f}" for name, seconds in used.items())
    if errors := re.search(r"Socket errors: .*", out):
        print(f"  ({url}: {errors.group(0)})")
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    value, unit = re.search(r"99%\s+([\d.]+)(us|ms|s)", out).groups()
    non_2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    if non_2xx:
        sys.exit(f"{url}: {non_2xx.group(1)} answers were not 2xx/3xx")
    return rate, float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit], cpu


def h2load(url: str, requests: int) -> dict:
    command = ["h2load", "-n", str(requests), "-c", "64", "-m", "8", url]
    out = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    finished = re.search(r"finished in ([\d.]+)(ms|s)", out)
    codes = re.search(r"status codes: (\d+) 2xx, (\d+) 3xx, (\d+) 4xx, (\d+) 5xx", out)
    done = re.search(
        r"requests: \d+ total, \d+ started, (\d+) done, (\d+) succeeded, (\d+) failed, (\d+) errored", out
    )
    seconds = float(finished.group(1)) / (1000 if finished.group(2) == "ms" else 1)
    return {
        "seconds": seconds,
        "2xx": int(codes.group(1)),
        "other": sum(int(codes.group(n)) for n in (2, 3, 4)),
        "failed": int(done.group(3)) + int(done.group(4)),
    }


def pg_transactions() -> int | None:
    """Committed and rolled-back transactions on the stack's database so far (every process's)."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        return None
    time.sleep(1.2)  # the statistics are flushed about once a second
    query = "select xact_commit + xact_rollback from pg_stat_database where datname = current_database()"
    out = subprocess.run(["psql", url, "-Atc", query], capture_output=True, text=True)
    return int(out.stdout.strip()) if out.returncode == 0 else None


def row(name: str, rate: float, p99: float, cpu: str) -> str:
    return f"  {name:34} {rate:9.0f} req/s   p99 {p99:7.2f} ms   CPU us/request: {cpu}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=32)
    args = parser.parse_args()
    for tool, package in (("wrk", "wrk"), ("h2load", "nghttp2-client")):
        if not shutil.which(tool):
            sys.exit(f"needs Debian's {package}: apt-get install {package}")
    state = state_dir()
    started_here = not stack_running(state)
    if started_here:
        subprocess.run([*PROD_STACK, "start"], env=stack_env(state), check=True)
    try:
        report(Door(state), args)
    finally:
        for process in EXITING:
            process.wait()
        if started_here:
            subprocess.run([*PROD_STACK, "stop"], env=stack_env(state))


def report(door: Door, args) -> None:
    print(
        f"load average at the start: {' '.join(f'{x:.2f}' for x in os.getloadavg())} ({os.cpu_count()} CPUs)"
    )
    setup, _ = in_stack(door.state, SETUP)

    title = f"Published {uuid.uuid4().hex[:8]}"
    published, _ = in_stack(door.state, PUBLISH, TITLE=title)
    publish_visible = door.visible_after(published["url"], published["committed"], title)
    print(f"publish to visible through the door: {publish_visible * 1000:.0f} ms")

    # The burst: a post published a moment ago, fetched 10,000 times at once (link previews).
    fresh_title = f"Shared widely {uuid.uuid4().hex[:8]}"
    fresh, _ = in_stack(door.state, PUBLISH, TITLE=fresh_title)
    path = fresh["url"]
    app_before, xact_before = door.app_requests(path), pg_transactions()
    burst = h2load(door.base + path, BURST)
    time.sleep(0.5)  # gunicorn writes its access log line after the answer
    app_after, xact_after = door.app_requests(path), pg_transactions()
    print(
        f"burst of {BURST} preview fetches of a new post: {burst['seconds']:.2f} s, "
        f"{burst['2xx']} answered 200, {burst['other']} other, {burst['failed']} failed"
    )
    reached = app_after - app_before
    print(
        f"  reached Django during the burst: {reached} (the publish's own refresh included, if it came then);"
        f" the door answered the other {BURST - reached} without it, so without a query"
    )
    if xact_before is not None:
        print(
            f"  PostgreSQL transactions meanwhile, all processes (worker, beat): {xact_after - xact_before}"
        )

    edits = []
    for n in range(3):
        new_title = f"{title} edit {n}"
        door.get(published["url"])  # cached again before the edit
        edited, _ = in_stack(door.state, EDIT, PAGE_ID=published["id"], TITLE=new_title)
        edits.append(door.visible_after(published["url"], edited["committed"], new_title))
    print("edit to visible through the door: " + ", ".join(f"{s * 1000:.0f} ms" for s in edits))
    product = setup["product"]
    door.get(product), door.get(product)  # cached at the door before the change
    changed, _ = in_stack(door.state, STOCK, PRODUCT_ID=setup["product_id"], STOCK=17)
    stock_visible = door.visible_after(product, changed["committed"], "(17 available)")
    print(f"stock change to visible on the product page through the door: {stock_visible * 1000:.0f} ms")
    market = setup["market"]
    door.get(market), door.get(market)  # the market page's card for the same product, at the door
    changed, _ = in_stack(door.state, STOCK, PRODUCT_ID=setup["product_id"], STOCK=16)
    market_visible = door.visible_after(market, changed["committed"], "16 in stock")
    print(f"stock change to visible on the market page through the door: {market_visible * 1000:.0f} ms")

    # The page beside the same bytes served as a static file by the same door.
    _, _, body = door.get(published["url"])
    static_root = Path(os.environ.get("DJANGO_STATIC_ROOT", door.state / "static"))
    copy = static_root / "bench" / "post.html"
    copy.parent.mkdir(parents=True, exist_ok=True)
    copy.write_bytes(body)
    try:
        door.get(published["url"])
        page = wrk(door.base + published["url"], args.seconds, args.connections, state=door.state)
        static = wrk(door.base + "/static/bench/post.html", args.seconds, args.connections, state=door.state)
        # As browsers ask: the door keeps the page gzipped and sends those bytes as they are.
        gzipped = wrk(
            door.base + published["url"],
            args.seconds,
            args.connections,
            {"Accept-Encoding": "gzip"},
            state=door.state,
        )
    finally:
        copy.unlink()
    print(
        f"anonymous post page ({len(body)} bytes) beside the same bytes as a static file, through the door:"
    )
    print(row("post page (cached at the door)", *page))
    print(row("static file", *static))
    print(f"  page / static: {page[0] / static[0]:.0%} (target >= 50 %, p99 < 20 ms)")
    print(row("post page, Accept-Encoding: gzip", *gzipped))

    cookie = door.member_cookie("bench@front-door.example", "bench-password")
    member = {"Cookie": cookie}
    # Fewer connections: each of these requests is rendered by Django, whose few workers they share.
    connections = min(8, args.connections)
    through = wrk(door.base + published["url"], args.seconds, connections, member, state=door.state)
    host = door.base.removeprefix("https://")
    direct = wrk(
        door.gunicorn + published["url"],
        args.seconds,
        connections,
        {**member, "Host": host, "X-Forwarded-Proto": "https"},
        state=door.state,
    )
    print(f"a signed-in member's post page (never cached at the door; {connections} connections):")
    print(row("through the door", *through))
    print(row("straight to gunicorn", *direct))
    print(f"load average at the end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
