"""`load` and `template` commands for `python -m loaders`.

    python -m loaders [--db PATH] load FILE... [--unit NAME] [--period 2025-Q3] [--kind activities|targets|indices]
                                               [--index PCI] [--sheet NAME] [--by NAME] [--dry-run] [--json]
                                               [--max-size MB]
    python -m loaders [--db PATH] template activities|targets|indices --out FILE [--unit NAME] [--period 2025-M08]

Exit codes of load: 0 loaded (or checked with --dry-run), 1 refused (validation errors; nothing
written), 2 unusable input (not a workbook, missing file, bad arguments, database locked).
With --json, stdout is exactly one JSON object, whatever happens: a fault of the reader itself is logged on
stderr (one line, no traceback) and reported as status "unusable".
"""
from __future__ import annotations

import json
import logging
import sys
from pathlib import Path

from loaders.accounts.audit import record
from loaders.commands.base import EXIT_OK, EXIT_REFUSED, EXIT_UNUSABLE, os_user
from loaders.errors import UnusableFileError
from loaders.layouts.context import KINDS
from loaders.load import LAYOUT_NAMES, ArgumentError, LoadReport, load_file, make_context, report_period
from loaders.store.schema import MIGRATIONS, DatabaseLockedError, connect, db_path, schema_version
from loaders.uploads import refusal_reason

KIND_NAMES = {"activities": "kết quả thực hiện", "targets": "kế hoạch", "indices": "kết quả chỉ số"}


def add_commands(subparsers) -> None:
    p = subparsers.add_parser("load", help="nạp tệp báo cáo (Excel/CSV): mỗi tệp một lô; có lỗi thì không nạp gì")
    p.add_argument("files", nargs="+", metavar="FILE", help="tệp .xlsx, .xls, .ods hoặc .csv")
    p.add_argument("--unit", help="đơn vị báo cáo (mặc định: lấy từ tiêu đề tệp)")
    p.add_argument("--period", help="kỳ báo cáo dạng 2025-Q3 (chỉ số: năm, ví dụ 2024); mặc định: lấy từ tiêu đề")
    p.add_argument("--kind", choices=KINDS, help="loại số liệu (mặc định: tự nhận biết)")
    p.add_argument("--index", help="chỉ số của bảng kết quả (PAR, SIPAS, PAPI, PCI, DTI, DDCI) nếu tiêu đề không ghi")
    p.add_argument("--sheet", metavar="NAME", help="chỉ đọc trang tính này (tên trang, không phân biệt hoa thường, dấu)")
    p.add_argument("--by", help="người nạp (mặc định: tên người dùng hệ điều hành)")
    p.add_argument("--dry-run", action="store_true", help="chỉ kiểm tra, không ghi vào cơ sở dữ liệu")
    p.add_argument("--confirm", action="store_true",
                   help="xác nhận các số vượt mức hợp lý của chỉ tiêu (đã kiểm tra, số đúng) để nạp")
    p.add_argument("--json", action="store_true", help="in kết quả dạng một đối tượng JSON")
    p.add_argument("--max-size", type=float, default=None, metavar="MB",
                   help="giới hạn dung lượng mỗi tệp, MB (mặc định $CCHC_MAX_UPLOAD_MB hoặc 20)")
    p.set_defaults(func=cmd_load)
    p = subparsers.add_parser("template", help="tạo mẫu Excel để nhập số liệu")
    p.add_argument("template_kind", choices=KINDS, metavar="activities|targets|indices")
    p.add_argument("--out", required=True, help="tệp .xlsx sẽ tạo")
    p.add_argument("--unit", help="điền sẵn cho một đơn vị: mỗi chỉ tiêu một dòng (mẫu activities, targets)")
    p.add_argument("--period", help="kỳ điền sẵn cùng --unit: 2025-Q3, 2025-M08, 2025-H1, 2025-9M, 2025 "
                                    "(activities); 2026 (targets)")
    p.set_defaults(func=cmd_template)


# --- load ---------------------------------------------------------------------------------------


def _unusable(file_name: str, message: str, kind: str | None) -> dict:
    return {"status": "unusable", "batch": None, "kind": kind or "", "rows": 0, "file": file_name,
            "errors": [{"sheet": None, "row": None, "column": None, "message": message}], "warnings": []}


def _open(args):
    """(connection or None, registry source, note). A dry run works without a writable database."""
    path = db_path(args.db)
    if args.dry_run:
        if not path.exists():
            return None, None, f"chưa có cơ sở dữ liệu {path}: kiểm tra theo danh mục mặc định (data/*.csv)"
        try:
            con = connect(args.db, read_only=True)
        except DatabaseLockedError:
            return None, None, (f"cơ sở dữ liệu {path} đang bị tiến trình khác giữ: kiểm tra theo danh mục mặc định "
                                "(data/*.csv)")
        if schema_version(con) == 0:
            con.close()
            return None, None, f"cơ sở dữ liệu {path} chưa được khởi tạo: kiểm tra theo danh mục mặc định"
        return con, con, None
    con = connect(args.db)
    if schema_version(con) < len(MIGRATIONS):
        from loaders.init_db import init_database

        init_database(con)
    return con, con, None


def cmd_load(args) -> int:
    by = args.by or os_user()
    max_bytes = int(args.max_size * 1024 * 1024) if args.max_size else None
    try:
        con, source, note = _open(args)
    except DatabaseLockedError as exc:
        msg = (f"cơ sở dữ liệu {exc} đang bị một tiến trình khác giữ — thường là dashboard: dashboard giữ tệp suốt lúc "
               "nó chạy. Hãy dừng dashboard rồi chạy lại lệnh, tải tệp lên qua trang Tải lên, hoặc dùng --dry-run để chỉ "
               "kiểm tra tệp.")
        return _finish(args, [_unusable(f, msg, args.kind) for f in args.files], [msg])
    try:
        if source is None:
            from loaders.registry.registries import Registry

            source = Registry.from_data_dir()
        try:
            make_context(source, "", args.unit, args.period, args.kind, args.index)
        except ArgumentError as exc:
            msg = f"tham số không hợp lệ: {exc}"
            return _finish(args, [_unusable(f, msg, args.kind) for f in args.files], [msg])
        results, texts = [], []
        for file_name in args.files:
            d, text = _load_one(args, source, con, file_name, by, max_bytes, note)
            results.append(d)
            texts.append(text)
        return _finish(args, results, texts)
    finally:
        if con is not None:
            con.close()


def _load_one(args, source, con, file_name: str, by: str, max_bytes, note) -> tuple[dict, str]:
    p = Path(file_name)
    if not p.is_file():
        msg = f"không tìm thấy tệp “{file_name}”" if not p.exists() else f"“{file_name}” không phải là một tệp"
        return _unusable(file_name, msg, args.kind), f"{file_name}: {msg}"
    try:
        content = p.read_bytes()
    except OSError as exc:
        msg = f"không đọc được tệp “{file_name}”: {exc.strerror or exc}"
        return _unusable(file_name, msg, args.kind), f"{file_name}: {msg}"
    try:
        if con is None or args.dry_run:
            from loaders.load import read_file

            parsed = read_file(source, p.name, content, args.unit, args.period, args.kind, index=args.index,
                               uploaded_by=by, max_bytes=max_bytes, sheet=args.sheet)
            status = "refused" if parsed.errors else "dry-run"
            report = LoadReport(status, parsed.file_name, parsed.kind, None, 0 if parsed.errors else parsed.rows,
                                parsed.errors, parsed.warnings, layouts=parsed.layouts)
            if note:
                from loaders.errors import LoadWarning

                report.warnings.insert(0, LoadWarning(None, None, None, note))
        else:
            report = load_file(con, p.name, content, args.unit, args.period, args.kind, uploaded_by=by,
                               index=args.index, max_bytes=max_bytes, sheet=args.sheet, confirmed=args.confirm)
    except UnusableFileError as exc:
        if con is not None and not args.dry_run:
            record(con, by, "upload_refused", f"{file_name}: {exc.message} (dòng lệnh)")
        return _unusable(file_name, exc.message, args.kind), f"{file_name}: không dùng được — {exc.message}"
    except ArgumentError as exc:
        msg = f"tham số không hợp lệ: {exc}"
        return _unusable(file_name, msg, args.kind), f"{file_name}: {msg}"
    except Exception as exc:  # noqa: BLE001 - a reader fault must still answer with one JSON object, no traceback
        logging.getLogger(__name__).error("reading %s failed: %s: %s", file_name, type(exc).__name__, exc)
        msg = (f"không đọc được tệp “{p.name}” do lỗi không mong đợi của chương trình ({type(exc).__name__}) — không có "
               "gì được ghi; hãy gửi tệp này cho quản trị viên")
        return _unusable(file_name, msg, args.kind), f"{file_name}: {msg}"
    if con is None or args.dry_run:
        pass  # nothing was written, and a read-only connection cannot take an audit entry
    elif report.status == "loaded" and report.created:
        record(con, by, "upload", f"lô {report.batch_id}: {file_name} ({report.kind}, {report.rows} dòng; dòng lệnh)")
    elif report.status == "refused":
        record(con, by, "upload_refused", f"{file_name}: {refusal_reason(report.errors)} (dòng lệnh)")
    d = report.as_dict()
    d["file"] = file_name
    d["created"] = report.created
    return d, _text_report(file_name, report, con)


def _finish(args, results: list[dict], texts: list[str]) -> int:
    statuses = [r["status"] for r in results]
    code = EXIT_UNUSABLE if "unusable" in statuses else EXIT_REFUSED if "refused" in statuses else EXIT_OK
    if args.json:
        if len(results) == 1:
            out = {k: results[0][k] for k in ("status", "batch", "kind", "rows", "errors", "warnings")}
        else:
            status = "unusable" if "unusable" in statuses else "refused" if "refused" in statuses else statuses[-1]
            kinds = {r["kind"] for r in results if r["kind"]}
            batches = [r["batch"] for r in results if r["batch"] is not None]
            out = {
                "status": status, "batch": batches[-1] if batches else None,
                "kind": kinds.pop() if len(kinds) == 1 else ("mixed" if kinds else ""),
                "rows": sum(r["rows"] for r in results),
                "errors": [{**e, "file": r["file"]} for r in results for e in r["errors"]],
                "warnings": [{**w, "file": r["file"]} for r in results for w in r["warnings"]],
                "files": [{k: r[k] for k in ("file", "status", "batch", "kind", "rows", "errors", "warnings")}
                          for r in results],
            }
        sys.stdout.write(json.dumps(out, ensure_ascii=False) + "\n")
    else:
        stream = sys.stderr if code == EXIT_UNUSABLE and len(results) == 1 else sys.stdout
        print("\n\n".join(texts), file=stream)
        if len(results) > 1:
            n_ok = sum(1 for s in statuses if s in ("loaded", "dry-run"))
            print(f"\nTổng cộng: {n_ok}/{len(results)} tệp "
                  f"{'hợp lệ' if args.dry_run else 'đã nạp'}, {sum(r['rows'] for r in results)} dòng.")
    return code


def _text_report(file_name: str, report: LoadReport, con) -> str:
    lines = []
    shapes = ", ".join(f"trang “{s}”: {LAYOUT_NAMES.get(layout, layout)}" for s, layout in report.layouts)
    lines.append(f"Tệp {file_name}" + (f" ({shapes})" if shapes else ""))
    what = KIND_NAMES.get(report.kind, report.kind)
    if report.status == "loaded":
        if report.created:
            lines.append(f"ĐÃ NẠP lô số {report.batch_id}: {report.rows} dòng {what}.")
        else:
            lines.append(f"Tệp này đã được nạp trước đó (lô số {report.batch_id}) — không nạp lại.")
    elif report.status == "dry-run":
        lines.append(f"KIỂM TRA XONG (không ghi gì): {report.rows} dòng {what} hợp lệ, có thể nạp.")
    else:
        lines.append(f"KHÔNG NẠP: {len(report.errors)} lỗi — không có số liệu nào được ghi vào cơ sở dữ liệu. "
                     "Sửa các lỗi sau rồi nạp lại:")
        for e in report.errors:
            lines.append(f"  ✗ {e.text()}")
    warnings = [w for w in report.warnings
                if not (report.status == "loaded" and not report.created and "đã được nạp trước đó" in w.message)]
    if warnings:
        lines.append(f"Cảnh báo ({len(warnings)}, không chặn việc nạp):")
        for w in warnings:
            lines.append(f"  ! {w.text()}")
    return "\n".join(lines)


# --- template -----------------------------------------------------------------------------------


def cmd_template(args) -> int:
    from loaders.registry.registries import Registry
    from loaders.templates import TemplateError, write_template

    con = None
    path = db_path(args.db)
    try:
        period = report_period(args.period)
    except ArgumentError as exc:
        print(f"Tham số --period: {exc}", file=sys.stderr)
        return EXIT_UNUSABLE
    try:
        if path.exists():
            try:
                con = connect(args.db, read_only=True)
                registry = Registry.from_db(con) if schema_version(con) else Registry.from_data_dir()
            except DatabaseLockedError:
                con, registry = None, Registry.from_data_dir()
        else:
            registry = Registry.from_data_dir()
        out = write_template(args.template_kind, args.out, registry, con, unit=args.unit, period=period)
    except TemplateError as exc:
        print(f"Không tạo được mẫu: {exc}", file=sys.stderr)
        return EXIT_UNUSABLE
    finally:
        if con is not None:
            con.close()
    print(f"Đã tạo mẫu {KIND_NAMES[args.template_kind]}: {out}")
    print("Nhập số liệu ở trang “Số liệu” (xem trang “Hướng dẫn”), rồi nạp bằng: python -m loaders load "
          f"{out}")
    return EXIT_OK

