"""A printable one-page summary of a quarter (A4 portrait PDF): ``summary_pdf(con, quarter) -> bytes``.

Built from the same deck model as the slides (dashboard.deck.build_deck), so its numbers, colours and texts are
the deck's: headline figures, units ranked by completion, completion by indicator group, each index's latest
result against its target, units that lag or have not reported, and the sources. ``deck_summary_pdf(deck)``
does the same from a deck already built (the Trình chiếu page).

Route: one Plotly figure laid out as an A4 page, turned into a vector PDF by kaleido and the system chromium
(offline, already used for PNG export: no new dependency, no LibreOffice at run time); pypdf (pinned) sets the
document's title and author. Text stays text in the PDF (searchable, copyable).
"""
from __future__ import annotations

import io

import plotly.graph_objects as go

from dashboard import fmt, theme
from dashboard.deck import SAMPLE_MARK, Deck, build_deck

PAGE_W, PAGE_H = 794, 1123  # A4 at 96 px per inch
MAX_UNITS = 25
FONT = 11


def summary_pdf(con, quarter, organisation: str | None = None) -> bytes:
    """The quarter's one-page summary; raises dashboard.deck.NoDataError when nobody reported."""
    return deck_summary_pdf(build_deck(con, quarter, organisation=organisation))


def _bars(fig, spec, xaxis: str, yaxis: str, x_domain, y_domain, size: int):
    s = spec.series[0]
    n = len(spec.categories)
    fig.add_trace(go.Bar(x=[v if v is not None else 0 for v in s.values], y=list(spec.categories),
                         orientation="h", marker_color=s.colors, text=s.labels, textposition="outside",
                         textfont=dict(size=size), cliponaxis=False, showlegend=False, xaxis=xaxis, yaxis=yaxis,
                         hoverinfo="skip"))
    ax, ay = ("xaxis" + xaxis[1:]), ("yaxis" + yaxis[1:])
    fig.update_layout({
        ax: dict(domain=list(x_domain), range=[spec.axis_min or 0, spec.axis_max], tickformat=".0%",
                 tickfont=dict(size=size - 1), showgrid=True, gridcolor="#e6e9ee", anchor=yaxis, zeroline=False),
        ay: dict(domain=list(y_domain), autorange="reversed", tickfont=dict(size=size), anchor=xaxis,
                 type="category", automargin=False),
    })
    if spec.target is not None:
        fig.add_shape(type="line", xref=xaxis, yref=f"{yaxis} domain", x0=spec.target, x1=spec.target, y0=0, y1=1,
                      line=dict(color=theme.TARGET_COLOR, width=1.5, dash="dash"))
    return n


def _text(fig, x, y, text, size=FONT, color="#1f2933", xanchor="left", yanchor="top", bold=False, **kw):
    fig.add_annotation(x=x, y=y, xref="paper", yref="paper", xanchor=xanchor, yanchor=yanchor, showarrow=False,
                       align=kw.pop("align", xanchor if xanchor != "center" else "center"),
                       text=f"<b>{text}</b>" if bold else text, font=dict(size=size, color=color), **kw)


def deck_summary_pdf(deck: Deck) -> bytes:
    from dashboard import images

    fig = summary_figure(deck)
    pdf = images.figure_to_pdf(fig, PAGE_W, PAGE_H)
    return _with_metadata(pdf, deck)


def summary_figure(deck: Deck) -> go.Figure:
    """The page as a Plotly figure (PAGE_W × PAGE_H)."""
    by_kind: dict[str, list] = {}
    for s in deck.slides:
        by_kind.setdefault(s.kind, []).append(s)
    fig = go.Figure()
    fig.update_layout(width=PAGE_W, height=PAGE_H, margin=dict(l=36, r=36, t=30, b=30),
                      paper_bgcolor="white", plot_bgcolor="white", font=dict(family=theme.FONT_FAMILY, size=FONT),
                      separators=fmt.PLOTLY_SEPARATORS, showlegend=False)
    # header
    _text(fig, 0, 1.0, deck.organisation.upper(), 12, theme.PRIMARY, bold=True)
    _text(fig, 0, 0.982, f"TÓM TẮT KẾT QUẢ CẢI CÁCH HÀNH CHÍNH {deck.quarter.label.upper()}", 17, bold=True)
    _text(fig, 0, 0.957, f"Lập ngày {fmt.date(deck.made_on)} · {theme.STATUS_RULE}", 10, "#4a5361")
    if deck.sample:
        _text(fig, 1, 1.0, f"<b>{SAMPLE_MARK}</b>", 12, "white", xanchor="right", bgcolor=theme.STATUS_COLOR[
            theme.CHUA_DAT], borderpad=4)
    fig.add_shape(type="line", xref="paper", yref="paper", x0=0, x1=1, y0=0.94, y1=0.94,
                  line=dict(color="#c4c9d0", width=1))
    # headline figures
    overall = (by_kind.get("overall") or [None])[0]
    units = by_kind.get("units") or []
    lagging = (by_kind.get("lagging") or [None])[0]
    facts = list(overall.facts if overall else []) + list(units[0].facts if units else [])
    for i, (value, caption) in enumerate(facts[:6]):
        x = i / 6
        _text(fig, x, 0.93, value, 17, theme.PRIMARY, bold=True)
        _text(fig, x, 0.902, caption.replace(" – ", "<br>"), 10, "#4a5361")
    # units ranked
    y_top = 0.845
    if units:
        spec_units = units[0].chart
        cats, vals, labels, colours = [], [], [], []
        for s in units:
            if s.chart:
                ser = s.chart.series[0]
                cats += s.chart.categories
                vals += ser.values
                labels += ser.labels
                colours += ser.colors
        more = max(0, len(cats) - MAX_UNITS)
        cats, vals, labels, colours = cats[:MAX_UNITS], vals[:MAX_UNITS], labels[:MAX_UNITS], colours[:MAX_UNITS]
        _text(fig, 0, y_top + 0.02, "Xếp hạng đơn vị theo tỷ lệ hoàn thành chỉ tiêu", 12, bold=True)
        if cats:
            from dashboard.deck import ChartSpec, Series

            spec = ChartSpec("bar", cats, [Series("", vals, labels=labels, colors=colours)],
                             axis_min=0, axis_max=spec_units.axis_max if spec_units else 1.12,
                             target=spec_units.target if spec_units else None)
            height = min(0.36, 0.0165 * len(cats) + 0.02)
            _bars(fig, spec, "x", "y", (0.36, 0.93), (y_top - height, y_top), 10)
            y_top = y_top - height - 0.035
            if more:
                _text(fig, 0, y_top + 0.02, f"… và {more} đơn vị khác (xem trang Đơn vị)", 9, "#4a5361")
        else:
            y_top -= 0.05
    # groups (left) and indices (right)
    block_top = y_top
    if overall and overall.chart:
        _text(fig, 0, block_top + 0.01, "Hoàn thành theo nhóm chỉ tiêu", 12, bold=True)
        _bars(fig, overall.chart, "x2", "y2", (0.2, 0.43), (block_top - 0.17, block_top - 0.015), 10)
    index_slides = by_kind.get("index") or []
    if index_slides:
        _text(fig, 0.47, block_top + 0.01, "Chỉ số: kết quả gần nhất và mục tiêu", 12, bold=True)
        rows = [[], [], [], []]
        for s in index_slides:
            r = s.meta.get("latest", {})
            scale = s.meta.get("scale_max")
            year = r.get("year")
            has_year = year is not None and year == year
            rows[0].append(f"<b>{s.meta.get('index_code')}</b>")
            score = r.get("score")
            rows[1].append(f"{fmt.index_value(score, scale)} ({int(year)})" if has_year and score == score
                           and score is not None else (fmt.NO_DATA if not has_year else fmt.MISSING))
            rank = r.get("rank")
            rows[2].append(fmt.number(rank) if rank is not None and rank == rank and rank is not fmt.pd.NA
                           else fmt.MISSING)
            target = r.get("target")
            ty = r.get("target_year")
            rows[3].append(f"{fmt.index_value(target, scale)} ({int(ty)})" if target is not None and target == target
                           else fmt.MISSING)
        fig.add_trace(go.Table(
            domain=dict(x=[0.47, 1], y=[block_top - 0.2, block_top - 0.005]),
            columnwidth=[0.7, 1.9, 0.75, 1.3],
            header=dict(values=["<b>Chỉ số</b>", "<b>Kết quả (năm)</b>", "<b>Xếp hạng</b>", "<b>Mục tiêu (năm)</b>"],
                        fill_color="#e8eef6", align="left", font=dict(size=10), height=22),
            cells=dict(values=rows, align="left", font=dict(size=10), height=21, fill_color="white",
                       line_color="#e6e9ee")))
    # lagging and not reported
    y = block_top - 0.23
    if lagging is not None:
        lag = lagging.data
        names = "; ".join(f"{n} ({fmt.percent(c)})" for n, c in zip(lag["unit_name"], lag["completion"])) \
            if lag is not None and len(lag) else "không có"
        text = _wrap(f"<b>{lagging.facts[0][0]} {lagging.facts[0][1]}:</b> {names}", 125)
        _text(fig, 0, y, text, 10, align="left")
        y -= 0.02 * (text.count("<br>") + 1) + 0.012
        missing = lagging.meta.get("missing")
        if missing is not None:
            miss = "; ".join(missing["unit_name"]) if len(missing) else "không có"
            _text(fig, 0, y, _wrap(f"<b>{len(missing)} đơn vị chưa báo cáo:</b> {miss}", 125), 10, align="left")
    # sources; the sample-data sentence once, not once per source
    sample_note = theme.source_line(["x"], sample=True)[len(theme.source_line(["x"])):]
    sources = []
    for s in deck.slides:
        text = s.source.replace(sample_note, "") if sample_note else s.source
        if s.kind != "title" and text and text not in sources:
            sources.append(text)
    if deck.sample and sample_note:
        sources.append(f"<b>{sample_note.strip()}</b>")
    _text(fig, 0, 0.0, "<br>".join(_wrap(x, 150) for x in sources[:8]), 8, "#4a5361", yanchor="bottom",
          align="left")
    return fig


def _wrap(text: str, width: int) -> str:
    """Plotly annotations do not wrap: break the text into lines (markup like <b> is not counted)."""
    import re
    import textwrap

    words, lines, cur, cur_len = text.split(" "), [], [], 0
    for w in words:
        n = len(re.sub(r"<[^>]+>", "", w))
        if cur and cur_len + 1 + n > width:
            lines.append(" ".join(cur))
            cur, cur_len = [], 0
        if n > width:  # a long URL
            parts = textwrap.wrap(w, width=width, break_long_words=True)
            lines.extend(parts[:-1])
            w, n = parts[-1], len(parts[-1])
        cur.append(w)
        cur_len += n + (1 if cur_len else 0)
    if cur:
        lines.append(" ".join(cur))
    return "<br>".join(lines)


def _with_metadata(pdf: bytes, deck: Deck) -> bytes:
    from pypdf import PdfReader, PdfWriter

    reader = PdfReader(io.BytesIO(pdf))
    writer = PdfWriter()
    writer.append(reader)
    writer.add_metadata({"/Title": f"Tóm tắt CCHC {deck.quarter.label}", "/Author": deck.organisation,
                         "/Subject": "Cải cách hành chính", "/Creator": "CCHC Dashboard"})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
