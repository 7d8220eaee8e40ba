"""Failed sign-ins slow the one who fails, not the one who knows the password.

The red-team run found that five wrong passwords locked an account for 15 minutes, the right password included,
that anyone could renew the lock (the only administrator could be kept out for good), that spraying one password
over many names was not slowed at all, and that locked attempts added about 329 audit rows a second.

Now two streaks of failures are kept (table sign_in_throttle):
- per client and name: the attempts of one machine at one account;
- per client: the attempts of one machine at any account (a password sprayed over names).
After FREE_FAILURES failures a streak asks for a pause before the next try, doubling from one second up to
MAX_DELAY_SECONDS (30 s for a name from one machine, 60 s for a machine whatever the name). A try during the pause is refused without checking the
password, and it neither lengthens the pause nor writes an audit row: hammering buys nothing. A streak ends with
a successful sign-in (for that name) or after STREAK_MINUTES without failures. The administrator's own machine
is never slowed by failures made elsewhere, and no pause is longer than a minute.

The audit trail gets one row per streak ("sign_in_failed"), whose detail says how many failures it counts; each
new failure updates that row's count instead of adding one.
"""
from __future__ import annotations

import datetime as dt

from core import clock
from loaders.store.writer import one_writer

FREE_FAILURES = 3
MAX_DELAY_SECONDS = {"name": 30, "client": 60}
STREAK_MINUTES = 15
CLIENT_SCOPE = "*"  # the name of the per-client streak


def delay_after(failures: int, scope: str) -> int:
    """Seconds of pause a streak of `failures` asks for (0 for the first FREE_FAILURES)."""
    if failures < FREE_FAILURES:
        return 0
    return min(2 ** (failures - FREE_FAILURES), MAX_DELAY_SECONDS[scope])


def _streak(con, client: str, name: str, now: dt.datetime):
    row = con.execute("SELECT failures, last_at, audit_id FROM sign_in_throttle WHERE client = ? AND name = ?",
                      [client, name]).fetchone()
    if row is None or row[1] < now - dt.timedelta(minutes=STREAK_MINUTES):
        return 0, None, None
    return row


def wait_seconds(con, client: str, name: str) -> int:
    """How long this machine must still wait before trying this name (0: it may try now)."""
    now = clock.now()
    wait = 0
    for key, scope in ((name, "name"), (CLIENT_SCOPE, "client")):
        failures, last_at, _ = _streak(con, client, key, now)
        if failures:
            left = delay_after(failures, scope) - (now - last_at).total_seconds()
            wait = max(wait, int(left + 0.999))
    return max(wait, 0)


@one_writer
def failed(con, client: str, name: str | None, detail: str) -> int:
    """Count a failure of this machine at this name (None: a name that is not even well formed) and at any name;
    returns how many failures the name's streak now holds. One audit row per streak carries the count."""
    from loaders.accounts.audit import record, update_detail

    now = clock.now()
    count = 0
    for key in ((name or "?"), CLIENT_SCOPE):
        failures, _, audit_id = _streak(con, client, key, now)
        failures += 1
        if key != CLIENT_SCOPE:
            count = failures
            text = f"{detail} — {failures} lần liên tiếp từ máy {client}"
            if audit_id is None:
                audit_id = record(con, name, "sign_in_failed", text)
            else:
                update_detail(con, audit_id, text)
        con.execute("INSERT OR REPLACE INTO sign_in_throttle (client, name, failures, last_at, audit_id) "
                    "VALUES (?, ?, ?, ?, ?)", [client, key, failures, now, audit_id])
    return count


@one_writer
def succeeded(con, client: str, name: str) -> None:
    """The right password ends the name's streak on every machine, and this machine's own streak."""
    con.execute("DELETE FROM sign_in_throttle WHERE name = ? OR (client = ? AND name = ?)", [name, client, CLIENT_SCOPE])


@one_writer
def forget_name(con, name: str) -> None:
    """A new password set by an administrator ends the name's streaks."""
    con.execute("DELETE FROM sign_in_throttle WHERE name = ?", [name])
