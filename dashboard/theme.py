"""The look and the rules of judgement: status thresholds and colours, target marks, the Plotly theme, source lines.

THE one place for the thresholds (đạt / gần đạt / chưa đạt) and their colours: pages, figures, slides and
exports all use these names, so a colour means the same thing on every page. The thresholds, the status codes
and the completion rule itself live in core.rules (the per-unit aggregate table is built with them) and are
re-exported here.

Completion (definitions used by dashboard.queries):
- an indicator's completion = actual / target, for counts and rates alike; undefined when the target is
  missing or 0, or nothing was reported;
- a unit's completion = the mean of its indicators' completions, each capped at ``UNIT_CAP`` (100%), so one
  huge number cannot hide gaps elsewhere;
- a group's or the province's completion = the mean of the units' completions (each unit weighs the same);
- charts draw completion up to ``DISPLAY_CAP`` (150%); the true value is in the hover and the table.

Public API
----------
- ``THRESHOLD_DAT`` (1.0), ``THRESHOLD_GAN_DAT`` (0.8), ``UNIT_CAP`` (1.0), ``DISPLAY_CAP`` (1.5).
- ``DAT``, ``GAN_DAT``, ``CHUA_DAT``, ``NO_STATUS``   status codes; ``STATUSES`` in display order.
- ``STATUS_LABEL[code]``, ``STATUS_COLOR[code]``     "Đạt" / "#1b7f3b" ...
- ``status_of(completion) -> code``                  one value (None/NaN -> NO_STATUS).
- ``status_series(series) -> Series``                vectorised ``status_of``.
- ``badge_html(status, text=None) -> str``           a label in the status colour (HTML for st.markdown).
- ``TARGET_COLOR``, ``TARGET_MARK``                  the target mark (a dark tick) used on every chart.
- ``PRIMARY``, ``SERIES_COLORS``, ``MUTED``          colours for series that have no status.
- ``FONT_FAMILY``, ``FONT_SIZE``, ``TEMPLATE``       the Plotly template; merged with plotly_white, registered as
                                                     "cchc" and made the default on import.
- ``WIDE``, ``NARROW``, ``NARROW_MAX_WIDTH``, ``SLIDE_MIN_WIDTH``  the two layouts a figure is built for: a computer or tablet
                                                     screen, or a phone (a window under 700 CSS px wide); every
                                                     figure builder takes ``layout=`` (dashboard.ui.layout() says
                                                     which one the visitor's screen needs).
- ``apply(fig, height=None, title=None, force=False, layout=WIDE) -> fig``  height and title; force: re-theme a
                                                     foreign figure; NARROW: the legend under the plot, the title
                                                     wrapped, slim margins.
- ``source_line(sources, sample=False, updated=None, prefix="Nguồn") -> str``   "Nguồn: A; B." for under a chart
                                                     (web addresses shortened to their site; full text in tables).
- ``SAMPLE_LABEL``                                   "Dữ liệu mẫu".
"""
from __future__ import annotations

import math
import re
import textwrap
from typing import Iterable

import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio

from core.rules import (  # noqa: F401
    CHUA_DAT,
    DAT,
    DISPLAY_CAP,
    GAN_DAT,
    NO_STATUS,
    STATUSES,
    THRESHOLD_DAT,
    THRESHOLD_GAN_DAT,
    UNIT_CAP,
    status_of,
    status_series,
)
from dashboard import fmt

STATUS_LABEL = {DAT: "Đạt", GAN_DAT: "Gần đạt", CHUA_DAT: "Chưa đạt", NO_STATUS: "Chưa có số liệu"}
STATUS_COLOR = {DAT: "#1b7f3b", GAN_DAT: "#e3a008", CHUA_DAT: "#c62828", NO_STATUS: "#c4c9d0"}
STATUS_RULE = (f"Đạt: ≥ {fmt.percent(THRESHOLD_DAT, 0)}; gần đạt: {fmt.percent(THRESHOLD_GAN_DAT, 0)} đến dưới "
               f"{fmt.percent(THRESHOLD_DAT, 0)}; chưa đạt: dưới {fmt.percent(THRESHOLD_GAN_DAT, 0)}.")

TARGET_COLOR = "#1f2933"
TARGET_MARK = dict(symbol="line-ns", size=22, line=dict(width=3.5, color=TARGET_COLOR), color=TARGET_COLOR)
PRIMARY = "#0b5cad"
MUTED = "#8a94a3"
GAP_FILL = "rgba(140, 150, 165, 0.13)"
SERIES_COLORS = ["#0b5cad", "#e8710a", "#7b3fa0", "#12867f", "#b0306b", "#5f6b7a", "#8c6d1f", "#3b7dd8"]

WIDE, NARROW = "wide", "narrow"
NARROW_MAX_WIDTH = 700  # CSS px: phones (360–430 portrait, up to ~930 landscape) below; tablets and screens above
SLIDE_MIN_WIDTH = 1024  # CSS px: under it (a tablet or phone in portrait) the giao ban deck draws the phone's charts
NARROW_TITLE_CHARS = 34  # a chart title's line on a 390 px phone

FONT_FAMILY = '"Source Sans Pro", "Source Sans 3", "Segoe UI", Roboto, "Noto Sans", Arial, sans-serif'
FONT_SIZE = 14
SAMPLE_LABEL = "Dữ liệu mẫu"


def badge_html(status: str, text: str | None = None) -> str:
    """A small coloured label in the status colour (for st.markdown(..., unsafe_allow_html=True))."""
    color = STATUS_COLOR[status]
    fg = "#1f2933" if status in (GAN_DAT, NO_STATUS) else "white"
    return (f'<span style="background:{color};color:{fg};border-radius:0.6rem;padding:0.1rem 0.55rem;'
            f'font-size:0.85rem;font-weight:600;white-space:nowrap">{text or STATUS_LABEL[status]}</span>')


TEMPLATE = go.layout.Template(
    layout=dict(
        font=dict(family=FONT_FAMILY, size=FONT_SIZE, color="#1f2933"),
        title=dict(font=dict(size=17), x=0, xanchor="left", y=0.98, yanchor="top"),
        separators=fmt.PLOTLY_SEPARATORS,
        colorway=SERIES_COLORS,
        paper_bgcolor="white",
        plot_bgcolor="white",
        margin=dict(l=10, r=20, t=40, b=10),
        hoverlabel=dict(font=dict(family=FONT_FAMILY, size=14), bgcolor="white", bordercolor="#9aa5b1"),
        legend=dict(orientation="h", yanchor="bottom", y=1.02, xanchor="left", x=0, font=dict(size=13),
                    bgcolor="rgba(255,255,255,0)"),
        xaxis=dict(showgrid=False, linecolor="#9aa5b1", ticks="outside", tickcolor="#9aa5b1",
                   tickfont=dict(size=13), title=dict(font=dict(size=13)), automargin=True, zeroline=False),
        yaxis=dict(gridcolor="#e6e9ee", linecolor="#9aa5b1", tickfont=dict(size=13), ticklabelstandoff=6,
                   title=dict(font=dict(size=13)), automargin=True, zeroline=False),
        hovermode="closest",
        bargap=0.25,
    )
)
# Merged once with plotly_white and made the default: merging templates per figure costs ~60 ms each.
pio.templates["cchc"] = pio.templates.merge_templates(pio.templates["plotly_white"], TEMPLATE)
pio.templates.default = "cchc"


def apply(fig: go.Figure, height: int | None = None, title: str | None = None, force: bool = False,
          layout: str = WIDE) -> go.Figure:
    """Set height and title; ``force=True`` also (re)applies the theme to a figure built with another template.
    ``layout=NARROW`` (a phone): the legend goes under the plot, long titles wrap, margins are slim."""
    settings: dict = {"separators": fmt.PLOTLY_SEPARATORS}  # also on the figure: exports may drop the template
    if force:
        settings["template"] = "cchc"
    if height:
        settings["height"] = int(height)
    narrow = layout == NARROW
    if title is not None:
        text = title
        if narrow and "<br>" not in title:
            text = "<br>".join(textwrap.wrap(title, NARROW_TITLE_CHARS, break_long_words=False)) or title
        settings["title_text"] = text
        lines = text.count("<br>") + 1
        # the title on top, the legend under it, then the plot: nothing overlaps (on a phone the legend is below)
        top = fig.layout.margin.t if fig.layout.margin.t is not None else 40
        settings["margin_t"] = 38 + 24 * lines if narrow else max(top, 96)
        settings["title_y"] = 1
        settings["title_yanchor"] = "top"
        # Plotly anchors a title of several lines by its first line: the others need the room above
        settings["title_pad_t"] = 8 + 22 * (lines - 1)
    if narrow:
        legend_rows = _phone_legend_rows(fig)
        bottom = fig.layout.margin.b if fig.layout.margin.b is not None else 10
        axis_below = fig.layout.xaxis.side != "top"  # its tick labels and title take 50 px under the plot
        settings.update(margin_l=14, margin_r=10, margin_b=max(bottom, 50 if axis_below else 10) + 22 * legend_rows,
                        legend=dict(orientation="h", yref="container", x=0, y=0, xanchor="left", yanchor="bottom",
                                    font=dict(size=12)))
        if not title:
            settings.setdefault("margin_t", max(fig.layout.margin.t or 0, 30))
        if height:  # the builder's height is for the plot and its axes: a taller title and the legend add theirs
            before = fig.layout.margin.t if fig.layout.margin.t is not None else 40
            settings["height"] = int(height) + 22 * legend_rows + max(settings.get("margin_t", before) - before, 0)
    fig.update_layout(**settings)
    return fig


def _phone_legend_rows(fig: go.Figure) -> int:
    """Rows of a horizontal legend under a phone's plot; 0 without a legend. Plotly shows a trace in the legend
    when asked to, or by default when the figure has several traces. Like Plotly, entries that do not fit in one
    row go in columns as wide as the widest entry (about 7 px a character and 40 px for the symbol), across the
    plot's width (the phone's, less the names left of a heatmap)."""
    several = len(fig.data) > 1 or fig.layout.showlegend is True
    names = list(dict.fromkeys(t.name for t in fig.data if t.name and (t.showlegend or (t.showlegend is None
                                                                                          and several))))
    if fig.layout.showlegend is False or not names:
        return 0
    width = 230 if any(t.type == "heatmap" for t in fig.data) else 310
    entries = [7 * len(n) + 40 for n in names]
    if sum(entries) <= width:
        return 1
    return -(-len(names) // max(1, width // max(entries)))


_URL = re.compile(r"https?://(?:www\.)?([^/\s;,)]+)[^\s;,)]*")


_NOTE = re.compile(r"\s*[\(\[]([^\)\]]*)[\)\]]")
_DATE = re.compile(r"\d{1,2}/\d{1,2}/\d{4}")
_ALSO = re.compile(r"[;,]?\s*\b(?:score\s+)?also\b\s*", re.IGNORECASE)


def _shorten(text: str, limit: int = 120) -> str:
    """A source for a caption: web addresses cut to their site ('baodaklak.vn'), notes in brackets dropped
    (their dates kept); tables keep the full text."""
    s = _URL.sub(lambda m: m.group(1), text)
    s = _NOTE.sub(lambda m: (f" ({', '.join(_DATE.findall(m.group(1)))})" if _DATE.search(m.group(1)) else ""), s)
    s = _ALSO.sub("; ", s).strip(" ;,")
    s = re.sub(r"\s*;\s*", "; ", s)
    return s if len(s) <= limit else s[: limit - 1].rstrip() + "…"


def source_line(sources: Iterable[str] | str | None, sample: bool = False, updated=None,
                prefix: str = "Nguồn", max_items: int = 4) -> str:
    """'Nguồn: A; B; và 3 nguồn khác. Cập nhật 07/10/2025. Dữ liệu mẫu.' for a caption under a chart."""
    if isinstance(sources, str):
        sources = [sources]
    seen: list[str] = []
    sources = [] if sources is None else sources
    for s in (sources if sources is not None else []):
        if s is None or (isinstance(s, float) and math.isnan(s)) or s is pd.NA:
            continue
        s = str(s).strip()
        if s == SAMPLE_LABEL:  # sample rows name no real source: say "sample data" once, at the end
            sample = True
            continue
        for part in _shorten(s).split("; "):
            if part and part not in seen:
                seen.append(part)
    parts = []
    if seen:
        shown = "; ".join(seen[:max_items])
        more = len(seen) - max_items
        parts.append(f"{prefix}: {shown}" + (f"; và {more} nguồn khác (xem bảng)" if more > 0 else "") + ".")
    else:
        parts.append(f"{prefix}: chưa ghi nguồn.")
    if updated is not None and not pd.isna(updated):
        parts.append(f"Cập nhật {fmt.datetime(updated)}.")
    if sample:
        parts.append(f"{SAMPLE_LABEL}: không phải số liệu thật.")
    return " ".join(parts)
