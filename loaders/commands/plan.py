"""`python -m loaders plan FILE [--json] [--save] [--replace] [--db PATH]`.

Prints what the plan holds (readable Vietnamese, or with --json exactly one JSON object), and saves it as a
batch only with --save. Another province's plan is refused (its units only share names with this dashboard's)
unless --entity names the province that receives its targets. The same plan already saved from another copy (a
clean file and a scan of it) is not saved twice: --replace saves this copy in its place, without doubling its
tasks. Exit 0 done; 1 refused (the plan cannot be saved as it is); 2 unusable file (missing, unreadable, not a
plan) or a locked database. Never a traceback.
"""
from __future__ import annotations

import argparse
import os
import sys

from loaders.commands.base import EXIT_OK, EXIT_REFUSED, EXIT_UNUSABLE, os_user


def add_commands(subparsers) -> argparse.ArgumentParser:
    p = subparsers.add_parser(
        "plan", help="đọc kế hoạch tuyên truyền CCHC (.docx, .pdf, ảnh, .txt): chỉ tiêu và nhiệm vụ",
        description="Đọc kế hoạch CCHC của năm: cơ quan, năm, chỉ tiêu (gắn mã chỉ số/chỉ tiêu) và nhiệm vụ "
                    "(cơ quan chủ trì, phối hợp, thời gian). Chỉ lưu vào cơ sở dữ liệu khi có --save.")
    p.add_argument("file", help="tệp kế hoạch: .docx, .pdf (kể cả bản scan), .png/.jpg hoặc .txt")
    p.add_argument("--json", action="store_true", help="in đúng một đối tượng JSON")
    p.add_argument("--save", action="store_true", help="lưu kế hoạch thành một lô dữ liệu")
    p.add_argument("--db", dest="plan_db", default=None, help="tệp DuckDB (mặc định: $CCHC_DB hoặc data/cchc.duckdb)")
    p.add_argument("--by", dest="plan_by", default=None, help="người tải lên (mặc định: tên người dùng máy)")
    p.add_argument("--unit", dest="plan_unit", default=None, help="mã đơn vị nhận chỉ tiêu, nếu khác cơ quan ban hành")
    p.add_argument("--entity", dest="plan_entity", default=None,
                   help="mã tỉnh nhận mục tiêu chỉ số; bắt buộc với kế hoạch của tỉnh khác")
    p.add_argument("--replace", dest="plan_replace", action="store_true",
                   help="lưu bản này thay cho kế hoạch cùng nội dung đã lưu (bản khác của cùng văn bản)")
    p.set_defaults(func=run_plan_command)
    return p


def _err(msg: str) -> None:
    print(msg, file=sys.stderr)


def _registry_from(con):
    from loaders.registry.registries import Registry

    try:
        if con.execute("SELECT count(*) FROM unit").fetchone()[0]:
            return Registry.from_db(con)
    except Exception:  # an empty or foreign database: the shipped registries still read the plan
        pass
    return Registry.from_data_dir()


def run_plan_command(args) -> int:
    from loaders.plans.extract import describe, extract_plan
    from loaders.plans.model import PlanError
    from loaders.plans.reading import load_bytes
    from loaders.accounts.audit import record
    from loaders.plans.save import PlanSaveError, foreign_province, record_plan_save, same_plan_batch, save_plan
    from loaders.registry.registries import Registry
    from loaders.store.schema import DatabaseLockedError, connect, db_path, migrate

    db = getattr(args, "plan_db", None) or getattr(args, "db", None)
    try:
        data, name = load_bytes(args.file, os.path.basename(args.file))
    except PlanError as exc:
        _err(f"Không dùng được tệp: {exc}")
        return EXIT_UNUSABLE

    con = None
    try:
        if args.save:
            con = connect(db)
            migrate(con)
            registry = _registry_from(con)
        elif db and db_path(db).exists():
            con = connect(db, read_only=True)
            registry = _registry_from(con)
        else:
            registry = Registry.from_data_dir()
    except DatabaseLockedError as exc:
        _err(f"Cơ sở dữ liệu {exc} đang bị một tiến trình khác (thường là dashboard) giữ để ghi: hãy dừng nó "
             "rồi chạy lại, hoặc tải kế hoạch lên qua trang Kế hoạch.")
        return EXIT_UNUSABLE
    except Exception as exc:
        _err(f"Không mở được cơ sở dữ liệu {db_path(db)}: {exc}")
        return EXIT_UNUSABLE

    try:
        try:
            plan = extract_plan(data, name, registry)
        except PlanError as exc:
            _err(f"Không dùng được tệp: {exc}")
            return EXIT_UNUSABLE
        except Exception as exc:  # a damaged file that a reader library chokes on
            _err(f"Không dùng được tệp “{name}”: không đọc được nội dung ({type(exc).__name__}: {exc})")
            return EXIT_UNUSABLE

        try:
            print(plan.dumps() if args.json else describe(plan), flush=True)
        except BrokenPipeError:  # `… | head`: the reader has gone, which is not an error
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            return EXIT_OK
        if not args.save:
            return EXIT_OK
        by = getattr(args, "plan_by", None) or os.environ.get("CCHC_USER") or os_user()
        import hashlib

        from loaders.store.batches import find_active_batch

        already = find_active_batch(con, hashlib.sha256(data).hexdigest(), "plan")
        if already is not None:
            msg = f"Kế hoạch này (cùng tệp) đã được lưu trước đó: lô số {already}. Không lưu lại."
            _err(msg) if args.json else print("\n" + msg)
            return EXIT_OK
        entity = getattr(args, "plan_entity", None)
        foreign = foreign_province(con, plan)
        if foreign and not entity:
            _err(f"Chưa lưu: kế hoạch ghi tỉnh {foreign}, không phải tỉnh của dashboard — các đơn vị của nó chỉ trùng "
                 "tên với danh mục. Nếu vẫn muốn lưu, thêm --entity MÃ_TỈNH (tỉnh nhận mục tiêu chỉ số) và --unit "
                 "MÃ_ĐƠN_VỊ (đơn vị nhận chỉ tiêu).")
            return EXIT_REFUSED
        replaces = same_plan_batch(con, plan)
        if replaces is not None and not getattr(args, "plan_replace", False):
            msg = (f"Kế hoạch này (cùng nội dung, bản khác) đã được lưu ở lô số {replaces}. Không lưu lại; thêm "
                   "--replace để lưu bản này thay cho lô đó.")
            _err(msg) if args.json else print("\n" + msg)
            return EXIT_OK
        try:
            batch_id = save_plan(con, plan, by, name, data, unit_code=getattr(args, "plan_unit", None),
                                 entity_code=entity, replaces=replaces)
        except PlanSaveError as exc:
            record(con, by, "upload_refused", f"kế hoạch {name}: {exc} (dòng lệnh)")
            _err(f"Chưa lưu: {exc}")
            return EXIT_REFUSED
        except Exception as exc:
            _err(f"Chưa lưu: lỗi khi ghi vào cơ sở dữ liệu ({type(exc).__name__}: {exc})")
            return EXIT_REFUSED
        record_plan_save(con, by, plan, name, batch_id, via=" (dòng lệnh)")
        msg = (f"Đã lưu kế hoạch vào lô số {batch_id}: {len(plan.indicator_targets())} chỉ tiêu, "
               f"{len(plan.index_targets())} mục tiêu chỉ số, {len(plan.tasks)} nhiệm vụ"
               + (f"; {len(plan.unrecognised)} con số chờ gắn chỉ tiêu (soát trên trang Kế hoạch)"
                  if plan.unrecognised else "")
               + (f"; thay lô số {replaces}" if replaces else "") + ".")
        _err(msg) if args.json else print("\n" + msg)
        return EXIT_OK
    finally:
        if con is not None:
            con.close()

