"""The giao ban deck as a PowerPoint file: `deck_to_pptx(deck) -> bytes`.

16:9 (13,333 × 7,5 in), one slide per `Slide` of the deck, in the deck's order. Charts are native PowerPoint
charts (python-pptx `CategoryChartData`): the numbers sit in the chart's embedded workbook and can be edited
in PowerPoint ("Edit Data"). Data labels carry the text already formatted by `dashboard.fmt` ("88,5%",
"1.250"), so they read the Vietnamese way whatever the viewer's locale; the axis uses locale-neutral formats.
Every slide has its title, a source line, the slide number ("3/8") and, while sample data is shown, a red
"DỮ LIỆU MẪU" mark. A slide with a ``grid`` (the overdue tasks) gets a native PowerPoint table instead of a chart.
A target (e.g. 100 % completion) is a dashed line drawn over the chart at the exact place
of the value: the plot area is given a fixed (manual) layout and a fixed axis range so the place is known.
"""
from __future__ import annotations

import io

from lxml import etree
from pptx import Presentation
from pptx.chart.data import CategoryChartData
from pptx.dml.color import RGBColor
from pptx.enum.chart import XL_CHART_TYPE, XL_LABEL_POSITION, XL_LEGEND_POSITION, XL_MARKER_STYLE, XL_TICK_MARK
from pptx.enum.dml import MSO_LINE_DASH_STYLE
from pptx.enum.shapes import MSO_CONNECTOR, MSO_SHAPE
from pptx.enum.text import MSO_ANCHOR, PP_ALIGN
from pptx.oxml.ns import qn
from pptx.util import Emu, Inches, Pt

from dashboard import fmt, theme
from dashboard.deck import SAMPLE_MARK, ChartSpec, Deck, Slide


def _rgb(hex_colour: str | None) -> RGBColor | None:
    if not hex_colour:
        return None
    h = hex_colour.lstrip("#")
    return RGBColor(int(h[0:2], 16), int(h[2:4], 16), int(h[4:6], 16))


FONT = "Arial"  # present on every Windows/Mac PowerPoint, full Vietnamese coverage
WIDTH, HEIGHT = Inches(13.333), Inches(7.5)
MARGIN = Inches(0.5)
INK = _rgb("#1f2933")
MUTED = _rgb("#4a5361")  # darker than theme.MUTED: small text must stay legible on a projector
ACCENT = _rgb(theme.PRIMARY)
GRID = _rgb("#d0d4da")
SAMPLE_RED = _rgb(theme.STATUS_COLOR[theme.CHUA_DAT])
WHITE = _rgb("#ffffff")
TARGET_LINE = _rgb(theme.TARGET_COLOR)

TITLE_TOP, TITLE_H = Inches(0.55), Inches(0.7)
SUBTITLE_TOP, SUBTITLE_H = Inches(1.2), Inches(0.4)
BODY_TOP = Inches(1.7)
FOOTER_TOP = Inches(6.95)
BODY_BOTTOM = Inches(6.85)
FACTS_W = Inches(3.6)


def _text(slide, left, top, width, height, text: str, size: float, *, bold=False, color=INK,
          align=PP_ALIGN.LEFT, anchor=MSO_ANCHOR.TOP, wrap=True, name: str | None = None):
    box = slide.shapes.add_textbox(left, top, width, height)
    if name:
        box.name = name
    tf = box.text_frame
    tf.word_wrap = wrap
    tf.vertical_anchor = anchor
    tf.margin_left = tf.margin_right = Inches(0.05)
    tf.margin_top = tf.margin_bottom = Inches(0.02)
    lines = text.split("\n")
    for i, line in enumerate(lines):
        p = tf.paragraphs[0] if i == 0 else tf.add_paragraph()
        p.alignment = align
        run = p.add_run()
        run.text = line
        f = run.font
        f.name, f.size, f.bold = FONT, Pt(size), bold
        f.color.rgb = color
    return box


def _sample_mark(slide):
    shape = slide.shapes.add_shape(MSO_SHAPE.ROUNDED_RECTANGLE, WIDTH - MARGIN - Inches(2.3), Inches(0.12),
                                   Inches(2.3), Inches(0.42))
    shape.name = "sample_mark"
    shape.fill.solid()
    shape.fill.fore_color.rgb = SAMPLE_RED
    shape.line.fill.background()
    tf = shape.text_frame
    tf.margin_top = tf.margin_bottom = 0
    p = tf.paragraphs[0]
    p.alignment = PP_ALIGN.CENTER
    run = p.add_run()
    run.text = SAMPLE_MARK
    run.font.name, run.font.size, run.font.bold = FONT, Pt(16), True
    run.font.color.rgb = WHITE


SOURCE_MAX_CHARS = 240  # two lines at 10 pt; the full source stays in the dashboard and the .xlsx


def _short(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _footer(slide, deck: Deck, spec: Slide, number: int, total: int):
    if spec.source:
        size = 11 if len(spec.source) <= 130 else 10
        _text(slide, MARGIN, FOOTER_TOP, WIDTH - 2 * MARGIN - Inches(1.4), Inches(0.5),
              _short(spec.source, SOURCE_MAX_CHARS), size, color=MUTED, anchor=MSO_ANCHOR.MIDDLE, name="source")
    _text(slide, WIDTH - MARGIN - Inches(1.3), FOOTER_TOP, Inches(1.3), Inches(0.45), f"{number}/{total}", 14,
          bold=True, color=MUTED, align=PP_ALIGN.RIGHT, anchor=MSO_ANCHOR.MIDDLE, name="slide_number")
    line = slide.shapes.add_connector(MSO_CONNECTOR.STRAIGHT, MARGIN, FOOTER_TOP - Inches(0.04),
                                      WIDTH - MARGIN, FOOTER_TOP - Inches(0.04))
    line.line.color.rgb = GRID
    line.line.width = Pt(1)


def _title_slide(prs, deck: Deck, spec: Slide, number: int, total: int):
    slide = prs.slides.add_slide(prs.slide_layouts[6])
    band = slide.shapes.add_shape(MSO_SHAPE.RECTANGLE, 0, Inches(2.0), WIDTH, Inches(3.1))
    band.fill.solid()
    band.fill.fore_color.rgb = ACCENT
    band.line.fill.background()
    _text(slide, MARGIN, Inches(0.9), WIDTH - 2 * MARGIN, Inches(0.8), deck.organisation.upper(), 24, bold=True,
          color=ACCENT, align=PP_ALIGN.CENTER, anchor=MSO_ANCHOR.MIDDLE, name="organisation")
    _text(slide, MARGIN, Inches(2.2), WIDTH - 2 * MARGIN, Inches(1.6), spec.title, 40, bold=True, color=WHITE,
          align=PP_ALIGN.CENTER, anchor=MSO_ANCHOR.MIDDLE, name="title")
    _text(slide, MARGIN, Inches(3.9), WIDTH - 2 * MARGIN, Inches(1.0), spec.subtitle, 32, bold=True,
          color=WHITE, align=PP_ALIGN.CENTER, anchor=MSO_ANCHOR.MIDDLE, name="subtitle")
    if spec.notes:
        _text(slide, MARGIN, Inches(5.4), WIDTH - 2 * MARGIN, Inches(1.2), "\n".join(spec.notes), 20,
              color=MUTED, align=PP_ALIGN.CENTER, name="notes")
    if spec.sample:
        _sample_mark(slide)
    _footer(slide, deck, spec, number, total)
    return slide


def _set_manual_plot_layout(chart, x: float, y: float, w: float, h: float) -> None:
    """Fix the inner plot rectangle as fractions of the chart frame (so a target line can be placed)."""
    plot_area = chart._chartSpace.find(qn("c:chart")).find(qn("c:plotArea"))
    old = plot_area.find(qn("c:layout"))
    if old is not None:
        plot_area.remove(old)
    layout = etree.Element(qn("c:layout"))
    plot_area.insert(0, layout)
    manual = etree.SubElement(layout, qn("c:manualLayout"))
    for tag, val in (("layoutTarget", "inner"), ("xMode", "edge"), ("yMode", "edge"),
                     ("x", x), ("y", y), ("w", w), ("h", h)):
        etree.SubElement(manual, qn(f"c:{tag}")).set("val", str(val))


def _no_fill(chart) -> None:
    """Transparent chart and plot area: a target line drawn behind the chart shows through."""
    space = chart._chartSpace
    for parent in (space, space.find(qn("c:chart")).find(qn("c:plotArea"))):
        sp = parent.find(qn("c:spPr"))
        if sp is None:
            sp = etree.SubElement(parent, qn("c:spPr"))
            if parent is space:  # c:spPr must come right after c:chart in the chart space
                space.remove(sp)
                space.find(qn("c:chart")).addnext(sp)
        for child in list(sp):
            if child.tag in (qn("a:solidFill"), qn("a:noFill"), qn("a:gradFill"), qn("a:pattFill")):
                sp.remove(child)
        sp.insert(0, etree.Element(qn("a:noFill")))


def _axis_range(spec: ChartSpec) -> tuple[float, float]:
    values = [v for s in spec.series for v in s.values if v is not None]
    if spec.target is not None:
        values.append(spec.target)
    lo = spec.axis_min if spec.axis_min is not None else min(0.0, min(values, default=0.0))
    hi = spec.axis_max if spec.axis_max is not None else (max(values, default=1.0) * 1.15 or 1.0)
    return lo, hi


def _label_size(n_categories: int, horizontal: bool) -> float:
    if horizontal:
        return 16 if n_categories <= 8 else 14 if n_categories <= 12 else 12 if n_categories <= 18 else 10
    return 18 if n_categories <= 6 else 14 if n_categories <= 10 else 11


def _plot_box(spec: ChartSpec) -> tuple[float, float, float, float]:
    """Inner plot rectangle (x, y, w, h) as fractions of the chart frame; labels need room left/bottom."""
    if spec.type == "bar":
        longest = max((len(c) for c in spec.categories), default=10)
        x = min(0.45, max(0.16, 0.0125 * longest * _label_size(len(spec.categories), True) / 12))
        top = 0.08 if spec.target_label else 0.02
        return x, top, 0.96 - x - 0.06, 0.90 - top
    top = 0.12 if (spec.legend or spec.target_label) else 0.04
    return 0.08, top, 0.90, 0.86 - top


def _target_line(slide, spec: ChartSpec, box, left, top, width, height):
    lo, hi = _axis_range(spec)
    px, py, pw, ph = box
    frac = (spec.target - lo) / (hi - lo) if hi > lo else 0
    if spec.type == "bar":
        x = left + Emu(int(width * (px + pw * frac)))
        y0, y1 = top + Emu(int(height * py)), top + Emu(int(height * (py + ph)))
        line = slide.shapes.add_connector(MSO_CONNECTOR.STRAIGHT, x, y0, x, y1)
        label_box = (x - Inches(1.5), y0 - Inches(0.42), Inches(3.0), Inches(0.38), PP_ALIGN.CENTER,
                     MSO_ANCHOR.BOTTOM)
    else:
        y = top + Emu(int(height * (py + ph * (1 - frac))))
        x0, x1 = left + Emu(int(width * px)), left + Emu(int(width * (px + pw)))
        line = slide.shapes.add_connector(MSO_CONNECTOR.STRAIGHT, x0, y, x1, y)
        # above the plot area, right-aligned: never on top of a bar or its label
        label_box = (x1 - Inches(5.0), top, Inches(5.0), Emu(int(height * py)), PP_ALIGN.RIGHT,
                     MSO_ANCHOR.MIDDLE)
    line.name = "target_line"
    line.line.color.rgb = TARGET_LINE
    line.line.width = Pt(2.5)
    line.line.dash_style = MSO_LINE_DASH_STYLE.DASH
    if spec.target_label:
        l, t, w, h, align, anchor = label_box
        text = spec.target_label if spec.type == "bar" else f"– – –  {spec.target_label}"
        _text(slide, l, t, w, h, text, 14, bold=True, color=TARGET_LINE, align=align,
              anchor=anchor, name="target_label")


def _key(slide, spec: ChartSpec, left, top, width, height):
    """The meaning of the colours, one line: ■ Đạt (≥ 100%)   ■ Gần đạt …"""
    box = slide.shapes.add_textbox(left, top, width, height)
    box.name = "key"
    tf = box.text_frame
    tf.word_wrap = True
    tf.vertical_anchor = MSO_ANCHOR.MIDDLE
    p = tf.paragraphs[0]
    for i, (colour, label) in enumerate(spec.key):
        for text, rgb in (("■ ", _rgb(colour)), (label + ("      " if i < len(spec.key) - 1 else ""), MUTED)):
            run = p.add_run()
            run.text = text
            run.font.name, run.font.size = FONT, Pt(14)
            run.font.color.rgb = rgb


def _label_every_category(category_axis) -> None:
    """c:tickLblSkip = 1: never drop a unit's name when space is tight (LibreOffice would skip every other)."""
    ax = category_axis._element
    for tag in ("c:tickLblSkip", "c:tickMarkSkip"):
        old = ax.find(qn(tag))
        if old is not None:
            ax.remove(old)
    # schema order: … c:lblAlgn, c:lblOffset, c:tickLblSkip, c:tickMarkSkip, c:noMultiLvlLbl
    anchor = ax.find(qn("c:lblOffset"))
    skip = etree.Element(qn("c:tickLblSkip"))
    skip.set("val", "1")
    mark = etree.Element(qn("c:tickMarkSkip"))
    mark.set("val", "1")
    if anchor is not None:
        anchor.addnext(skip)
    else:
        ax.find(qn("c:noMultiLvlLbl")).addprevious(skip)
    skip.addnext(mark)


def _style_line(series, spec) -> None:
    colour = _rgb(spec.color) or ACCENT
    series.smooth = False
    line = series.format.line
    line.color.rgb = colour
    line.width = Pt(2.5 if spec.dashed else 3.5)
    if spec.dashed:
        line.dash_style = MSO_LINE_DASH_STYLE.DASH
    series.marker.style = XL_MARKER_STYLE.DASH if spec.dashed else XL_MARKER_STYLE.CIRCLE
    series.marker.size = 12 if spec.dashed else 11
    series.marker.format.fill.solid()
    series.marker.format.fill.fore_color.rgb = colour
    series.marker.format.line.color.rgb = colour


def _chart(slide, spec: ChartSpec, left, top, width, height):
    horizontal = spec.type == "bar"
    box = _plot_box(spec)
    if spec.target is not None:
        _target_line(slide, spec, box, left, top, width, height)  # behind the (transparent) chart
    data = CategoryChartData(number_format=spec.number_format)
    data.categories = spec.categories
    for s in spec.series:
        data.add_series(s.name, s.values)
    line_chart = spec.type == "line"
    kind = (XL_CHART_TYPE.LINE_MARKERS if line_chart else
            XL_CHART_TYPE.BAR_CLUSTERED if horizontal else XL_CHART_TYPE.COLUMN_CLUSTERED)
    frame = slide.shapes.add_chart(kind, left, top, width, height, data)
    frame.name = "chart"
    chart = frame.chart
    size = _label_size(len(spec.categories), horizontal)
    chart.has_title = False
    chart.font.name = FONT
    chart.font.size = Pt(size)
    chart.font.color.rgb = INK
    chart.has_legend = spec.legend
    if spec.legend:
        chart.legend.position = XL_LEGEND_POSITION.TOP
        chart.legend.include_in_layout = False
        chart.legend.font.size = Pt(16)
    lo, hi = _axis_range(spec)
    va = chart.value_axis
    va.minimum_scale, va.maximum_scale = lo, hi
    va.has_major_gridlines = True
    va.major_gridlines.format.line.color.rgb = GRID
    va.tick_labels.number_format = spec.number_format
    va.tick_labels.number_format_is_linked = False
    va.tick_labels.font.size = Pt(12)
    va.tick_labels.font.color.rgb = MUTED
    va.format.line.fill.background()
    ca = chart.category_axis
    ca.format.line.color.rgb = GRID
    ca.tick_labels.font.size = Pt(size)
    ca.tick_labels.font.color.rgb = INK
    ca.major_tick_mark = XL_TICK_MARK.NONE
    _label_every_category(ca)
    if horizontal:
        ca.reverse_order = True  # the first category (the best) on top, as on the dashboard
        # … and the value axis crosses at the last category, i.e. it stays at the bottom
        va._element.find(qn("c:crosses")).set("val", "max")
    plot = chart.plots[0]
    if not line_chart:
        plot.gap_width = 35 if horizontal else 60
        plot.overlap = 0 if len(spec.series) == 1 else -10
    plot.vary_by_categories = False
    for s_spec, series in zip(spec.series, plot.series):
        if line_chart:
            _style_line(series, s_spec)
        elif s_spec.color:
            series.format.fill.solid()
            series.format.fill.fore_color.rgb = _rgb(s_spec.color)
        if not line_chart:
            series.invert_if_negative = False
        if not s_spec.labels:
            continue
        position = XL_LABEL_POSITION.ABOVE if line_chart else XL_LABEL_POSITION.OUTSIDE_END
        dls = series.data_labels
        dls.show_value = True
        dls.position = position
        dls.font.size = Pt(size)
        dls.font.bold = True
        dls.number_format = spec.number_format
        dls.number_format_is_linked = False
        for i, v in enumerate(s_spec.values):
            colour = s_spec.colors[i] if s_spec.colors and i < len(s_spec.colors) else None
            if colour:
                pt = series.points[i]
                pt.format.fill.solid()
                pt.format.fill.fore_color.rgb = _rgb(colour)
            if i < len(s_spec.labels) and v is not None:
                dl = series.points[i].data_label
                dl.text_frame.text = s_spec.labels[i]
                r = dl.text_frame.paragraphs[0].runs[0]
                r.font.size, r.font.bold, r.font.name = Pt(size), True, FONT
                r.font.color.rgb = INK
                dl.position = position
    _set_manual_plot_layout(chart, *box)
    _no_fill(chart)
    return frame


GRID_WIDTHS = {"Nhiệm vụ": 5.0, "Chủ trì": 2.2, "Hạn": 1.55, "Quá hạn": 1.45}  # relative; other columns 1.5


def _grid(slide, df, left, top, width, height):
    """A native table (editable in PowerPoint): header row in the accent colour, then one row per record.
    Rows are given a small height; PowerPoint and LibreOffice grow them to fit their text."""
    n_rows, n_cols = len(df) + 1, len(df.columns)
    row_h = Inches(0.42)
    frame = slide.shapes.add_table(n_rows, n_cols, left, top, width, min(height, row_h * n_rows))
    frame.name = "grid"
    table = frame.table
    weights = [GRID_WIDTHS.get(str(c), 1.5) for c in df.columns]
    for j, w in enumerate(weights):
        table.columns[j].width = Emu(int(width * w / sum(weights)))
    for i in range(n_rows):
        table.rows[i].height = row_h
    size = 14 if len(df) <= 4 else 13
    for i, values in enumerate([list(df.columns)] + df.astype(str).values.tolist()):
        for j, value in enumerate(values):
            cell = table.cell(i, j)
            cell.margin_left = cell.margin_right = Inches(0.08)
            cell.margin_top = cell.margin_bottom = Inches(0.04)
            cell.vertical_anchor = MSO_ANCHOR.MIDDLE
            tf = cell.text_frame
            tf.word_wrap = True
            p = tf.paragraphs[0]
            p.alignment = PP_ALIGN.LEFT if j < 2 else PP_ALIGN.CENTER
            run = p.add_run()
            run.text = str(value)
            run.font.name, run.font.size, run.font.bold = FONT, Pt(size), i == 0
            run.font.color.rgb = WHITE if i == 0 else INK
            cell.fill.solid()
            cell.fill.fore_color.rgb = ACCENT if i == 0 else (_rgb("#f3f5f8") if i % 2 == 0 else WHITE)
    return frame


def _title_size(title: str) -> float:
    """One line across the slide, also with a wider fallback font than Arial."""
    return 30 if len(title) <= 50 else 26 if len(title) <= 58 else 22 if len(title) <= 70 else 18


def _facts(slide, spec: Slide, left, top, width) -> int:
    """Big numbers with captions, stacked; returns the height used."""
    each = Inches(1.2)
    for i, (value, caption) in enumerate(spec.facts):
        y = top + each * i
        _text(slide, left, y, width, Inches(0.62), value, 34, bold=True, color=ACCENT, name=f"fact_{i}")
        _text(slide, left, y + Inches(0.6), width, Inches(0.5), caption, 14, color=MUTED,
              name=f"fact_caption_{i}")
    return each * len(spec.facts)


def _content_slide(prs, deck: Deck, spec: Slide, number: int, total: int):
    slide = prs.slides.add_slide(prs.slide_layouts[6])
    _text(slide, MARGIN, TITLE_TOP, WIDTH - 2 * MARGIN, TITLE_H,
          spec.title, _title_size(spec.title), bold=True, color=INK, anchor=MSO_ANCHOR.MIDDLE, name="title")
    if spec.subtitle:
        _text(slide, MARGIN, SUBTITLE_TOP, WIDTH - 2 * MARGIN, SUBTITLE_H, spec.subtitle, 18, color=MUTED,
              anchor=MSO_ANCHOR.MIDDLE, name="subtitle")
    if spec.sample:
        _sample_mark(slide)
    body_h = BODY_BOTTOM - BODY_TOP
    has_grid = spec.grid is not None and len(spec.grid) > 0
    side = bool(spec.facts) or (bool(spec.notes) and (spec.chart is not None or has_grid))
    chart_w = WIDTH - 2 * MARGIN - (FACTS_W + Inches(0.3) if side else 0)
    if spec.chart is not None and spec.chart.categories:
        key_h = Inches(0.4) if spec.chart.key else 0
        _chart(slide, spec.chart, MARGIN, BODY_TOP, chart_w, body_h - key_h)
        if key_h:
            _key(slide, spec.chart, MARGIN, BODY_BOTTOM - key_h, chart_w, key_h)
    elif has_grid:
        _grid(slide, spec.grid, MARGIN, BODY_TOP, chart_w, body_h)
    elif spec.empty_message:
        _text(slide, MARGIN, BODY_TOP + Inches(1.5), chart_w, Inches(1.5), spec.empty_message, 26, color=MUTED,
              align=PP_ALIGN.CENTER, anchor=MSO_ANCHOR.MIDDLE, name="empty_message")
    if side:
        x = MARGIN + chart_w + Inches(0.3)
        used = _facts(slide, spec, x, BODY_TOP, FACTS_W)
        if spec.notes:
            room = body_h - used
            size = 16 if len(spec.notes) * Pt(16) * 1.25 < room else 13
            _text(slide, x, BODY_TOP + used, FACTS_W, room, "\n".join(spec.notes), size, color=INK, name="notes")
    elif spec.notes:
        _text(slide, MARGIN, BODY_TOP, chart_w, body_h, "\n".join(spec.notes), 20, color=INK, name="notes")
    _footer(slide, deck, spec, number, total)
    return slide


def deck_to_pptx(deck: Deck) -> bytes:
    """The deck as .pptx bytes: 16:9, native charts, Vietnamese text, source line and number on every slide."""
    prs = Presentation()
    prs.slide_width, prs.slide_height = WIDTH, HEIGHT
    core = prs.core_properties
    core.title = f"Giao ban CCHC {fmt.quarter(deck.quarter.year, deck.quarter.quarter)}"
    core.author = deck.organisation
    core.subject = "Cải cách hành chính"
    core.language = "vi-VN"
    total = len(deck.slides)
    for number, spec in enumerate(deck.slides, start=1):
        if spec.kind == "title":
            _title_slide(prs, deck, spec, number, total)
        else:
            _content_slide(prs, deck, spec, number, total)
    buf = io.BytesIO()
    prs.save(buf)
    return buf.getvalue()
