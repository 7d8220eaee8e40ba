"""The time the rules read: what day and moment it is now. Tests set it; nothing else does.

Rules that depend on today (a period that has not begun yet is refused; failed sign-ins ask for a pause) read
`today()` and `now()` here, never the system clock directly, so a test can stand on any date:

    with clock.fixed(dt.datetime(2025, 10, 7, 9, 0)):
        ...
"""
from __future__ import annotations

import datetime as dt
from contextlib import contextmanager

_fixed: dt.datetime | None = None


def now() -> dt.datetime:
    """The current local time (naive, like the database's timestamps)."""
    return _fixed if _fixed is not None else dt.datetime.now()


def today() -> dt.date:
    return now().date()


@contextmanager
def fixed(moment: dt.datetime | dt.date):
    """Stand on `moment` for the block (a date means its midnight)."""
    global _fixed
    before = _fixed
    _fixed = moment if isinstance(moment, dt.datetime) else dt.datetime.combine(moment, dt.time())
    try:
        yield
    finally:
        _fixed = before


def advance(seconds: float) -> None:
    """Move a fixed clock on (inside `fixed`)."""
    global _fixed
    if _fixed is None:
        raise RuntimeError("advance() needs a fixed clock")
    _fixed = _fixed + dt.timedelta(seconds=seconds)
