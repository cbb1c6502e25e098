"""Transports for tests: the transport is a seam, so a test may plug in one that fails or stalls."""

import os
import time

from social.transport import OutboundActivity, TransportReceipt
from social.transport_log import ActivityLogTransport


class FailingTransport(ActivityLogTransport):
    """Fails the first `failures` deliveries (a broken network), then behaves like the default."""

    failures = 1
    calls = 0

    def deliver(self, activity: OutboundActivity) -> TransportReceipt:
        type(self).calls += 1
        if type(self).calls <= type(self).failures:
            raise ConnectionError("the network is down")
        return super().deliver(activity)


class StallingTransport(ActivityLogTransport):
    """Writes a marker file then sleeps: used to kill a real worker in the middle of a step."""

    def deliver(self, activity: OutboundActivity) -> TransportReceipt:
        marker = os.environ.get("SOCIAL_TEST_STALL_MARKER")
        if marker:
            with open(marker, "w") as handle:
                handle.write(activity.activity_id)
        time.sleep(float(os.environ.get("SOCIAL_TEST_STALL_SECONDS", "60")))
        return super().deliver(activity)
