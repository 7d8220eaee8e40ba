"""Quarters: parsing "2025-Q3", "Quý III năm 2025", "QUÝ II/2025", and the one label the UI shows."""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from core.rules import YEAR_MAX, YEAR_MIN, year_range_text
from core.text import fold

ROMAN = {"i": 1, "ii": 2, "iii": 3, "iv": 4}
ROMAN_OF = {1: "I", 2: "II", 3: "III", 4: "IV"}


class PeriodError(ValueError):
    """A period that cannot be read."""


@dataclass(frozen=True, order=True)
class Quarter:
    year: int
    quarter: int

    def __post_init__(self):
        if not 1 <= self.quarter <= 4:
            raise PeriodError(f"quý {self.quarter} nằm ngoài 1–4")
        if not YEAR_MIN <= self.year <= YEAR_MAX:
            raise PeriodError(f"năm {self.year} không hợp lệ (cần {year_range_text()})")

    @property
    def code(self) -> str:
        return f"{self.year}-Q{self.quarter}"

    @property
    def label(self) -> str:
        return quarter_label(self.year, self.quarter)

    @property
    def key(self) -> int:
        """Consecutive quarters have consecutive keys (year * 4 + quarter - 1): ranges and gaps in one number."""
        return quarter_key(self.year, self.quarter)

    @classmethod
    def from_key(cls, key: int) -> "Quarter":
        return cls(int(key) // 4, int(key) % 4 + 1)

    def previous(self) -> "Quarter":
        return Quarter(self.year, self.quarter - 1) if self.quarter > 1 else Quarter(self.year - 1, 4)

    def next(self) -> "Quarter":
        return Quarter(self.year, self.quarter + 1) if self.quarter < 4 else Quarter(self.year + 1, 1)

    @property
    def start(self) -> dt.date:
        return dt.date(self.year, 3 * self.quarter - 2, 1)

    @property
    def end(self) -> dt.date:
        nxt = self.next()
        return nxt.start - dt.timedelta(days=1)


def quarter_key(year, quarter):
    """`Quarter.key` for plain numbers, Series or arrays alike."""
    return year * 4 + quarter - 1


def quarter_key_sql(prefix: str = "") -> str:
    """`Quarter.key` as a SQL expression over the columns year and quarter (of table alias `prefix`)."""
    p = f"{prefix}." if prefix else ""
    return f"({p}year * 4 + {p}quarter - 1)"


def quarter_short_label(quarter: int) -> str:
    """'Quý III': the quarter without its year (column heads, the deck's small labels)."""
    return f"Quý {ROMAN_OF[int(quarter)]}"


def quarter_label(year: int, quarter: int) -> str:
    """The label the UI shows everywhere: 'Quý III/2025'."""
    return f"{quarter_short_label(quarter)}/{int(year)}"


_CODE_RE = re.compile(r"^\s*(\d{4})\s*[-/ ]?\s*[Qq]\s*([1-4])\s*$")
_NUMERAL = r"(iv|iii|ii|i|[1-4])"  # how a quarter is numbered after "quý" (folded)
_TEXT_RE = re.compile(rf"\bquy\s+{_NUMERAL}\b(?:\s*(?:nam|/|-)\s*|\s+)(\d{{4}})")
# A quarter named without its year, as a column header writes it ("Quý III", "Q3"), in folded text.
QUARTER_WORD_RE = re.compile(rf"\b(?:quy\s+{_NUMERAL}|q\s?([1-4]))\b")
# A year of YEAR_MIN..YEAR_MAX written as a word, in folded text.
YEAR_RE = re.compile(r"\b(19[9]\d|20\d\d|2100)\b")
# A year a title names as "năm 2025", in folded text.
NAMED_YEAR_RE = re.compile(r"\bnam\s+(\d{4})\b")


def _quarter_number(numeral: str) -> int:
    """'iii' -> 3, '3' -> 3."""
    return ROMAN.get(numeral) or int(numeral)


def parse_quarter(text: str) -> Quarter:
    """'2025-Q3', '2025Q3', 'Q3/2025', 'Quý III/2025', 'quy 3 nam 2025' -> Quarter(2025, 3)."""
    m = _CODE_RE.match(str(text))
    if m:
        return Quarter(int(m.group(1)), int(m.group(2)))
    m = re.match(r"^\s*[Qq]\s*([1-4])\s*[/-]\s*(\d{4})\s*$", str(text))
    if m:
        return Quarter(int(m.group(2)), int(m.group(1)))
    found = find_quarter(str(text))
    if found is None:
        raise PeriodError(f"không đọc được kỳ báo cáo “{text}” (cần dạng 2025-Q3 hoặc Quý III/2025)")
    return found


def find_quarter(text: str) -> Quarter | None:
    """The quarter named anywhere in a title such as 'BÁO CÁO ... QUÝ III NĂM 2025', else None."""
    m = _TEXT_RE.search(fold(text))
    if not m:
        return None
    return Quarter(int(m.group(2)), _quarter_number(m.group(1)))


def quarter_in(folded: str) -> int | None:
    """The quarter a header part names without its year ('quy iii', 'q3': folded text), else None."""
    m = QUARTER_WORD_RE.search(folded)
    if not m:
        return None
    return _quarter_number(m.group(1) or m.group(2))


def find_year(text: str) -> int | None:
    """A year named in a title ('KẾ HOẠCH NĂM 2025', '... năm 2025'), else None."""
    m = NAMED_YEAR_RE.search(fold(text)) or re.search(r"\b(20\d{2})\b", fold(text))
    return int(m.group(1)) if m else None


def year_in(folded: str) -> int | None:
    """The first year of YEAR_MIN..YEAR_MAX in folded text (a header part, a sheet name), else None."""
    m = YEAR_RE.search(folded)
    return int(m.group(1)) if m else None


def latest_complete_quarter(today: dt.date | None = None) -> Quarter:
    today = today or dt.date.today()
    return Quarter(today.year, (today.month - 1) // 3 + 1).previous()


def quarter_range(first: Quarter, last: Quarter) -> list[Quarter]:
    out, q = [], first
    while q <= last:
        out.append(q)
        q = q.next()
    return out
