"""Command line of the read side: `python -m dashboard [--db PATH] COMMAND`, for scheduled use.

    python -m dashboard deck --period 2025-Q3 --out giao_ban.pptx [--db PATH] [--slides title,units,index:PAR]
    python -m dashboard summary --period 2025-Q3 --out tom_tat.pdf [--db PATH]
    python -m dashboard slides --period 2025-Q3 [--db PATH]        # the slide keys --slides accepts
    python -m dashboard report --period 2025-Q3 [--unit CODE] --out bao_cao.docx [--db PATH]   # the written report

Exit codes are a contract: 0 the file is written; 1 the period has no data (nobody reported it);
2 bad arguments or an unusable database (missing, locked for writing by another process, not initialised).
The database is opened read-only, so the command can run beside the dashboard when that one only reads.
Messages are Vietnamese and no traceback reaches the user.
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

EXIT_OK, EXIT_NO_DATA, EXIT_UNUSABLE = 0, 1, 2


class UsageError(Exception):
    """Bad arguments or an unusable database: exit 2 with the message."""


_ARGPARSE_VI = {
    "the following arguments are required": "thiếu tham số bắt buộc",
    "unrecognized arguments": "tham số không nhận ra",
    "invalid choice": "lựa chọn không hợp lệ",
    "expected one argument": "cần một giá trị",
    "choose from": "chọn một trong",
}


class _Parser(argparse.ArgumentParser):
    def error(self, message):
        for en, vi in _ARGPARSE_VI.items():
            message = message.replace(en, vi)
        raise UsageError(f"tham số không hợp lệ: {message}")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="python -m dashboard",
                     description="Xuất bộ trình chiếu giao ban, bản tóm tắt quý và báo cáo bằng văn bản từ cơ sở dữ "
                                 "liệu CCHC.")
    parser.add_argument("--db", help="tệp DuckDB (mặc định: $CCHC_DB hoặc data/cchc.duckdb)")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    def common(p, out: str | None):
        p.add_argument("--period", "--ky", dest="period", required=True, help="quý, dạng 2025-Q3 hoặc “Quý III/2025”")
        p.add_argument("--db", dest="db_sub", help=argparse.SUPPRESS)
        if out:
            p.add_argument("--out", required=True, help=f"tệp kết quả ({out})")

    p = sub.add_parser("deck", help="bộ trình chiếu .pptx (biểu đồ PowerPoint gốc, sửa được số liệu)")
    common(p, ".pptx")
    p.add_argument("--slides", help="các trang theo thứ tự, cách nhau bởi dấu phẩy (xem lệnh slides)")
    p.add_argument("--org", help="tên cơ quan trên trang bìa (mặc định: theo cơ sở dữ liệu)")
    p.set_defaults(func=cmd_deck, suffix=".pptx")
    p = sub.add_parser("summary", help="bản tóm tắt một trang của quý (.pdf)")
    common(p, ".pdf")
    p.add_argument("--org", help="tên cơ quan (mặc định: theo cơ sở dữ liệu)")
    p.set_defaults(func=cmd_summary, suffix=".pdf")
    p = sub.add_parser("slides", help="liệt kê các trang có thể chọn cho một quý")
    common(p, None)
    p.set_defaults(func=cmd_slides, suffix=None)
    p = sub.add_parser("report", help="báo cáo bằng văn bản (.docx, thể thức Nghị định 30/2020/NĐ-CP) soạn từ số liệu")
    p.add_argument("--period", "--ky", dest="period", required=True,
                   help="kỳ báo cáo: 2025-M08, 2025-Q3, 2025-H1, 2025-9M hoặc 2025")
    p.add_argument("--db", dest="db_sub", help=argparse.SUPPRESS)
    p.add_argument("--out", required=True, help="tệp kết quả (.docx)")
    p.add_argument("--unit", help="mã đơn vị: báo cáo của riêng đơn vị đó (mặc định: toàn tỉnh)")
    p.add_argument("--org", help="cơ quan ban hành (mặc định: theo cơ sở dữ liệu; với --unit: đơn vị đó)")
    p.add_argument("--kinh-gui", dest="kinh_gui", help="nơi nhận ghi ở dòng “Kính gửi” (mặc định: không có dòng đó)")
    p.add_argument("--date", help="ngày ghi trên báo cáo, dạng dd/mm/yyyy (mặc định: hôm nay)")
    p.add_argument("--template", help="mẫu .docx có tiêu đề của cơ quan (mặc định: data/mau_bao_cao.docx)")
    p.set_defaults(func=cmd_report, suffix=".docx")
    return parser


def _open(args):
    """The database, read-only; every way it can be unusable is a UsageError with a Vietnamese message."""
    import duckdb

    from loaders.store.schema import DatabaseLockedError, DatabaseUnusableError, connect, db_path

    path = db_path(args.db)
    if not path.exists():
        raise UsageError(f"không tìm thấy cơ sở dữ liệu {path}. Tạo bằng: python -m loaders --db {path} init")
    try:
        con = connect(path, read_only=True)
    except DatabaseLockedError:
        raise UsageError(f"cơ sở dữ liệu {path} đang bị một tiến trình khác (thường là dashboard đang chạy ở chế "
                         "độ ghi) giữ. Hãy chạy lại khi tiến trình đó dừng, hoặc tải tệp từ trang Trình chiếu.")
    except DatabaseUnusableError as exc:
        raise UsageError(f"không mở được cơ sở dữ liệu: {exc}") from exc
    except duckdb.Error as exc:
        raise UsageError(f"không mở được cơ sở dữ liệu {path}: {exc}") from exc
    views = {r[0] for r in con.execute(
        "SELECT table_name FROM information_schema.tables WHERE table_name IN ('v_activity', 'v_index_score')"
    ).fetchall()}
    if views != {"v_activity", "v_index_score"}:
        con.close()
        raise UsageError(f"{path} không phải cơ sở dữ liệu CCHC đã khởi tạo. Chạy: python -m loaders --db {path} init")
    return con


def _out_path(args) -> Path:
    out = Path(args.out)
    if out.suffix.lower() != args.suffix:
        raise UsageError(f"tệp kết quả “{out}” phải có đuôi {args.suffix}")
    if not out.parent.exists():
        raise UsageError(f"thư mục “{out.parent}” không tồn tại")
    if out.is_dir():
        raise UsageError(f"“{out}” là một thư mục")
    return out


def _write(out: Path, data: bytes) -> None:
    """Write through a temporary file in the same folder: a reader never sees half a file."""
    try:
        fd, tmp = tempfile.mkstemp(prefix=".tmp_", suffix=out.suffix, dir=out.parent)
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(tmp, out)
    except OSError as exc:
        raise UsageError(f"không ghi được tệp “{out}”: {exc.strerror or exc}") from exc


def _quarter(args):
    from dashboard.deck import DeckError, to_quarter

    try:
        return to_quarter(args.period)
    except DeckError as exc:
        raise UsageError(str(exc)) from exc


def cmd_deck(args) -> int:
    from dashboard.deck import DeckError, NoDataError, build_deck, parse_slide_keys
    from dashboard.pptx_export import deck_to_pptx

    q = _quarter(args)
    out = _out_path(args)
    with _open(args) as con:
        try:
            deck = build_deck(con, q, parse_slide_keys(args.slides), organisation=args.org)
        except NoDataError as exc:
            print(f"Không lập được bộ trình chiếu: {exc}", file=sys.stderr)
            return EXIT_NO_DATA
        except DeckError as exc:
            raise UsageError(str(exc)) from exc
    _write(out, deck_to_pptx(deck))
    sample = " – có DỮ LIỆU MẪU, không phải số liệu thật" if deck.sample else ""
    print(f"Đã ghi bộ trình chiếu giao ban {q.label}: {len(deck.slides)} trang → {out}{sample}")
    return EXIT_OK


def cmd_summary(args) -> int:
    from dashboard.deck import NoDataError
    from dashboard.summary_pdf import summary_pdf

    q = _quarter(args)
    out = _out_path(args)
    with _open(args) as con:
        try:
            data = summary_pdf(con, q, organisation=args.org)
        except NoDataError as exc:
            print(f"Không lập được bản tóm tắt: {exc}", file=sys.stderr)
            return EXIT_NO_DATA
    _write(out, data)
    print(f"Đã ghi bản tóm tắt {q.label} (1 trang PDF) → {out}")
    return EXIT_OK


def _day(text: str | None):
    import datetime as dt

    if not text:
        return dt.date.today()
    try:
        return dt.datetime.strptime(text.strip(), "%d/%m/%Y").date()
    except ValueError:
        raise UsageError(f"ngày “{text}” không đọc được — cần dạng dd/mm/yyyy, ví dụ 07/10/2025") from None


def cmd_report(args) -> int:
    from core.periods import PeriodError, parse_period
    from dashboard.report_docx import TemplateFieldError, report_docx
    from dashboard.written_report import ReportError, UnknownUnit, draft

    try:
        period = parse_period(args.period)
    except PeriodError as exc:
        raise UsageError(str(exc)) from exc
    out = _out_path(args)
    day = _day(args.date)
    template = Path(args.template) if args.template else None
    if template is not None and not template.is_file():
        raise UsageError(f"không tìm thấy mẫu “{template}”")
    with _open(args) as con:
        try:
            report = draft(con, period.code, unit=args.unit, today=day, organisation=args.org,
                           recipient=args.kinh_gui)
        except UnknownUnit as exc:
            raise UsageError(str(exc)) from exc
        except ReportError as exc:
            print(f"Không lập được báo cáo: {exc}", file=sys.stderr)
            return EXIT_NO_DATA
    try:
        data = report_docx(report, template)
    except TemplateFieldError as exc:
        raise UsageError(str(exc)) from exc
    _write(out, data)
    sample = " – có DỮ LIỆU MẪU, không phải số liệu thật" if report.sample else ""
    print(f"Đã soạn báo cáo {period.label} ({report.scope}): {len(report.table)} chỉ tiêu → {out}{sample}")
    return EXIT_OK


def cmd_slides(args) -> int:
    from dashboard.deck import available_slides

    q = _quarter(args)
    with _open(args) as con:
        slides = available_slides(con, q)
    print(f"Các trang có thể chọn cho {q.label} (--slides, theo thứ tự mong muốn):")
    for key, label in slides:
        print(f"  {key:<14} {label}")
    return EXIT_OK


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = None
    try:
        args = parser.parse_args(argv)
        if getattr(args, "db_sub", None):
            args.db = args.db_sub  # --db accepted after the command too
        return args.func(args)
    except UsageError as exc:
        print(f"Lỗi: {exc}", file=sys.stderr)
        if str(exc).startswith("tham số"):
            parser.print_usage(sys.stderr)
        return EXIT_UNUSABLE
    except SystemExit as exc:  # --help
        return int(exc.code or 0)
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # noqa: BLE001 - the contract: a message, never a traceback
        from loaders.store.schema import database_fault

        fault = database_fault(getattr(args, "db", None), exc)
        print(f"Lỗi: {fault}" if fault else f"Lỗi không mong đợi ({type(exc).__name__}): {exc}", file=sys.stderr)
        return EXIT_UNUSABLE
