"""`python -m loaders reporting`: when each report is due, which reports the units owe, whom to call."""
from __future__ import annotations

import re
import sys

from loaders.commands.base import EXIT_OK, EXIT_REFUSED, EXIT_UNUSABLE, open_db, os_user

_DEADLINE_RE = re.compile(r"^\s*([a-z0-9]+)\s*:\s*(\d{1,2})\s*(?::\s*(\d))?\s*$")


def _deadline_arg(text: str) -> tuple[str, int, int]:
    """'quy:20' -> ('quy', 20, 0); 'thang:5:1' -> ('thang', 5, 1) (the 5th of the month after)."""
    m = _DEADLINE_RE.match(text)
    if not m:
        raise ValueError(f"hạn nộp “{text}” không đọc được — cần dạng KỲ:NGÀY hoặc KỲ:NGÀY:1 (ví dụ quy:20, "
                         "thang:5:1 là ngày 5 tháng sau kỳ)")
    return m.group(1), int(m.group(2)), int(m.group(3) or 0)


def cmd_reporting(args) -> int:
    from core.periods import CADENCE_LABEL
    from loaders.accounts.audit import record
    from loaders.registry import settings as S

    try:
        deadlines = [_deadline_arg(d) for d in args.deadline or []]
    except ValueError as exc:
        print(f"Tham số --deadline: {exc}", file=sys.stderr)
        return EXIT_UNUSABLE
    if (args.unit_cadences is not None or args.contact is not None) and not args.unit:
        print("Tham số --unit-cadences và --contact cần --unit (mã đơn vị)", file=sys.stderr)
        return EXIT_UNUSABLE
    by = os_user()
    writes = bool(deadlines or args.cadences or args.unit)
    with open_db(args, read_only=not writes) as con:
        try:
            for cadence, day, after in deadlines:
                d = S.set_deadline(con, cadence, day, after)
                record(con, by, "settings", f"hạn nộp báo cáo {cadence}: {d.text} (dòng lệnh)")
            if args.cadences:
                S.set_default_cadences(con, args.cadences)
                record(con, by, "settings", f"kỳ báo cáo mặc định: {args.cadences} (dòng lệnh)")
            if args.unit:
                S.set_unit_reporting(con, args.unit, args.unit_cadences, args.contact)
                record(con, by, "settings", f"đơn vị {args.unit}: kỳ {args.unit_cadences!r}, đầu mối {args.contact!r}"
                                            " (dòng lệnh)")
        except S.SettingError as exc:
            print(f"Không lưu được: {exc}", file=sys.stderr)
            return EXIT_REFUSED
        print(_summary(con, CADENCE_LABEL))
    return EXIT_OK


def _summary(con, labels: dict) -> str:
    from core.periods import CADENCES, CADENCES_KEY, DEADLINE_KEY, DEFAULT_CADENCES, DEFAULT_DEADLINES, Deadline
    from core.periods import parse_cadences

    meta = dict(con.execute("SELECT key, value FROM meta").fetchall())
    lines = ["Hạn nộp báo cáo:"]
    for c in CADENCES:
        d = Deadline.from_code(meta[DEADLINE_KEY + c]) if DEADLINE_KEY + c in meta else DEFAULT_DEADLINES[c]
        lines.append(f"  {labels[c]:<16} {d.text}")
    default = parse_cadences(meta.get(CADENCES_KEY)) or DEFAULT_CADENCES
    lines.append("Mọi đơn vị báo cáo: " + ", ".join(labels[c].lower() for c in default))
    rows = con.execute("SELECT r.unit_code, u.name, r.cadences, r.contact FROM unit_reporting r "
                       "JOIN unit u ON u.code = r.unit_code ORDER BY u.name COLLATE vi").fetchall()
    for code, name, own, contact in rows:
        what = ", ".join(labels[c].lower() for c in parse_cadences(own)) if own else "như mặc định"
        lines.append(f"  {name} ({code}): {what}" + (f"; đầu mối: {contact}" if contact else ""))
    return "\n".join(lines)


def add_commands(sub) -> None:
    p = sub.add_parser("reporting", help="hạn nộp và các kỳ báo cáo đơn vị phải gửi, đầu mối của đơn vị")
    p.add_argument("--deadline", action="append", metavar="KỲ:NGÀY[:1]",
                   help="hạn nộp của một kỳ (thang, quy, 6thang, 9thang, nam): ngày của tháng cuối kỳ, hoặc :1 "
                        "tháng sau kỳ; lặp lại được")
    p.add_argument("--cadences", help="các kỳ mọi đơn vị phải báo cáo, ví dụ “quy;6thang;nam”")
    p.add_argument("--unit", help="mã đơn vị để đặt kỳ báo cáo riêng hoặc đầu mối")
    p.add_argument("--unit-cadences", help="kỳ báo cáo riêng của đơn vị (“” để dùng mặc định)")
    p.add_argument("--contact", help="đầu mối của đơn vị: họ tên, chức vụ, điện thoại (“” để xóa)")
    p.set_defaults(func=cmd_reporting)
