"""Command line: `python -m loaders [--db PATH] COMMAND`.

Exit codes are a contract: 0 done, 1 refused (validation), 2 unusable input or a locked database.
No traceback reaches the user: every expected failure has a Vietnamese message.
"""
from __future__ import annotations

import argparse
import sys

from loaders.schema import DatabaseLockedError, connect, db_path

EXIT_OK, EXIT_REFUSED, EXIT_UNUSABLE = 0, 1, 2


class UsageError(Exception):
    """Bad arguments: exit 2 with the message."""


class ArgumentParser(argparse.ArgumentParser):
    def error(self, message):
        raise UsageError(message)


def open_db(args, read_only: bool = False):
    """The database named by --db / $CCHC_DB / data/cchc.duckdb; a lock held elsewhere is a clear message."""
    return connect(args.db, read_only=read_only)


def cmd_init(args) -> int:
    from loaders.init_db import init_database

    from loaders.settings import SettingError, match_province

    province = None
    if args.province:
        try:
            province = match_province(args.province)  # checked before anything is written
        except SettingError as exc:
            print(f"Tham số --province: {exc}", file=sys.stderr)
            return EXIT_UNUSABLE
    with open_db(args) as con:
        r = init_database(con, province=province.name if province else None)
    if province:
        print(f"Tỉnh của dashboard: {province.name}")
    print(f"Cơ sở dữ liệu: {db_path(args.db)} (phiên bản lược đồ {r['schema_version']})")
    print(f"Danh mục: {r['units']} đơn vị, {r['indicators']} chỉ tiêu, {r['indices']} bộ chỉ số, "
          f"{r['entities']} tỉnh/đơn vị được xếp hạng")
    state = "đã nạp" if r["reference_new"] else "đã có sẵn"
    print(f"Số liệu công bố chính thức: {r['reference_rows']} dòng ({state}, lô số {r['reference_batch']})")
    return EXIT_OK


def cmd_demo(args) -> int:
    from loaders.demo import load_sample
    from loaders.init_db import init_database

    with open_db(args) as con:
        init_database(con)
        r = load_sample(con)
    if r["already"]:
        print("Dữ liệu mẫu đã có trong cơ sở dữ liệu: không nạp lại.")
    else:
        print(f"Đã nạp DỮ LIỆU MẪU: {r['sample_batches']} lô, {r['sample_rows']} dòng (được gắn nhãn dữ liệu mẫu).")
    return EXIT_OK


def cmd_batches(args) -> int:
    with open_db(args, read_only=True) as con:
        rows = con.execute(
            "SELECT batch_id, uploaded_at, kind, file_name, unit_code, year, quarter, rows, status, uploaded_by "
            "FROM v_upload ORDER BY batch_id DESC LIMIT ?", [args.limit]
        ).fetchall()
    if not rows:
        print("Chưa có lô dữ liệu nào.")
        return EXIT_OK
    from core.periods import quarter_label

    print(f"{'Lô':>5}  {'Thời gian':<16}  {'Loại':<10}  {'Tệp':<34}  {'Đơn vị':<14}  {'Kỳ':<12}  {'Dòng':>5}  Trạng thái")
    for bid, at, kind, file_name, unit, year, quarter, n, status, by in rows:
        period = quarter_label(year, quarter) if year and quarter else (str(year) if year else "")
        state = "đang dùng" if status == "active" else "đã hoàn tác"
        print(f"{bid:>5}  {at:%d/%m/%Y %H:%M}  {kind:<10}  {(file_name or '')[:34]:<34}  {(unit or '')[:14]:<14}  "
              f"{period:<12}  {n:>5}  {state}")
    return EXIT_OK


def cmd_rollback(args) -> int:
    from loaders.audit import record
    from loaders.load_command import _os_user
    from loaders.store import BatchError, rollback_batch

    by = args.by or _os_user()
    with open_db(args) as con:
        try:
            rollback_batch(con, args.batch, by=by)
        except BatchError as exc:
            record(con, by, "rollback_refused", f"lô {args.batch}: {exc} (dòng lệnh)")
            print(f"Không hoàn tác được: {exc}", file=sys.stderr)
            return EXIT_REFUSED
        record(con, by, "rollback", f"lô {args.batch} (dòng lệnh)")
    print(f"Đã hoàn tác lô số {args.batch}: số liệu trước đó được dùng lại.")
    return EXIT_OK


def build_parser() -> ArgumentParser:
    parser = ArgumentParser(prog="python -m loaders", description="Nạp và quản lý dữ liệu CCHC.")
    parser.add_argument("--db", help="tệp DuckDB (mặc định: $CCHC_DB hoặc data/cchc.duckdb)")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=ArgumentParser)
    p = sub.add_parser("init", help="tạo/nâng cấp lược đồ, nạp danh mục và số liệu công bố")
    p.add_argument("--province", help="tỉnh của dashboard (tên cũ hoặc mới, có hoặc không dấu), ví dụ “Sơn La”")
    p.set_defaults(func=cmd_init)
    sub.add_parser("demo", help="init và nạp bộ dữ liệu mẫu (được gắn nhãn mẫu)").set_defaults(func=cmd_demo)
    p = sub.add_parser("batches", help="lịch sử các lô đã nạp")
    p.add_argument("--limit", type=int, default=50)
    p.set_defaults(func=cmd_batches)
    p = sub.add_parser("rollback", help="hoàn tác một lô")
    p.add_argument("batch", type=int)
    p.add_argument("--by", default=None, help="người thực hiện")
    p.set_defaults(func=cmd_rollback)
    for add_commands in _extensions():
        add_commands(sub)
    return parser


def _extensions():
    """Commands that live beside their library code (load, template, plan, user)."""
    from loaders import extensions

    return extensions.COMMANDS


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
