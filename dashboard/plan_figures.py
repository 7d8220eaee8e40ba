"""Plotly figures for saved plans: the year's tasks on a timeline, coloured by their status in a quarter.

Pure functions from DataFrames (as dashboard.plan_queries returns them) to go.Figure; no database, no Streamlit.
Status colours reuse the shared ones of dashboard.theme where the meaning fits: done = đạt (green), due = gần đạt
(amber: act now), late = chưa đạt (red), not yet due = no status (grey); regular (ongoing) tasks take the
primary blue.

Public API
----------
- ``STATUS_COLOR[status]``                    colour of a task status (plan_queries.STATUSES).
- ``status_badge_html(status, text=None)``    a label in the status colour (HTML for st.markdown).
- ``task_timeline(df, year, quarter=None, today=None, title=None, layout=WIDE)``  months of the year on x
      (T1…T12), one bar per task (bar_start → bar_end), coloured by status; the chosen quarter shaded and named
      under the axis, today a dashed line; hover: content, lead unit, time as written, deadline, status. NARROW (a
      phone): each task's name above its bar (dashboard.figures.name_rows).
"""
from __future__ import annotations

import datetime as dt
import html

import pandas as pd
import plotly.graph_objects as go

from core.periods import Quarter
from dashboard import fmt, theme
from dashboard.figures import bar_height, inert_text, name_rows, short_label, wrap_label
from dashboard.plan_queries import STATUS_LABEL, STATUSES

STATUS_COLOR = {
    "done": theme.STATUS_COLOR[theme.DAT],
    "due": theme.STATUS_COLOR[theme.GAN_DAT],
    "late": theme.STATUS_COLOR[theme.CHUA_DAT],
    "regular": theme.PRIMARY,
    "not_due": theme.STATUS_COLOR[theme.NO_STATUS],
}
_DARK_TEXT = ("due", "not_due")  # statuses whose colour needs dark text on top


def status_badge_html(status: str, text: str | None = None) -> str:
    fg = "#1f2933" if status in _DARK_TEXT else "white"
    return (f'<span style="background:{STATUS_COLOR[status]};color:{fg};border-radius:0.6rem;padding:0.1rem 0.55rem;'
            f'font-size:0.85rem;font-weight:600;white-space:nowrap">{html.escape(text or STATUS_LABEL[status])}</span>')


def _ms(delta: pd.Timedelta) -> float:
    return delta.total_seconds() * 1000


@inert_text
def task_timeline(df: pd.DataFrame, year: int, quarter: int | None = None, today: dt.date | None = None,
                  title: str | None = None, layout: str = theme.WIDE) -> go.Figure:
    year = int(year)
    fig = go.Figure()
    labels = [f"{int(r.no)}. {short_label(r.content, 46)}" for r in df.itertuples()]
    df = df.assign(_label=labels)
    for status in STATUSES:
        part = df[df["status"] == status]
        if part.empty:
            continue
        start = pd.to_datetime(part["bar_start"])
        end = pd.to_datetime(part["bar_end"]) + pd.Timedelta(days=1)  # to the end of the last day
        hover = []
        for r in part.itertuples():
            lines = [f"<b>{wrap_label(r.content, 60)}</b>",  # the frame's text is escaped already (inert_text)
                     f"Chủ trì: {r.lead_name or 'không ghi'}",
                     f"Thời gian: {r.when}"]
            if not pd.isna(r.deadline):
                lines.append(f"Hạn: {fmt.date(r.deadline)}")
            late = "" if pd.isna(r.days_late) else f" ({fmt.number(r.days_late)} ngày)"
            lines.append(f"Trạng thái: {STATUS_LABEL[status]}{late}")
            hover.append("<br>".join(lines))
        fig.add_trace(go.Bar(
            y=part["_label"], base=start.dt.strftime("%Y-%m-%d").tolist(),
            x=[_ms(e - s) for s, e in zip(start, end)], orientation="h", name=STATUS_LABEL[status],
            marker=dict(color=STATUS_COLOR[status], line=dict(width=0)), customdata=hover,
            hovertemplate="%{customdata}<extra></extra>"))
    first, last = dt.date(year, 1, 1), dt.date(year + 1, 1, 1)
    # labels under the month ticks: the chosen quarter on the first line, today on the second
    if quarter:
        q = Quarter(year, int(quarter))
        fig.add_vrect(x0=q.start.isoformat(), x1=(q.end + dt.timedelta(days=1)).isoformat(), fillcolor=theme.GAP_FILL,
                      line_width=0, layer="below")
        fig.add_annotation(x=(q.start + (q.end - q.start) / 2).isoformat(), y=0, yref="paper", yanchor="top",
                           yshift=-26, text=f"<b>{fmt.quarter_short(quarter)}</b>", showarrow=False,
                           font=dict(size=12, color="#4a5361"))
    if today is not None and first <= today < last:
        fig.add_shape(type="line", x0=today.isoformat(), x1=today.isoformat(), y0=0, y1=1, yref="paper",
                      line=dict(color=theme.TARGET_COLOR, width=2, dash="dash"))
        fig.add_annotation(x=today.isoformat(), y=0, yref="paper", yanchor="top", yshift=-44,
                           text=f"Hôm nay {fmt.date(today)}", showarrow=False,
                           font=dict(size=12, color=theme.TARGET_COLOR))
    starts = [dt.date(year, m, 1) for m in range(1, 13)]
    middles = [(d + dt.timedelta(days=14)).isoformat() for d in starts]  # a month's name in the middle of it
    fig.update_xaxes(type="date", range=[first.isoformat(), last.isoformat()], tickvals=middles,
                     ticktext=[f"T{m}" for m in range(1, 13)], ticks="", showgrid=False,
                     minor=dict(tickvals=[d.isoformat() for d in starts], showgrid=True, gridcolor="#e6e9ee",
                                ticks="outside", ticklen=6, tickcolor="#9aa5b1"))
    fig.update_yaxes(categoryorder="array", categoryarray=list(reversed(labels)), showgrid=False, automargin=True,
                     tickfont=dict(size=13))
    fig.update_layout(barmode="overlay", showlegend=True, legend=dict(traceorder="normal"), margin=dict(b=70))
    phone_row = name_rows(fig, labels, [f"{int(r.no)}. {r.content}" for r in df.itertuples()], layout)
    if phone_row:
        return theme.apply(fig, height=bar_height(len(df), per_bar=phone_row, base=170), title=title, layout=layout)
    height = max(300, bar_height(len(df), per_bar=34, base=170))
    row = (height - 166) / max(len(df), 1)  # the plot's height per task (title, legend and axis labels aside)
    fig.update_layout(bargap=min(0.85, max(0.3, 1 - 24 / row)), height=height)
    return theme.apply(fig, title=title, layout=layout)
