"""The rules of judgement both sides use, each written once.

- Years: a report, target or index year lies in YEAR_MIN..YEAR_MAX.
- Completion: an indicator's completion is actual / target, for counts and rates alike; undefined when the
  target is missing or 0, or nothing was reported. A unit's completion is the mean of its indicators'
  completions, each capped at UNIT_CAP, so one huge number cannot hide gaps elsewhere; a group's or the
  province's is the mean of its units' (each unit weighs the same). Charts draw completion up to DISPLAY_CAP.
- Status: "đạt" at completion >= THRESHOLD_DAT, "gần đạt" from THRESHOLD_GAN_DAT, else "chưa đạt"; no
  completion, no status.
- Unit validity: a unit counts in a period when it began on or before the period's last day and ended (valid_to)
  on or after its first day; a missing date is open.
- Magnitude: a number a report holds is finite and at most MAX_VALUE in size; more is a typing or file error.
- Periods not begun: results for a period whose first day is after today are refused (`period_not_begun`, from
  the period's end date and length: a month, a quarter, a half-year, a year); today is core.clock's.
- Home province: the deployment's province is kept in meta under HOME_KEY (`init --province`); HOME_PROVINCE is
  the shipped registry's until then.

The SQL forms (`completion_sql`, `capped_sql`, `active_sql`) build the same rules into queries and the
maintained tables; a change of rule here changes both sides.
"""
from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pandas as pd

YEAR_MIN, YEAR_MAX = 1990, 2100
MAX_VALUE = 1e9  # no count, rate or score of a report comes near it; 1e308 or 9.99e15 is a mistake

THRESHOLD_DAT = 1.0
THRESHOLD_GAN_DAT = 0.8
UNIT_CAP = 1.0
DISPLAY_CAP = 1.5

DAT, GAN_DAT, CHUA_DAT, NO_STATUS = "dat", "gan_dat", "chua_dat", "chua_co"
STATUSES = (DAT, GAN_DAT, CHUA_DAT, NO_STATUS)

HOME_KEY = "home_province"
HOME_PROVINCE = "Đắk Lắk"  # the shipped unit registry's province, until `init --province` names another


def valid_year(year) -> bool:
    """A year a report, target or plan may name."""
    try:
        y = float(year)
    except (TypeError, ValueError):
        return False
    return y.is_integer() and YEAR_MIN <= y <= YEAR_MAX


def year_range_text() -> str:
    """'từ 1990 đến 2100', for messages."""
    return f"từ {YEAR_MIN} đến {YEAR_MAX}"


def _missing(x) -> bool:
    return x is None or (isinstance(x, float) and math.isnan(x)) or bool(pd.isna(x))


def completion(actual, target) -> float | None:
    """actual / target; None when either is missing or the target is not positive."""
    if _missing(actual) or _missing(target) or float(target) <= 0:
        return None
    return float(actual) / float(target)


def completion_series(actual: pd.Series, target: pd.Series) -> pd.Series:
    """`completion` for every row, vectorised (NaN where undefined)."""
    a = pd.to_numeric(actual, errors="coerce").astype("float64")
    t = pd.to_numeric(target, errors="coerce").astype("float64")
    return (a / t.where(t > 0)).rename("completion")


def completion_sql(actual: str = "actual", target: str = "target") -> str:
    """`completion` as a SQL expression over two column expressions."""
    return f"CASE WHEN {target} > 0 AND {actual} IS NOT NULL THEN {actual} / {target} END"


def capped_sql(expr: str, cap: float | str = UNIT_CAP) -> str:
    """`expr` capped at `cap`, NULL kept NULL (CASE, not least(): DuckDB's least() skips NULLs)."""
    return f"CASE WHEN {expr} > {cap} THEN {cap} ELSE {expr} END"


def status_of(value) -> str:
    """The status code of one completion (None/NaN -> NO_STATUS)."""
    if _missing(value):
        return NO_STATUS
    if value >= THRESHOLD_DAT:
        return DAT
    if value >= THRESHOLD_GAN_DAT:
        return GAN_DAT
    return CHUA_DAT


def status_series(s: pd.Series) -> pd.Series:
    """`status_of` for every value, vectorised (a national heatmap has 32,000 cells)."""
    v = pd.to_numeric(s, errors="coerce").astype("float64")
    out = np.select([v.isna(), v >= THRESHOLD_DAT, v >= THRESHOLD_GAN_DAT], [NO_STATUS, DAT, GAN_DAT], CHUA_DAT)
    return pd.Series(out, index=s.index, name=s.name, dtype="object")


def _as_date(d) -> dt.date | None:
    if _missing(d) or d == "":
        return None
    if isinstance(d, dt.datetime):
        return d.date()
    if isinstance(d, dt.date):
        return d
    return pd.Timestamp(str(d)).date()


def unit_active(valid_from, valid_to, start: dt.date, end: dt.date) -> bool:
    """Whether a unit with these dates counts in the period start..end (see the module's rule)."""
    vf, vt = _as_date(valid_from), _as_date(valid_to)
    return (vf is None or vf <= end) and (vt is None or vt >= start)


def active_sql(alias: str = "u", start: str = "$start", end: str = "$end") -> str:
    """`unit_active` as a SQL predicate over table `alias` and two date expressions."""
    return (f"(({alias}.valid_from IS NULL OR {alias}.valid_from <= {end}) "
            f"AND ({alias}.valid_to IS NULL OR {alias}.valid_to >= {start}))")


def year_bounds(year: int) -> tuple[dt.date, dt.date]:
    """The first and last day of a year (unit validity in a year)."""
    return dt.date(int(year), 1, 1), dt.date(int(year), 12, 31)


def unit_completion(indicator_completions: pd.Series) -> float | None:
    """A unit's completion from its indicators' completions: the mean, each capped at UNIT_CAP (None if none)."""
    v = pd.to_numeric(indicator_completions, errors="coerce").dropna()
    return float(v.clip(upper=UNIT_CAP).mean()) if len(v) else None


def indicators_dat(indicator_completions: pd.Series) -> tuple[int, int]:
    """(indicators "đạt", indicators with a completion)."""
    v = pd.to_numeric(indicator_completions, errors="coerce").dropna()
    return int((v >= THRESHOLD_DAT).sum()), int(len(v))


def period_start(end: dt.date, months: int) -> dt.date:
    """The first day of the period of `months` months that ends on `end` (a month, quarter, half-year, year)."""
    first_month = end.year * 12 + end.month - months  # months counted from year 0, zero-based
    return dt.date(first_month // 12, first_month % 12 + 1, 1)


def period_not_begun(end: dt.date, months: int, today: dt.date | None = None) -> bool:
    """True for a period that has not begun: its first day is after today (core.clock's today by default).
    The current period may be reported early; a later one may not."""
    from core import clock

    return period_start(end, months) > (today or clock.today())
