"""Tasks of a plan: content, lead units, partner units, time.

Tables (usually the annex): a header row naming 'Nội dung' and 'Cơ quan chủ trì' / 'Cơ quan phối hợp' / 'Thời gian
thực hiện' (also 'Đơn vị thực hiện', 'Thời hạn', 'Tiến độ'; merged two-row headers such as 'Cơ quan thực hiện' over
'Chủ trì' | 'Phối hợp'). Rows without a unit or a time are section rows. A lead cell naming several units gives
several leads.

Prose is read as the tree of numbered items (loaders.plans.outline). An item with sub-items is a heading, never a
task. A task's lead comes from the item itself — labelled fields ('Cơ quan chủ trì: …', '- Thời gian thực hiện: …'
lines under it), or a sentence that names its subject ('Sở Tư pháp chủ trì, phối hợp với … tổ chức …', 'Giao Văn
phòng: …', 'Đề nghị Tỉnh đoàn: …', 'Thủ trưởng các sở, ban, ngành … chỉ đạo …') — or else from the nearest heading
that names a unit ('b) Sở Nội vụ' over its dash items), never from a sibling. Items of a section of the plan's own
tasks ('NHIỆM VỤ, GIẢI PHÁP', 'HOẠT ĐỘNG') that name no one are the issuing body's own; items of a section of aims,
content or forms ('MỤC ĐÍCH', 'NỘI DUNG, HÌNH THỨC TUYÊN TRUYỀN') are not tasks unless they carry labelled fields.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from core.text import fold
from loaders.plans.layout import Block, is_header_text, is_task_header
from loaders.plans.model import Task, UnitRef
from loaders.plans.outline import Item, outline
from loaders.plans.schedule import parse_schedule, schedule_or_default, unstated
from loaders.plans.textutil import capitalise_first, compact, fview, marker, strip_marker, tidy, view
from loaders.plans.units import FALSE_HEAD, STAFF, UNIT_HEADS, Resolver, is_head, same_ref, strip_role

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


def _leads_and_partners(lead_text: str, partner_text: str, resolver: Resolver):
    leads = resolver.resolve_list(lead_text, as_lead=True) if lead_text else []
    partners = resolver.resolve_list(partner_text) if partner_text else []
    return leads, [p for p in partners if not any(same_ref(p, x) for x in leads)]


def table_tasks(blocks: list[Block], resolver: Resolver, year: int | None):
    """((block index, task) of every row that is a task, texts of the rows for the target finder)."""
    rows = [b for b in blocks if b.kind == "row"]
    place = {id(b): k for k, b in enumerate(blocks)}
    tasks: list[tuple[int, Task]] = []
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
        leads, partners = _leads_and_partners(lead, partner, resolver)
        if not leads and "lead" not in r:
            leads = [resolver.issuer_ref()]  # a table of the body's own work names no lead column
        number = cell("stt").rstrip(".") if "stt" in r else ""
        tasks.append((place[id(b)], Task(tidy(content), leads, partners, schedule_or_default(when, year),
                                         " | ".join(c for c in cells if c.strip()), "table",
                                         path=f"PL.{number}" if number else "PL")))
    return tasks, texts


# --- labelled fields ---------------------------------------------------------------------------------------
_LABELS = [
    ("partner", r"(?:co quan|don vi|bo phan|cac don vi)\s+phoi hop(?:\s+thuc hien)?|phoi hop(?:\s+thuc hien)?"),
    ("lead", r"(?:co quan|don vi|bo phan)\s+(?:chu tri|thuc hien|chiu trach nhiem|phu trach)(?:\s+thuc hien)?"
             r"|chu tri(?:\s+thuc hien)?|trach nhiem thuc hien|don vi thuc hien"),
    ("time", r"thoi gian(?:\s+(?:thuc hien|hoan thanh|trien khai|to chuc))?|thoi han(?:\s+(?:hoan thanh|thuc hien))?"
             r"|tien do(?:\s+thuc hien)?|thoi diem(?:\s+thuc hien)?"),
    ("content", r"noi dung(?:\s+(?:thuc hien|cong viec|tuyen truyen|nhiem vu))?"),
    ("other", r"hinh thuc(?:\s+(?:tuyen truyen|thuc hien))?|san pham(?:\s+dau ra)?|ket qua(?:\s+dau ra)?"
              r"|kinh phi(?:\s+thuc hien)?|doi tuong|dia diem|chi tieu|yeu cau|ghi chu"
              r"|(?:cach|phuong) thuc(?:\s+thuc hien)?|bien phap(?:\s+thuc hien)?"),
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


# --- prose: the tree of items ------------------------------------------------------------------------------------
# Section headings: of the plan's own tasks; of assignments only (a unit must be named); of aims, content, forms.
_TASK_SECTION = re.compile(r"\b(?:nhiem vu|giai phap|hoat dong|chuong trinh cong tac|cong viec|danh muc)\b")
_ASSIGN_SECTION = re.compile(r"\b(?:to chuc thuc hien|trach nhiem|phan cong|kinh phi|dieu khoan thi hanh)\b")
_CONTENT_SECTION = re.compile(r"\b(?:muc dich|muc tieu|yeu cau|doi tuong|pham vi|noi dung|hinh thuc|quan diem|"
                              r"can cu|tinh hinh|ket qua dat duoc|chu de|y nghia|chi tieu)\b")
# Verbs (folded) that end the name of a subject: 'Sở Tư pháp chủ trì', 'Văn phòng phối hợp …', '… xây dựng …'.
_VERBS = ("chu tri|phoi hop|co trach nhiem|chiu trach nhiem|tham muu|phu trach|thuc hien|trien khai|"
          r"to chuc(?!\s*(?:,|co lien quan|lien quan|ca nhan|doan the|xa hoi|chinh tri|bo may))|theo doi|huong dan|"
          "quan tam|xay dung|kip thoi|cap nhat|dang tai|dang phat|bao cao|tong hop|chi dao|don doc|kiem tra|bo tri|"
          "chuan bi|long ghep|tich cuc|chu dong|thuong xuyen|can cu|ra soat|niem yet|cong khai|tuyen truyen|"
          "day manh|tang cuong|lua chon|tiep nhan|dam bao|bao dam|phat huy|nghien cuu|de xuat|tiep tuc|quan triet|"
          "ban hanh|huy dong|can doi|dinh huong|nam bat|ho tro|la co quan|co nhiem vu|giup|cu can bo|cu cong chuc|"
          "tham gia|phat hanh|san xuat|thiet lap|duy tri|nang cao|phan cong|rut kinh nghiem|danh gia|gui|ap dung|"
          "thong nhat|phoi hop chat che|phat dong|khen thuong|bieu duong|xu ly|giai quyet|tra loi|dang|cung cap|"
          "cu|nghiem tuc|khan truong|sap xep|ket noi|van hanh|in|lap")
_VERB = re.compile(rf"(?<![a-z0-9])(?:{_VERBS})(?![a-z0-9])")
_PREFIX = re.compile(r"^\s*(?:giao\s+(?:cho\s+)?|de nghi\s+|yeu cau\s+|trach nhiem cua\s+)")
_LEADIN = re.compile(r"^[\s:,.;–-]*(?:co trach nhiem\s*:?\s*|la co quan dau moi\s*,?\s*|la co quan\s+)?"
                     r"(?:chu tri\s*(?:,|va|\s)\s*)?")
_WITH = re.compile(r"^(?:phoi hop|ket hop)(?:\s+chat che)?\s*(?:voi|cung)?\s*")
_PARTNER_END = re.compile(rf"[;.:]|(?<![a-z0-9])(?:{_VERBS}|trong|de|nham|giup|ve|theo|khi|thong qua|"
                          r"tai|nhu|cho)(?![a-z0-9])")
_HEAD_RX = re.compile(rf"^(?:{UNIT_HEADS})\b")
_ORG_WORD = re.compile(r"\b(?:co quan|don vi|dia phuong|to chuc|phong|ban|so|nganh|uy ban|ubnd|hoi|doan|trung tam|"
                       r"cong chuc|vien chuc|can bo|cbccvc)\b")
_RELEVANT_ONLY = re.compile(r"^(?:co\s+)?lien quan$")
_BOILERPLATE = re.compile(r"chiu trach nhiem thi hanh (?:quyet dinh|chi thi|ke hoach)|co hieu luc (?:thi hanh )?"
                          r"(?:ke )?tu ngay")


@dataclass
class _Context:
    resolver: Resolver
    year: int | None
    tasks: list[tuple[int, Task]] = field(default_factory=list)  # (block index, task)


def section_kind(text: str, outer: str | None = None) -> str | None:
    """'tasks' | 'assign' | 'content' | None for a heading's words inside a section of kind `outer`: a section of
    content or of assignments keeps its kind; only a short heading (a title, not a sentence) names a kind."""
    if outer in ("content", "assign"):
        return outer
    f = fold(text)
    if len(f.split()) > 14:
        return outer
    if _ASSIGN_SECTION.search(f):
        return "assign"
    if _TASK_SECTION.search(f):
        return "tasks"
    if _CONTENT_SECTION.search(f):
        return "content"
    return None


def _field_child(item: Item) -> list[tuple[str, str]]:
    """The fields a sub-item holds when it is only a labelled field ('- Thời gian thực hiện: Thường xuyên')."""
    head, fields = split_fields(item.head)
    if head or not fields:
        return []
    if item.children:  # '- Cách thức thực hiện:' over its '+' lines: they are the field's text
        role, value = fields[-1]
        fields[-1] = (role, "; ".join(x for x in [value, *(c.raw for c in item.walk())] if x))
    return fields


def _fields(item: Item) -> tuple[dict[str, str], list[Item]]:
    """(role -> value, sub-items that are not fields) of an item: its own labelled fields, then its field lines."""
    own_head, own = split_fields(item.text)
    found: dict[str, str] = {}
    for role, value in own:
        found[role] = f"{found[role]}; {value}" if role in found else value
    rest = []
    for child in item.children:
        fields = _field_child(child) if child.kind == "bullet" else []
        if not fields:
            rest.append(child)
        for role, value in fields:
            found[role] = f"{found[role]}; {value}" if role in found else value
    if own and own_head:
        found.setdefault("_head", own_head)
    return found, rest


# The words a body's name begins with, folded, for a name read by OCR after 'Đề nghị' / 'Giao' ('Bau Tuyên giáo').
_HEAD_WORDS = ("ban", "so", "phong", "uy", "ubnd", "trung", "tinh", "doan", "hoi", "cuc", "dai", "bao", "van")


def _name_like(name: str, ref: UnitRef, assigned: bool = False) -> bool:
    """Whether a part of a subject is a body's name (not 'Kinh phí', 'Các hình thức tuyên truyền khác'). After
    'Đề nghị' or 'Giao' (`assigned`) a body is named for sure: a first word one letter off a head word will do."""
    bare = strip_role(tidy(name))
    v = view(bare)
    if FALSE_HEAD.match(v):
        return False
    if ref.kind in ("unit", "group", "own_office", "issuer"):
        return True
    if ref.kind == "generic":
        return bool(_ORG_WORD.search(v)) and not _RELEVANT_ONLY.match(v)
    if _HEAD_RX.match(capitalise_first(view(bare, lower=False))):
        return True
    first = fold(bare).split()[:1]
    return assigned and bool(first) and bare[:1].isupper() and any(
        len(w) == len(first[0]) and sum(a != b for a, b in zip(w, first[0])) == 1 for w in _HEAD_WORDS)


def _mask(text: str, resolver: Resolver) -> list[tuple[int, int]]:
    """Spans of group names and of registry unit names in `text`: a verb inside them is part of a name."""
    spans = resolver.group_spans(text)
    folded = fview(text)
    for key in resolver.unit_names():  # full names only: a short form ('Xây dựng') is also an everyday word
        start = folded.find(key)
        while start >= 0:
            spans.append((start, start + len(key)))
            start = folded.find(key, start + 1)
    return spans


def _first(rx: re.Pattern, f: str, start: int, masked) -> re.Match | None:
    for m in rx.finditer(f, start):
        if not any(a <= m.start() < b for a, b in masked):
            return m
    return None


@dataclass
class _Subject:
    leads: list[UnitRef]
    partners: list[UnitRef]
    rest: str


def _units_in(span: str, resolver: Resolver, as_lead: bool, assigned: bool = False) -> list[UnitRef] | None:
    """The units a span names, when every part of it is a body's name; else None."""
    if not as_lead:  # '… phối hợp có liên quan, bộ phận tin học': the vague part names no one
        vague = re.match(r"^\s*(?:co\s+)?lien quan\s*[,;]\s*", fview(span))
        span = span[vague.end():] if vague else span
    names = resolver.split(span)
    if not as_lead:
        names = [n for n in names if not _RELEVANT_ONLY.match(fold(n))]
    if not names:
        return None
    refs = [resolver.resolve(n, as_lead) for n in names]
    if not all(_name_like(n, r, assigned) for n, r in zip(names, refs)):
        return None
    out: list[UnitRef] = []
    for r in refs:
        if not any(same_ref(r, x) for x in out):
            out.append(r)
    return out


def subject(text: str, resolver: Resolver) -> _Subject | None:
    """The units a sentence names as the ones who act ('Sở Tư pháp chủ trì, phối hợp với … tổ chức …'), with the
    partners it names and the rest of the sentence; None when it does not begin with a body's name."""
    f = fview(text)
    pre = _PREFIX.match(f)
    start = pre.end() if pre else 0
    masked = _mask(text, resolver)
    verb = _first(_VERB, f, start, masked)
    colon = f.find(":", start)
    ends = [x for x in (verb.start() if verb else None, colon if colon >= 0 else None) if x is not None and x > start]
    if not ends:
        return None
    end = min(ends)
    span = text[start:end].strip(" ,;–-")
    if not span or len(span) > 160 or (not pre and not _opens_name(span, resolver)):
        return None
    leads = _units_in(span, resolver, as_lead=True, assigned=bool(pre))
    if not leads:
        return None
    partners, rest = partners_and_rest(text[end:], resolver)
    return _Subject(leads, partners, rest)


def _opens_name(span: str, resolver: Resolver) -> bool:
    """Whether a sentence opens with a body's name, a group's, a title standing for a body, or the staff."""
    return bool(is_head(span) or re.match(r"(?i)^(?:toàn thể|toan the)\s", span) or resolver.group_spans(span)
                or STAFF.match(fold(span)))


def partners_and_rest(text: str, resolver: Resolver) -> tuple[list[UnitRef], str]:
    """'chủ trì, phối hợp với Sở Nội vụ và các đơn vị liên quan tổ chức …' -> ([Sở Nội vụ, …], 'Tổ chức …')."""
    f = fview(text)
    pos = _LEADIN.match(f).end()
    partners: list[UnitRef] = []
    w = _WITH.match(f[pos:])
    if w:
        p_start = pos + w.end()
        masked = _mask(text, resolver)
        stop = _first(_PARTNER_END, f, p_start, masked)
        p_end = stop.start() if stop else len(text)
        named = text[p_start:p_end].strip(" ,")
        found = _units_in(named, resolver, as_lead=False) if named else None
        if found:
            partners = found
            pos = p_end
    rest = capitalise_first(tidy(text[pos:]).lstrip(":,; "))
    return partners, rest


def unit_heading(text: str, resolver: Resolver) -> list[UnitRef] | None:
    """The units a heading is made of ('b) Sở Nội vụ', 'Đề nghị Tỉnh đoàn Đắk Lắk', 'Thủ trưởng các sở, ban, ngành;
    Chủ tịch UBND các huyện…'), else None."""
    f = fview(text)
    pre = _PREFIX.match(f)
    span = text[pre.end() if pre else 0:].strip(" .:;")
    if not span or len(span.split()) > 40 or _first(_VERB, fview(span), 0, _mask(span, resolver)):
        return None
    return _units_in(span, resolver, as_lead=True, assigned=bool(pre))


def _schedule(item: Item, when: str | None, year: int | None):
    if when:
        return schedule_or_default(when, year)
    return parse_schedule(item.text, year, strict=True) or unstated(year)


def _add(ctx: _Context, item: Item, content: str, leads, partners, when, origin: str) -> None:
    content = capitalise_first(tidy(content).rstrip(":"))
    if not content or _BOILERPLATE.search(fold(content)):
        return
    source = " ".join([item.read or item.raw, *item.body])  # as read (an OCR'd text before its repair)
    ctx.tasks.append((item.index, Task(content, list(leads), list(partners), _schedule(item, when, ctx.year), source,
                                       origin, path=item.path())))


def _walk(item: Item, ctx: _Context, heading_leads: list[UnitRef] | None, section: str | None) -> None:
    fields, subitems = _fields(item)
    if item.kind not in ("root", "part") and {"lead", "partner", "time"} & set(fields):
        leads, partners = _leads_and_partners(fields.get("lead", ""), fields.get("partner", ""), ctx.resolver)
        if not leads:
            leads = heading_leads or [ctx.resolver.issuer_ref()]
        content = fields.get("content") or fields.get("_head") or item.head
        if not split_fields(item.head)[1]:
            content = item.head
        _add(ctx, item, content, leads, partners, fields.get("time"), "fields")
        return
    if item.kind in ("root", "part") or subitems:
        if item.kind not in ("root", "part"):
            section = section_kind(item.head, section) or section
        leads = heading_leads
        if item.kind not in ("root", "part"):
            named = unit_heading(item.head, ctx.resolver)
            said = None if named else subject(item.head, ctx.resolver)
            if named:
                leads = named
            elif said and not said.rest:
                leads = said.leads
        for child in subitems:
            _walk(child, ctx, leads, section)
        return
    _leaf(item, ctx, heading_leads, section)


def _leaf(item: Item, ctx: _Context, heading_leads, section) -> None:
    if section == "content":
        return
    named = unit_heading(item.head, ctx.resolver)
    if named and item.body:  # '2. Sở Khoa học và Công nghệ' over paragraphs of duties
        for k, paragraph in enumerate(item.body):
            partners, rest = partners_and_rest(paragraph, ctx.resolver)
            duty = Item(item.kind, item.label, rest, paragraph, item.key, parent=item.parent)
            _add(ctx, duty, rest, named, partners, None, "heading")
        return
    said = subject(item.head, ctx.resolver) or (subject(item.text, ctx.resolver) if item.body else None)
    if said and said.rest:
        _add(ctx, item, said.rest, said.leads, said.partners, None, "assignment")
        return
    if heading_leads:
        partners, rest = partners_and_rest(item.text, ctx.resolver)
        _add(ctx, item, rest, heading_leads, partners, None, "heading")
        return
    if section == "tasks" and item.kind in ("number", "letter", "paren", "bullet"):
        partners, rest = partners_and_rest(item.text, ctx.resolver)
        _add(ctx, item, rest, [ctx.resolver.issuer_ref()], partners, None, "issuer")


def tree_tasks(blocks: list[Block], resolver: Resolver, year: int | None) -> list[tuple[int, Task]]:
    """(block index, task) of the prose items."""
    ctx = _Context(resolver, year)
    _walk(outline(blocks), ctx, None, None)
    return ctx.tasks


def find_tasks(blocks: list[Block], resolver: Resolver, year: int | None):
    """(tasks in document order, prose and tables; texts of table rows for the target finder)."""
    from_tables, texts = table_tasks(blocks, resolver, year)
    placed = tree_tasks(blocks, resolver, year) + from_tables
    out, seen = [], set()
    for _, t in sorted(placed, key=lambda p: p[0]):
        key = fold(t.content)[:120]
        if key in seen:
            continue
        seen.add(key)
        out.append(t)
    return out, texts
