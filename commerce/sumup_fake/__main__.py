"""Run the fake SumUp server: `python -m commerce.sumup_fake --port 8140 --secret …`."""

import argparse
import os
import signal
import threading

from commerce.sumup_fake.server import FakeSumUp


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, default=int(os.environ.get("SUMUP_FAKE_PORT", "8140")))
    parser.add_argument(
        "--api-key", default=os.environ.get("SUMUP_API_KEY", "sup_sk_dev_fake"), help="bearer key accepted"
    )
    parser.add_argument(
        "--secret",
        default=os.environ.get("SUMUP_WEBHOOK_SECRET", "dev-only-webhook-secret"),
        help="webhook signing secret",
    )
    args = parser.parse_args()
    fake = FakeSumUp(port=args.port, api_key=args.api_key, webhook_secret=args.secret)
    fake.start()
    print(f"fake SumUp listening on {fake.url}", flush=True)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    stop.wait()
    fake.stop()


if __name__ == "__main__":
    main()
