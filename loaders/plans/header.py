"""Who issued the plan, for which province and which year.

Looked for, in order: the letterhead above the title ('UBND TỈNH SÓC TRĂNG / SỞ XÂY DỰNG'), the title
('Kế hoạch … của Sở Xây dựng năm 2025'), the opening sentence ('Ban Quản lý … xây dựng kế hoạch …'),
the closing one ('Trên đây là Kế hoạch … của Sở Xây dựng.'). The province comes from the letterhead or
from 'tỉnh <Name>' in the text, checked against the list of provinces in data/reference.
"""
from __future__ import annotations

import functools
import re
from collections import Counter
from dataclasses import dataclass

from core.matching import MatchError
from core.periods import find_year
from core.text import fold
from loaders.plans.layout import Block
from loaders.plans.textutil import clean, view
from loaders.plans.units import UNIT_HEADS
from loaders.registry.registries import DATA_DIR, read_csv

_HEADS = UNIT_HEADS + r"|Huyen|Xa|Phuong"
_WORD = r"[^\s\d/,.;:()“”\"]+"
_ORG = rf"(?<![\w/-])(?:{_HEADS})(?:\s+{_WORD}){{1,12}}?"
_BODY = re.compile(rf"\b({_ORG})\s*(?:\([^)]{{0,40}}\))?\s+(?i:xay dung|ban hanh|trien khai|lap)\s+(?i:ke hoach)\b")
_TITLE = re.compile(rf"\b(?i:cua)\s+({_ORG})(?:\s+(?i:nam|giai doan)\s+\d{{4}}|\s*$)")
_ANNEX = re.compile(rf"(?i:kem theo ke hoach)[^)]*?\b(?i:cua)\s+({_ORG})\s*\)")
_CLOSING = re.compile(rf"(?i:tren day la ke hoach)[^.]*?\b(?i:cua)\s+({_ORG})\s*(?:[.,;]|$)")
_LETTERHEAD_ORG = re.compile(rf"^(?:{_HEADS.upper()})\b")
_MOTTO = re.compile(r"cong hoa xa hoi chu nghia viet nam|doc lap\W+tu do\W+hanh phuc")
_PROVINCE_AFTER = re.compile(r"\b(?:tinh|TINH|Tinh|thanh pho|THANH PHO|Thanh pho|TP\.?)\s+"
                             r"([A-Z][^\s,.;:()“”]*(?:\s+[A-Z][^\s,.;:()“”]*){0,3})")
_ONE_WORD_HEADS = {"so", "ban", "cuc", "phong", "dai", "bao", "vien", "truong", "bo"}


@dataclass
class Header:
    organisation: str | None  # for display: 'Sở Xây dựng tỉnh Sóc Trăng'
    issuer: str | None  # as the plan names it: 'Sở Xây dựng'
    province: str | None
    year: int | None
    organisation_code: str | None
    note: str | None = None


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
    for k, b in enumerate(blocks[:80]):
        if b.kind == "para" and fold(b.text).startswith("ke hoach") and len(b.text.split()) <= 40:
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


def _letterhead(blocks: list[Block], title: int | None) -> tuple[str | None, list[str]]:
    """(issuing organisation, provinces) from the lines above the title."""
    # Letterheads come as two columns (a table in Word, side by side in a PDF): keep the left column's lines.
    columns: list[list[str]] = [[], []]
    for b in blocks[: title if title is not None else 0]:
        for line in b.lines or [b.text]:
            parts = [clean(x) for x in re.split(r"\s{2,}|\t", line) if clean(x)]
            for k, part in enumerate(parts[:2]):
                columns[k if len(parts) > 1 else 0].append(part)
    orgs, provs = [], []
    for column in columns:
        last_org = False
        for line in column:
            f = fold(line)
            if not f or _MOTTO.search(f) or f.startswith("so ") and re.search(r"\d|/", line) or \
                    re.search(r"\bngay\b.*\bthang\b", f):
                last_org = False
                continue
            provs += _province_in(line)
            upper = line.upper() == line
            if upper and _LETTERHEAD_ORG.match(view(line, lower=False)):
                orgs.append(line)
                last_org = True
            elif upper and last_org and orgs:
                orgs[-1] = f"{orgs[-1]} {line}"  # a name wrapped in a narrow letterhead cell
            else:
                last_org = False
    issuer = orgs[-1] if orgs else None
    return issuer, provs


def _found(rx: re.Pattern, text: str) -> str | None:
    m = rx.search(view(text, lower=False))
    return clean(text[m.start(1):m.end(1)]) if m else None


def read_header(blocks: list[Block], registry) -> Header:
    title_at = _title_index(blocks)
    title = ""
    if title_at is not None:
        title = re.split(r"\b(?:Căn cứ|Can cu|CĂN CỨ)\b", blocks[title_at].text)[0].strip()
        nxt = blocks[title_at + 1] if title_at + 1 < len(blocks) else None
        if nxt is not None and nxt.kind == "para" and not fold(nxt.text).startswith("can cu") \
                and len(nxt.text.split()) <= 40 and (len(title.split()) <= 3 or find_year(title) is None):
            title = f"{title} {nxt.text}"
    paras = [b.text for b in blocks if b.kind == "para"]

    year = find_year(title) if title else None
    if year is None:
        years = Counter(int(y) for p in paras for y in re.findall(r"\bnam\s+(20\d{2})\b", fold(p)))
        year = years.most_common(1)[0][0] if years else None

    letter_org, letter_provs = _letterhead(blocks, title_at)
    body = [x for x in (_found(_BODY, p) for p in paras[:12] if not fold(p).startswith("can cu")) if x]
    closing = [x for x in (_found(_CLOSING, p) for p in reversed(paras[-12:])) if x]
    annex = [x for x in (_found(_ANNEX, p) for p in paras) if x]
    candidates = [c for c in [_found(_TITLE, title) if title else None] + body[:1] + closing[:1] + annex[:1] if c]
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
    if issuer:
        name = re.sub(r"\s+(?:tỉnh|tinh|TỈNH)$", "", issuer).strip()
        try:
            code = registry.unit_matcher.match(name).code
        except MatchError as exc:
            note = exc.message("đơn vị")
    return Header(organisation, issuer, province, year, code, note)
