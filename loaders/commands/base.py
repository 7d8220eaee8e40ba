"""What every command shares: exit codes, the argument parser that never exits, the database, who runs it.

Exit codes are a contract: 0 done, 1 refused (validation), 2 unusable input or a locked database.
"""
from __future__ import annotations

import argparse
import getpass
import os

from loaders.store.schema import connect

EXIT_OK, EXIT_REFUSED, EXIT_UNUSABLE = 0, 1, 2


class UsageError(Exception):
    """Bad arguments: exit 2 with the message."""


class ArgumentParser(argparse.ArgumentParser):
    def error(self, message):
        raise UsageError(message)


def open_db(args, read_only: bool = False):
    """The database named by --db / $CCHC_DB / data/cchc.duckdb; a lock held elsewhere is a clear message."""
    return connect(args.db, read_only=read_only)


def os_user() -> str:
    """Who runs the command, for the audit trail."""
    try:
        return getpass.getuser()
    except Exception:  # noqa: BLE001 - no user name in some containers
        return os.environ.get("USER") or "dòng lệnh"
