"""Plotly figure builders: pure functions from DataFrames (as dashboard.queries returns them) to go.Figure.

No database, no Streamlit. Every figure uses the theme (dashboard.theme: template, status colours, target mark)
and Vietnamese formats (dashboard.fmt) in hovers, text and axes. Ratios (completion) are fractions (1.0 = 100%).
Bars never run past theme.DISPLAY_CAP (150%); the true value is in the text and hover.
Missing index years are gaps (never filled) and are labelled fmt.NO_DATA.

One builder per chart; each takes ``layout=theme.WIDE`` (a computer or tablet) or ``theme.NARROW`` (a phone). On a
phone the names of horizontal bars stand above their bars across the whole width (``name_rows``: at most two lines,
the full name in the hover), legends sit under the plot and titles wrap (theme.apply).

Public API
----------
- ``wrap_label(text, width=34) -> str``                   break a long Vietnamese label with <br>.
- ``short_label(text, n=24) -> str``                       the first words of a long name, with "…".
- ``bar_height(n, per_bar=30, base=90, labels=None) -> int``  a height that keeps n bars (and wrapped labels)
      legible.
- ``phone_name(text, width=NARROW_NAME_CHARS, lines=2) -> str``  a name for above its bar on a phone.
- ``name_rows(fig, categories, names, layout, details=None) -> int | None``  the names of horizontal bars: the y
      axis' labels (WIDE), or above their bars (NARROW: returns the height of a row).
- ``completion_bars(df, label="unit_name", value="completion", key="unit_code", title=None, detail=None)``
      horizontal bars coloured by status, the 100% target line; rows drawn in df order, first on top.
      ``detail``: optional column of preformatted hover text.
- ``actual_target_bars(df, label="unit_name", key="unit_code", unit_label="", rate=False, title=None)``
      bullet-style: actual bars coloured by status with a target mark per row (native units).
- ``indicator_bullets(df, title=None)``                   per indicator (indicator_summary): completion bars
      with "thực hiện / chỉ tiêu" text and the 100% target line.
- ``status_heatmap(df, row="unit_name", col="label", value="completion", row_order=None, col_order=None,
      detail=None, key=None, title=None)``                cells in status colours with the percent written in.
- ``ytd_line(df, unit_label="", title=None)``             year to date (queries.ytd) against the target path.
- ``index_history(df, index_name, scale_max=100, unit="", title=None, merger_year=2025, national=None)``
      score (top) and rank (bottom, reversed) over the years per entity; target line; gaps shaded and
      labelled; the 2025 merger marked.
- ``components_bars(df, entity_name, scale_max=10, title=None)``  a province's components beside the best
      province and the national average where known (queries.index_components).
- ``peer_lines(df, highlight=(), scale_max=100, title=None, value="score")``  score (or rank) per year per
      province; the chosen ones drawn thick.
- ``score_bars(df, label="entity_name", value="score", title=None)``  scores of several entities, highest first.
- ``unit_metric_bars(df, unit_label="", rate=False, title=None)``  one indicator of one unit over the quarters,
      bars in status colours with target marks (rows of queries.unit_history for one metric).
- ``index_scores_lines(df, title=None)``                  a unit's own index scores over the years.
- ``inert_text``                                          the decorator every builder wears: Plotly reads <a href>,
      <b>, <br> in any label or hover text, so the text a builder is given (names in its frame, labels, titles) is
      HTML-escaped first; Plotly shows the escaped characters as themselves.
- ``add_source(fig, text)``                               put a source line under a figure (for exports/slides).
"""
from __future__ import annotations

import functools
import html
import math
import textwrap

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from core.rules import completion_series
from dashboard import fmt, theme

_STATUS_INDEX = {s: i for i, s in enumerate(theme.STATUSES)}


def _inert(value):
    """A builder's input with every text in it HTML-escaped (column names and codes hold no < > &: unchanged)."""
    if isinstance(value, str):
        return html.escape(value, quote=False)
    if isinstance(value, pd.DataFrame):
        out = value.copy()
        for col in out.columns:
            if out[col].dtype == object or pd.api.types.is_string_dtype(out[col]):
                out[col] = [html.escape(v, quote=False) if isinstance(v, str) else v for v in out[col]]
        return out
    if isinstance(value, (list, tuple)):
        return type(value)(_inert(v) for v in value)
    return value


def inert_text(builder):
    """A figure builder whose text inputs (names in its frame, labels, titles) reach Plotly as text, not markup."""
    @functools.wraps(builder)
    def build(*args, **kwargs):
        return builder(*(_inert(a) for a in args), **{k: _inert(v) for k, v in kwargs.items()})
    return build


def wrap_label(text, width: int = 34) -> str:
    s = "" if text is None or (isinstance(text, float) and math.isnan(text)) else str(text)
    return "<br>".join(textwrap.wrap(s, width=width, break_long_words=False)) or s


def short_label(text, n: int = 24) -> str:
    """A short column label: the first words of a long indicator name, with an ellipsis."""
    s = "" if text is None else str(text)
    if len(s) <= n:
        return s
    cut = s[:n].rsplit(" ", 1)[0].rstrip(",;:–-")
    return cut + "…"


def bar_height(n: int, per_bar: int = 30, base: int = 90, labels=None) -> int:
    """Height for n horizontal bars; wrapped (multi-line) labels get taller rows so they never overlap."""
    if labels is not None:
        lines = max([str(x).count("<br>") + 1 for x in labels] or [1])
        per_bar = max(per_bar, 17 * min(lines, 3) + 10)
    return int(base + per_bar * max(int(n), 1))


NARROW_NAME_CHARS = 50  # one line of a name above its bar on a 390 px phone (12 px text)
_PHONE_BAR_PX, _PHONE_LINE_PX = 20, 16


def phone_name(text, width: int = NARROW_NAME_CHARS, lines: int = 2) -> str:
    """A name for above its bar on a phone: wrapped to at most ``lines`` lines, the rest cut with '…'."""
    s = "" if text is None or (isinstance(text, float) and math.isnan(text)) else str(text)
    parts = textwrap.wrap(s, width=width, break_long_words=False) or [s]
    if len(parts) > lines:
        parts = parts[:lines - 1] + [short_label(" ".join(parts[lines - 1:]), width - 1)]
    return "<br>".join(parts)


def name_rows(fig: go.Figure, categories, names, layout: str = theme.WIDE, details=None,
              bars: int = 1) -> int | None:
    """The names of a horizontal bar chart whose y categories are ``categories``. WIDE: they are the y axis' tick
    labels (the categories themselves); returns None. NARROW (a phone): the tick labels go, and each name (with its
    optional detail under it, in grey) stands above its bar across the plot's whole width; returns the height of
    a row in px, so the builder sizes the figure (each bar is _PHONE_BAR_PX thick; ``bars`` side by side in a
    grouped chart)."""
    if layout != theme.NARROW:
        return None
    # names are data, already made inert by the builder's @inert_text: escaping again would show "&amp;"
    texts = [phone_name(n)
             + (f'<br><span style="color:{theme.MUTED}">{d}</span>' if d else "")
             for n, d in zip(names, details if details is not None else [None] * len(names))]
    lines = max([t.count("<br>") + 1 for t in texts] or [1])
    thick = _PHONE_BAR_PX * bars
    row = thick + _PHONE_LINE_PX * lines + 12
    # on a white ground: a target line crossing the row does not cross its name
    notes = [dict(x=0, xref="paper", y=c, yref="y", xanchor="left", yanchor="bottom", yshift=thick / 2,
                  text=t, showarrow=False, align="left", font=dict(size=12, color="#1f2933"),
                  bgcolor="rgba(255,255,255,0.88)", borderpad=0)
             for c, t in zip(categories, texts)]
    fig.update_layout(annotations=list(fig.layout.annotations) + notes, bargap=1 - thick / row)
    fig.update_yaxes(showticklabels=False, ticks="")
    return row


def _capped(s: pd.Series) -> pd.Series:
    return s.astype("float64").clip(upper=theme.DISPLAY_CAP)


def _target_line(fig: go.Figure, x: float = theme.THRESHOLD_DAT, text: str = "Chỉ tiêu (100%)",
                 layout: str = theme.WIDE, **kw) -> None:
    """The 100% line; its label right of the line (left of it on a phone, where the line is near the edge)."""
    fig.add_vline(x=x, line=dict(color=theme.TARGET_COLOR, width=2, dash="dash"), layer="above", **kw)
    narrow = layout == theme.NARROW
    fig.add_annotation(x=x, y=1, yref="paper", yanchor="bottom", text=text, showarrow=False,
                       font=dict(size=12, color=theme.TARGET_COLOR), xanchor="right" if narrow else "left",
                       xshift=-4 if narrow else 4)


def _text_color(status) -> str:
    """Text drawn on a status colour: dark on amber and grey, white on green and red."""
    return "#1f2933" if status in (theme.GAN_DAT, theme.NO_STATUS) else "white"


def _bar_text(values, statuses, full: float) -> dict:
    """Values inside the bar's end when the bar is long enough (clear of the target line), else just outside."""
    pos, colors = [], []
    for v, st in zip(values, statuses):
        inside = not pd.isna(v) and float(v) >= 0.22 * full
        pos.append("inside" if inside else "outside")
        colors.append(_text_color(st) if inside else "#1f2933")
    return dict(textposition=pos, insidetextanchor="end", textangle=0, textfont=dict(color=colors, size=13))


def _status_legend(fig: go.Figure, statuses) -> None:
    """Legend entries for the status colours present (one dummy trace each)."""
    for s in theme.STATUSES:
        if s in set(statuses):
            fig.add_trace(go.Bar(x=[None], y=[None], orientation="h", name=theme.STATUS_LABEL[s],
                                 marker_color=theme.STATUS_COLOR[s], showlegend=True, hoverinfo="skip"))


@inert_text
def completion_bars(df: pd.DataFrame, label: str = "unit_name", value: str = "completion", key: str = "unit_code",
                    title: str | None = None, detail: str | None = None, layout: str = theme.WIDE) -> go.Figure:
    d = df.reset_index(drop=True)
    status = d["status"] if "status" in d else theme.status_series(d[value])
    labels = [wrap_label(x, 40) for x in d[label]]
    texts = [fmt.percent(v) for v in d[value]]
    hover = [f"<b>{n}</b><br>Hoàn thành: {t} ({theme.STATUS_LABEL[s]})" + (f"<br>{x}" if detail else "")
             for n, t, s, x in zip(d[label], texts, status, d[detail] if detail else [""] * len(d))]
    fig = go.Figure(go.Bar(
        x=_capped(d[value]).fillna(0), y=labels, orientation="h",
        marker_color=[theme.STATUS_COLOR[s] for s in status], text=texts, cliponaxis=False,
        customdata=d[key] if key in d else None, hovertext=hover, hovertemplate="%{hovertext}<extra></extra>",
        showlegend=False, name="", **_bar_text(_capped(d[value]), status, 1.2)))
    _status_legend(fig, status)
    _target_line(fig, layout=layout)
    fig.update_yaxes(autorange="reversed", categoryorder="array", categoryarray=labels)
    top = _capped(d[value]).max()
    upper = min(theme.DISPLAY_CAP, max(1.05, top if not pd.isna(top) else 1.0)) + 0.12
    fig.update_xaxes(tickformat=".0%", range=[0, upper], title_text="Tỷ lệ hoàn thành chỉ tiêu")
    fig.update_layout(barmode="overlay", clickmode="event+select")
    row = name_rows(fig, labels, d[label], layout)
    return theme.apply(fig, height=bar_height(len(d), per_bar=row or 30, labels=None if row else labels) + 40,
                       title=title, layout=layout)


@inert_text
def actual_target_bars(df: pd.DataFrame, label: str = "unit_name", key: str = "unit_code", unit_label: str = "",
                       rate: bool = False, title: str | None = None, layout: str = theme.WIDE) -> go.Figure:
    d = df.reset_index(drop=True)
    status = d["status"] if "status" in d else theme.status_series(completion_series(d["actual"], d["target"]))
    labels = [wrap_label(x, 40) for x in d[label]]
    show = (lambda v: fmt.rate(v)) if rate else (lambda v: fmt.auto(v, 2))
    hover = [f"<b>{n}</b><br>Thực hiện: {show(a)} {'' if rate else unit_label}<br>"
             f"Chỉ tiêu: {show(t)} {'' if rate else unit_label}<br>Hoàn thành: {fmt.percent(c)} "
             f"({theme.STATUS_LABEL[s]})"
             for n, a, t, c, s in zip(d[label], d["actual"], d["target"], d["completion"], status)]
    fig = go.Figure()
    fig.add_trace(go.Bar(
        x=d["actual"], y=labels, orientation="h", name="Thực hiện",
        marker_color=[theme.STATUS_COLOR[s] for s in status], text=[show(a) for a in d["actual"]],
        cliponaxis=False, customdata=d[key] if key in d else None,
        hovertext=hover, hovertemplate="%{hovertext}<extra></extra>", showlegend=False,
        **_bar_text(d["actual"], status, max([v for v in list(d["actual"]) + list(d["target"]) if not pd.isna(v)]
                                             or [1]) * 1.18)))
    fig.add_trace(go.Scatter(
        x=d["target"], y=labels, mode="markers", name="Chỉ tiêu", marker=theme.TARGET_MARK,
        hovertext=hover, hovertemplate="%{hovertext}<extra></extra>"))
    _status_legend(fig, status)
    fig.update_yaxes(autorange="reversed", categoryorder="array", categoryarray=labels)
    top = max([v for v in list(d["actual"]) + list(d["target"]) if not pd.isna(v)] or [1])
    fig.update_xaxes(range=[0, top * 1.18], title_text=f"Thực hiện và chỉ tiêu{f' ({unit_label})' if unit_label else ''}",
                     tickformat=",.0f", ticksuffix="%" if rate else "")
    row = name_rows(fig, labels, d[label], layout)
    return theme.apply(fig, height=bar_height(len(d), per_bar=row or 30, labels=None if row else labels) + 40,
                       title=title, layout=layout)


@inert_text
def indicator_bullets(df: pd.DataFrame, title: str | None = None, layout: str = theme.WIDE) -> go.Figure:
    """WIDE: "thực hiện / chỉ tiêu" in a column right of the bars; NARROW: under each indicator's name."""
    d = df.reset_index(drop=True)
    labels = [wrap_label(x, 44) for x in d["metric_name"]]

    def amount(a, t, kind, u):
        if kind == "rate":
            return f"{fmt.rate(a)} / {fmt.rate(t)}"
        return f"{fmt.auto(a, 1)} / {fmt.auto(t, 1)} {u or ''}".strip()

    detail = [amount(a, t, k, u) for a, t, k, u in zip(d["actual"], d["target"], d["kind"], d["metric_unit"])]
    texts = [fmt.percent(c) for c in d["completion"]]
    hover = [f"<b>{n}</b><br>Thực hiện / chỉ tiêu: {x}<br>Hoàn thành: {fmt.percent(c)} ({theme.STATUS_LABEL[s]})"
             f"<br>{nd}/{nu} đơn vị đạt" + ("<br>(tỷ lệ: trung bình các đơn vị)" if k == "rate" else "")
             for n, x, c, s, nd, nu, k in zip(d["metric_name"], detail, d["completion"], d["status"], d["n_dat"],
                                               d["n_units"], d["kind"])]
    narrow = layout == theme.NARROW
    right = theme.DISPLAY_CAP + (0.15 if narrow else 0.6)
    fig = go.Figure(go.Bar(
        x=_capped(d["completion"]).fillna(0), y=labels, orientation="h",
        marker_color=[theme.STATUS_COLOR[s] for s in d["status"]], text=texts, cliponaxis=False,
        customdata=d["metric_code"], hovertext=hover, hovertemplate="%{hovertext}<extra></extra>",
        showlegend=False, **_bar_text(_capped(d["completion"]), d["status"], right)))
    if not narrow:
        fig.add_trace(go.Scatter(
            x=[theme.DISPLAY_CAP + 0.04] * len(d), y=labels, mode="text", text=detail, textposition="middle right",
            textfont=dict(size=13, color="#3e4c59"), showlegend=False, hoverinfo="skip", cliponaxis=False))
    _status_legend(fig, d["status"])
    _target_line(fig, layout=layout)
    if not narrow:
        fig.add_annotation(x=theme.DISPLAY_CAP + 0.04, y=1, yref="paper", yanchor="bottom", xanchor="left",
                           text="Thực hiện / chỉ tiêu", showarrow=False, font=dict(size=12, color="#3e4c59"))
    fig.update_yaxes(autorange="reversed", categoryorder="array", categoryarray=labels)
    fig.update_xaxes(tickformat=".0%", range=[0, right], title_text="Tỷ lệ hoàn thành chỉ tiêu",
                     tickvals=[0, 0.5, 1, 1.5] if narrow else [0, 0.25, 0.5, 0.75, 1, 1.25, 1.5])
    row = name_rows(fig, labels, d["metric_name"], layout, details=[f"Thực hiện / chỉ tiêu: {x}" for x in detail])
    return theme.apply(fig, height=bar_height(len(d), per_bar=row or 38, labels=None if row else labels) + 40,
                       title=title, layout=layout)


@inert_text
def status_heatmap(df: pd.DataFrame, row: str = "unit_name", col: str = "label", value: str = "completion",
                   row_order=None, col_order=None, detail: str | None = None, key: str | None = None,
                   title: str | None = None, row_width: int = 38, layout: str = theme.WIDE) -> go.Figure:
    """NARROW: row names shortened to two short lines (the full name is in the hover), smaller cell text."""
    narrow = layout == theme.NARROW
    rows = list(row_order) if row_order is not None else list(dict.fromkeys(df[row]))
    cols = list(col_order) if col_order is not None else list(dict.fromkeys(df[col]))
    values = df[value].tolist()
    details = df[detail].tolist() if detail else None
    cell = {(r, c): i for i, (r, c) in enumerate(zip(df[row].tolist(), df[col].tolist()))}
    z, text, hover = [], [], []
    for r in rows:
        zr, tr, hr = [], [], []
        for c in cols:
            i = cell.get((r, c))
            v = values[i] if i is not None else None
            s = theme.status_of(v)
            zr.append(_STATUS_INDEX[s])
            tr.append(fmt.percent(v, 0) if s != theme.NO_STATUS else "–")
            extra = f"<br>{details[i]}" if (details is not None and i is not None) else ""
            hr.append(f"<b>{r}</b><br>{c}<br>Hoàn thành: {fmt.percent(v)} ({theme.STATUS_LABEL[s]}){extra}")
        z.append(zr)
        text.append(tr)
        hover.append(hr)
    n = len(theme.STATUSES)
    scale = []
    for i, s in enumerate(theme.STATUSES):
        scale += [[i / n, theme.STATUS_COLOR[s]], [(i + 1) / n, theme.STATUS_COLOR[s]]]
    ylabels = [phone_name(r, 15) for r in rows] if narrow else [wrap_label(r, row_width) for r in rows]
    lines = max([y.count("<br>") + 1 for y in ylabels] or [1])
    fig = go.Figure(go.Heatmap(
        z=z, x=cols, y=ylabels, customdata=hover, hovertemplate="%{customdata}<extra></extra>",
        colorscale=scale, zmin=0, zmax=n - 1, showscale=False, xgap=2, ygap=2))  # i/(n-1) lies in band i
    # cell values as text layers: dark on amber/grey, white on green/red (heatmap text has one colour only;
    # one trace per colour, because per-point colour arrays are slow to validate)
    for color in ("white", "#1f2933"):
        xs, ys, ts = [], [], []
        for y, row_z, row_t in zip(ylabels, z, text):
            for c, v, t in zip(cols, row_z, row_t):
                if _text_color(theme.STATUSES[v]) == color:
                    xs.append(c)
                    ys.append(y)
                    ts.append(t)
        if xs:
            fig.add_trace(go.Scatter(x=xs, y=ys, mode="text", text=ts, hoverinfo="skip", showlegend=False,
                                     textfont=dict(size=10 if narrow else 13, color=color)))
    for s in theme.STATUSES:
        fig.add_trace(go.Scatter(x=[None], y=[None], mode="markers", name=theme.STATUS_LABEL[s],
                                 marker=dict(symbol="square", size=14, color=theme.STATUS_COLOR[s])))
    # "Quý III/2025" -> "Quý III<br>2025": horizontal, two lines, no overlap with the title
    ticktext = [str(c).replace("/", "<br>", 1) if str(c).startswith("Quý") else str(c) for c in cols]
    if narrow:  # "Quý III<br>2025" -> "III<br>2025"; long column names stand upright
        ticktext = [t.removeprefix("Quý ") for t in ticktext]
    upright = narrow and max([len(t) for t in ticktext] or [0]) > 12
    fig.update_yaxes(autorange="reversed", showgrid=False, ticks="", tickfont=dict(size=11) if narrow else None)
    fig.update_xaxes(side="top", showgrid=False, ticks="", type="category", tickangle=-90 if upright else 0,
                     tickmode="array", tickvals=cols, ticktext=ticktext, tickfont=dict(size=11) if narrow else None)
    per_row = max(30, 17 * min(lines, 3) + 12)
    legend_y = -12 / (per_row * max(len(rows), 1))
    upright_px = 6 * max(len(t) for t in ticktext) if upright else 0
    fig.update_layout(legend=dict(y=legend_y, yanchor="top", x=0), margin=dict(t=(96 if title else 60) + upright_px,
                                                                              b=10 if narrow else 50))
    height = (160 if title else 120) + upright_px + per_row * max(len(rows), 1)
    return theme.apply(fig, height=height, title=title, layout=layout)


@inert_text
def ytd_line(df: pd.DataFrame, unit_label: str = "", title: str | None = None, layout: str = theme.WIDE) -> go.Figure:
    mode = df["mode"].iloc[0] if len(df) else "count"
    x = list(df["label"])
    if mode == "progress":
        show, tickformat, suffix = (lambda v: fmt.percent(v)), ".0%", ""
        ytitle = "Lũy kế so với chỉ tiêu cả năm"
        names = ("Lũy kế thực hiện (bình quân các chỉ tiêu đếm)", "Lộ trình chỉ tiêu")
    elif mode == "rate":
        show, tickformat, suffix = (lambda v: fmt.rate(v)), ",.0f", "%"
        ytitle = "Tỷ lệ (%)"
        names = ("Thực hiện (quý gần nhất là số lũy kế)", "Chỉ tiêu")
    else:
        show, tickformat, suffix = (lambda v: fmt.auto(v, 1)), ",.0f", ""
        ytitle = f"Lũy kế{f' ({unit_label})' if unit_label else ''}"
        names = ("Lũy kế thực hiện", "Lộ trình chỉ tiêu (lũy kế)")
    fig = go.Figure()
    fig.add_trace(go.Scatter(
        x=x, y=df["target"], name=names[1], mode="lines+markers",
        line=dict(color=theme.TARGET_COLOR, dash="dash", width=2.5), marker=dict(size=8, color=theme.TARGET_COLOR),
        hovertext=[f"{l}<br>{names[1]}: {show(v)}" for l, v in zip(x, df["target"])],
        hovertemplate="%{hovertext}<extra></extra>"))
    status = [theme.status_of(a / t if t and not pd.isna(a) else None) for a, t in zip(df["actual"], df["target"])]
    fig.add_trace(go.Scatter(
        x=x, y=df["actual"], name=names[0], mode="lines+markers+text", connectgaps=False,
        line=dict(color=theme.PRIMARY, width=3.5),
        marker=dict(size=12, color=[theme.STATUS_COLOR[s] for s in status], line=dict(width=1.5, color="white")),
        text=[show(v) if not pd.isna(v) else "" for v in df["actual"]], textposition="bottom right",
        hovertext=[f"{l}<br>{names[0]}: {show(a)}<br>{names[1]}: {show(t)}<br>{theme.STATUS_LABEL[s]}"
                   for l, a, t, s in zip(x, df["actual"], df["target"], status)],
        hovertemplate="%{hovertext}<extra></extra>"))
    top = max([v for v in list(df["actual"]) + list(df["target"]) if not pd.isna(v)] or [1])
    fig.update_yaxes(title_text=ytitle, tickformat=tickformat, ticksuffix=suffix, rangemode="tozero",
                     range=[0, top * 1.18])
    fig.update_xaxes(type="category")
    return theme.apply(fig, height=380, title=title, layout=layout)


def _gap_bands(years: list[int]) -> list[tuple[int, int]]:
    bands: list[tuple[int, int]] = []
    for y in sorted(years):
        if bands and y == bands[-1][1] + 1:
            bands[-1] = (bands[-1][0], y)
        else:
            bands.append((y, y))
    return bands


LABELLED_YEARS = 12  # up to this many years every point of the history carries its value


def year_dtick(years) -> int:
    """A tick every year, or every other year on a long series (a phone shows some 8 labels)."""
    return 2 if years and int(years[-1]) - int(years[0]) + 1 > LABELLED_YEARS else 1


def _labels(texts: list[str], crowded: bool) -> list[str]:
    """Every label, or (crowded) the latest one only."""
    if not crowded:
        return texts
    last = max((i for i, t in enumerate(texts) if t), default=None)
    return [t if i == last else "" for i, t in enumerate(texts)]


@inert_text
def index_history(df: pd.DataFrame, index_name: str, scale_max: float = 100, unit: str = "",
                  title: str | None = None, merger_year: int = 2025,
                  national: pd.DataFrame | None = None, layout: str = theme.WIDE) -> go.Figure:
    """df: queries.index_series rows (several entities allowed: the old provinces and the new one);
    national: queries.national_series rows, drawn as a reference line where published (no line through gaps)."""
    dec = fmt.index_decimals(scale_max)
    span = (int(df["year"].max()) - int(df["year"].min()) + 1) if len(df) else 0
    # A long series (VCCI's PCI since 2006) on a phone: the latest value labelled, the others on hover and in the
    # table below; a year tick every other year; only wide gaps named (the shading says the rest).
    crowded = span > LABELLED_YEARS
    fig = make_subplots(rows=2, cols=1, shared_xaxes=True, row_heights=[0.64, 0.36], vertical_spacing=0.14,
                        subplot_titles=(f"Điểm {index_name}", "Xếp hạng (1 là cao nhất)"))
    with_result = set(df.loc[df["state"] == "co", "entity_code"])
    ents = [e for e in dict.fromkeys(df["entity_code"]) if e in with_result]  # no result: no empty legend entry
    names = dict(zip(df["entity_code"], df["entity_name"]))
    for i, e in enumerate(ents):
        d = df[df["entity_code"] == e].sort_values("year")
        color = theme.SERIES_COLORS[i % len(theme.SERIES_COLORS)]
        hover = [f"<b>{names[e]}</b> — {y}<br>Điểm: {fmt.number(s, dec)}<br>Xếp hạng: {fmt.number(r)}"
                 if st == "co" else f"<b>{names[e]}</b> — {y}<br>{fmt.NO_DATA if st == 'chua_cong_bo' else 'chưa đến kỳ công bố'}"
                 for y, s, r, st in zip(d["year"], d["score"], d["rank"], d["state"])]
        fig.add_trace(go.Scatter(
            x=d["year"], y=d["score"], name=names[e], legendgroup=e, mode="lines+markers+text", connectgaps=False,
            line=dict(color=color, width=3), marker=dict(size=10, color=color),
            text=_labels([fmt.number(s, dec) if not pd.isna(s) else "" for s in d["score"]], crowded),
            textposition="top center",
            hovertext=hover, hovertemplate="%{hovertext}<extra></extra>"), row=1, col=1)
        rank = pd.to_numeric(d["rank"], errors="coerce")
        fig.add_trace(go.Scatter(
            x=d["year"], y=rank, name=names[e], legendgroup=e, showlegend=False, mode="lines+markers+text",
            connectgaps=False, line=dict(color=color, width=2.5), marker=dict(size=9, color=color),
            text=_labels([fmt.number(r) if not pd.isna(r) else "" for r in rank], crowded), textposition="middle right",
            hovertext=hover, hovertemplate="%{hovertext}<extra></extra>"), row=2, col=1)
    tg = df[df["target"].notna()].sort_values("year").drop_duplicates("year")
    if len(tg):
        fig.add_trace(go.Scatter(
            x=tg["year"], y=tg["target"], name="Mục tiêu", mode="lines+markers",
            line=dict(color=theme.TARGET_COLOR, dash="dash", width=2), marker=dict(size=6, color=theme.TARGET_COLOR),
            hovertext=[f"Mục tiêu {y}: {fmt.number(v, dec)}" for y, v in zip(tg["year"], tg["target"])],
            hovertemplate="%{hovertext}<extra></extra>"), row=1, col=1)
    years_drawn = set(df["year"])
    nat = national[national["year"].isin(years_drawn)] if national is not None and len(national) else None
    if nat is not None and len(nat):
        full = pd.DataFrame({"year": sorted(years_drawn)}).merge(nat, on="year", how="left")
        fig.add_trace(go.Scatter(
            x=full["year"], y=full["national"], name="Trung bình cả nước", mode="lines+markers", connectgaps=False,
            line=dict(color=theme.MUTED, dash="dot", width=2), marker=dict(size=7, color=theme.MUTED, symbol="diamond"),
            hovertext=[f"Trung bình cả nước {y}: {fmt.number(v, dec)}" if not pd.isna(v) else ""
                       for y, v in zip(full["year"], full["national"])],
            hovertemplate="%{hovertext}<extra></extra>"), row=1, col=1)
    tr = df[df["target_rank"].notna()].sort_values("year").drop_duplicates("year")
    if len(tr):
        fig.add_trace(go.Scatter(
            x=tr["year"], y=pd.to_numeric(tr["target_rank"]), name="Mục tiêu xếp hạng", mode="lines+markers",
            line=dict(color=theme.TARGET_COLOR, dash="dot", width=2), marker=dict(size=7, color=theme.TARGET_COLOR),
            hovertext=[f"Mục tiêu xếp hạng {y}: {fmt.number(v)}" for y, v in zip(tr["year"], tr["target_rank"])],
            hovertemplate="%{hovertext}<extra></extra>"), row=2, col=1)
    # gaps: years (up to the last publication) where none of the drawn entities has a result
    by_year = df.groupby("year")["state"].agg(lambda s: "co" if (s == "co").any() else
                                              ("chua_cong_bo" if (s == "chua_cong_bo").any() else "chua_den_ky"))
    gaps = [int(y) for y, s in by_year.items() if s == "chua_cong_bo"]
    # Shapes and notes are collected and set once: add_vrect / add_vline on a subplot figure cost 25-40 ms each.
    shapes, notes = [], []
    for a, b in _gap_bands(gaps):
        shapes += [dict(type="rect", xref=x, yref=f"{y} domain", x0=a - 0.45, x1=b + 0.45, y0=0, y1=1,
                        fillcolor=theme.GAP_FILL, line_width=0, layer="below") for x, y in (("x", "y"), ("x2", "y2"))]
        if crowded and b - a < 2:
            continue
        notes.append(dict(x=(a + b) / 2, y=0.5, xref="x", yref="y domain", showarrow=False,
                          text=fmt.NO_DATA if b - a >= 1 else "chưa có<br>số liệu<br>công bố",
                          font=dict(size=11, color=theme.MUTED)))
    years = sorted(by_year.index)
    if years and years[0] < merger_year <= years[-1] and df["entity_code"].nunique() > 1:
        shapes += [dict(type="line", xref=x, yref=f"{y} domain", x0=merger_year - 0.5, x1=merger_year - 0.5, y0=0,
                        y1=1, line=dict(color=theme.MUTED, width=1.5, dash="dot")) for x, y in (("x", "y"), ("x2", "y2"))]
        narrow = layout == theme.NARROW  # on a phone the note goes left of the line: right of it is the edge
        notes.append(dict(x=merger_year - 0.5, y=0.02, xref="x", yref="y domain", text="Sáp nhập tỉnh<br>01/07/2025",
                          showarrow=False, xanchor="right" if narrow else "left", yanchor="bottom",
                          xshift=-4 if narrow else 4, align="right" if narrow else "left",
                          font=dict(size=11 if narrow else 12, color=theme.MUTED), bgcolor="rgba(255,255,255,0.8)"))
    fig.update_layout(shapes=shapes, annotations=list(fig.layout.annotations) + notes)
    fig.update_xaxes(dtick=year_dtick(years), tickformat="d", range=[(years[0] - 0.6) if years else 0, (years[-1] + 0.6) if years else 1])
    top = pd.concat([df["score"], df["target"]] + ([nat["national"]] if nat is not None else [])).max()
    fig.update_yaxes(row=1, col=1, title_text=unit or "điểm", tickformat=",." + str(min(dec, 2)) + "f" if dec > 2 else ",.0f",
                     range=[0, (top * 1.15) if not pd.isna(top) else scale_max])
    ranks = pd.concat([pd.to_numeric(df["rank"], errors="coerce"), pd.to_numeric(df["target_rank"], errors="coerce")])
    worst = ranks.astype("float64").max()
    bottom = (float(worst) * 1.15 + 2) if not pd.isna(worst) else 64
    step = next(s for s in (1, 2, 5, 10, 20, 25, 50) if bottom / s <= 6)
    fig.update_yaxes(row=2, col=1, title_text="hạng", tickformat=",d", tickmode="array",
                     tickvals=[1] + list(range(step, int(bottom) + 1, step)),
                     range=[bottom, -0.12 * bottom])  # room above rank 1 for the subplot title
    fig.update_layout(legend=dict(y=1.1), margin=dict(t=80))
    return theme.apply(fig, height=560, title=title, layout=layout)


@inert_text
def components_bars(df: pd.DataFrame, entity_name: str, scale_max: float = 10, title: str | None = None,
                    layout: str = theme.WIDE) -> go.Figure:
    d = df.reset_index(drop=True)
    labels = [wrap_label(x, 40) for x in d["component_name"]]
    dec = 2 if scale_max > 1 else 4
    fig = go.Figure()
    fig.add_trace(go.Bar(
        x=d["score"], y=labels, orientation="h", name=entity_name, marker_color=theme.PRIMARY,
        text=[fmt.number(v, dec) for v in d["score"]], cliponaxis=False,
        **_bar_text(d["score"], [theme.DAT] * len(d),
                    max([v for v in list(d["score"]) + list(d["best"]) if not pd.isna(v)] or [1])),
        hovertext=[f"<b>{n}</b><br>{entity_name}: {fmt.number(v, dec)}" for n, v in zip(d["component_name"], d["score"])],
        hovertemplate="%{hovertext}<extra></extra>"))
    if d["national"].notna().any():
        fig.add_trace(go.Bar(
            x=d["national"], y=labels, orientation="h", name="Trung bình cả nước", marker_color=theme.MUTED,
            text=[fmt.number(v, dec) if not pd.isna(v) else "" for v in d["national"]], textposition="outside",
            cliponaxis=False,
            hovertext=[f"<b>{n}</b><br>Trung bình cả nước: {fmt.number(v, dec)}" for n, v in zip(d["component_name"], d["national"])],
            hovertemplate="%{hovertext}<extra></extra>"))
    if d["best"].notna().any():
        fig.add_trace(go.Scatter(
            x=d["best"], y=labels, mode="markers", name="Tỉnh cao nhất (trong số liệu đã có)",
            marker=dict(symbol="diamond", size=13, color="#e8710a", line=dict(width=1, color="white")),
            hovertext=[f"<b>{n}</b><br>Cao nhất: {fmt.number(v, dec)} — {b}" if not pd.isna(v) else ""
                       for n, v, b in zip(d["component_name"], d["best"], d["best_name"])],
            hovertemplate="%{hovertext}<extra></extra>"))
    top = max([v for v in list(d["score"]) + list(d["best"]) + list(d["national"]) if not pd.isna(v)] or [scale_max])
    fig.update_yaxes(autorange="reversed")
    fig.update_xaxes(range=[0, top * 1.15], tickformat=",.0f" if scale_max > 1 else ",.2f", title_text="điểm")
    fig.update_layout(barmode="group")
    grouped = d["national"].notna().any()
    row = name_rows(fig, labels, d["component_name"], layout, bars=2 if grouped else 1)
    return theme.apply(fig, height=bar_height(len(d), per_bar=row or (44 if grouped else 36),
                                              labels=None if row else labels) + 50, title=title, layout=layout)


@inert_text
def peer_lines(df: pd.DataFrame, highlight=(), scale_max: float = 100, title: str | None = None,
               value: str = "score", layout: str = theme.WIDE) -> go.Figure:
    """``value``: "score" or "rank" (the rank axis is reversed: 1 on top). NARROW: values are written only on the
    highlighted lines."""
    dec = fmt.index_decimals(scale_max)
    fig = go.Figure()
    vals = pd.to_numeric(df[value], errors="coerce")
    ents = [e for e in dict.fromkeys(df["entity_code"]) if vals[df["entity_code"] == e].notna().any()]
    names = dict(zip(df["entity_code"], df["entity_name"]))
    label_points = int(vals.notna().sum()) <= 30
    narrow = layout == theme.NARROW
    k = 0
    for e in ents:
        d = df[df["entity_code"] == e].sort_values("year")
        main = e in set(highlight)
        color = theme.PRIMARY if main else theme.SERIES_COLORS[1 + k % (len(theme.SERIES_COLORS) - 1)]
        if not main:
            k += 1
        fig.add_trace(go.Scatter(
            x=d["year"], y=pd.to_numeric(d[value], errors="coerce"), name=names[e],
            mode="lines+markers+text" if label_points and (main or not narrow) else "lines+markers",
            connectgaps=False,
            text=[("" if pd.isna(v) else (fmt.number(v, dec) if value == "score" else fmt.number(v)))
                  for v in pd.to_numeric(d[value], errors="coerce")],
            textposition="middle right", textfont=dict(size=12, color=color),
            line=dict(color=color, width=4 if main else 2), marker=dict(size=10 if main else 7, color=color),
            hovertext=[f"<b>{names[e]}</b> — {y}<br>Điểm: {fmt.number(s, dec)}<br>Xếp hạng: {fmt.number(r)}"
                       if st == "co" else f"<b>{names[e]}</b> — {y}<br>{fmt.NO_DATA}"
                       for y, s, r, st in zip(d["year"], d["score"], d["rank"], d["state"])],
            hovertemplate="%{hovertext}<extra></extra>"))
    years = sorted(df.loc[vals.notna(), "year"].unique())
    if years:
        fig.update_xaxes(dtick=year_dtick(years), tickformat="d", range=[years[0] - 0.6, years[-1] + 0.8])
    if value == "rank":
        worst = pd.to_numeric(df["rank"], errors="coerce").astype("float64").max()
        fig.update_yaxes(title_text="hạng (1 là cao nhất)", tickformat=",d",
                         range=[(float(worst) * 1.1 + 2) if not pd.isna(worst) else 64, 0])
    else:
        fig.update_yaxes(title_text="điểm", tickformat=",.2f" if dec > 2 else ",.0f")
    if len(ents) > 4:  # a long legend wraps on a phone: under the plot it never covers the title
        fig.update_layout(legend=dict(orientation="h", yanchor="top", y=-0.16, x=0, xanchor="left"),
                          margin=dict(b=110))
        return theme.apply(fig, height=500, title=title, layout=layout)
    return theme.apply(fig, height=440, title=title, layout=layout)


@inert_text
def score_bars(df: pd.DataFrame, label: str = "entity_name", value: str = "score", title: str | None = None,
               layout: str = theme.WIDE) -> go.Figure:
    """Scores of several entities (e.g. DDCI of departments), highest first; no status colours (no target)."""
    d = df.reset_index(drop=True)
    labels = [wrap_label(x, 40) for x in d[label]]
    rank = d["rank"] if "rank" in d else [None] * len(d)
    fig = go.Figure(go.Bar(
        x=d[value], y=labels, orientation="h", marker_color=theme.PRIMARY,
        text=[fmt.auto(v, 4) for v in d[value]], textposition="outside", cliponaxis=False,
        hovertext=[f"<b>{n}</b><br>Điểm: {fmt.auto(v, 4)}<br>Xếp hạng: {fmt.number(r)}"
                   for n, v, r in zip(d[label], d[value], rank)],
        hovertemplate="%{hovertext}<extra></extra>"))
    top = max([v for v in d[value] if not pd.isna(v)] or [1])
    fig.update_yaxes(autorange="reversed", categoryorder="array", categoryarray=labels)
    fig.update_xaxes(range=[0, top * 1.15], title_text="điểm")
    row = name_rows(fig, labels, d[label], layout)
    return theme.apply(fig, height=bar_height(len(d), per_bar=row or 30, labels=None if row else labels) + 40,
                       title=title, layout=layout)


@inert_text
def unit_metric_bars(df: pd.DataFrame, unit_label: str = "", rate: bool = False, title: str | None = None,
                     layout: str = theme.WIDE) -> go.Figure:
    d = df.reset_index(drop=True)
    show = (lambda v: fmt.rate(v)) if rate else (lambda v: fmt.auto(v, 2))
    status = d["status"]
    hover = [f"<b>{l}</b><br>Thực hiện: {show(a)}<br>Chỉ tiêu: {show(t)}<br>Hoàn thành: {fmt.percent(c)} "
             f"({theme.STATUS_LABEL[s]})" for l, a, t, c, s in zip(d["label"], d["actual"], d["target"], d["completion"], status)]
    fig = go.Figure()
    fig.add_trace(go.Bar(x=d["label"], y=d["actual"], name="Thực hiện", showlegend=False,
                         marker_color=[theme.STATUS_COLOR[s] for s in status],
                         text=[show(a) for a in d["actual"]], cliponaxis=False, textposition="inside",
                         insidetextanchor="middle", insidetextfont=dict(color="white", size=13),
                         hovertext=hover, hovertemplate="%{hovertext}<extra></extra>"))
    fig.add_trace(go.Scatter(x=d["label"], y=d["target"], mode="markers", name="Chỉ tiêu",
                             marker=dict(symbol="line-ew", size=38, line=dict(width=3.5, color=theme.TARGET_COLOR)),
                             hovertext=hover, hovertemplate="%{hovertext}<extra></extra>"))
    _status_legend(fig, status)
    top = max([v for v in list(d["actual"]) + list(d["target"]) if not pd.isna(v)] or [1])
    fig.update_yaxes(range=[0, top * 1.2], title_text=("%" if rate else unit_label) or None,
                     tickformat=",.0f", ticksuffix="%" if rate else "")
    fig.update_xaxes(type="category")
    if layout == theme.NARROW:  # "Quý III/2025" -> "III" over "2025": eight quarters fit a phone
        fig.update_xaxes(tickmode="array", tickvals=list(d["label"]), tickangle=0,
                         ticktext=[str(x).removeprefix("Quý ").replace("/", "<br>", 1) for x in d["label"]])
    return theme.apply(fig, height=360, title=title, layout=layout)


@inert_text
def index_scores_lines(df: pd.DataFrame, title: str | None = None, layout: str = theme.WIDE) -> go.Figure:
    fig = go.Figure()
    for i, ((code, name), d) in enumerate(df.groupby(["index_code", "entity_name"], sort=False)):
        d = d.sort_values("year")
        color = theme.SERIES_COLORS[i % len(theme.SERIES_COLORS)]
        label = f"{d['index_name'].iloc[0]} — {name}"
        fig.add_trace(go.Scatter(
            x=d["year"], y=d["score"], mode="lines+markers+text", name=label, line=dict(color=color, width=3),
            marker=dict(size=10, color=color), text=[fmt.auto(v, 2) for v in d["score"]], textposition="top center",
            hovertext=[f"<b>{label}</b> — {y}<br>Điểm: {fmt.auto(s, 4)}<br>Xếp hạng: {fmt.number(r)}"
                       for y, s, r in zip(d["year"], d["score"], d["rank"])],
            hovertemplate="%{hovertext}<extra></extra>"))
    years = sorted(df["year"].unique()) if len(df) else []
    if years:
        fig.update_xaxes(dtick=year_dtick(years), tickformat="d", range=[years[0] - 0.6, years[-1] + 0.6])
    fig.update_yaxes(title_text="điểm", rangemode="tozero")
    return theme.apply(fig, height=340, title=title, layout=layout)


def add_source(fig: go.Figure, text: str) -> go.Figure:
    """A source line under the plot area (for images and slides; pages write it as a caption instead)."""
    fig.add_annotation(x=0, y=0, xref="paper", yref="paper", yshift=-10, xanchor="left", yanchor="top",
                       text=text, showarrow=False, align="left", font=dict(size=11, color=theme.MUTED))
    b = (fig.layout.margin.b or 10) + 36
    fig.update_layout(margin=dict(b=b))
    return fig
