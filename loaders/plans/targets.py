"""Numeric targets in a plan's text.

A target is a number with a unit that a plan commits to: '88,5%', '04 số/tháng', '12 tin, bài/năm',
'ít nhất 50 tin, bài', 'PCI đạt 68 điểm', 'xếp thứ 15'. Its code comes from the words around it:
index keywords first (PAR, SIPAS, PAPI, PCI, DTI, DDCI), then a name of an indicator in
data/indicators.csv found whole in the nearest window of words (registry.indicator_matcher.find_in,
which refuses two candidates). Windows grow from the number outwards; the first that names exactly one
thing wins. A number whose code stays unknown is kept apart (Plan.unrecognised), never guessed.
Dates, document numbers ('số 19/KH-UBND'), years and phrases such as 'Đề án 06' or '02 cấp' are not targets.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from core.periods import quarters_named
from core.text import NumberError, fold, parse_number
from loaders.plans.layout import Block
from loaders.plans.model import Target
from loaders.plans.textutil import clauses, clean, fview

# Index keywords, on folded text. Order matters only for texts naming two indices in one window.
INDEX_RULES: list[tuple[str, re.Pattern]] = [
    ("DDCI", re.compile(r"\bddci\b|nang luc canh tranh cap (?:so|huyen|xa|so,? ban,? nganh)")),
    ("SIPAS", re.compile(r"\bsipas\b|chi so (?:do luong )?(?:su |muc do )?hai long|(?:muc do|ty le) hai long cua"
                         r" (?:nguoi dan|ca nhan|to chuc)")),
    ("PAPI", re.compile(r"\bpapi\b|chi so hieu qua quan tri")),
    ("PCI", re.compile(r"\bpci\b|nang luc canh tranh cap tinh")),
    ("DTI", re.compile(r"\bdti\b|chi so (?:danh gia )?(?:muc do )?chuyen doi so")),
    ("PAR", re.compile(r"\bpar\s*-?\s*index\b|\bpar\b|chi so (?:cai cach hanh chinh|cchc)")),
]

_PERIODS = {"thang": ("tháng", "month"), "quy": ("quý", "quarter"), "nam": ("năm", "year"), "tuan": ("tuần", "week")}
# Count nouns (folded -> as shown). The indicator units of data/indicators.csv are added at run time.
_NOUNS = {
    "tin bai": "tin/bài", "tin": "tin", "bai": "bài", "bai viet": "bài viết", "bai dang": "bài đăng", "so": "số",
    "ban tin": "bản tin", "cuoc": "cuộc", "cuoc thi": "cuộc thi", "hoi nghi": "hội nghị", "hoi thi": "hội thi",
    "hoi thao": "hội thảo", "toa dam": "tọa đàm", "lop": "lớp", "buoi": "buổi", "video": "video", "clip": "clip",
    "phong su": "phóng sự", "chuyen muc": "chuyên mục", "chuyen trang": "chuyên trang", "san pham": "sản phẩm",
    "infographic": "infographic", "pano": "pa nô", "pa no": "pa nô", "bang ron": "băng rôn", "ap phich": "áp phích",
    "khau hieu": "khẩu hiệu", "to gap": "tờ gấp", "to roi": "tờ rơi", "to": "tờ", "cai": "cái", "luot": "lượt",
    "chuong trinh": "chương trình", "an pham": "ấn phẩm", "bo": "bộ", "cuon": "cuốn", "ky": "kỳ",
}
_NUM = r"(\d{1,3}(?:\.\d{3})+(?:\s?,\s?\d+)?|\d+(?:\s?,\s?\d+)?(?=\s?%)|\d+(?:,\d+)?)"
_NOT_BEFORE = r"(?<![\d/.,\-–])(?<!\d )"  # not part of a date, a code or a larger number
_NOT_AFTER = r"(?!\s*[/\-–]\s*\d)(?![.,]\d)"  # not '19/KH', '2021-2030', '14/7/2025'
_CUES = re.compile(r"\b(?:phan dau|dat|it nhat|toi thieu|khong it hon|tren|tu|so luong|chi tieu|muc|bao dam|dam bao"
                   r"|phat hanh|dang tai|dang|thuc hien|to chuc|xay dung|san xuat|in|mo|cap nhat|truyen tai)\s*$")
_PER_AFTER = re.compile(r"^(?:\s+[^\s\d]+){0,6}?\s+(?:moi|hang|trong moi)\s+(thang|quy|tuan)\b")
_PER_BEFORE = re.compile(r"\b(?:moi|hang|hằng|trong moi)\s+(thang|quy|tuan)\b(?!.*\b(?:moi|hang)\s+(?:thang|quy|tuan))")
_RELATIVE = re.compile(r"\b(?:tang|giam|them|hon|vuot|cao hon|thap hon|chiem)\s*(?:len\s*)?(?:it nhat\s*|khoang\s*)?$")
_INDEX_VALUE = re.compile(r"\b(?:dat|phan dau dat|len|tren|toi thieu|it nhat|tu|muc)\s+(?:tu\s+|tren\s+|muc\s+)?"
                          + _NOT_BEFORE + _NUM + r"\s*(diem)?" + _NOT_AFTER + r"(?!\s?%)")
# The year a target is set for, written before it in its clause: 'Đến hết năm 2025: ≥ 30 %', 'năm 2030 đạt 60 %'.
_TARGET_YEAR = re.compile(r"\b(?:den het|den|het|trong|vao|cuoi)?\s*nam\s+((?:19|20)\d{2})\b(?!\s*[-–/])")
_RANK = re.compile(r"\bxep\s+(?:hang\s+)?(?:thu\s+)?(\d{1,2})\b(?!\s*/)|\bnhom\s+(\d{1,2})\s+(?:tinh|dia phuong|don vi)"
                   r"\s+(?:dan dau|cao nhat|dung dau)")


@dataclass
class _Hit:
    start: int  # of the number in the paragraph
    end: int  # of the unit
    value: float
    unit: str
    per: str | None
    kind_hint: str | None = None  # 'index' for a score or rank found after an index keyword


def _noun_rx(nouns: dict[str, str]) -> str:
    keys = sorted(nouns, key=len, reverse=True)
    return "(?:" + "|".join(r"\s*[,/]?\s*".join(re.escape(w) for w in k.split()) if " " in k else re.escape(k)
                            for k in keys) + ")"


class TargetFinder:
    def __init__(self, registry):
        self.registry = registry
        self.nouns = dict(_NOUNS)
        for m in registry.indicators:
            u = (m.get("unit") or "").strip()
            if u and u != "%":
                self.nouns.setdefault(fold(u), u)
        noun = _noun_rx(self.nouns)
        nouns = noun + r"(?:\s*[,/]\s*" + noun + r")*"
        period = r"(thang|quy|nam|tuan)"
        self.percent = re.compile(_NOT_BEFORE + _NUM + r"\s?%")
        per = r"\s*(?:/\s*|\s+(?:moi|mot|hang|trong|/)\s+)"  # '04 số/tháng', '04 số mỗi tháng'
        self.per_period = re.compile(_NOT_BEFORE + _NUM + r"\s+(" + nouns + r")" + per + period + r"\b")
        self.count = re.compile(_NOT_BEFORE + _NUM + _NOT_AFTER + r"\s+(" + nouns + r")\b")

    # --- finding numbers ---------------------------------------------------------------------------
    def _unit(self, noun_text: str) -> str:
        words = [w for w in re.split(r"\s*[,/]\s*|\s+", noun_text.strip()) if w]
        out, k = [], 0
        while k < len(words):  # longest known noun first: 'tin bai' before 'tin'
            for n in (2, 1):
                key = " ".join(words[k:k + n])
                if len(words[k:k + n]) == n and key in self.nouns:
                    out.append(self.nouns[key])
                    k += n
                    break
            else:
                out.append(words[k])
                k += 1
        return "/".join(dict.fromkeys(out))

    def numbers(self, f: str) -> list[_Hit]:
        hits: list[_Hit] = []
        taken: list[tuple[int, int]] = []

        def free(a, b):
            return all(b <= x or a >= y for x, y in taken)

        def value(text):
            try:
                return parse_number(text.replace(" ", ""))
            except NumberError:
                return None

        for m in self.percent.finditer(f):
            v = value(m.group(1))
            if v is None or v > 1000 or _RELATIVE.search(f[max(0, m.start() - 25):m.start()]):
                continue
            hits.append(_Hit(m.start(), m.end(), v, "%", None))
            taken.append((m.start(), m.end()))
        for m in self.per_period.finditer(f):
            v = value(m.group(1))
            if v is None or not free(m.start(), m.end()):
                continue
            label, per = _PERIODS[m.group(3)]
            hits.append(_Hit(m.start(), m.end(), v, f"{self._unit(m.group(2))}/{label}", per))
            taken.append((m.start(), m.end()))
        for m in self.count.finditer(f):
            v = value(m.group(1))
            if v is None or not free(m.start(), m.end()) or not _CUES.search(f[max(0, m.start() - 30):m.start()]):
                continue
            if re.match(r"\s*(?:so|ky)\b", f[m.end(1):]) and not re.search(r"\b(?:phat hanh|xuat ban|ban tin)\b",
                                                                          f[max(0, m.start() - 80):m.end() + 40]):
                continue  # '02 số' is a count of issues only where issues are spoken of
            # 'mỗi tháng ít nhất 02 tin, bài': the period stands before the number; '02 tin, bài về CCHC mỗi
            # tháng': a few words after it, in the same clause.
            before = _PER_BEFORE.search(f[max(0, m.start() - 30):m.start()])
            after = _PER_AFTER.match(re.split(r"[;.]", f[m.end():], maxsplit=1)[0])
            found = before or after
            label, per = _PERIODS[found.group(1)] if found else (None, "year")
            unit = self._unit(m.group(2)) + (f"/{label}" if label else "")
            hits.append(_Hit(m.start(), m.end(), v, unit, per))
            taken.append((m.start(), m.end()))
        for code, rx in INDEX_RULES:
            for k in rx.finditer(f):
                tail = f[k.end():k.end() + 90]
                cut = re.search(r"[;.](?:\s|$)", tail)
                tail = tail[:cut.start()] if cut else tail
                for m in _INDEX_VALUE.finditer(tail):
                    a, b = k.end() + m.start(1), k.end() + m.end()
                    v = value(m.group(1))
                    if v is None or not free(a, b) or 1900 <= v <= 2100:
                        continue
                    hits.append(_Hit(a, b, v, "điểm" if m.group(2) else "", None, "index"))
                    taken.append((a, b))
                    break
                for m in _RANK.finditer(tail):
                    g = 1 if m.group(1) else 2
                    a, b = k.end() + m.start(g), k.end() + m.end(g)
                    if not free(a, b):
                        continue
                    hits.append(_Hit(a, b, float(m.group(g)), "hạng", None, "index"))
                    taken.append((a, b))
                    break
        return sorted(hits, key=lambda h: h.start)

    # --- naming them ----------------------------------------------------------------------------------
    @staticmethod
    def _index_in(f: str) -> str | None:
        """The one index the words name (keyword rules), '?' for several, None for none."""
        found = {code for code, rx in INDEX_RULES if rx.search(f)}
        if len(found) > 1:
            return "?"
        return found.pop() if found else None

    def _indicator_in(self, f: str) -> str | None:
        """The one indicator named whole in the words, as written or once filler words are dropped."""
        matcher = self.registry.indicator_matcher
        m = matcher.find_in(f) or matcher.find_in(matcher.key(f))
        return m.code if m else None

    def name(self, f: str, hit: _Hit, clause: tuple[int, int], neighbours: list[_Hit]) -> tuple[str | None, str | None]:
        """(kind, code) for the number: the smallest window around it that names exactly one index or indicator."""
        lo, hi = clause
        # Stop at the neighbouring targets of the same clause: each names its own subject.
        for n in neighbours:
            if n.end <= hit.start:
                lo = max(lo, n.end)
            elif n.start >= hit.end:
                hi = min(hi, n.start)
        before = f[lo:hit.start].split()
        after = f[hit.end:hi].split()
        mid = ["#", re.sub(r"[\d.,%]+", " ", f[hit.start:hit.end]).strip()]  # the unit names things too: '02 hội nghị'
        windows = []
        for k in (6, 12, 20):
            windows.append(" ".join(before[-k:] + mid + after[:k]))
        windows.append(" ".join(before + mid + after[:8]))
        windows.append(" ".join(before[-4:] + mid + after))
        if len(before) + len(after) <= 70:
            windows.append(" ".join(before + mid + after))
        if lo > 0 and f[:lo].rstrip().endswith((";", ":")):
            # '… nộp trực tuyến: đến hết năm 2026 ≥ 30 %; đến năm 2030: 60 %': the list's subject comes first
            windows.append(" ".join(f[:lo].split()[:12] + mid + after[:6]))
        for w in windows:
            index = self._index_in(w)
            if index == "?":
                continue
            indicator = None if hit.kind_hint == "index" else self._indicator_in(w)
            if index and not indicator:
                return "index", index
            if indicator and not index:
                return "indicator", indicator
        return None, None

    def find(self, text: str) -> list[Target]:
        text = clean(text)
        f = fview(text)
        hits = self.numbers(f)
        out: list[Target] = []
        spans = clauses(text)
        for hit in hits:
            clause = next(((a, b) for a, b in spans if a <= hit.start < b), (0, len(text)))
            same = [h for h in hits if h is not hit and clause[0] <= h.start < clause[1]]
            kind, code = self.name(f, hit, clause, same)
            note = None
            if kind == "indicator":
                ind = self.registry.indicator(code)
                if (ind["kind"] == "rate") != (hit.unit == "%"):
                    note = f"đơn vị “{hit.unit}” không hợp với chỉ tiêu {ind['name']}"
                    kind, code = None, None
            if kind == "index" and hit.unit not in ("%", "điểm", "", "hạng"):
                kind, code = None, None
            sentence = text[clause[0]:clause[1]].strip(" -–+•")
            before = [int(y) for y in _TARGET_YEAR.findall(f[clause[0]:hit.start])]
            after = [int(y) for y in _TARGET_YEAR.findall(f[hit.end:clause[1]])]
            year = before[-1] if before else (after[0] if after else None)
            out.append(Target(code, kind, hit.value, hit.unit, sentence, text[hit.start:hit.end].strip(),
                              None if hit.unit == "%" or kind == "index" else hit.per, note, year,
                              quarters_named(f[clause[0]:clause[1]]) if kind == "indicator" else ()))
        return out


def find_targets(blocks: list[Block], registry,
                 table_texts: list[str] | None = None) -> tuple[list[Target], list[Target]]:
    """(targets with a code, numbers that look like targets but name nothing known) in document order."""
    finder = TargetFinder(registry)
    found: list[Target] = []
    texts = [b.text for b in blocks if b.kind == "para"] + list(table_texts or [])
    for text in texts:
        found += finder.find(text)
    coded, unknown, seen = [], [], set()
    for t in found:
        key = (t.code, t.value, t.unit, t.text)
        if key in seen:
            continue
        seen.add(key)
        (coded if t.code else unknown).append(t)
    return coded, unknown
