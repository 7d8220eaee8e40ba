"""Command line: `python -m loaders [--db PATH] COMMAND`, a thin shell over the library.

Each command lives in loaders/commands/ (admin: init, demo, batches, rollback; load and template; plan; reporting;
user)
and maps the library's named errors to Vietnamese messages and the exit codes of commands/base.py.
No traceback reaches the user: every expected failure has a Vietnamese message.
"""
from __future__ import annotations

import sys

from loaders.commands import admin, load, plan, reporting, user
from loaders.commands.base import EXIT_UNUSABLE, ArgumentParser, UsageError
from loaders.store.schema import DatabaseLockedError, database_fault


def build_parser() -> ArgumentParser:
    parser = ArgumentParser(prog="python -m loaders", description="Nạp và quản lý dữ liệu CCHC.")
    parser.add_argument("--db", help="tệp DuckDB (mặc định: $CCHC_DB hoặc data/cchc.duckdb)")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=ArgumentParser)
    for module in (admin, load, plan, reporting, user):
        module.add_commands(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except UsageError as exc:
        print(f"Tham số không hợp lệ: {exc}\n", file=sys.stderr)
        parser.print_usage(sys.stderr)
        return EXIT_UNUSABLE
    except SystemExit as exc:  # --help
        return int(exc.code or 0)
    try:
        return args.func(args)
    except DatabaseLockedError as exc:
        return unusable(args, held_message(exc))
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # noqa: BLE001 - a damaged database file is a message and exit 2, never a traceback
        fault = database_fault(getattr(args, "db", None), exc)
        if fault is None:
            raise
        return unusable(args, str(fault))


def held_message(path) -> str:
    return (f"Cơ sở dữ liệu {path} đang bị một tiến trình khác giữ — thường là dashboard: dashboard giữ tệp suốt "
            "lúc nó chạy. Hãy dừng dashboard rồi chạy lại lệnh, hoặc làm việc này trên dashboard (trang Tải lên).")


def unusable(args, message: str) -> int:
    """Exit 2 with the message: on stderr, or as the one JSON object of a command run with --json."""
    if getattr(args, "json", False):
        import json

        print(json.dumps({"status": "unusable", "batch": None, "kind": getattr(args, "kind", None) or "", "rows": 0,
                          "errors": [{"sheet": None, "row": None, "column": None, "message": message}],
                          "warnings": []}, ensure_ascii=False))
    else:
        print(message, file=sys.stderr)
    return EXIT_UNUSABLE
