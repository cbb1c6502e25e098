"""Run calls at the same moment, each on its own thread and database connection (races on PostgreSQL)."""

import threading
from collections.abc import Callable

from django.db import connections


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
