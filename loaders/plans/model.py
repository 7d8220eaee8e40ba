"""What a plan holds once read: organisation, year, targets, tasks (plain dataclasses, JSON-ready)."""
from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass, field

from core.periods import ROMAN_OF

KINDS = ("month", "quarter", "month_range", "monthly", "quarterly", "regular", "on_request", "year")
# Recurring kinds repeat every period of the year; the others have one deadline.
RECURRING = ("monthly", "quarterly")


class PlanError(ValueError):
    """A file that cannot be used as a plan (missing, unreadable, not a plan). The message is Vietnamese."""


@dataclass(frozen=True)
class Schedule:
    """When a task is done. `text` is the time as the plan writes it ('' when the plan gives none)."""

    kind: str
    year: int | None = None
    months: tuple[int, ...] = ()
    quarters: tuple[int, ...] = ()
    text: str = ""
    stated: bool = True  # False: the plan gives no time; the task is taken as due within the plan's year

    def __post_init__(self):
        if self.kind not in KINDS:
            raise ValueError(f"unknown schedule kind {self.kind!r}")

    @property
    def label(self) -> str:
        """Readable Vietnamese: 'Tháng 3/2025', 'Tháng 6–9/2025', 'Quý II/2025', 'Hằng tháng', 'Thường xuyên'."""
        y = f"/{self.year}" if self.year else ""
        if self.kind == "month":
            return f"Tháng {', '.join(str(m) for m in self.months)}{y}"
        if self.kind == "month_range":
            return f"Tháng {self.months[0]}–{self.months[-1]}{y}"
        if self.kind == "quarter":
            return f"Quý {', '.join(ROMAN_OF[q] for q in self.quarters)}{y}"
        if self.kind == "monthly":
            return "Hằng tháng" + (f" năm {self.year}" if self.year else "")
        if self.kind == "quarterly":
            return "Hằng quý" + (f" năm {self.year}" if self.year else "")
        if self.kind == "regular":
            return "Thường xuyên"
        if self.kind == "on_request":
            return "Khi có yêu cầu"
        if self.every_year:
            return "Hằng năm"
        base = f"Năm {self.year}" if self.year else "Trong năm"
        return base if self.stated else f"{base} (kế hoạch không ghi thời gian)"

    @property
    def when(self) -> str:
        """The original text when the plan gives one, else the label."""
        return self.text or self.label

    @property
    def every_year(self) -> bool:
        """'Hằng năm', 'Định kỳ hằng năm': a yearly task that comes back each year of a plan of several years."""
        from core.text import fold

        return self.kind == "year" and bool(re.search(r"\b(?:hang|moi|tung)\s+nam\b", fold(self.text)))

    def covered_quarters(self) -> tuple[int, ...]:
        """Quarters of `year` the task falls in (all four for recurring and yearly tasks)."""
        if self.months:
            return tuple(sorted({(m - 1) // 3 + 1 for m in self.months}))
        if self.quarters:
            return tuple(sorted(self.quarters))
        return (1, 2, 3, 4)

    def span(self) -> tuple[dt.date, dt.date] | None:
        """(first day, deadline) of a one-off task; None for recurring, regular and on-request tasks."""
        if self.kind in RECURRING or self.kind in ("regular", "on_request") or not self.year:
            return None
        if self.months:
            first, last = min(self.months), max(self.months)
        elif self.quarters:
            first, last = 3 * min(self.quarters) - 2, 3 * max(self.quarters)
        else:
            first, last = 1, 12
        end = dt.date(self.year + (last == 12), last % 12 + 1, 1) - dt.timedelta(days=1)
        return dt.date(self.year, first, 1), end

    def to_json(self) -> dict:
        return {"kind": self.kind, "months": list(self.months), "quarters": list(self.quarters), "year": self.year,
                "label": self.label, "stated": self.stated}


UNIT_KINDS = ("unit", "group", "own_office", "issuer", "generic", "unknown")


@dataclass(frozen=True)
class UnitRef:
    """A unit named in a plan: the text as written and what it stands for (see loaders.plans.units).

    kind 'unit' (code: a unit of the registry), 'group' (code: a group of data/unit_groups.csv), 'own_office' (the
    issuing body's own office; code only when the registry holds it), 'issuer' (the issuing body: code when it is in
    the registry), 'generic' ('các cơ quan có liên quan'), 'unknown' (note: why)."""

    text: str
    code: str | None = None
    name: str | None = None  # the registry's display name (restored beside an OCR'd text)
    note: str | None = None  # why it is unknown (the matcher's Vietnamese message)
    kind: str = "unit"

    def __post_init__(self):
        if self.kind not in UNIT_KINDS:
            raise ValueError(f"unknown unit kind {self.kind!r}")
        if self.kind == "unit" and self.code is None:
            object.__setattr__(self, "kind", "unknown")

    @property
    def known(self) -> bool:
        """Not to be flagged as a name missing from the registry."""
        return self.kind != "unknown"

    @property
    def unit_code(self) -> str | None:
        """The one registry unit it stands for (None for a group, a vague name or an unknown one)."""
        return self.code if self.kind in ("unit", "own_office", "issuer") else None

    @property
    def label(self) -> str:
        """The text as written, with the matched name restored beside it when the text does not hold it as such
        ('So Tu phap (Sở Tư pháp)', 'Văn phòng (Văn phòng Sở Xây dựng)')."""
        if self.name and self.name.lower() not in self.text.lower():
            return f"{self.text} ({self.name})"
        return self.text

    def to_json(self) -> dict:
        return {"text": self.text, "code": self.code, "name": self.name, "kind": self.kind}


@dataclass
class Target:
    """A numeric target: 'Chỉ số CCHC phấn đấu đạt 88,5%' -> code 'PAR', value 88.5, unit '%'.

    kind: 'index' (code in indices.csv), 'indicator' (code in indicators.csv) or None (not recognised).
    per: the period of a count ('month', 'quarter', 'year', 'week'); None for a rate or an index score.
    """

    code: str | None
    kind: str | None
    value: float
    unit: str
    text: str
    as_written: str = ""
    per: str | None = None
    note: str | None = None
    year: int | None = None  # the year it is set for: 'đến năm 2030: 60 %' (None: the plan's)
    quarters: tuple[int, ...] = ()  # the quarters its own words name: '6 tháng đầu năm: 10 tin' -> (1, 2)

    def annual_value(self) -> float:
        """The value for a whole year: a count per month ×12, per quarter ×4, per week ×52; rates unchanged."""
        return self.value * {"month": 12, "quarter": 4, "week": 52}.get(self.per or "", 1)

    def to_json(self) -> dict:
        return {"code": self.code, "value": self.value, "unit": self.unit, "text": self.text,
                "kind": self.kind, "as_written": self.as_written, "per": self.per, "year": self.year,
                "quarters": list(self.quarters)}


@dataclass
class Task:
    """One task of a plan. `leads` are its lead units (co-leads: several; a group counts as one lead), `lead` the
    first of them. `path` is the item's place in the plan ('III.2.b', 'IV.1.a.3', 'PL.4' for an annex row)."""

    content: str
    leads: list[UnitRef]
    partners: list[UnitRef]
    schedule: Schedule
    text: str
    origin: str = "table"  # 'table' (annex), 'fields' (labelled fields), 'assignment' (a unit named), 'heading'
    # (under a unit's heading), 'issuer' (the issuing body's own task), 'saved', 'review'
    id: int | None = None  # set once saved (plan_task.id)
    path: str = ""
    starts: dt.date | None = None  # a task of a plan issued mid-year: the first day of the plan's first quarter

    def __post_init__(self):
        if isinstance(self.leads, UnitRef):
            self.leads = [self.leads]
        elif self.leads is None:
            self.leads = []
        else:
            self.leads = list(self.leads)

    @property
    def lead(self) -> UnitRef | None:
        return self.leads[0] if self.leads else None

    @property
    def when(self) -> str:
        return self.schedule.when

    def units(self) -> list[UnitRef]:
        return list(self.leads) + list(self.partners)

    def to_json(self) -> dict:
        return {
            "content": self.content,
            "lead": self.lead.text if self.lead else None,
            "leads": [u.text for u in self.leads],
            "partners": [p.text for p in self.partners],
            "when": self.when,
            "text": self.text,
            "lead_code": self.lead.code if self.lead else None,
            "lead_refs": [u.to_json() for u in self.leads],
            "partner_codes": [p.code for p in self.partners],
            "schedule": self.schedule.to_json(),
            "origin": self.origin,
            "item": self.path,
        }


@dataclass(frozen=True)
class IssueDate:
    """The date a document was signed, as far as it is written: 'ngày 21/7/2025', 'ngày  tháng 7 năm 2025' (the day
    left blank for the signature), or only a lower bound (`after`: the newest document it cites)."""

    year: int
    month: int | None = None
    day: int | None = None

    @property
    def iso(self) -> str:
        """'2025-07-21', '2025-07', '2025'."""
        return "-".join([f"{self.year:04d}"] + [f"{x:02d}" for x in (self.month, self.day) if x])

    @property
    def label(self) -> str:
        """'21/07/2025', 'tháng 7/2025', 'năm 2025'."""
        if self.day and self.month:
            return f"{self.day:02d}/{self.month:02d}/{self.year}"
        if self.month:
            return f"tháng {self.month}/{self.year}"
        return f"năm {self.year}"

    def first_day(self) -> dt.date:
        return dt.date(self.year, self.month or 1, self.day or 1)

    @classmethod
    def parse(cls, text: str | None) -> "IssueDate | None":
        if not text:
            return None
        parts = [int(x) for x in str(text).split("-") if x]
        return cls(*parts[:3]) if parts else None


@dataclass
class Plan:
    organisation: str | None
    year: int | None  # the first year of the plan's period
    targets: list[Target] = field(default_factory=list)
    tasks: list[Task] = field(default_factory=list)
    organisation_code: str | None = None  # the issuing unit in the registry, when it resolves
    province: str | None = None  # 'Sơn La', as the plan names it
    unrecognised: list[Target] = field(default_factory=list)  # numbers that look like targets, no code found
    warnings: list[str] = field(default_factory=list)
    file_name: str | None = None
    source: str = ""  # 'docx', 'pdf', 'pdf+ocr', 'image', 'txt'
    number: str | None = None  # '159' of 'Số: 159/KH-UBND' (None when the copy leaves it blank)
    symbol: str | None = None  # 'KH-UBND'
    issued: IssueDate | None = None  # the date of issue, as far as written
    not_before: dt.date | None = None  # the newest date among the documents it cites: it was issued after
    year_start: int | None = None
    year_end: int | None = None
    scope: str = "unit"  # 'province': a plan of the UBND tỉnh for the whole province; 'unit': one body's plan
    kind: str = "ke_hoach"  # 'ke_hoach' | 'quyet_dinh' (a decision issuing a plan) | 'chi_thi' | 'van_ban'
    dropped: list[Target] = field(default_factory=list)  # numbers the reviewer chose not to keep (recorded so)
    issuer: str | None = None  # the issuing body as the document names it ('Sở Xây dựng'), without the province

    def __post_init__(self):
        if self.year_start is None:
            self.year_start = self.year
        if self.year_end is None:
            self.year_end = self.year_start

    def year_for_target(self) -> int | None:
        """The year a target that names none is set for: the plan's year, or the end of a plan of several years."""
        return self.year_end if self.year_end and self.year_start and self.year_end > self.year_start else self.year

    @property
    def reference(self) -> str:
        """'Kế hoạch số 159/KH-UBND ngày 21/07/2025', 'Kế hoạch số …/KH-SXD tháng 7/2025', as far as it is written."""
        return reference_text(self.kind, self.number, self.symbol, self.issued, self.year)

    def starts_on(self) -> dt.date | None:
        """The first day the plan can apply: its date of issue (the month's first day when the day is blank), or
        else the newest date of the documents it cites."""
        return plan_start(self.issued, self.not_before)

    def first_quarter(self) -> int:
        """The first quarter of `year` the plan covers: the quarter it was issued in (or after the documents it
        cites); 1 when neither is known or it was issued before its first year."""
        start = self.starts_on()
        if start is None or self.year is None or start.year != self.year:
            return 1
        return (start.month - 1) // 3 + 1

    def unknown_units(self) -> list[str]:
        """Unit names not in the registry, each once, in order of appearance: offered for adding."""
        seen: dict[str, None] = {}
        for t in self.tasks:
            for u in t.units():
                if not u.known:
                    seen.setdefault(u.text, None)
        return list(seen)

    def index_targets(self) -> list[Target]:
        return [t for t in self.targets if t.kind == "index"]

    def indicator_targets(self) -> list[Target]:
        return [t for t in self.targets if t.kind == "indicator"]

    def to_json(self) -> dict:
        """{organisation, year, year_start, year_end, number, symbol, issued, province, scope, targets, unbound,
        tasks}; list items may carry extra keys."""
        return {
            "organisation": self.organisation,
            "year": self.year,
            "year_start": self.year_start,
            "year_end": self.year_end,
            "number": self.number,
            "symbol": self.symbol,
            "issued": self.issued.iso if self.issued else None,
            "province": self.province,
            "scope": self.scope,
            "targets": [t.to_json() for t in self.targets],
            "unbound": [t.to_json() for t in self.unrecognised],
            "tasks": [t.to_json() for t in self.tasks],
        }

    def dumps(self) -> str:
        return json.dumps(self.to_json(), ensure_ascii=False, indent=2)


def reference_text(kind: str | None, number: str | None, symbol: str | None, issued, year: int | None = None) -> str:
    """How a plan is cited: 'Kế hoạch số 159/KH-UBND ngày 21/07/2025', 'Quyết định số …/QĐ-UBND tháng 3/2025',
    'Kế hoạch năm 2025' when neither number nor date is written. `issued`: an IssueDate or its iso text."""
    issued = IssueDate.parse(issued) if isinstance(issued, str) else issued
    what = {"quyet_dinh": "Quyết định", "chi_thi": "Chỉ thị"}.get(kind or "", "Kế hoạch")
    if symbol:
        what += f" số {number}/{symbol}" if number else f" số …/{symbol}"
    if issued:
        what += f" ngày {issued.label}" if issued.day else f" {issued.label}"
    elif not symbol and year:
        what += f" năm {year}"
    return what


def plan_start(issued, not_before: dt.date | None) -> dt.date | None:
    """The first day a plan can apply (see Plan.starts_on); `issued`: an IssueDate or its iso text."""
    issued = IssueDate.parse(issued) if isinstance(issued, str) else issued
    if issued and issued.month:
        return issued.first_day()
    return not_before
