"""The one writer of a process: every write to the database takes this lock, whoever calls.

DuckDB lets one process hold the file; inside it, two write transactions that touch the same rows conflict
("Conflict on tuple deletion") and one of them fails. So the writes are serialised here, at the bottom, not
only in the pages' write door: batches and rollbacks (loaders.store.batches), the refresh of the maintained
tables, audit entries, account, registry and target edits, plan saves and task marks all run under
`serialised()`, from the pages (loaders.api takes it around each whole check-then-write) and from the command
line alike. The lock is re-entrant: a write door function that holds it calls library functions that take it
again. Readers never take it.
"""
from __future__ import annotations

import threading
from contextlib import contextmanager

WRITE_LOCK = threading.RLock()


@contextmanager
def serialised():
    """Hold the process's write lock for the block."""
    with WRITE_LOCK:
        yield


def one_writer(fn):
    """A library write function that runs under the process's write lock."""
    from functools import wraps

    @wraps(fn)
    def call(*args, **kwargs):
        with WRITE_LOCK:
            return fn(*args, **kwargs)
    return call
