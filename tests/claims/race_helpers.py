"""Run callables at the same moment, each in its own thread and database connection.

For the row-lock tests on PostgreSQL: a barrier releases every thread together, each
result (or the exception raised) comes back in order, and each thread closes its
connections so the test database can be dropped.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from django.db import connections


def race(*actions: Callable[[], object]) -> list[object]:
    barrier = threading.Barrier(len(actions))
    results: list[object] = [None] * len(actions)

    def run(i: int, action: Callable[[], object]) -> None:
        try:
            barrier.wait()
            results[i] = action()
        except Exception as exc:  # noqa: BLE001 - the test inspects it
            results[i] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, a)) for i, a in enumerate(actions)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return results
