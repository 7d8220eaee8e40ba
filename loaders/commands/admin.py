"""`python -m loaders init | demo | batches | rollback`: the database and its batches."""
from __future__ import annotations

import sys

from loaders.commands.base import EXIT_OK, EXIT_REFUSED, EXIT_UNUSABLE, open_db, os_user
from loaders.store.schema import db_path


def cmd_init(args) -> int:
    from loaders.init_db import init_database
    from loaders.registry.settings import SettingError, match_province

    province = None
    if args.province:
        try:
            province = match_province(args.province)  # checked before anything is written
        except SettingError as exc:
            print(f"Tham số --province: {exc}", file=sys.stderr)
            return EXIT_UNUSABLE
    from loaders.store.schema import verify_database

    with open_db(args) as con:
        r = init_database(con, province=province.name if province else None)
        n_tables = verify_database(con, args.db)  # every block read back before success is reported
    if province:
        print(f"Tỉnh của dashboard: {province.name}")
    print(f"Cơ sở dữ liệu: {db_path(args.db)} (phiên bản lược đồ {r['schema_version']})")
    print(f"Danh mục: {r['units']} đơn vị, {r['indicators']} chỉ tiêu, {r['indices']} bộ chỉ số, "
          f"{r['entities']} tỉnh/đơn vị được xếp hạng")
    state = "đã nạp" if r["reference_new"] else "đã có sẵn"
    print(f"Số liệu công bố chính thức: {r['reference_rows']} dòng ({state}, lô số {r['reference_batch']})")
    print(f"Đã kiểm tra tệp: đọc lại được toàn bộ {n_tables} bảng.")
    return EXIT_OK


def cmd_demo(args) -> int:
    from loaders.demo import DEMO_ADMIN, add_demo_admin, load_sample
    from loaders.init_db import init_database

    with open_db(args) as con:
        init_database(con)
        r = load_sample(con)
        admin = add_demo_admin(con)
    if r["already"]:
        print("Dữ liệu mẫu đã có trong cơ sở dữ liệu: không nạp lại.")
    else:
        print(f"Đã nạp DỮ LIỆU MẪU: {r['sample_batches']} lô, {r['sample_rows']} dòng (được gắn nhãn dữ liệu mẫu).")
    if admin:
        print(f"Tài khoản quản trị của bản demo: {DEMO_ADMIN[0]} / {DEMO_ADMIN[1]} (chỉ có trong cơ sở dữ liệu demo "
              "này; bản triển khai thật tạo quản trị viên riêng bằng lệnh user add).")
    return EXIT_OK


def cmd_batches(args) -> int:
    with open_db(args, read_only=True) as con:
        rows = con.execute(
            "SELECT batch_id, uploaded_at, kind, file_name, unit_code, year, quarter, rows, status, uploaded_by, period "
            "FROM v_upload ORDER BY batch_id DESC LIMIT ?", [args.limit]
        ).fetchall()
    if not rows:
        print("Chưa có lô dữ liệu nào.")
        return EXIT_OK
    from core.periods import parse_period, quarter_label

    print(f"{'Lô':>5}  {'Thời gian':<16}  {'Loại':<10}  {'Tệp':<34}  {'Đơn vị':<14}  {'Kỳ':<12}  {'Dòng':>5}  Trạng thái")
    for bid, at, kind, file_name, unit, year, quarter, n, status, by, code in rows:
        period = (parse_period(code).label if code else quarter_label(year, quarter) if year and quarter
                  else (str(year) if year else ""))
        state = "đang dùng" if status == "active" else "đã hoàn tác"
        print(f"{bid:>5}  {at:%d/%m/%Y %H:%M}  {kind:<10}  {(file_name or '')[:34]:<34}  {(unit or '')[:14]:<14}  "
              f"{period:<12}  {n:>5}  {state}")
    return EXIT_OK


def cmd_rollback(args) -> int:
    from loaders.accounts.audit import record
    from loaders.store.batches import BatchError, rollback_batch

    by = args.by or os_user()
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


def add_commands(sub) -> None:
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
