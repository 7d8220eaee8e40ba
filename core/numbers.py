"""Vietnamese number and date writing: THE one place for how a value is written, on pages and in messages.

Decimal comma and dot for thousands (88,5; 1.250; 1.250,5), dd/mm/yyyy. The read side (dashboard.fmt) adds
Plotly and table formats on top; loaders use these functions for the numbers in their messages.
"""
from __future__ import annotations

import math

import pandas as pd

DECIMAL, THOUSANDS = ",", "."
MISSING = "–"


def _missing(x) -> bool:
    t = type(x)
    if t is float:
        return x != x  # NaN
    if t is int or t is str:
        return False
    if x is None or x is pd.NA or x is pd.NaT:
        return True
    try:
        return bool(isinstance(x, float) and math.isnan(x)) or bool(pd.isna(x))
    except (TypeError, ValueError):
        return False


def text(x, default: str = "") -> str:
    """A text cell: '' (or ``default``) for None/NaN, else str(x)."""
    return default if _missing(x) else str(x)


def number(x, decimals: int = 0) -> str:
    """1250 -> '1.250'; (88.5, 1) -> '88,5'; (1250.5, 1) -> '1.250,5'; None -> '–'."""
    if _missing(x):
        return MISSING
    v = round(float(x), decimals) + 0.0  # + 0.0 turns -0.0 into 0.0
    s = f"{v:,.{decimals}f}"
    return s.replace(",", "\0").replace(".", DECIMAL).replace("\0", THOUSANDS)


def auto(x, max_decimals: int = 2) -> str:
    """As many decimals as needed up to max_decimals: 12 -> '12', 87.33 -> '87,33', 45.6196 -> '45,62'."""
    if _missing(x):
        return MISSING
    for d in range(max_decimals + 1):
        if abs(round(float(x), d) - float(x)) < 10 ** -(max_decimals + 3):
            return number(x, d)
    return number(x, max_decimals)


def percent(x, decimals: int = 1) -> str:
    """A ratio shown as percent: 0.885 -> '88,5%'."""
    return MISSING if _missing(x) else number(float(x) * 100, decimals) + "%"


def rate(x, decimals: int = 1) -> str:
    """A value that is already a percent (an indicator of kind 'rate'): 95.2 -> '95,2%'."""
    return MISSING if _missing(x) else number(x, decimals) + "%"


def signed(x, decimals: int = 1, suffix: str = "") -> str:
    """2.3 -> '+2,3', -1 -> '-1,0', 0 -> '0,0'."""
    if _missing(x):
        return MISSING
    s = number(x, decimals)
    sign = "+" if float(x) > 0 and s.strip("0,.") else ""
    return f"{sign}{s}{suffix}"


def points_delta(x, decimals: int = 1) -> str:
    """Change of a ratio in percentage points: 0.021 -> '+2,1 điểm %'."""
    return MISSING if _missing(x) else signed(float(x) * 100, decimals, " điểm %")


def rank_delta(prev, cur) -> str | None:
    """Rank change: 28 -> 18 is '+10 bậc' (up), 18 -> 20 is '-2 bậc', same -> 'giữ nguyên'; None if unknown."""
    if _missing(prev) or _missing(cur):
        return None
    d = int(prev) - int(cur)
    if d == 0:
        return "giữ nguyên hạng"
    return f"{'+' if d > 0 else '-'}{abs(d)} bậc"


def date(d) -> str:
    """dd/mm/yyyy."""
    if _missing(d):
        return MISSING
    if isinstance(d, str):
        d = pd.Timestamp(d)
    return d.strftime("%d/%m/%Y")


def datetime(d) -> str:
    """dd/mm/yyyy HH:MM."""
    if _missing(d):
        return MISSING
    if isinstance(d, str):
        d = pd.Timestamp(d)
    return d.strftime("%d/%m/%Y %H:%M")


def index_decimals(scale_max) -> int:
    """Decimals an index score needs: 4 on a 0–1 scale (DTI), else 2."""
    return 4 if not _missing(scale_max) and float(scale_max) <= 1 else 2


def index_value(x, scale_max=100) -> str:
    return number(x, index_decimals(scale_max))


def file_size(n_bytes: int) -> str:
    """A file's size as people say it: 2_500_000 -> '2,4 MB', 12_000 -> '12 KB'."""
    if n_bytes >= 1048576:
        return f"{number(n_bytes / 1048576, 1)} MB"
    return f"{max(1, round(n_bytes / 1024))} KB"


def same_published(a: float, b: float) -> bool:
    """Two published values of one figure agree when they are equal to the last decimal of the less precise one,
    give or take one unit there, and never looser than 0,01: a summary rounds what a detail sheet computes, not
    always the same way (VCCI 2008 writes 8,012138 in one sheet and 8,012139 in another, 6,2998849 and 6,299886);
    a press table rounds the workbook (52,25 for 52,2503). 90 and 90,10 differ."""
    places = max(min(_decimals(a), _decimals(b)), 2)
    return abs(a - b) <= max(10.0 ** -places, 1e-5) + 1e-9


def _decimals(x: float) -> int:
    """Decimals a float was written with: 8.054103999999999 (binary noise) counts as many, capped at 10."""
    text_ = repr(float(x))
    if "e" in text_:
        return 10
    return min(len(text_.split(".")[1].rstrip("0")), 10) if "." in text_ else 0
