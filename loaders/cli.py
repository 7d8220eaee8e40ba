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
from loaders.store.schema import DatabaseLockedError


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
        print(f"Cơ sở dữ liệu {exc} đang bị một tiến trình khác (thường là dashboard đang chạy) giữ để ghi. "
              "Hãy dừng dashboard rồi chạy lại lệnh, hoặc tải tệp lên qua trang Tải lên.", file=sys.stderr)
        return EXIT_UNUSABLE
    except KeyboardInterrupt:
        return 130
