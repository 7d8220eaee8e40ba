"""Vietnamese formatting: THE one place for how numbers, percents, dates and periods are written.

Decimal comma and dot for thousands (88,5; 1.250; 1.250,5), "Quý III/2025", dd/mm/yyyy.
Every page, table, hover, axis and export goes through these functions or constants.

Public API
----------
- ``PLOTLY_SEPARATORS``            Plotly ``layout.separators`` (decimal, then thousands): ",.".
- ``MISSING``                      what an empty value shows ("–").
- ``NO_DATA``                      label for an unpublished year: "chưa có số liệu công bố".
- ``text(x, default="")``          a text cell: "" for None/NaN (never "nan").
- ``number(x, decimals=0)``        1250 -> "1.250"; 88.5, 1 -> "88,5".
- ``auto(x, max_decimals=2)``      as many decimals as needed, up to max (12 -> "12", 87.33 -> "87,33").
- ``percent(x, decimals=1)``       a ratio as percent: 0.885 -> "88,5%".
- ``rate(x, decimals=1)``          a value already in percent: 95.2 -> "95,2%".
- ``signed(x, decimals=1, suffix="")``  +2.3 -> "+2,3", -1 -> "-1,0".
- ``points_delta(x)``              a change of a ratio in percentage points: 0.021 -> "+2,1 điểm %".
- ``rank_delta(prev, cur)``        rank 28 -> 18 is "+10 bậc" (a smaller rank is better); None if unknown.
- ``quarter(year, q)``             "Quý III/2025" (delegates to core.periods.quarter_label).
- ``quarter_short(q)``             "Quý III".
- ``date(d)`` / ``datetime(d)``    "07/10/2025" / "07/10/2025 08:30".
- ``index_value(x, scale_max)``    an index score with the decimals its scale needs (DTI 0–1: 4).
- ``index_decimals(scale_max)``    2, or 4 for 0–1 scales.
- ``d3(decimals=0)`` / ``d3_percent(decimals=1)``  d3 format strings for Plotly hovers and axes
                                   (they use PLOTLY_SEPARATORS, so ",.1f" shows "1.250,5").
- ``styler(df, kinds)``            a pandas Styler that shows ``df`` in Vietnamese formats while keeping raw
                                   values for sorting; ``kinds`` maps column -> one of COLUMN_KINDS.
- ``md_link(label, url)``           a markdown link to an http(s) address that nothing in the address can break out
                                   of; any other address is shown as text.
- ``escape_md(text)`` / ``escape_html(text)``  user text (names, plan content, cell values) made inert for
                                   st.markdown and every label that renders markdown / for HTML: no link, image,
                                   tag or colour directive of a user's ever renders.
- ``COLUMN_KINDS``                 "int", "num1", "num2", "num4", "auto", "auto4", "percent", "rate", "date",
                                   "datetime", "text".
"""
from __future__ import annotations

import datetime as _dt
from typing import Callable, Mapping

import pandas as pd

import html as _html
import re as _re
from urllib.parse import quote as _quote

from core.numbers import (  # noqa: F401
    DECIMAL,
    MISSING,
    THOUSANDS,
    _missing,
    auto,
    date,
    datetime,
    index_decimals,
    index_value,
    number,
    percent,
    points_delta,
    rank_delta,
    rate,
    signed,
    text,
)
from core.periods import quarter_label, quarter_short_label, quarters_label

PLOTLY_SEPARATORS = ",."
NO_DATA = "chưa có số liệu công bố"


def quarter(year, q) -> str:
    """'Quý III/2025'."""
    return quarter_label(int(year), int(q))


def quarter_short(q) -> str:
    """'Quý III'."""
    return quarter_short_label(q)


def quarter_span(quarters) -> str:
    """'Quý III–IV', 'Quý I, III'."""
    return quarters_label(quarters)


def d3(decimals: int = 0) -> str:
    """d3 format for Plotly numbers, shown with PLOTLY_SEPARATORS: ',.1f' -> '1.250,5'."""
    return f",.{decimals}f"


def d3_percent(decimals: int = 1) -> str:
    """d3 format for a ratio shown as percent: 0.885 -> '88,5%'."""
    return f",.{decimals}%"


_FORMATTERS: dict[str, Callable] = {
    "int": lambda v: number(v, 0),
    "num1": lambda v: number(v, 1),
    "num2": lambda v: number(v, 2),
    "num4": lambda v: number(v, 4),
    "auto": lambda v: auto(v, 2),
    "auto4": lambda v: auto(v, 4),
    "percent": lambda v: percent(v, 1),
    "rate": lambda v: rate(v, 1),
    "date": date,
    "datetime": datetime,
    "text": lambda v: MISSING if _missing(v) else str(v),
}
COLUMN_KINDS = tuple(_FORMATTERS)


def formatter(kind: str) -> Callable:
    return _FORMATTERS[kind]


def styler(df: pd.DataFrame, kinds: Mapping[str, str] | None = None):
    """A Styler that displays Vietnamese formats; sorting in st.dataframe still uses the raw values.

    Columns not named in ``kinds`` get a format from their dtype (integers 'int', floats 'auto').
    """
    kinds = dict(kinds or {})
    fmts = {}
    for col in df.columns:
        kind = kinds.get(col)
        if kind is None:
            if pd.api.types.is_bool_dtype(df[col]):
                continue
            if pd.api.types.is_integer_dtype(df[col]):
                kind = "int"
            elif pd.api.types.is_float_dtype(df[col]):
                kind = "auto"
            elif pd.api.types.is_datetime64_any_dtype(df[col]):
                kind = "date"
            else:
                kind = "text"
        fmts[col] = _FORMATTERS[kind]
    return df.style.format(fmts)


def format_frame(df: pd.DataFrame, kinds: Mapping[str, str] | None = None) -> pd.DataFrame:
    """A copy of ``df`` with every formatted column turned into Vietnamese text (for static tables)."""
    out = df.copy()
    kinds = dict(kinds or {})
    for col in out.columns:
        kind = kinds.get(col)
        if kind is None:
            if pd.api.types.is_integer_dtype(out[col]):
                kind = "int"
            elif pd.api.types.is_float_dtype(out[col]):
                kind = "auto"
            else:
                continue
        out[col] = out[col].map(_FORMATTERS[kind])
    return out


def today() -> _dt.date:
    return _dt.date.today()


# what can start markup inside a line: emphasis, code, links and images, HTML, tables, strike, maths, headings and
# Streamlit's ":colour[...]" (its "[" is escaped); list markers only count at a line's start, and escape_md never
# leaves a line break
_MD_SPECIAL = _re.compile(r"([\\`*\[\]<>!|~$#]|(?<!\w)_|_(?!\w))")  # "_" inside a word (bao_cao.xlsx) is text

# Streamlit turns a bare address into a link and ":red" into a colour after markdown's own escapes are undone: a
# zero-width space after the colon of "http://" or ":word", and after "www", keeps them text
_AUTOLINK = _re.compile(r"(?<=:)(?=//|[^\W\d_])|(?<=\bwww)(?=\.)", _re.IGNORECASE)


def escape_md(text) -> str:
    """Text shown as itself by Streamlit's markdown: each mark that markdown, HTML or a Streamlit directive
    (":red[...]", ":material/x:") could read is backslash-escaped; line breaks become spaces."""
    escaped = _MD_SPECIAL.sub(r"\\\g<0>", " ".join(str(text or "").split()))
    return _AUTOLINK.sub("\u200b", escaped)  # nor a bare address into a link


def escape_html(text) -> str:
    """Text shown as itself inside HTML (quotes included, for attribute values)."""
    return _html.escape(str(text if text is not None else ""), quote=True)


def md_link(label: str, url) -> str:
    """[label](url) for an http(s) address, with every character that could end the link or start markup
    percent-encoded; another scheme (javascript:, data:) is not a link at all."""
    url = str(url or "").strip()
    if not _re.match(r"https?://", url, _re.IGNORECASE):
        return escape_md(url)
    return f"[{escape_md(label)}]({_quote(url, safe=':/?#@$&+,;=%~-._' + chr(39))})"
