"""Tasks of a plan: content, lead unit, partner units, time.

Three shapes real plans use:
1. Tables (usually the appendix): a header row naming 'Nội dung' and 'Cơ quan chủ trì' / 'Cơ quan phối hợp' /
   'Thời gian thực hiện' (also 'Đơn vị thực hiện', 'Thời hạn', 'Tiến độ'; merged two-row headers such as
   'Cơ quan thực hiện' over 'Chủ trì' | 'Phối hợp'). Rows without a unit or a time are section rows.
2. Prose items with labelled fields: 'a) Tổ chức hội nghị…; Cơ quan chủ trì: Sở Nội vụ; Thời gian: Quý II/2025'
   or an item followed by '- Cơ quan chủ trì: …', '- Thời gian thực hiện: …' lines.
3. Assignments in the 'TỔ CHỨC THỰC HIỆN' section: 'Giao Văn phòng: Chủ trì và phối hợp với … triển khai …',
   'Văn phòng phối hợp … tham mưu …', or a unit standing as an item ('1. Sở Nội vụ') with its duties below it.
The lead is the first unit named; further units named as leads join the partners.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from core.text import fold
from loaders.plans.layout import Block, is_header_text, is_task_header
from loaders.plans.model import Task
from loaders.plans.schedule import parse_schedule, schedule_or_default, unstated
from loaders.plans.textutil import capitalise_first, compact, fview, marker, strip_marker, tidy, view
from loaders.plans.units import UNIT_HEADS, resolve_unit, resolve_units

# --- tables ------------------------------------------------------------------------------------------


def column_role(header: str) -> str:
    c = compact(header)
    f = fold(header)
    if c in ("stt", "tt", "sott", "sothutu") or f.startswith("so tt"):
        return "stt"
    if any(k in c for k in ("thoigian", "thoihan", "tiendo", "thoidiem")):
        return "time"
    if "phoihop" in c:
        return "partner"
    if any(k in c for k in ("donvitinh", "dvt")) or c == "dvt":
        return "other"  # 'Đơn vị tính': the measure of a quantity, not a unit of the registry
    if any(k in c for k in ("noidung", "congviec", "nhiemvu", "hoatdong", "tennhiemvu")):
        return "content"
    if any(k in c for k in ("chutri", "thuchien", "trachnhiem", "donvi", "coquan", "bophan")):
        return "lead"
    return "other"


def _lead_rank(header: str) -> int:
    c = compact(header)
    return 2 if "chutri" in c else 1 if ("thuchien" in c or "trachnhiem" in c) else 0


def _roles(cells: list[str]) -> dict[str, int]:
    """role -> column: the first column of each role ('Chủ trì' before a plain 'Đơn vị'); 'other<k>' for
    columns of no role (quantity, measure, note…)."""
    out: dict[str, int] = {}
    for k, cell in enumerate(cells):
        role = column_role(cell)
        key = role if role != "other" else f"other{k}"
        if key == "lead" and "lead" in out and _lead_rank(cell) > _lead_rank(cells[out["lead"]]):
            out[f"other{out['lead']}"] = out["lead"]
            out["lead"] = k
        out.setdefault(key, k)
    return out


def _is_header_row(cells: list[str]) -> bool:
    filled = [c for c in cells if c.strip()]
    return bool(filled) and is_task_header(" ".join(filled)) and \
        sum(is_header_text(c) for c in filled) >= len(filled) - 1


@dataclass
class _Columns:
    roles: dict[str, int]
    width: int
    headers: list[str] = field(default_factory=list)


_QUANTITY = ("soluong", "chitieu", "sanpham", "khoiluong", "muctieu", "ketqua")
_MEASURE = ("donvitinh", "dvt")


def _row_text(content: str, cells: list[str], headers: list[str], roles: dict[str, int]) -> str:
    """A row as one sentence for the target finder: the content, then its quantity written the way prose
    would ('số lượng 12 tin, bài'), then any other cell."""
    parts = [content]
    measure = next((cells[i] for key, i in roles.items() if key.startswith("other")
                    and any(k in compact(headers[i]) for k in _MEASURE)), "")
    for key, i in roles.items():
        if not key.startswith("other") or not cells[i].strip() or any(k in compact(headers[i]) for k in _MEASURE):
            continue
        if any(k in compact(headers[i]) for k in _QUANTITY):
            parts.append(f"số lượng {cells[i].strip()} {measure}".strip())
        else:
            parts.append(cells[i].strip())
    return ", ".join(parts)


def _lead_and_partners(lead_text: str, partner_text: str, registry, province_plan: bool):
    leads = resolve_units(lead_text, registry, province_plan) if lead_text else []
    partners = resolve_units(partner_text, registry, province_plan) if partner_text else []
    return (leads[0] if leads else None), leads[1:] + partners


def table_tasks(blocks: list[Block], registry, year: int | None, province_plan: bool = False):
    """(tasks, texts of the rows for the target finder)."""
    rows = [b for b in blocks if b.kind == "row"]
    tasks: list[Task] = []
    texts: list[str] = []
    cols: _Columns | None = None
    k = 0
    last_table = None
    while k < len(rows):
        b = rows[k]
        cells = b.cells
        if b.table != last_table and cols is not None and len(cells) != cols.width and not _is_header_row(cells):
            cols = None  # a new table of another shape
        last_table = b.table
        if _is_header_row(cells):
            merged = list(cells)
            # A second header row under merged cells: 'Cơ quan thực hiện' over 'Chủ trì' | 'Phối hợp'.
            if k + 1 < len(rows) and rows[k + 1].table == b.table and len(rows[k + 1].cells) == len(cells) and \
                    all(is_header_text(c) or not c.strip() for c in rows[k + 1].cells) and \
                    any(c.strip() for c in rows[k + 1].cells):
                merged = [f"{a} {c}".strip() if a != c else a for a, c in zip(cells, rows[k + 1].cells)]
                k += 1
            roles = _roles(merged)
            cols = _Columns(roles, len(cells), merged) if "content" in roles else None
            k += 1
            continue
        k += 1
        if cols is None or len(cells) != cols.width:
            continue
        r = cols.roles

        def cell(role):
            return cells[r[role]].strip() if role in r else ""

        content = strip_marker(cell("content")) if cell("content") else ""
        lead, partner, when = cell("lead"), cell("partner"), cell("time")
        if content:
            texts.append(_row_text(content, cells, cols.headers, r))
        if not content or not (lead or partner or when):
            continue  # a section row ('I. TUYÊN TRUYỀN TRÊN BÁO, ĐÀI') or an empty one
        lead_ref, partners = _lead_and_partners(lead, partner, registry, province_plan)
        tasks.append(Task(tidy(content), lead_ref, partners, schedule_or_default(when, year),
                          " | ".join(c for c in cells if c.strip()), "table"))
    return tasks, texts


# --- prose with labelled fields ----------------------------------------------------------------------
_LABELS = [
    ("partner", r"(?:co quan|don vi|bo phan|cac don vi)\s+phoi hop(?:\s+thuc hien)?|phoi hop(?:\s+thuc hien)?"),
    ("lead", r"(?:co quan|don vi|bo phan)\s+(?:chu tri|thuc hien|chiu trach nhiem|phu trach)(?:\s+thuc hien)?"
             r"|chu tri(?:\s+thuc hien)?|trach nhiem thuc hien|don vi thuc hien"),
    ("time", r"thoi gian(?:\s+(?:thuc hien|hoan thanh|trien khai|to chuc))?|thoi han(?:\s+(?:hoan thanh|thuc hien))?"
             r"|tien do(?:\s+thuc hien)?|thoi diem(?:\s+thuc hien)?"),
    ("content", r"noi dung(?:\s+(?:thuc hien|cong viec|tuyen truyen|nhiem vu))?"),
    ("other", r"hinh thuc(?:\s+(?:tuyen truyen|thuc hien))?|san pham(?:\s+dau ra)?|ket qua(?:\s+dau ra)?"
              r"|kinh phi(?:\s+thuc hien)?|doi tuong|dia diem|chi tieu|yeu cau|ghi chu"),
]
_LABEL_RX = re.compile(r"(?<![a-z])(" + "|".join(f"(?P<{role}{k}>{rx})" for k, (role, rx) in enumerate(_LABELS))
                       + r")\s*:")


def split_fields(text: str) -> tuple[str, list[tuple[str, str]]]:
    """'a) Tổ chức hội nghị; Cơ quan chủ trì: Sở Nội vụ; Thời gian: Quý II' -> (head, [(role, value), ...])."""
    f = fview(text)
    found = []
    for m in _LABEL_RX.finditer(f):
        before = f[:m.start()].rstrip()
        if before and not (before[-1] in ".;)(,-–+•:" or marker(before + " x")[0] is not None and
                           len(strip_marker(before + " x")) <= 1):
            continue
        role = re.sub(r"\d+$", "", next(name for name, v in m.groupdict().items() if v))
        found.append((m.start(), m.end(), role))
    if not found:
        return text, []
    head = tidy(strip_marker(text[:found[0][0]]).rstrip(" ("))
    fields = []
    for k, (a, b, role) in enumerate(found):
        end = found[k + 1][0] if k + 1 < len(found) else len(text)
        value = text[b:end].strip().rstrip(" .;")
        if value.endswith(")") and value.count(")") > value.count("("):
            value = value[:-1]  # '… (Cơ quan chủ trì: Sở Nội vụ; thời gian: Quý II)'
        fields.append((role, tidy(value.rstrip(" .;"))))
    return head, fields


@dataclass
class _Group:
    head: str | None
    fields: dict[str, str] = field(default_factory=dict)
    texts: list[str] = field(default_factory=list)


def field_tasks(paras: list[Block], registry, year: int | None, province_plan: bool = False) -> list[Task]:
    tasks: list[Task] = []
    group: _Group | None = None
    last_head: str | None = None

    def close(g: _Group | None):
        if g is None or not ({"lead", "time", "partner"} & set(g.fields)):
            return
        content = g.fields.get("content") or g.head
        if not content:
            return
        lead, partners = _lead_and_partners(g.fields.get("lead", ""), g.fields.get("partner", ""), registry,
                                            province_plan)
        when = g.fields.get("time", "")
        tasks.append(Task(tidy(content), lead, partners, schedule_or_default(when, year), " ".join(g.texts), "fields"))

    for b in paras:
        head, fields = split_fields(b.text)
        if fields:
            roles = {r for r, _ in fields}
            if head:
                close(group)
                group = _Group(head)
            elif group is None or roles & set(group.fields):
                close(group)
                group = _Group(last_head)
            for role, value in fields:
                if role in group.fields:
                    group.fields[role] += "; " + value
                else:
                    group.fields[role] = value
            group.texts.append(b.text)
        else:
            close(group)
            group = None
            last_head = strip_marker(b.text)
    close(group)
    return tasks


# --- assignments in 'Tổ chức thực hiện' ----------------------------------------------------------------
_SECTION = re.compile(r"to chuc thuc hien|phan cong(?: nhiem vu| thuc hien)?|trach nhiem (?:thuc hien|cua)"
                      r"|nhiem vu cu the")
_HEADS = UNIT_HEADS + r"|Bo phan|Cac so|Cac phong|Cac don vi|Cac co quan|UBND cac|Lanh dao"
_VERBS = (r"chu tri|phoi hop|co trach nhiem|chiu trach nhiem|tham muu|phu trach|thuc hien|trien khai|to chuc|"
          r"theo doi|huong dan|quan tam|xay dung|kip thoi|cap nhat|dang tai|bao cao|tong hop|chi dao|don doc")
_GIAO = re.compile(rf"^(?i:giao)\s+(?P<lead>.{{2,90}}?)\s*(?::|(?=\s(?i:{_VERBS})\b))")
_SUBJECT = re.compile(rf"^(?P<lead>(?:{_HEADS})\b[^:,;.]{{0,70}}?)\s*(?::|(?=\s(?i:chu tri|phoi hop|co trach nhiem|"
                      rf"chiu trach nhiem|tham muu|phu trach|la co quan)\b))")
_UNIT_ITEM = re.compile(rf"^(?:{_HEADS})\b[^:;.]{{0,80}}:?\s*$")
_PARTNERS = re.compile(r"\bphoi hop(?:\s+(?:voi|cung))?\s+(?P<p>.+?)(?=\s(?:" + _VERBS.replace("phoi hop|", "")
                       + r"|de|nham|trong viec|giup)\b|[;.]|$)")
_RELEVANT = re.compile(r"^(?:cac\s+)?(?:co quan,?\s*|don vi,?\s*|bo phan,?\s*)*co lien quan,?\s*")
_LEADING = re.compile(r"^(?:chu tri\s*(?:,|va)?\s*)?(?:phoi hop(?:\s+(?:voi|cung))?\s+)?")


def _assignment(text: str, lead_text: str, rest: str, registry, year, province_plan) -> Task:
    rest = rest.strip(" :-–")
    f = fview(rest)
    partners_text = ""
    pm = _PARTNERS.search(f)
    if pm:
        partners_text = rest[pm.start("p"):pm.end("p")]
        relevant = _RELEVANT.match(fview(partners_text))  # '(các cơ quan) có liên quan, bộ phận tin học'
        partners_text = partners_text[relevant.end():] if relevant else partners_text
    content = rest
    lm = _LEADING.match(f)
    if lm and lm.end() and pm and pm.start() < 40:
        content = rest[pm.end("p"):]
    elif lm and lm.end():
        content = rest[lm.end():]
    content = capitalise_first(tidy(content)) or capitalise_first(tidy(rest))
    lead = resolve_unit(lead_text, registry, province_plan)
    partners = resolve_units(partners_text, registry, province_plan) if partners_text else []
    sched = parse_schedule(text, year, strict=True) or unstated(year)
    return Task(content, lead, partners, sched, text, "assignment")


def assignment_tasks(paras: list[Block], registry, year: int | None, province_plan: bool = False) -> list[Task]:
    tasks: list[Task] = []
    in_section = False
    item_lead: str | None = None
    for b in paras:
        kind, _, rest = marker(b.text)
        if kind == "roman" or (kind is None and len(b.text) < 120 and b.text.upper() == b.text):
            in_section = bool(_SECTION.search(fold(b.text)))
            item_lead = None
            continue
        if not in_section or fold(b.text).startswith(("noi nhan", "tren day")):
            if fold(b.text).startswith(("noi nhan", "tren day")):
                in_section = False
            continue
        body = rest if kind else b.text.strip()
        vb = view(body, lower=False)
        if kind in ("number", None) or (kind in ("letter", "bullet", "paren") and item_lead is None):
            if _UNIT_ITEM.match(vb) and len(body.split()) <= 14:
                item_lead = tidy(body.rstrip(":"))
                continue
            m = _GIAO.match(vb) or _SUBJECT.match(vb)
            if m:
                lead_text = tidy(body[m.start("lead"):m.end("lead")])
                tasks.append(_assignment(b.text, lead_text, body[m.end():], registry, year,
                                         province_plan))
            if kind == "number":
                item_lead = None
            continue
        if item_lead and kind in ("letter", "bullet", "paren"):
            tasks.append(_assignment(b.text, item_lead, body, registry, year, province_plan))
    return tasks


def find_tasks(blocks: list[Block], registry, year: int | None, province_plan: bool = False):
    """(tasks in document order: tables, labelled prose, assignments; texts of table rows)."""
    paras = [b for b in blocks if b.kind == "para"]
    from_tables, texts = table_tasks(blocks, registry, year, province_plan)
    tasks = from_tables + field_tasks(paras, registry, year, province_plan) + \
        assignment_tasks(paras, registry, year, province_plan)
    out, seen = [], set()
    for t in tasks:
        key = fold(t.content)[:120]
        if key in seen:
            continue
        seen.add(key)
        out.append(t)
    return out, texts
