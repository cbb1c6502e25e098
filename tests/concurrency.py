"""Run calls at the same moment, each on its own thread and database connection (races on PostgreSQL)."""

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from django.db import connection, connections, transaction
from django.db.models import QuerySet


def at_once(*calls: Callable[[], object], timeout: float = 30.0) -> list[object]:
    """Start every call together (a barrier) and return what each returned or raised, in order.

    Each thread closes its own connections when done, so the test's transaction=True teardown can flush.
    A thread still running after `timeout` fails the test rather than hanging it.
    """
    start = threading.Barrier(len(calls))
    outcomes: list[object] = [None] * len(calls)

    def run(index: int, call: Callable[[], object]) -> None:
        try:
            start.wait(timeout=timeout)
            outcomes[index] = call()
        except BaseException as exc:  # returned to the test, which decides what is expected
            outcomes[index] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=timeout)
    stuck = [thread.name for thread in threads if thread.is_alive()]
    assert not stuck, f"still running after {timeout} s: {stuck}"
    return outcomes


def raised(outcomes: list[object]) -> list[BaseException]:
    return [outcome for outcome in outcomes if isinstance(outcome, BaseException)]


@contextmanager
def rows_held(queryset: QuerySet, *, until_waiting: int, timeout: float = 30.0) -> Iterator[None]:
    """Lock `queryset`'s rows from another connection until `until_waiting` sessions wait on a lock
    (PostgreSQL only). Calls made inside the block that touch those rows stop there, so a test can
    hold the first of two requests past the point where the second checks the state it changes."""
    held, failure = threading.Event(), []

    def hold() -> None:
        try:
            with transaction.atomic():
                list(queryset.select_for_update())
                held.set()
                deadline = time.monotonic() + timeout
                while _lock_waiters() < until_waiting:
                    if time.monotonic() > deadline:
                        raise TimeoutError(f"fewer than {until_waiting} sessions waited on a lock")
                    time.sleep(0.02)
        except BaseException as exc:
            failure.append(exc)
        finally:
            held.set()
            connections.close_all()

    holder = threading.Thread(target=hold)
    holder.start()
    held.wait(timeout)
    try:
        yield
    finally:
        holder.join(timeout)
    assert not failure, failure


def _lock_waiters() -> int:
    with connection.cursor() as cursor:
        # pg_stat_activity is read once per transaction unless its snapshot is dropped.
        cursor.execute("SELECT pg_stat_clear_snapshot()")
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity"
            " WHERE datname = current_database() AND wait_event_type = 'Lock'"
        )
        return cursor.fetchone()[0]
