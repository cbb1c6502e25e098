"""Gunicorn reads this file from the working directory by itself (the Dockerfile's CMD and scripts/
need no flag). Every worker writes its Prometheus metrics to files in one directory, and /metrics
adds them up, so a scrape counts all workers' requests instead of one random worker's."""

import os
import shutil
import tempfile

# Read once by the master before --preload loads the app; the workers inherit the variable.
_metrics_dir = os.environ.setdefault(
    "PROMETHEUS_MULTIPROC_DIR", os.path.join(tempfile.gettempdir(), f"coop-prometheus-{os.getpid()}")
)
shutil.rmtree(_metrics_dir, ignore_errors=True)  # a previous run's counts are not this run's
os.makedirs(_metrics_dir, exist_ok=True)


def child_exit(server, worker):
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)
