"""Periods as agencies report them: a month, a quarter, six months, nine months, a year, and the span "from the
start of the year to month m" that cumulative ("lũy kế") columns give.

`Quarter` is the grain of the public view v_activity (codes "2025-Q3", labels "Quý III/2025"). `Period` is any span
of months inside one year, with its code ("2025-M08", "2025-Q3", "2025-H1", "2025-9M", "2025"), its label
("Tháng 8/2025", "Quý III/2025", "6 tháng đầu năm 2025", "9 tháng năm 2025", "Năm 2025"), its arithmetic, and how
titles and column headers name it ("BÁO CÁO 6 THÁNG ĐẦU NĂM 2025", "tháng 8/2025", "Lũy kế 9 tháng"). The report
cadences an agency owes (tháng, quý, 6 tháng, 9 tháng, năm) and their deadlines are period rules too.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from core.rules import YEAR_MAX, YEAR_MIN, valid_year, year_range_text
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


def quarters_label(quarters) -> str:
    """'Quý III–IV' for a run of quarters, 'Quý I, III' otherwise, 'Quý II' for one."""
    qs = sorted({int(q) for q in quarters})
    if len(qs) > 1 and qs == list(range(qs[0], qs[-1] + 1)):
        return f"Quý {ROMAN_OF[qs[0]]}–{ROMAN_OF[qs[-1]]}"
    return "Quý " + ", ".join(ROMAN_OF[q] for q in qs)


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


# --- any span of months in a year -----------------------------------------------------------------------------

KIND_LABEL = {"month": "Tháng", "quarter": "Quý", "half": "6 tháng", "nine_months": "9 tháng", "year": "Năm",
              "to_month": "Lũy kế", "span": "Nhiều tháng"}
# The period kinds a page offers, in order (the nine months are a report's period, not a view of their own).
VIEW_KINDS = ("month", "quarter", "half", "year")


@dataclass(frozen=True, order=True)
class Period:
    """Months `first`..`last` (1..12) of `year`. A quarter, a half, nine months and the year are special spans;
    [1, m] is the cumulative span "from the start of the year to month m"."""

    year: int
    first: int
    last: int

    def __post_init__(self):
        if not (1 <= self.first <= self.last <= 12):
            raise PeriodError(f"tháng {self.first}–{self.last} không phải một kỳ trong năm (cần tháng 1 đến 12)")
        if not YEAR_MIN <= self.year <= YEAR_MAX:
            raise PeriodError(f"năm {self.year} không hợp lệ (cần {year_range_text()})")

    # --- constructors ---------------------------------------------------------------------------------------
    @classmethod
    def month(cls, year: int, month: int) -> "Period":
        return cls(int(year), int(month), int(month))

    @classmethod
    def of_quarter(cls, year: int, quarter: int) -> "Period":
        return cls(int(year), 3 * int(quarter) - 2, 3 * int(quarter))

    @classmethod
    def half(cls, year: int, half: int) -> "Period":
        return cls(int(year), 1, 6) if int(half) == 1 else cls(int(year), 7, 12)

    @classmethod
    def to_month(cls, year: int, month: int) -> "Period":
        """From the start of the year to the end of `month`: what a "lũy kế" column holds."""
        return cls(int(year), 1, int(month))

    @classmethod
    def whole_year(cls, year: int) -> "Period":
        return cls(int(year), 1, 12)

    @classmethod
    def of(cls, value) -> "Period":
        """A Period, a Quarter, (year, quarter) or a code/label -> Period."""
        if isinstance(value, Period):
            return value
        if isinstance(value, Quarter):
            return cls.of_quarter(value.year, value.quarter)
        if isinstance(value, tuple):
            return cls.of_quarter(*value)
        return parse_period(str(value))

    # --- what it is -----------------------------------------------------------------------------------------
    @property
    def months(self) -> range:
        return range(self.first, self.last + 1)

    @property
    def n_months(self) -> int:
        return self.last - self.first + 1

    @property
    def kind(self) -> str:
        """'month' | 'quarter' | 'half' | 'nine_months' | 'year' | 'to_month' ([1, m] otherwise) | 'span'."""
        if self.first == self.last:
            return "month"
        if self.n_months == 3 and self.first % 3 == 1:
            return "quarter"
        if (self.first, self.last) in ((1, 6), (7, 12)):
            return "half"
        if (self.first, self.last) == (1, 9):
            return "nine_months"
        if (self.first, self.last) == (1, 12):
            return "year"
        return "to_month" if self.first == 1 else "span"

    @property
    def is_quarter(self) -> bool:
        return self.kind == "quarter"

    @property
    def quarter(self) -> Quarter | None:
        """The Quarter this period is, else None."""
        return Quarter(self.year, (self.first - 1) // 3 + 1) if self.is_quarter else None

    @property
    def last_quarter(self) -> Quarter:
        """The quarter holding the period's last month."""
        return Quarter(self.year, (self.last - 1) // 3 + 1)

    @property
    def quarters(self) -> list[Quarter]:
        """The whole quarters inside the period."""
        return [Quarter(self.year, q) for q in range(1, 5) if self.first <= 3 * q - 2 and 3 * q <= self.last]

    @property
    def quarter_aligned(self) -> bool:
        return self.first % 3 == 1 and self.last % 3 == 0

    @property
    def cumulative(self) -> "Period":
        """From the start of the year to this period's end."""
        return Period.to_month(self.year, self.last)

    @property
    def start(self) -> dt.date:
        return dt.date(self.year, self.first, 1)

    @property
    def end(self) -> dt.date:
        return month_end(self.year, self.last)

    def contains(self, other: "Period") -> bool:
        return self.year == other.year and self.first <= other.first and other.last <= self.last

    # --- codes and labels -----------------------------------------------------------------------------------
    @property
    def code(self) -> str:
        k, y = self.kind, self.year
        if k == "month":
            return f"{y}-M{self.first:02d}"
        if k == "quarter":
            return f"{y}-Q{(self.first - 1) // 3 + 1}"
        if k == "half":
            return f"{y}-H{1 if self.first == 1 else 2}"
        if k == "year":
            return f"{y}"
        if k in ("nine_months", "to_month"):
            return f"{y}-{self.last}M"
        return f"{y}-M{self.first:02d}-M{self.last:02d}"

    @property
    def label(self) -> str:
        """'Tháng 8/2025', 'Quý III/2025', '6 tháng đầu năm 2025', '9 tháng năm 2025', 'Năm 2025'."""
        k, y = self.kind, self.year
        if k == "month":
            return f"Tháng {self.first}/{y}"
        if k == "quarter":
            return quarter_label(y, (self.first - 1) // 3 + 1)
        if k == "year":
            return f"Năm {y}"
        if k == "nine_months":
            return f"9 tháng năm {y}"
        if k in ("half", "to_month"):
            return f"{self.short_label} {y}"  # '6 tháng đầu năm 2025'

        return f"Tháng {self.first}–{self.last}/{y}"

    @property
    def short_label(self) -> str:
        """The label without its year: 'Tháng 8', 'Quý III', '6 tháng đầu năm', '9 tháng', 'Cả năm'."""
        k = self.kind
        if k == "month":
            return f"Tháng {self.first}"
        if k == "quarter":
            return quarter_short_label((self.first - 1) // 3 + 1)
        if k == "half":
            return "6 tháng đầu năm" if self.first == 1 else "6 tháng cuối năm"
        if k == "nine_months":
            return "9 tháng"
        if k == "year":
            return "Cả năm"
        if k == "to_month":
            return f"{self.last} tháng đầu năm"
        return f"Tháng {self.first}–{self.last}"

    @property
    def phrase(self) -> str:
        """How a sentence names the period: 'quý III năm 2025', 'tháng 8 năm 2025', '6 tháng đầu năm 2025',
        '9 tháng năm 2025', 'năm 2025'."""
        k, y = self.kind, self.year
        if k == "month":
            return f"tháng {self.first} năm {y}"
        if k == "quarter":
            return f"quý {ROMAN_OF[(self.first - 1) // 3 + 1]} năm {y}"
        if k == "year":
            return f"năm {y}"
        if k == "span":
            return f"tháng {self.first} đến tháng {self.last} năm {y}"
        return self.label

    @property
    def within(self) -> str:
        """How a sentence says 'during this period': 'trong tháng', 'trong quý', 'trong 6 tháng', 'trong năm'."""
        return {"month": "trong tháng", "quarter": "trong quý", "half": "trong 6 tháng", "nine_months":
                "trong 9 tháng", "year": "trong năm"}.get(self.kind, f"trong {self.n_months} tháng")

    # --- arithmetic -----------------------------------------------------------------------------------------
    def previous(self) -> "Period":
        """The period of the same kind before this one (H1 2025 -> H2 2024; 9 months -> last year's)."""
        return self._shift(-1)

    def next(self) -> "Period":
        return self._shift(1)

    def _shift(self, step: int) -> "Period":
        if self.first == 1 and self.kind in ("nine_months", "to_month", "year"):
            return Period(self.year + step, 1, self.last)
        n = self.n_months
        first = self.first + step * n
        year = self.year + (first - 1) // 12
        first = (first - 1) % 12 + 1
        return Period(year, first, first + n - 1)


def month_end(year: int, month: int) -> dt.date:
    return dt.date(year + (month == 12), month % 12 + 1, 1) - dt.timedelta(days=1)


def periods_of_kind(year: int, kind: str) -> list[Period]:
    """Every period of a kind in a year: 12 months, 4 quarters, 2 halves, the nine months, the year."""
    if kind == "month":
        return [Period.month(year, m) for m in range(1, 13)]
    if kind == "quarter":
        return [Period.of_quarter(year, q) for q in range(1, 5)]
    if kind == "half":
        return [Period.half(year, 1), Period.half(year, 2)]
    if kind == "nine_months":
        return [Period(year, 1, 9)]
    if kind == "year":
        return [Period.whole_year(year)]
    raise PeriodError(f"loại kỳ “{kind}” không hợp lệ")


def period_containing(day: dt.date, kind: str) -> Period:
    """The period of `kind` that `day` falls in (for the nine months: the year's, whatever the day)."""
    return next((p for p in periods_of_kind(day.year, kind) if p.first <= day.month <= p.last),
                periods_of_kind(day.year, kind)[-1])


def latest_complete(kind: str, today: dt.date | None = None) -> Period:
    """The latest period of `kind` that has ended by `today`."""
    today = today or dt.date.today()
    p = period_containing(today, kind)
    while p.end >= today:
        p = p.previous()
    return p


# Codes: 2025-M08, 2025-Q3, 2025-H1, 2025-9M (and 2025-5M: to the end of May), 2025, 2025-M04-M05.
_PERIOD_CODES = [
    (re.compile(r"^(\d{4})\s*-?\s*[Mm]\s*(\d{1,2})$"), lambda y, m: Period.month(y, m)),
    (re.compile(r"^(\d{4})\s*-?\s*[Hh]\s*([12])$"), lambda y, h: Period.half(y, h)),
    (re.compile(r"^(\d{4})\s*-?\s*(\d{1,2})\s*[Mm]$"), lambda y, m: Period.to_month(y, m)),
    (re.compile(r"^(\d{4})\s*-\s*[Mm](\d{1,2})\s*-\s*[Mm](\d{1,2})$"), lambda y, a, b: Period(y, a, b)),
    (re.compile(r"^(\d{4})$"), lambda y: Period.whole_year(y)),
]
PERIOD_FORMS = "2025-M08, 2025-Q3, 2025-H1, 2025-9M, 2025 hoặc “tháng 8/2025”, “Quý III/2025”, “6 tháng đầu năm 2025”"


def parse_period(text) -> Period:
    """A period given on the command line or a page: a code ('2025-M08', '2025-Q3', '2025-H1', '2025-9M', '2025')
    or words ('tháng 8/2025', 'Quý III/2025', '6 tháng đầu năm 2025', '9 tháng năm 2025', 'năm 2025')."""
    if isinstance(text, Period):
        return text
    s = nfc_code(text)
    for pattern, make in _PERIOD_CODES:
        m = pattern.match(s)
        if m:
            try:
                return make(*(int(g) for g in m.groups()))
            except PeriodError as exc:
                raise PeriodError(f"kỳ “{text}”: {exc}") from None
    try:
        return Period.of_quarter(*(lambda q: (q.year, q.quarter))(parse_quarter(s)))
    except PeriodError:
        pass
    found = find_period(s, year_alone=True)
    if found is None:
        raise PeriodError(f"không đọc được kỳ “{text}” (cần dạng {PERIOD_FORMS})")
    return found


def nfc_code(text) -> str:
    return " ".join(str(text).split())


# Words, in folded text. A date line ('ngày 05 tháng 10 năm 2025', '30/9/2025') names when, not which period.
_DATE_RES = (re.compile(r"\bngay\s*\d{0,2}\s*thang\s*\d{0,2}\s*nam\s*\d{0,4}"),
             re.compile(r"\b\d{1,2}\s+\d{1,2}\s+(?:19|20)\d\d\b"))
_NUMBER_WORDS = {"mot": 1, "hai": 2, "ba": 3, "bon": 4, "nam": 5, "sau": 6, "bay": 7, "tam": 8, "chin": 9,
                 "muoi": 10, "muoi mot": 11, "muoi hai": 12}
_COUNT = r"(\d{1,2}|muoi mot|muoi hai|mot|hai|ba|bon|nam|sau|bay|tam|chin|muoi)"
# 'tháng 8', 'tháng 08' (a month) — never '6 tháng' (a number of months).
MONTH_WORD_RE = re.compile(r"\bthang\s+(1[0-2]|0?[1-9])\b")
# '6 tháng', '6 tháng đầu năm', 'sáu tháng cuối năm', '9 tháng': a number of months (from the start of the year
# unless 'cuối năm' says it ends with the year).
MONTHS_COUNT_RE = re.compile(rf"\b{_COUNT}\s+thang(\s+(?:dau|cuoi)\s+nam)?\b")
# 'cả năm', 'báo cáo năm 2025', 'tổng kết năm': the whole year named as the period.
WHOLE_YEAR_RE = re.compile(r"\b(?:ca nam|bao cao nam|tong ket nam|tong ket cong tac nam)\b")
# A cumulative column: 'Lũy kế', 'Lũy kế từ đầu năm', 'Từ đầu năm', 'Cộng dồn'.
TO_DATE_RE = re.compile(r"\b(?:luy ke|tu dau nam|cong don)\b")
# An estimate ('Ước thực hiện', 'Ước cả năm'): not a result.
ESTIMATE_RE = re.compile(r"\buoc\b")


def _without_dates(folded: str) -> str:
    for pattern in _DATE_RES:
        folded = pattern.sub(" ", folded)
    return folded


def span_in(folded: str) -> tuple[int, int] | None:
    """The months a text names without its year ('tháng 8' -> (8, 8), 'Quý III' -> (7, 9), '6 tháng đầu năm' ->
    (1, 6), '6 tháng cuối năm' -> (7, 12), '9 tháng' -> (1, 9), 'cả năm' -> (1, 12)); the finest one when a text
    names several ('Quý III và 9 tháng' -> (7, 9)); None when it names none. `folded`: core.text.fold output."""
    f = _without_dates(folded)
    found: list[tuple[int, int]] = []
    for m in MONTH_WORD_RE.finditer(f):
        found.append((int(m.group(1)), int(m.group(1))))
    q = quarter_in(f)
    if q is not None:
        found.append((3 * q - 2, 3 * q))
    for m in MONTHS_COUNT_RE.finditer(f):
        n = int(m.group(1)) if m.group(1).isdigit() else _NUMBER_WORDS[m.group(1)]
        if 1 <= n <= 12:
            found.append((13 - n, 12) if m.group(2) and "cuoi" in m.group(2) else (1, n))
    if not found and WHOLE_YEAR_RE.search(f):
        found.append((1, 12))
    if not found:
        return None
    return min(found, key=lambda s: (s[1] - s[0], -s[1]))


# 'quý I, II', 'quý I và quý II', 'quý III, IV': a list of quarters after one "quý" (folded text).
_FREQUENCY_BEFORE = re.compile(r"\b(?:moi|hang|tung|dinh ky|cach|sau)\s*$")
_FREQUENCY_AFTER = re.compile(r"\s*(?:mot|1|01)\s+lan\b|\s*lan\b")
# Folding drops the commas and dashes: a roman numeral may follow a space, a digit only "và" or "quý", or a list of
# digits that ends with "và" ('quý 1, 2 và 3').
_QUARTER_LIST_RE = re.compile(rf"\bquy\s+{_NUMERAL}\b((?:\s+(?:va\s+)?(?:quy\s+)?(?:iv|iii|ii|i)\b"
                              rf"|\s+(?:va\s+quy|va|quy)\s+[1-4]\b|(?:\s+[1-4]\b)+\s+va\s+(?:quy\s+)?[1-4]\b)*)")


def quarters_named(folded: str) -> tuple[int, ...]:
    """Every quarter a text names as the period of something ('quý I và quý II' -> (1, 2), '6 tháng đầu năm' ->
    (1, 2), '6 tháng cuối năm' -> (3, 4), '9 tháng' -> (1, 2, 3), 'cả năm', 'từ đầu năm' -> (1, 2, 3, 4)), in
    order; () when it names none. A month alone names no quarter here. `folded`: core.text.fold output."""
    f = _without_dates(folded)
    found: set[int] = set()
    for m in _QUARTER_LIST_RE.finditer(f):
        if _FREQUENCY_BEFORE.search(f[:m.start()]):
            continue  # 'mỗi quý 1 lần', 'hằng quý': how often, not which quarter
        found.add(_quarter_number(m.group(1)))
        found.update(_quarter_number(n) for n in re.findall(_NUMERAL, re.sub(r"\bquy\b|\bva\b", " ", m.group(2)))
                     if n)
    for m in MONTHS_COUNT_RE.finditer(f):
        n = int(m.group(1)) if m.group(1).isdigit() else _NUMBER_WORDS[m.group(1)]
        if _FREQUENCY_BEFORE.search(f[:m.start()]) or _FREQUENCY_AFTER.match(f[m.end():]):
            continue  # 'định kỳ 6 tháng', '6 tháng một lần': how often
        if n in (3, 6, 9, 12):
            first, last = (13 - n, 12) if m.group(2) and "cuoi" in m.group(2) else (1, n)
            found.update(range((first + 2) // 3, last // 3 + 1))
    if WHOLE_YEAR_RE.search(f) or TO_DATE_RE.search(f):
        found.update((1, 2, 3, 4))
    return tuple(sorted(found))


def find_period(text: str, year_alone: bool = False) -> Period | None:
    """The period a title names, with its year: 'BÁO CÁO 6 THÁNG ĐẦU NĂM 2025' -> H1 2025, 'tháng 8/2025' ->
    month 8, 'QUÝ III VÀ 9 THÁNG NĂM 2025' -> Q3 (the finest named). A bare 'năm 2025' is a year only when
    `year_alone` (an argument) or the text says 'cả năm' / 'báo cáo năm'; else None, as when no year is named."""
    f = _without_dates(fold(text))
    year = None
    m = NAMED_YEAR_RE.search(f) or YEAR_RE.search(f)
    if m:
        year = int(m.group(1))
    if year is None or not valid_year(year):
        return None
    span = span_in(f)
    if span is None:
        return Period.whole_year(year) if year_alone and re.fullmatch(r"(?:nam\s+)?\d{4}", f) else None
    return Period(year, *span)


# --- report cadences and their deadlines ----------------------------------------------------------------------

# The reports an agency owes, by cadence (codes are settings): each is due once per period of its kind. Six-month
# and nine-month reports cover the year from January (the year-end report covers the second half).
CADENCES = ("thang", "quy", "6thang", "9thang", "nam")
CADENCE_KIND = {"thang": "month", "quy": "quarter", "6thang": "half", "9thang": "nine_months", "nam": "year"}
CADENCE_LABEL = {"thang": "Báo cáo tháng", "quy": "Báo cáo quý", "6thang": "Báo cáo 6 tháng",
                 "9thang": "Báo cáo 9 tháng", "nam": "Báo cáo năm"}


def cadence_of(period: Period) -> str | None:
    """The cadence whose report covers exactly this period (H2 is owed by none: the year report covers it)."""
    if period.kind == "half" and period.first != 1:
        return None
    return next((c for c, k in CADENCE_KIND.items() if k == period.kind), None)


def cadence_periods(cadence: str, year: int) -> list[Period]:
    ps = periods_of_kind(year, CADENCE_KIND[cadence])
    return [p for p in ps if cadence_of(p) == cadence]


@dataclass(frozen=True)
class Deadline:
    """A report is due on `day` of the period's last month (`months_after` 0) or of a later month (1: the month
    after the period). The day is clamped to the month's length (day 31 of September is the 30th)."""

    day: int
    months_after: int = 0

    def __post_init__(self):
        if not 1 <= int(self.day) <= 31:
            raise PeriodError(f"ngày {self.day} nằm ngoài 1–31")
        if not 0 <= int(self.months_after) <= 2:
            raise PeriodError("hạn nộp chỉ được trong tháng cuối kỳ hoặc một, hai tháng sau kỳ")

    def due(self, period: Period) -> dt.date:
        month = period.last + int(self.months_after)
        year = period.year + (month - 1) // 12
        month = (month - 1) % 12 + 1
        return min(dt.date(year, month, 1) + dt.timedelta(days=int(self.day) - 1), month_end(year, month))

    @property
    def text(self) -> str:
        """'ngày 20 tháng cuối kỳ', 'ngày 5 tháng sau kỳ'."""
        where = {0: "tháng cuối kỳ", 1: "tháng sau kỳ", 2: "tháng thứ hai sau kỳ"}[int(self.months_after)]
        return f"ngày {int(self.day)} {where}"

    @property
    def code(self) -> str:
        return f"{int(self.day)}:{int(self.months_after)}"

    @classmethod
    def from_code(cls, code: str) -> "Deadline":
        day, _, after = str(code).partition(":")
        return cls(int(day), int(after or 0))


# Settings (table meta): the deadline of each cadence under DEADLINE_KEY + cadence (Deadline.code), the cadences
# every unit owes unless the office set its own (table unit_reporting) under CADENCES_KEY ('quy;6thang').
DEADLINE_KEY = "deadline."
CADENCES_KEY = "report_cadences"
DEFAULT_CADENCES = ("quy",)


def parse_cadences(text: str | None) -> tuple[str, ...]:
    """'quy;thang' -> ('thang', 'quy'), in the order of CADENCES; unknown words are dropped (cadences_error says
    which)."""
    words = {w.strip() for w in (text or "").replace(",", ";").split(";")}
    return tuple(c for c in CADENCES if c in words)


def cadences_error(text: str | None) -> str | None:
    """The Vietnamese error of a cadence list with unknown words, else None."""
    words = [w.strip() for w in (text or "").replace(",", ";").split(";") if w.strip()]
    bad = [w for w in words if w not in CADENCES]
    if bad:
        return f"kỳ báo cáo không hợp lệ: {', '.join(bad)} — cần một số trong: {', '.join(CADENCES)}"
    return None


# By default each report is due on the 20th of the period's last month (the data are closed on the 14th, as the
# reporting rules of Nghị định 09/2019/NĐ-CP set the periods); a setting changes it per cadence.
DEFAULT_DEADLINES = {c: Deadline(20, 0) for c in CADENCES}
