"""What a plan holds once read: organisation, year, targets, tasks (plain dataclasses, JSON-ready)."""
from __future__ import annotations

import datetime as dt
import json
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
        base = f"Năm {self.year}" if self.year else "Trong năm"
        return base if self.stated else f"{base} (kế hoạch không ghi thời gian)"

    @property
    def when(self) -> str:
        """The original text when the plan gives one, else the label."""
        return self.text or self.label

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


@dataclass(frozen=True)
class UnitRef:
    """A unit named in a plan: the text as written and the registry code it resolved to (None: unknown)."""

    text: str
    code: str | None = None
    name: str | None = None  # the registry's display name
    note: str | None = None  # why it is unknown (the matcher's Vietnamese message)

    @property
    def known(self) -> bool:
        return self.code is not None


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

    def annual_value(self) -> float:
        """The value for a whole year: a count per month ×12, per quarter ×4, per week ×52; rates unchanged."""
        return self.value * {"month": 12, "quarter": 4, "week": 52}.get(self.per or "", 1)

    def to_json(self) -> dict:
        return {"code": self.code, "value": self.value, "unit": self.unit, "text": self.text,
                "kind": self.kind, "as_written": self.as_written, "per": self.per}


@dataclass
class Task:
    content: str
    lead: UnitRef | None
    partners: list[UnitRef]
    schedule: Schedule
    text: str
    origin: str = "table"  # 'table' (appendix table), 'fields' (prose with labelled fields), 'assignment'
    id: int | None = None  # set once saved (plan_task.id)

    @property
    def when(self) -> str:
        return self.schedule.when

    def units(self) -> list[UnitRef]:
        return ([self.lead] if self.lead else []) + list(self.partners)

    def to_json(self) -> dict:
        return {
            "content": self.content,
            "lead": self.lead.text if self.lead else None,
            "partners": [p.text for p in self.partners],
            "when": self.when,
            "text": self.text,
            "lead_code": self.lead.code if self.lead else None,
            "partner_codes": [p.code for p in self.partners],
            "schedule": self.schedule.to_json(),
            "origin": self.origin,
        }


@dataclass
class Plan:
    organisation: str | None
    year: int | None
    targets: list[Target] = field(default_factory=list)
    tasks: list[Task] = field(default_factory=list)
    organisation_code: str | None = None  # the issuing unit in the registry, when it resolves
    province: str | None = None  # 'Sơn La', as the plan names it
    unrecognised: list[Target] = field(default_factory=list)  # numbers that look like targets, no code found
    warnings: list[str] = field(default_factory=list)
    file_name: str | None = None
    source: str = ""  # 'docx', 'pdf', 'pdf+ocr', 'image', 'txt'

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
        """Exactly {organisation, year, targets, tasks}; list items may carry extra keys."""
        return {
            "organisation": self.organisation,
            "year": self.year,
            "targets": [t.to_json() for t in self.targets],
            "tasks": [t.to_json() for t in self.tasks],
        }

    def dumps(self) -> str:
        return json.dumps(self.to_json(), ensure_ascii=False, indent=2)
