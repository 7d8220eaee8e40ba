"""Time of a task as plans write it -> Schedule.

'Tháng 3/2025' month · 'Tháng 6 - 9/2025' month_range · 'Quý II/2025', 'Quý I, II' quarter ·
'Hằng tháng trong năm' monthly · 'Định kỳ hằng quý' quarterly · 'Thường xuyên' regular ·
'Khi Sở Nội vụ có yêu cầu' on_request · 'Năm 2025', 'Trong năm' year.
Works on text without diacritics and with OCR noise ('Quý 11/2025' is 'Quý II/2025').

The words are read on the text with its diacritics where it has them, folded only to compare: 'theo quy định' (as
the regulations say) is a manner, never 'theo quý' (quarterly). A text with diacritics must write 'quý' itself; one
without them (an OCR reading, a stripped copy) goes through a vocabulary check: 'quy' followed by 'định', 'chế',
'trình', 'hoạch'… is that word, not the quarter.
"""
from __future__ import annotations

import re

from core.periods import ROMAN
from loaders.plans.model import Schedule
from core.text import fold
from loaders.plans.textutil import clean, fview

_SEP = r"\s*(?:-|–|—|đến|den|toi|tới)\s*"
_YEAR = r"(?:\s*(?:/|-|\bnam)\s*((?:19|20)\d{2})\b)?"
_QTOK = r"(?:iv|i{1,3}|[1l]{1,3}|[1-4])"

_MONTHLY = re.compile(r"\b(?:hang|moi|tung)\s+thang\b|\bdinh\s*ky\s+(?:hang\s+)?thang\b|\bthang\s*/\s*lan\b"
                      r"|\bhangthang\b")
_QUARTERLY = re.compile(r"\b(?:hang|moi|tung)\s+quy\b|\bdinh\s*ky\s+(?:hang\s+)?quy\b|\btheo\s+quy\b"
                        r"|\bhangquy\b")
_MONTH_RANGE = re.compile(r"\b(?:tu\s+)?thang\s+(\d{1,2})(?:" + _SEP + r"(?:thang\s+)?|\s+(?=\d{1,2}\s*/\s*\d{4}))"
                          r"(\d{1,2})\b(?!\s*/\s*\d{1,2}\s*/)" + _YEAR)  # 'Tháng 6 9/2025': OCR lost the dash
_MONTHS = re.compile(r"\bthang\s+(\d{1,2}(?:\s*(?:,|va|;)\s*\d{1,2})*)\b(?!\s*/\s*\d{1,2}\s*/)" + _YEAR)
_DEADLINE = re.compile(r"\b(?:truoc|den|han|cham nhat|trong)\s+(?:ngay\s+)?(\d{1,2})\s*/\s*(\d{1,2})"
                       r"(?:\s*/\s*((?:19|20)\d{2}))?")
_DATE = re.compile(r"^\s*(?:ngay\s+)?(\d{1,2})\s*/\s*(\d{1,2})\s*/\s*((?:19|20)\d{2})\s*$")
_QUARTERS = re.compile(r"\bquy\s+(" + _QTOK + r"(?:\s*(?:,|va|-|–|den|;)\s*(?:quy\s+)?" + _QTOK + r")*)\b" + _YEAR)
_HALF = re.compile(r"\b6\s+thang\s+(dau|cuoi)\s+nam\b")
_ON_REQUEST = re.compile(r"\bkhi\b.{0,60}?\b(?:yeu\s+cau|de\s+nghi|chi\s+dao)\b|\btheo\s+yeu\s+cau\b"
                         r"|\bdot\s+xuat\b|\bkhi\s+(?:co|duoc)\s+(?:van\s+ban|huong\s+dan)\b|\bkhi\s+phat\s+sinh\b")
_ON_REQUEST_LOOSE = re.compile(r"\byeu\s+cau\b|\btheo\s+chi\s+dao\b|\bphat\s+sinh\b")
_REGULAR = re.compile(r"\bthuong\s*xuyen\b|\blien\s+tuc\b|\bhang\s+(?:ngay|tuan)\b|\bmoi\s+tuan\b")
_YEARLY = re.compile(r"\b(?:trong|ca)\s+nam\b(?:\s+((?:19|20)\d{2}))?|\bnam\s+((?:19|20)\d{2})\b"
                     r"|\b(?:hang|moi|tung)\s+nam\b"
                     r"|^\s*((?:19|20)\d{2})\s*$")
_ANY_YEAR = re.compile(r"\b((?:19|20)\d{2})\b")
# OCR reads a lone month digit as a letter: 'Tháng G - 9/2025' is 'Tháng 6 - 9/2025'.
_OCR_DIGIT = {"g": "6", "b": "8", "s": "5", "z": "2", "o": "0", "l": "1", "i": "1"}
_OCR_MONTH = re.compile(r"(\bthang\s+)([gbszoli])\b(?=\s*(?:-|–|/|den|,|va))")


# Words 'quy' begins that are not the quarter (folded): 'quy định', 'quy chế', 'quy trình', 'quy hoạch' …
_QUY_WORDS = frozenset("dinh che trinh hoach mo tac chuan pham uoc luat cach doi tu hoi nap ve ket hang".split())
_DIACRITICS = re.compile(r"[^\x00-\x7f]")


def _is_quarter_word(original: str, folded: str, at: int) -> bool:
    """Whether the 'quy' at `at` is the quarter (quý): as written where the text has diacritics, by the word after
    it where it has none."""
    word = original[at:at + 3]
    if _DIACRITICS.search(original) and fold(word) == "quy":
        return word.lower() == "quý"
    after = folded[at + 3:].split()
    return not after or after[0].strip(".,;:") not in _QUY_WORDS


def _quarter(token: str) -> int | None:
    t = token.replace("l", "i")
    if t.isdigit():
        if len(t) == 1:
            return int(t) if 1 <= int(t) <= 4 else None
        t = "i" * len(t) if set(t) == {"1"} else t  # OCR reads 'II' as '11'
    t = t.replace("1", "i")
    return ROMAN.get(t)


def _year(found: str | None, folded: str, default: int | None) -> int | None:
    if found:
        return int(found)
    m = _ANY_YEAR.search(folded)
    return int(m.group(1)) if m else default


def _months_ok(months) -> bool:
    return bool(months) and all(1 <= m <= 12 for m in months)


def parse_schedule(text: str, default_year: int | None = None, strict: bool = False) -> Schedule | None:
    """The schedule a time cell (or, with strict=True, a prose passage) states; None when it states none.

    `text` of the result is the cell as written (strict=False) or the matched words (strict=True).
    """
    original = clean(text)
    f = _OCR_MONTH.sub(lambda m: m.group(1) + _OCR_DIGIT[m.group(2)], fview(original))
    if not f.strip():
        return None

    def make(kind, m=None, year=None, months=(), quarters=()):
        said = original[m.start():m.end()].strip() if (strict and m is not None) else original
        return Schedule(kind, _year(year, f, default_year), tuple(months), tuple(quarters), said)

    m = _MONTHLY.search(f)
    if m:
        return make("monthly", m, months=range(1, 13))
    m = next((x for x in _QUARTERLY.finditer(f) if _is_quarter_word(original, f, x.end() - 3)), None)
    if m:
        return make("quarterly", m, quarters=range(1, 5))
    m = _MONTH_RANGE.search(f)
    if m:
        a, b = int(m.group(1)), int(m.group(2))
        if _months_ok((a, b)) and a < b:
            return make("month_range", m, m.group(3), months=range(a, b + 1))
    m = _MONTHS.search(f)
    if m:
        months = sorted({int(x) for x in re.findall(r"\d{1,2}", m.group(1))})
        if _months_ok(months):
            return make("month", m, m.group(2), months=months)
    m = _DEADLINE.search(f) or (None if strict else _DATE.match(f))
    if m and _months_ok([int(m.group(2))]) and 1 <= int(m.group(1)) <= 31:
        return make("month", m, m.group(3), months=[int(m.group(2))])
    m = next((x for x in _QUARTERS.finditer(f) if _is_quarter_word(original, f, x.start())), None)
    if m:
        tokens = re.findall(_QTOK, m.group(1))
        qs = [q for q in (_quarter(t) for t in tokens) if q]
        if qs:
            if len(qs) == 2 and re.search(r"-|–|den", m.group(1)) and qs[0] < qs[1]:
                qs = list(range(qs[0], qs[1] + 1))
            return make("quarter", m, m.group(2), quarters=sorted(set(qs)))
    m = _HALF.search(f)
    if m:
        return make("quarter", m, quarters=(1, 2) if m.group(1) == "dau" else (3, 4))
    m = _ON_REQUEST.search(f) or (None if strict else _ON_REQUEST_LOOSE.search(f))
    if m:
        return make("on_request", m)
    m = _REGULAR.search(f)
    if m:
        return make("regular", m)
    m = _YEARLY.search(f)
    if m:
        return make("year", m, m.group(1) or m.group(2) or m.group(3))
    return None


def unstated(year: int | None) -> Schedule:
    """A task the plan gives no time for: due within the plan's year."""
    return Schedule("year", year, text="", stated=False)


def schedule_or_default(text: str, year: int | None) -> Schedule:
    """A time cell -> its schedule; an unreadable non-empty cell keeps its text and counts as the whole year."""
    found = parse_schedule(text, year)
    if found:
        return found
    if clean(text):
        return Schedule("year", year, text=clean(text), stated=False)
    return unstated(year)
