"""The giao ban (briefing) deck: one model, several outputs (the Trình chiếu page, .pptx, PNG, the PDF summary).

``build_deck(con, quarter, slides=None) -> Deck`` reads the quarter through dashboard.queries (the same numbers
and rules as the dashboard's pages) and returns plain data: a list of ``Slide``s. A chart slide carries

- ``data``: the query rows behind it (raw values, as dashboard.queries returns them; tests compare them with
  the views), and ``table``/``table_kinds``: the same for people (Vietnamese headers) for .xlsx downloads;
- ``chart``: a ``ChartSpec`` (categories, series with per-point status colours and labels already formatted by
  dashboard.fmt, the target) that dashboard.pptx_export draws as a native PowerPoint chart;
- ``slide_figure(slide)``: the dashboard's own Plotly figure (dashboard.figures) for the page and PNG export.

Slide keys (URLs, ``--slides``): ``title``, ``overall``, ``units``, ``lagging``, ``tasks`` (overdue tasks of the
year's saved plans, when there are any; dashboard.plan_queries), ``index:<CODE>`` for every index with a result or a
target for the home province (PAR, SIPAS, PAPI, PCI, DTI …). A slide may carry a ``grid`` instead of a chart: a
short table of text (the overdue tasks), drawn as a native PowerPoint table and as an HTML table on the page. ``available_slides`` lists
them; ``parse_slide_keys("title,units")`` reads a list. While sample data is loaded every slide is marked.

Errors: ``NoDataError`` (no unit reported the quarter), ``DeckError`` (unknown slide key, unreadable quarter).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import pandas as pd

from core.periods import Quarter

SAMPLE_MARK = "DỮ LIỆU MẪU"
TITLE = "GIAO BAN CÔNG TÁC CẢI CÁCH HÀNH CHÍNH"
BASE_SLIDES = {
    "title": "Trang bìa",
    "overall": "Hoàn thành chung",
    "units": "Xếp hạng đơn vị",
    "lagging": "Đơn vị chưa đạt, chưa báo cáo",
}
UNITS_PER_SLIDE = 20
TASKS_SLIDE = ("tasks", "Nhiệm vụ quá hạn")
TASKS_PER_SLIDE = 6  # rows of the overdue-task table on the slide; the .xlsx has them all
ACTIVITY_SOURCE = "báo cáo quý của các đơn vị"


@dataclass
class Series:
    name: str
    values: list[float | None]
    labels: list[str] | None = None  # per-point label text, formatted by dashboard.fmt
    colors: list[str | None] | None = None  # per-point fill (#rrggbb); None: the series colour
    color: str | None = None  # the series colour
    dashed: bool = False  # line charts: a target series


@dataclass
class ChartSpec:
    """A category chart. type: 'bar' (horizontal, first category on top), 'column' or 'line'."""

    type: str
    categories: list[str]
    series: list[Series]
    number_format: str = "0"  # value axis and the workbook behind a native chart (locale-neutral codes)
    axis_min: float | None = None
    axis_max: float | None = None
    target: float | None = None  # a reference line across the chart (e.g. 100 % completion)
    target_label: str | None = None
    legend: bool = False  # a legend of the series (when there are several)
    key: list[tuple[str, str]] = field(default_factory=list)  # (colour, meaning) of the per-point colours


@dataclass
class Slide:
    key: str  # title, overall, units, lagging, tasks, index:PAR …
    kind: str  # title | overall | units | lagging | tasks | index
    title: str
    subtitle: str = ""
    chart: ChartSpec | None = None
    data: pd.DataFrame | None = None  # the query rows behind the chart, raw values
    table: pd.DataFrame | None = None  # the same for people: Vietnamese headers (.xlsx export)
    table_kinds: dict[str, str] = field(default_factory=dict)  # column -> dashboard.fmt kind, for .xlsx
    facts: list[tuple[str, str]] = field(default_factory=list)  # (big value, caption) beside the chart
    notes: list[str] = field(default_factory=list)  # short lines beside/under the chart
    source: str = ""
    sample: bool = False
    empty_message: str | None = None  # shown instead of a chart when there is nothing to draw
    meta: dict = field(default_factory=dict)  # what slide_figure needs (index name, scale …)
    grid: pd.DataFrame | None = None  # a short table shown on the slide instead of a chart (cells already text)

    @property
    def file_stem(self) -> str:
        return self.key.replace(":", "_").lower()


@dataclass
class Deck:
    quarter: Quarter
    organisation: str
    made_on: dt.date
    slides: list[Slide]
    sample: bool = False

    @property
    def file_stem(self) -> str:
        return f"giao_ban_cchc_{self.quarter.code}"

    def keys(self) -> list[str]:
        return [s.key for s in self.slides]


class DeckError(ValueError):
    """A deck that cannot be built as asked (unknown slide, unreadable quarter)."""


class NoDataError(LookupError):
    """No unit has reported for the quarter: there is nothing to show."""


def to_quarter(quarter) -> Quarter:
    """'2025-Q3', 'Quý III/2025', (2025, 3) or a Quarter -> Quarter; DeckError when unreadable."""
    from core.periods import PeriodError, parse_quarter

    if isinstance(quarter, Quarter):
        return quarter
    try:
        if isinstance(quarter, tuple):
            return Quarter(int(quarter[0]), int(quarter[1]))
        return parse_quarter(str(quarter))
    except (PeriodError, ValueError) as exc:
        raise DeckError(str(exc)) from exc


def available_slides(con, quarter) -> list[tuple[str, str]]:
    """(key, label) of every slide the deck can have for the quarter, in the default order."""
    from dashboard import plan_queries, queries

    q = to_quarter(quarter)
    out = list(BASE_SLIDES.items())
    if plan_queries.has_tasks(con, q.year):
        out.append(TASKS_SLIDE)
    latest = queries.index_latest(con, queries.home_chain(con), q.year)
    for row in latest.itertuples():
        out.append((f"index:{row.index_code}", f"Chỉ số {row.short_name or row.index_code}"))
    return out


def parse_slide_keys(text: str | None) -> list[str] | None:
    """'title,units,index:PAR' -> ['title', 'units', 'index:PAR']; empty -> None (all slides)."""
    if not text:
        return None
    keys = [k.strip() for k in str(text).replace(";", ",").split(",") if k.strip()]
    return keys or None


def build_deck(con, quarter, slides: list[str] | None = None, organisation: str | None = None,
               today: dt.date | None = None) -> Deck:
    """The deck for a quarter; ``slides``: keys in the order wanted (None: all, default order).

    Raises NoDataError when no unit has reported the quarter, DeckError for an unknown slide key.
    """
    from dashboard import deck_data
    from loaders.store.batches import is_sample_data

    q = to_quarter(quarter)
    if not deck_data.has_reports(con, q.year, q.quarter):
        raise NoDataError(f"{q.label} chưa có đơn vị nào báo cáo: không có số liệu để lập bộ trình chiếu.")
    catalogue = dict(available_slides(con, q))
    keys = list(dict.fromkeys(slides)) if slides else list(catalogue)
    unknown = [k for k in keys if k not in catalogue]
    if unknown:
        raise DeckError(f"không có trang “{', '.join(unknown)}” cho {q.label}; "
                        f"các trang có thể chọn: {', '.join(catalogue)}")
    sample = is_sample_data(con)
    deck = Deck(q, organisation or deck_data.organisation(con), today or dt.date.today(), [], sample)
    ctx = _Context(con, q, sample)
    for key in keys:
        if key == "title":
            deck.slides.append(_title_slide(deck))
        elif key == "overall":
            deck.slides.append(_overall_slide(ctx))
        elif key == "units":
            deck.slides.extend(_units_slides(ctx))
        elif key == "lagging":
            deck.slides.append(_lagging_slide(ctx))
        elif key == "tasks":
            deck.slides.append(_tasks_slide(ctx, deck.made_on))
        else:
            deck.slides.append(_index_slide(ctx, key.split(":", 1)[1]))
    return deck


class _Context:
    """Query results shared by several slides, computed once."""

    def __init__(self, con, q: Quarter, sample: bool):
        from dashboard import queries, theme

        self.con, self.q, self.sample = con, q, sample
        self.units = queries.unit_completion(con, q.year, q.quarter)
        self.missing = queries.not_reported(con, q.year, q.quarter)
        src = queries.activity_source(con, q.year, q.quarter)
        updated = src["last_upload"].iloc[0] if len(src) else None
        self.activity_source = theme.source_line(ACTIVITY_SOURCE, sample=sample, updated=updated)
        self.n_expected = len(self.units) + len(self.missing)
        self.chain = queries.home_chain(con)
        self.latest = queries.index_latest(con, self.chain, q.year)


def status_key() -> list[tuple[str, str]]:
    """The meaning of the status colours, with the thresholds of dashboard.theme."""
    from dashboard import fmt, theme

    dat, gan = fmt.percent(theme.THRESHOLD_DAT, 0), fmt.percent(theme.THRESHOLD_GAN_DAT, 0)
    return [(theme.STATUS_COLOR[theme.DAT], f"{theme.STATUS_LABEL[theme.DAT]} (≥ {dat})"),
            (theme.STATUS_COLOR[theme.GAN_DAT], f"{theme.STATUS_LABEL[theme.GAN_DAT]} ({gan} – dưới {dat})"),
            (theme.STATUS_COLOR[theme.CHUA_DAT], f"{theme.STATUS_LABEL[theme.CHUA_DAT]} (dưới {gan})")]


def completion_axis_max(values) -> float:
    """Room for the 100 % line and the labels; never beyond theme.DISPLAY_CAP (+ label room)."""
    from dashboard import theme

    top = max([theme.THRESHOLD_DAT] + [float(v) for v in values if v is not None and not pd.isna(v)])
    return min(top, theme.DISPLAY_CAP) * 1.12


def _completion_chart(categories, values, statuses, name: str = "Tỷ lệ hoàn thành") -> ChartSpec:
    from dashboard import fmt, theme

    raw = [None if pd.isna(v) else float(v) for v in values]
    shown = [None if v is None else min(v, theme.DISPLAY_CAP) for v in raw]  # as dashboard.figures draws them
    colours = [theme.STATUS_COLOR.get(s, theme.STATUS_COLOR[theme.NO_STATUS]) for s in statuses]
    return ChartSpec(
        type="bar", categories=list(categories),
        series=[Series(name, shown, labels=[fmt.percent(v) for v in raw], colors=colours)],
        number_format="0%", axis_min=0.0, axis_max=completion_axis_max(raw),
        target=theme.THRESHOLD_DAT, target_label=f"Mức đạt {fmt.percent(theme.THRESHOLD_DAT, 0)}",
        key=status_key())


def _title_slide(deck: Deck) -> Slide:
    from dashboard import fmt

    return Slide("title", "title", TITLE, deck.quarter.label, notes=[f"Ngày {fmt.date(deck.made_on)}"],
                 source=deck.organisation, sample=deck.sample)


def _overall_slide(ctx: _Context) -> Slide:
    from dashboard import fmt, queries, theme

    ov = queries.overview(ctx.con, ctx.q.year, ctx.q.quarter)
    total = ov[ov["key"] == "tong"]
    groups = ov[ov["key"] != "tong"].reset_index(drop=True)
    prev = ctx.q.previous()
    facts = []
    if len(total):
        t = total.iloc[0]
        facts.append((fmt.percent(t["completion"]), f"hoàn thành chung – {theme.STATUS_LABEL[t['status']].lower()}"))
        if not pd.isna(t["delta"]):
            facts.append((fmt.points_delta(t["delta"]), f"so với {prev.label}"))
    facts.append((f"{len(ctx.units)}/{ctx.n_expected}", "đơn vị đã báo cáo"))
    table = pd.DataFrame({"Nhóm chỉ tiêu": ov["label"], "Tỷ lệ hoàn thành": ov["completion"],
                          f"{prev.label}": ov["prev_completion"], "Thay đổi (điểm %)": (ov["delta"] * 100).round(1),
                          "Số đơn vị": ov["n_units"], "Mức": ov["status"].map(theme.STATUS_LABEL)})
    return Slide("overall", "overall", f"Kết quả thực hiện chỉ tiêu CCHC {ctx.q.label}",
                 "Tỷ lệ hoàn thành theo nhóm chỉ tiêu, bình quân các đơn vị đã báo cáo",
                 chart=_completion_chart(groups["label"], groups["completion"], groups["status"]) if len(groups)
                 else None,
                 data=groups, table=table, table_kinds={"Tỷ lệ hoàn thành": "percent", prev.label: "percent"},
                 facts=facts, source=ctx.activity_source, sample=ctx.sample,
                 empty_message=None if len(groups) else "Chưa có số liệu theo nhóm chỉ tiêu.",
                 meta={"label": "label", "key": "key", "overview": ov})


def _units_table(df: pd.DataFrame) -> pd.DataFrame:
    from dashboard import theme

    return pd.DataFrame({"Hạng": df["rank"], "Đơn vị": df["unit_name"], "Tỷ lệ hoàn thành": df["completion"],
                         "Số chỉ tiêu đạt": df["n_dat"], "Số chỉ tiêu được giao": df["n_indicators"],
                         "Mức": df["status"].map(theme.STATUS_LABEL)})


def _units_slides(ctx: _Context) -> list[Slide]:
    from dashboard import theme

    df = ctx.units
    counts = df["status"].value_counts()
    facts = [(str(int(counts.get(s, 0))), f"đơn vị {theme.STATUS_LABEL[s].lower()}")
             for s in (theme.DAT, theme.GAN_DAT, theme.CHUA_DAT)]
    pages = [df.iloc[i:i + UNITS_PER_SLIDE] for i in range(0, max(len(df), 1), UNITS_PER_SLIDE)]
    out = []
    for n, part in enumerate(pages, start=1):
        suffix = f" ({n}/{len(pages)})" if len(pages) > 1 else ""
        part = part.reset_index(drop=True)
        out.append(Slide(
            "units", "units", f"Xếp hạng đơn vị theo tỷ lệ hoàn thành{suffix}",
            f"{ctx.q.label} · {len(df)}/{ctx.n_expected} đơn vị đã báo cáo",
            chart=_completion_chart(part["unit_name"], part["completion"], part["status"]) if len(part) else None,
            data=part, table=_units_table(part), table_kinds={"Tỷ lệ hoàn thành": "percent"},
            facts=facts if n == 1 else [], source=ctx.activity_source, sample=ctx.sample,
            empty_message=None if len(part) else "Chưa có đơn vị nào báo cáo."))
    return out


def _lagging_slide(ctx: _Context) -> Slide:
    from dashboard import fmt, theme

    lag = ctx.units[ctx.units["status"] == theme.CHUA_DAT].sort_values("completion", kind="stable")
    shown = lag.head(UNITS_PER_SLIDE).reset_index(drop=True)
    facts = [(str(len(lag)), f"đơn vị chưa đạt (dưới {fmt.percent(theme.THRESHOLD_GAN_DAT, 0)})"),
             (str(len(ctx.missing)), "đơn vị chưa báo cáo")]
    notes = []
    if len(ctx.missing):
        notes.append("Chưa báo cáo:")
        for r in ctx.missing.itertuples():
            last = f" (gần nhất: {r.last_period})" if r.last_period else " (chưa báo cáo lần nào)"
            notes.append(f"• {r.unit_name}{last}")
    if len(lag) > len(shown):
        notes.append(f"Biểu đồ: {len(shown)} đơn vị thấp nhất; {len(lag) - len(shown)} đơn vị khác trong bảng số liệu.")
    missing = pd.DataFrame({"Đơn vị": ctx.missing["unit_name"], "Mức": "Chưa báo cáo",
                            "Kỳ báo cáo gần nhất": ctx.missing["last_period"]})
    return Slide("lagging", "lagging", f"Đơn vị chưa đạt và chưa báo cáo {ctx.q.label}",
                 f"Tỷ lệ hoàn thành dưới {fmt.percent(theme.THRESHOLD_GAN_DAT, 0)}, xếp từ thấp lên",
                 chart=_completion_chart(shown["unit_name"], shown["completion"], shown["status"]) if len(shown)
                 else None,
                 data=shown, table=pd.concat([_units_table(lag), missing], ignore_index=True),
                 table_kinds={"Tỷ lệ hoàn thành": "percent"}, facts=facts, notes=notes,
                 source=ctx.activity_source, sample=ctx.sample,
                 empty_message=None if len(shown) else
                 f"Không có đơn vị nào dưới {fmt.percent(theme.THRESHOLD_GAN_DAT, 0)}.",
                 meta={"missing": ctx.missing})


def _tasks_slide(ctx: _Context, made_on: dt.date) -> Slide:
    """Overdue tasks of the year's saved plans once the quarter is over (the day after its end), or on the day the
    deck is made when that is earlier: a deck of a past quarter stays as it was at the quarter's close. A task of a
    group of units ('Các sở, ban, ngành') is each unit's own: the slide says how many of them are late, the table
    behind it (.xlsx) lists every late unit. Plans are real documents: the slide is never marked as sample data."""
    from dashboard import fmt, plan_queries, theme
    from dashboard.figures import short_label

    q = ctx.q
    as_of = min(made_on, q.end + dt.timedelta(days=1))
    df = plan_queries.task_table(ctx.con, q.year, q.quarter, as_of)
    late = plan_queries.late_tasks(df)
    shown = late.head(TASKS_PER_SLIDE)
    counts = plan_queries.status_counts(df)
    facts = [(str(counts["late"]), "nhiệm vụ quá hạn"), (str(counts["due"]), "nhiệm vụ đến hạn, chưa xong"),
             (str(counts["done"]), "nhiệm vụ đã xong")]
    notes = [f"Và {len(late) - len(shown)} nhiệm vụ quá hạn khác (xem bảng Excel)."] if len(late) > len(shown) else []
    units = plan_queries.assignment_table(ctx.con, q.year, q.quarter, as_of)
    late_units = units[units["status"] == "late"].sort_values(["days_late", "no", "unit_name"],
                                                              ascending=[False, True, True], kind="stable")

    def lead(r) -> str:
        text = r.lead_name or "—"
        if r.units_total > 1:
            behind = int((late_units["task_id"] == r.task_id).sum())
            text += f" ({behind}/{r.units_total} đơn vị quá hạn)"
        return text

    grid = pd.DataFrame({
        "Nhiệm vụ": [f"{int(r.no)}. {short_label(r.content, 100)}" for r in shown.itertuples()],
        "Chủ trì": [lead(r) for r in shown.itertuples()],
        "Hạn": [fmt.date(d) for d in shown["deadline"]],
        "Quá hạn": [f"{fmt.number(d)} ngày" for d in shown["days_late"]],
    })
    table = pd.DataFrame({"STT": late_units["no"], "Nhiệm vụ": late_units["content"],
                          "Đơn vị": late_units["unit_name"], "Chủ trì": late_units["lead_name"],
                          "Phối hợp": late_units["partners"], "Thời gian": late_units["when"],
                          "Hạn": late_units["deadline"], "Số ngày quá hạn": late_units["days_late"],
                          "Kế hoạch": late_units["organisation"]}).reset_index(drop=True)
    plans = sorted({o for o in df["organisation"] if isinstance(o, str) and o})
    source = theme.source_line([f"kế hoạch CCHC năm {q.year} của {p}" for p in plans]
                               + ["đánh dấu hoàn thành của các đơn vị"], sample=False)
    return Slide("tasks", "tasks", f"Nhiệm vụ quá hạn {q.label}",
                 f"Kế hoạch CCHC năm {q.year}: {len(df)} nhiệm vụ · tính đến ngày {fmt.date(as_of)}",
                 data=late, table=table, table_kinds={"Hạn": "date", "Số ngày quá hạn": "int"}, facts=facts,
                 notes=notes, source=source, sample=False, grid=grid if len(grid) else None,
                 empty_message=None if len(late) else "Không có nhiệm vụ nào quá hạn.",
                 meta={"as_of": as_of, "counts": counts})


def _index_source(row, sample: bool) -> str:
    from dashboard import theme

    def clip(text: str, limit: int = 110) -> str:  # a slide's footer has two lines; the table has it all
        text = text.strip()
        return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"

    parts = []
    if isinstance(row["source"], str) and row["source"].strip() and not pd.isna(row["year"]):
        parts.append(f"kết quả – {clip(row['source'])}")
    if isinstance(row["target_source"], str) and row["target_source"].strip():
        parts.append(f"mục tiêu – {clip(row['target_source'])}")
    return theme.source_line(parts, sample=sample)


def _index_slide(ctx: _Context, code: str) -> Slide:
    from dashboard import deck_data, fmt, theme

    row = ctx.latest[ctx.latest["index_code"] == code].iloc[0]
    scale = row["scale_max"]
    years = deck_data.index_years(ctx.con, code, ctx.chain, ctx.q.year)
    value = (lambda v: fmt.index_value(v, scale))
    facts, notes = [], []
    has_score = not pd.isna(row["score"])
    if has_score:
        facts.append((value(row["score"]), f"kết quả năm {int(row['year'])} ({row['entity_name']})"))
    if not pd.isna(row["rank"]):
        of = f"/{int(row['rank_of'])}" if not pd.isna(row["rank_of"]) else ""
        change = fmt.rank_delta(row["prev_rank"], row["rank"])
        facts.append((f"{int(row['rank'])}{of}",
                      f"xếp hạng năm {int(row['year'])}" + (f" ({change})" if change else "")))
    if not pd.isna(row["target"]):
        trank = f", hạng {int(row['target_rank'])}" if not pd.isna(row["target_rank"]) else ""
        facts.append((value(row["target"]), f"mục tiêu năm {int(row['target_year'])}{trank}"))
    if has_score and not pd.isna(row["target"]):
        gap = float(row["target"]) - float(row["score"])
        dec = fmt.index_decimals(scale)
        if gap > 0:
            notes.append(f"Kết quả gần nhất ({int(row['year'])}) thấp hơn mục tiêu {fmt.number(gap, dec)} điểm.")
        else:
            notes.append(f"Kết quả gần nhất ({int(row['year'])}) đã đạt mục tiêu ({fmt.signed(-gap, dec)} điểm).")
    chart = None
    if len(years) and years["score"].notna().any():
        scores = [None if pd.isna(v) else float(v) for v in years["score"]]
        targets = [None if pd.isna(v) else float(v) for v in years["target"]]
        top = max([v for v in scores + targets if v is not None])
        series = [Series("Kết quả", scores, labels=[value(v) if v is not None else "" for v in scores],
                         color=theme.PRIMARY)]
        if any(v is not None for v in targets):
            series.append(Series("Mục tiêu", targets, labels=None, color=theme.TARGET_COLOR, dashed=True))
        small = not pd.isna(scale) and float(scale) <= 1
        chart = ChartSpec(type="line", categories=[str(int(y)) for y in years["year"]], series=series,
                          number_format="0.00" if small else "0", axis_min=0.0, axis_max=top * 1.15,
                          legend=len(series) > 1)
    empty = None
    if chart is None:
        empty = (f"Chưa có điểm số công bố; xếp hạng gần nhất: {int(row['rank'])} ({int(row['year'])})."
                 if not pd.isna(row["rank"]) else f"{fmt.NO_DATA.capitalize()}.")
    states = {"co": "Đã công bố", "chua_cong_bo": fmt.NO_DATA, "chua_den_ky": "Chưa đến kỳ công bố"}
    table = pd.DataFrame({"Năm": years["year"], "Tỉnh": years["entity_name"], "Điểm": years["score"],
                          "Xếp hạng": years["rank"], "Mục tiêu": years["target"],
                          "Mục tiêu xếp hạng": years["target_rank"], "Tình trạng": years["state"].map(states)})
    publisher = ctx.con.execute("SELECT publisher FROM index_def WHERE code = ?", [code]).fetchone()
    subtitle = " · ".join(x for x in [row["short_name"], publisher[0] if publisher else None,
                                      "kết quả qua các năm so với mục tiêu"] if x)
    return Slide(f"index:{code}", "index", row["index_name"], subtitle, chart=chart, data=years, table=table,
                 table_kinds={"Điểm": "num4" if fmt.index_decimals(scale) == 4 else "num2"},
                 facts=facts, notes=notes, source=_index_source(row, ctx.sample), sample=ctx.sample,
                 empty_message=empty,
                 meta={"index_code": code, "short_name": row["short_name"], "scale_max": scale,
                       "unit": row["unit"] if isinstance(row["unit"], str) else "", "latest": row.to_dict()})


# --- the dashboard's own figures for a slide ---------------------------------------------------------------------

def slide_figure(slide: Slide, projector: bool = False, layout: str | None = None):
    """The Plotly figure of the slide, built by dashboard.figures (None for a slide without a chart).

    ``projector``: larger fonts and bars for a big screen seen from the back of the room. ``layout=theme.NARROW``:
    the phone's figure instead (names above bars, legend below), for the deck read in portrait on a phone.
    """
    from dashboard import figures, theme

    layout = layout or theme.WIDE
    if slide.data is None or slide.chart is None:
        return None
    if slide.kind in ("overall", "units", "lagging"):
        label, key = slide.meta.get("label", "unit_name"), slide.meta.get("key", "unit_code")
        fig = figures.completion_bars(slide.data, label=label, key=key, layout=layout)
        fig.update_xaxes(range=[0, completion_axis_max(slide.data["completion"])])
    elif slide.kind == "index":
        m = slide.meta
        fig = figures.index_history(slide.data, m.get("short_name") or m.get("index_code"),
                                    scale_max=m.get("scale_max") or 100, unit=m.get("unit") or "", layout=layout)
    else:
        return None
    if projector and layout != theme.NARROW:
        big = 20
        fig.update_layout(font=dict(size=big), legend=dict(font=dict(size=big - 2)),
                          hoverlabel=dict(font=dict(size=big)), margin=dict(l=10, r=150, t=50, b=10))
        fig.update_xaxes(tickfont=dict(size=big - 2), title_font=dict(size=big - 2))
        fig.update_yaxes(tickfont=dict(size=big - 2), title_font=dict(size=big - 2))
        fig.update_traces(textfont=dict(size=big), selector=dict(type="bar"))
        fig.update_traces(textfont=dict(size=big - 2), cliponaxis=False, selector=dict(type="scatter"))
        fig.update_annotations(font=dict(size=big - 4))
        if slide.kind != "index":
            n = len(slide.data)
            fig.update_layout(height=int(max(320, 110 + 44 * n)), bargap=0.22)
        else:
            fig.update_layout(height=620)
        return theme.apply(fig)
    return fig


def slide_png_figure(slide: Slide, deck: Deck | None = None):
    """The figure to save as PNG: the slide's chart with its title, source line and sample label."""
    from dashboard import images

    fig = slide_figure(slide)
    if fig is None:
        return None
    title = slide.title + (f" – {deck.quarter.label}" if deck and deck.quarter.label not in slide.title else "")
    fig.update_layout(height=None)
    return images.png_ready(fig, title=title, source=slide.source, sample=slide.sample)


def slide_png(slide: Slide, deck: Deck | None = None) -> bytes | None:
    """The slide's chart as a 1920×1080 PNG (None for a slide without a chart)."""
    from dashboard import images

    fig = slide_png_figure(slide, deck)
    return None if fig is None else images.figure_to_png(fig)
