"""Who issued the document, its number and date, for which province and which years (Nghị định 30/2020/NĐ-CP).

- Issuing body: the letterhead's left column ('UBND TỈNH SÓC TRĂNG' over 'SỞ XÂY DỰNG': the lower line issues),
  never the national motto on its right ('CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM / Độc lập - Tự do - Hạnh phúc'), also
  when a copy has flattened the header table into one line ('UBND TỈNH ĐẮK LẮK SỞ XÂY DỰNG CỘNG HÒA … Số: 159/KH-SXD
  Đắk Lắk, ngày 21 tháng 7 năm 2025'). Without a letterhead: the title ('Kế hoạch … của Sở Xây dựng năm 2025'),
  the opening sentence ('Ban Quản lý … xây dựng kế hoạch …'), the annex note ('Kèm theo Quyết định số …/QĐ-UBND
  ngày …/3/2025 của UBND tỉnh Đắk Lắk') or the closing one ('Trên đây là Kế hoạch … của Sở Xây dựng.').
- Number and symbol: 'Số: 159/KH-UBND' of the letterhead, or of the annex note that names this document; a number
  left blank for the signature ('Số:    /KH-SXD') stays None.
- Date of issue: '<place>, ngày 21 tháng 7 năm 2025' (a blank day or month stays blank), or the annex note's date.
  The newest date among the documents it cites ('Căn cứ … số 1928/QĐ-UBND ngày 01/8/2025') is a lower bound.
- Period: the title's years ('năm 2025'; 'giai đoạn 2026 - 2030'; 'từ năm 2026 đến năm 2030'); years named only
  in the body (another programme's 'giai đoạn 2021 - 2030') do not make the plan span them.
- Province: from the letterhead, else 'tỉnh <Name>' in the issuer or the title, else the one the text names most,
  checked against the list of provinces in data/reference.
"""
from __future__ import annotations

import datetime as dt
import functools
import re
from collections import Counter
from dataclasses import dataclass

from core.matching import MatchError
from core.periods import find_year
from core.text import fold
from loaders.plans.layout import Block
from loaders.plans.model import IssueDate
from loaders.plans.textutil import clean, fview, view
from loaders.plans.units import UNIT_HEADS
from loaders.registry.registries import DATA_DIR, read_csv

_HEADS = UNIT_HEADS + r"|Huyen|Xa|Phuong|Chu tich"
_WORD = r"[^\s\d/,.;:()“”\"]+"
_ORG = rf"(?<![\w/-])(?:{_HEADS})(?:\s+{_WORD}){{1,12}}?"
_BODY = re.compile(rf"\b({_ORG})\s*(?:\([^)]{{0,40}}\))?\s+(?i:xay dung|ban hanh|trien khai|lap)\s+(?i:ke hoach)\b")
_TITLE = re.compile(rf"\b(?i:cua)\s+({_ORG})(?:\s+(?i:nam|giai doan|ve|tren)\b|\s*$)")
_ANNEX_NOTE = re.compile(r"(?i:kem theo)\s+(?i:ke hoach|quyet dinh|chi thi)\s+(?i:so)?\s*(?P<number>\d+[a-z]?)?\s*/"
                         r"\s*(?P<symbol>[A-Z][A-Za-z0-9&.\-]{1,30})(?P<rest>[^)]{0,120})")
_ANNEX_ORG = re.compile(rf"\b(?i:cua)\s+({_ORG})\s*\)?\s*$")
_CLOSING = re.compile(rf"(?i:tren day la (?:ke hoach|chi thi|quyet dinh))[^.]*?\b(?i:cua)\s+({_ORG})\s*(?:[.,;]|$)")
_LETTERHEAD_ORG = re.compile(rf"^(?:{_HEADS.upper()})\b")
_MOTTO = re.compile(r"c\s*o\s*n\s*g\s*h\s*o\s*a\s*x\s*a\s*h\s*o\s*i\s*c\s*h\s*u\s*n\s*g\s*h\s*[iy]\s*a\s*v\s*i\s*e\s*t"
                    r"\s*n\s*a\s*m|d\s*o\s*c\s*l\s*a\s*p\W*t\s*u\s*d\s*o\W*h\s*a\s*n\s*h\s*p\s*h\s*u\s*c")
_NUMBER = re.compile(r"(?<![a-z])so\s*:?\s*(?P<number>\d+[a-z]?)?\s*/\s*(?P<symbol>[a-z][a-z0-9&.\-]{1,30})")
_DATE = re.compile(r"\bngay\s*(?P<d>\d{1,2})?\s*(?:thang|/)\s*(?P<m>\d{1,2})?\s*(?:nam|/)\s*(?P<y>(?:19|20)\d{2})\b")
_CITED = re.compile(r"\bso\s*:?\s*\d+[^\s]*\s*/\s*\S+\s+ngay\s+(\d{1,2})\s*(?:/|thang)\s*(\d{1,2})\s*(?:/|nam)\s*"
                    r"((?:19|20)\d{2})")
_SPAN = re.compile(r"(?:giai doan|tu nam|nam)\s+((?:19|20)\d{2})\s*(?:-|–|—|den(?:\s+nam)?)\s*((?:19|20)\d{2})")
_PROVINCE_AFTER = re.compile(r"\b(?:tinh|TINH|Tinh|thanh pho|THANH PHO|Thanh pho|TP\.?)\s+"
                             r"([A-Z][^\s,.;:()“”]*(?:\s+[A-Z][^\s,.;:()“”]*){0,3})")
_PLACE = re.compile(r"\b(?:TINH|HUYEN|THANH PHO|THI XA|QUAN|XA|PHUONG)\s+\S+")
_ONE_WORD_HEADS = {"so", "ban", "cuc", "phong", "dai", "bao", "vien", "truong", "bo"}
_BARE_HEADS = _ONE_WORD_HEADS | {"ubnd", "uy ban", "uy ban nhan dan", "van phong", "chi cuc", "trung tam", "hoi dong"}
_KINDS = {"quyet dinh": "quyet_dinh", "chi thi": "chi_thi", "ke hoach": "ke_hoach"}


@dataclass
class Header:
    organisation: str | None  # for display: 'Sở Xây dựng tỉnh Sóc Trăng'
    issuer: str | None  # as the document names it: 'Sở Xây dựng'
    province: str | None
    year: int | None
    organisation_code: str | None
    note: str | None = None
    year_end: int | None = None
    number: str | None = None
    symbol: str | None = None
    issued: IssueDate | None = None
    not_before: dt.date | None = None
    kind: str = "ke_hoach"


@functools.lru_cache(maxsize=1)
def provinces() -> dict[str, str]:
    """fold(name) -> name, for the 63 old and 34 new provinces (data/reference/province_mapping_2025.csv)."""
    path = DATA_DIR / "reference" / "province_mapping_2025.csv"
    names: dict[str, str] = {}
    if path.exists():
        for r in read_csv(path):
            for key in ("old_province", "new_province"):
                if r.get(key):
                    names[fold(r[key])] = r[key]
    names.setdefault(fold("Hồ Chí Minh"), "TP. Hồ Chí Minh")
    return names


def _province_in(text: str) -> list[str]:
    """Provinces named as 'tỉnh X' / 'thành phố X' in a text."""
    known = provinces()
    out = []
    v = view(text, lower=False)
    for m in _PROVINCE_AFTER.finditer(v):
        words = m.group(1).split()
        for n in range(len(words), 0, -1):
            key = fold(" ".join(words[:n]))
            if key in known:
                out.append(known[key])
                break
    return out


def _title_index(blocks: list[Block]) -> int | None:
    """The block of the document's title: 'KẾ HOẠCH', 'QUYẾT ĐỊNH', 'CHỈ THỊ' (the first one)."""
    for k, b in enumerate(blocks[:120]):
        f = fold(b.text)
        if b.kind == "para" and len(b.text.split()) <= 40 and re.match(r"^(?:ke hoach|quyet dinh|chi thi)\b", f) \
                and not f.startswith(("quyet dinh nay", "ke hoach nay")):
            return k
    return None


def _smart_case(upper: str) -> str:
    """'SỞ XÂY DỰNG' -> 'Sở Xây dựng'; 'ỦY BAN NHÂN DÂN TỈNH ĐẮK LẮK' -> 'Ủy ban nhân dân tỉnh Đắk Lắk'."""
    words = upper.split()
    out = []
    proper = False  # after 'tỉnh', 'huyện', 'thành phố': a place name keeps its capitals
    for k, w in enumerate(words):
        f = fold(w)
        acronym = len(w) <= 4 and not any(c in "AEIOUY" for c in view(w, False))
        if f in ("ubnd", "hdnd", "cchc", "kcn", "tp") or acronym:
            out.append(w)
        elif k == 0 or proper or (k == 1 and fold(words[0]) in _ONE_WORD_HEADS):
            out.append(w[:1] + w[1:].lower())
        else:
            out.append(w.lower())
        proper = proper or f in ("tinh", "huyen", "xa", "phuong") or (
            k > 0 and f == "pho" and fold(words[k - 1]) == "thanh")
    return " ".join(out)


def _without_motto(line: str) -> str:
    """The line with the national motto and its subtitle cut out (flattened headers hold them mid-line)."""
    v = view(line)
    cuts = [(m.start(), m.end()) for m in _MOTTO.finditer(v)]
    for a, b in reversed(cuts):
        line = line[:a] + "  " + line[b:]
    return line


def _upper_runs(line: str) -> list[str]:
    """Runs of words in capitals ('UBND TỈNH ĐẮK LẮK SỞ XÂY DỰNG') in a line, in order."""
    runs, cur = [], []
    for word in re.split(r"\s+", line):
        letters = [c for c in word if c.isalpha()]
        if letters and all(c.isupper() for c in letters) and not re.search(r"\d|/", word):
            cur.append(word)
        else:
            if cur:
                runs.append(" ".join(cur))
            cur = []
    if cur:
        runs.append(" ".join(cur))
    return runs


def _split_bodies(run: str) -> list[str]:
    """'UBND TỈNH ĐẮK LẮK SỞ XÂY DỰNG' -> ['UBND TỈNH ĐẮK LẮK', 'SỞ XÂY DỰNG']: a body's name begins again after a
    place ('TỈNH ĐẮK LẮK', 'THÀNH PHỐ BUÔN MA THUỘT') once a head word follows it."""
    words = run.split()
    out, cur, placed = [], [], 0
    for w in words:
        head = _LETTERHEAD_ORG.match(view(w, lower=False)) and fold(w) not in ("pho",)
        if cur and placed >= 2 and head:
            out.append(" ".join(cur))
            cur, placed = [], 0
        cur.append(w)
        if placed:
            placed += 1
        elif fold(w) in ("tinh", "huyen", "xa", "phuong", "quan") or (len(cur) > 1 and fold(" ".join(cur[-2:])) in (
                "thanh pho", "thi xa")):
            placed = 1
    if cur:
        out.append(" ".join(cur))
    return out


_MOTTO_WORDS = "cong hoa xa hoi chu nghia viet nam doc lap tu do hanh phuc"


def _motto_piece(part: str) -> bool:
    """A piece of the motto left by a column that wrapped it ('VIỆT NAM', 'CỘNG HÒA XÃ HỘI CHỦ NGHĨA')."""
    f = fold(part)
    return len(f.split()) >= 2 and f in _MOTTO_WORDS


def _letterhead(blocks: list[Block], title: int | None) -> tuple[str | None, list[str], list[str]]:
    """(issuing body, provinces, the letterhead's lines) from the lines above the title. Letterheads come as two
    columns (a table in Word, side by side in a PDF's text): the left column's lines are read first, then the rest,
    and a name wrapped in a narrow cell is joined within its column only."""
    lines: list[str] = []
    for b in blocks[: title if title is not None else 0]:
        for line in b.lines or [b.text]:
            lines.append(_without_motto(line))
    columns: list[list[str]] = [[], []]
    for line in lines:
        parts = [clean(x) for x in re.split(r"\s{2,}|\t|\s\|\s", line) if clean(x) and not _motto_piece(x)]
        joined: list[str] = []
        for part in parts:  # 'SỞ  XÂY DỰNG': a head word alone is no column, the name goes on after the gap
            if joined and fold(joined[-1]) in _BARE_HEADS:
                joined[-1] = f"{joined[-1]} {part}"
            else:
                joined.append(part)
        for k, part in enumerate(joined):
            columns[min(k, 1)].append(part)
    found = [_bodies(column) for column in columns]
    orgs = found[0][0] or found[1][0]  # the left column issues; the right one holds the motto and the date
    issuer = orgs[-1] if orgs else None
    return issuer, found[0][1] + found[1][1], lines


def _bodies(column: list[str]) -> tuple[list[str], list[str]]:
    """(names of bodies in capitals, provinces) of a letterhead column, top to bottom."""
    orgs, provs = [], []
    last_org = False
    for part in column:
        f = fold(part)
        if not f or re.search(r"\bngay\b.*\b(?:thang|nam)\b", f) or re.match(r"^so\b", f) and re.search(r"/", part):
            last_org = False
            continue
        provs += _province_in(part)
        runs = _upper_runs(part)
        if not runs:
            last_org = False
            continue
        for run in runs:
            for body in _split_bodies(run):
                if _LETTERHEAD_ORG.match(view(body, lower=False)):
                    orgs.append(body)
                    last_org = True
                elif last_org and orgs and len(runs) == 1:
                    orgs[-1] = f"{orgs[-1]} {body}"  # a name wrapped in a narrow letterhead cell
    return orgs, provs


def _found(rx: re.Pattern, text: str) -> str | None:
    m = rx.search(view(text, lower=False))
    return clean(text[m.start(1):m.end(1)]) if m else None


def _number_and_date(head_lines: list[str], paras: list[str]):
    """(number, symbol, IssueDate) from the letterhead's 'Số:' and date lines, else from the note 'Kèm theo … số
    …/… ngày …' that names this very document."""
    number = symbol = issued = None
    text = "  ".join(head_lines)
    f = fview(text)
    m = _NUMBER.search(f)
    if m:
        number = m.group("number")
        symbol = text[m.start("symbol"):m.end("symbol")]
    d = _DATE.search(f)
    if d:
        issued = _issue_date(d)
    if symbol is None or issued is None:
        for p in paras:
            note = _ANNEX_NOTE.search(view(p, lower=False))
            if not note:
                continue
            if symbol is None:
                number = note.group("number")
                symbol = p[note.start("symbol"):note.end("symbol")]
            if issued is None:
                d = _DATE.search(fview(p[note.start("rest"):note.end("rest")]))
                issued = _issue_date(d) if d else None
            break
    return number, _symbol(symbol), issued


# Kinds of document in a symbol, as Nghị định 30/2020 writes them: 'QD' read without its Đ is 'QĐ'.
_SYMBOL_KINDS = {"QD": "QĐ", "DA": "ĐA", "HD": "HD"}


def _symbol(symbol: str | None) -> str | None:
    if not symbol:
        return None
    parts = symbol.strip(".-").split("-")
    parts[0] = _SYMBOL_KINDS.get(parts[0].upper(), parts[0].upper())
    return "-".join(p.upper() if p.isascii() else p for p in parts)


def _issue_date(m: re.Match) -> IssueDate | None:
    year = int(m.group("y"))
    month = int(m.group("m")) if m.group("m") else None
    day = int(m.group("d")) if m.group("d") and month else None
    if month is not None and not 1 <= month <= 12:
        return IssueDate(year)
    if day is not None and not 1 <= day <= 31:
        day = None
    return IssueDate(year, month, day)


def _cited_after(paras: list[str]) -> dt.date | None:
    """The newest date among the documents the text cites ('Kế hoạch số 588/KH-SXD ngày 29/7/2025')."""
    dates = []
    for p in paras:
        for m in _CITED.finditer(fview(p)):
            try:
                dates.append(dt.date(int(m.group(3)), int(m.group(2)), int(m.group(1))))
            except ValueError:
                continue
    return max(dates) if dates else None


def _period(title: str, paras: list[str]) -> tuple[int | None, int | None]:
    """(first year, last year) the title names (outside its parentheses: '… năm 2026 (thực hiện Chương trình giai
    đoạn 2021 - 2030)' is a plan of 2026); else the year the text names most ('năm 2025')."""
    title = re.sub(r"\([^)]*\)", " ", title)
    f = fview(title)
    span = _SPAN.search(f)
    if span and int(span.group(1)) <= int(span.group(2)):
        return int(span.group(1)), int(span.group(2))
    year = find_year(title) if title else None
    if year is None:
        years = Counter(int(y) for p in paras for y in re.findall(r"\bnam\s+(20\d{2})\b", fold(p)))
        year = years.most_common(1)[0][0] if years else None
    return year, year


def read_header(blocks: list[Block], registry) -> Header:
    title_at = _title_index(blocks)
    title = ""
    kind = "ke_hoach"
    if title_at is not None:
        title = re.split(r"\b(?:Căn cứ|Can cu|CĂN CỨ)\b", blocks[title_at].text)[0].strip()
        kind = next((v for k, v in _KINDS.items() if fold(title).startswith(k)), "ke_hoach")
        for nxt in blocks[title_at + 1:title_at + 4]:
            if nxt.kind != "para" or fold(nxt.text).startswith(("can cu", "thuc hien", "chu tich", "i ")) \
                    or len(nxt.text.split()) > 40 or (find_year(title) is not None and len(title.split()) > 3):
                break
            title = f"{title} {nxt.text}"
    paras = [b.text for b in blocks if b.kind == "para"]
    year, year_end = _period(title, paras)

    letter_org, letter_provs, head_lines = _letterhead(blocks, title_at)
    body = [x for x in (_found(_BODY, p) for p in paras[:14] if not fold(p).startswith("can cu")) if x]
    closing = [x for x in (_found(_CLOSING, p) for p in reversed(paras[-14:])) if x]
    annex = []
    for p in paras:
        note = _ANNEX_NOTE.search(view(p, lower=False))
        if note:
            rest = p[note.start("rest"):note.end("rest")]
            found = _found(_ANNEX_ORG, rest)
            if found:
                annex.append(found)
    candidates = [c for c in [_found(_TITLE, title) if title else None] + body[:1] + annex[:1] + closing[:1] if c]
    issuer = None
    if letter_org:
        # The letterhead names the issuer; the text usually spells the same name in normal case.
        key = fold(letter_org)
        same = [c for c in candidates if fold(c) == key] or \
               [c for c in candidates if fold(c).startswith(key) or key.startswith(fold(c))]
        issuer = same[0] if same else _smart_case(letter_org)
    elif candidates:
        issuer = candidates[0]

    province = None
    if letter_provs:
        province = letter_provs[0]
    else:
        named = _province_in(issuer or "") or _province_in(title)
        counts = Counter(p for para in paras for p in _province_in(para))
        province = named[0] if named else (counts.most_common(1)[0][0] if counts else None)

    organisation = issuer
    if issuer and province and fold(province) not in fold(issuer):
        organisation = f"{issuer} {province}" if fold(issuer).endswith(" tinh") else f"{issuer} tỉnh {province}"
    elif not issuer and province:
        organisation = f"UBND tỉnh {province}"

    code, note = None, None
    if issuer and re.match(r"^(?:chu tich\s+)?(?:uy ban nhan dan|ubnd)\s+tinh\b|^(?:uy ban nhan dan|ubnd)$",
                           fold(issuer)):
        pass  # the province's own committee: the whole province, not one unit of the registry (not its Văn phòng)
    elif issuer:
        name = re.sub(r"\s+(?:tỉnh|tinh|TỈNH)(?:\s+\S+){0,3}$", "", issuer).strip() if not fold(issuer).startswith(
            ("ubnd", "uy ban")) else issuer
        try:
            code = registry.unit_matcher.match(name).code
        except MatchError as exc:
            note = exc.message("đơn vị")
    number, symbol, issued = _number_and_date(head_lines, paras)
    return Header(organisation, issuer, province, year, code, note, year_end, number, symbol, issued,
                  _cited_after(paras), kind)
