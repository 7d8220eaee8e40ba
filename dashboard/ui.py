"""Shared Streamlit widgets for the pages: header and sample-data banner, filters bound to the URL, charts with a
source line, tables with .xlsx/.csv downloads, empty states.

Every filter lives in the URL query string (``?nam=2025&quy=3&nhom=so_nganh``) so that a copied link opens the
same view. A filter's widget key is ``qp_<name>``; its value is read from the URL on first render (or when the
URL was changed from outside, e.g. by a link), and written back to the URL on every run. Year and quarter are
remembered across pages.

Public API
----------
- ``TOP_N``                                        rows shown by default in top/bottom views (15).
- ``page_header(title, subtitle=None)``            title, subtitle, the sample-data banner; stops with a
                                                   Vietnamese message when the database cannot be opened.
- ``sample_banner()`` / ``sidebar_sample_label()``  the visible "Dữ liệu mẫu" label while sample data is in use.
- ``select(name, label, options, default=None, format_func=str, shared=False, container=None, help=None)``
- ``search_select(name, label, options, default=None, format_func=str, container=None, help=None, pinned=())``
                                                   ``select`` for long lists (a country's 4,000 units): above
                                                   ``SEARCH_THRESHOLD`` options a search box narrows what is sent.
- ``multiselect(name, label, options, default=(), format_func=str, container=None, help=None, max_selections=None)``
- ``segmented(name, label, options, default=None, format_func=str, container=None, help=None)``
- ``period_picker(container=None) -> (year, quarter)``    Năm + Quý, bound to ``nam`` and ``quy``.
- ``period_choice(container=None, kinds=VIEW_KINDS) -> Period``  Kỳ (tháng, quý, 6 tháng, năm) + Năm + the
                                                   period in the year: ``ky``, ``nam``, ``quy``, ``thang``, ``nua``.
- ``period_params(period) -> dict``                 the query parameters of a link that opens this period.
- ``unit_group_picker(container=None) -> group | None``   bound to ``nhom`` ("tat_ca" = all).
- ``rows_picker(n, container=None, name="hien") -> mode``  "thap" / "cao" / "tat_ca" when n > TOP_N.
- ``pick_rows(df, mode, by="completion", n=TOP_N) -> df``  the lowest / highest n rows, or all.
- ``layout(narrow_below=700) -> str``              theme.NARROW on a phone, else theme.WIDE: pass it to figure
                                                   builders (``layout=``).
- ``chart(fig, source=None, key=None, on_select=None)``   a themed Plotly chart and its source line.
- ``table(df, kinds=None, name="bang", title=None, source=None, key=None, label="Bảng số liệu", expanded=False)``
- ``empty_state(message, hint=None, upload=True)``        what is missing, what to upload and where.
- ``link(page, label, icon=None, query_params=None)``     st.page_link that degrades to text when the page
                                                          is not part of the running app.
- ``upload_limit_mb()``                                   the product's per-file limit ($CCHC_MAX_UPLOAD_MB, 20 MB);
                                                          Streamlit's server.maxUploadSize is set to it (app.py).
- ``uploader(label, types, key, multiple=False, limit_mb=None, help=None)``  THE file uploader of the product (Tải
                                                          lên, Kế hoạch): Streamlit's widget at the product's limit;
                                                          its own words are Vietnamese through the page shell
                                                          (dashboard/web.py): "Chọn tệp", "Kéo thả tệp vào đây",
                                                          "tối đa 20 MB mỗi tệp".
- ``report_button(period, unit=None, key="report", container=None)``  "Soạn báo cáo (Word)": the written report
                                                          of the period (built when clicked).
"""
from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import streamlit as st

from core.periods import VIEW_KINDS, Period
from core.text import fold
from dashboard import cached, exports, fmt, period_queries, queries, theme
from dashboard.web import WIDTH_COOKIE, upload_limit_mb  # noqa: F401 - the pages' upload limit

ROOT = Path(__file__).resolve().parent.parent
TOP_N = 15
SEARCH_THRESHOLD = 300  # a selectbox sends all its options on every run: 4,000 unit names are ~130 KB
SEARCH_LIMIT = 100
STYLER_MAX_CELLS = 600
UPLOAD_PAGE = "pages/tai_len.py"
# No mode bar: it covered the top of charts on phones and speaks English; "Tải ảnh PNG" under a chart exports it,
# and a double click still resets a zoom.
PLOTLY_CONFIG = {"displayModeBar": False, "displaylogo": False, "responsive": True}
_WRITTEN = "_qp_written"


# --- header and sample label ------------------------------------------------------------------------------------

_CSS = f"""<style>
[data-testid="stMainBlockContainer"] {{ padding-top: 2.2rem; }}
[data-testid="stCaptionContainer"] {{ line-height: 1.45; }}
/* a table written in markdown scrolls inside its frame instead of widening the page */
[data-testid="stMarkdownContainer"] table {{ display: block; max-width: 100%; overflow-x: auto; }}
@media (max-width: {theme.NARROW_MAX_WIDTH - 1}px) {{
  [data-testid="stMainBlockContainer"] {{ padding: 2.6rem 0.75rem 3rem 0.75rem; }}
  h1 {{ font-size: 1.85rem !important; line-height: 1.2 !important; }}
  h2 {{ font-size: 1.35rem !important; }}
  h3 {{ font-size: 1.15rem !important; }}
  [data-testid="stMetricValue"] {{ font-size: 1.9rem; }}
}}
</style>"""


def page_style() -> None:
    """The product's CSS, once per run (app.py): less empty space above the title, so the first chart shows on a
    1366×768 screen."""
    st.html(_CSS)


def page_header(title: str, subtitle: str | None = None, sample_banner_shown: bool = True) -> None:
    """Title, subtitle and, while sample data is loaded, the sample banner (not on a page that shows no sample data:
    Kế hoạch reads real documents only)."""
    try:  # a first visit straight to /hoat_dong must still go through app.py's navigation and sign-in gate
        from dashboard.auth import ensure_app_navigation
    except ImportError:  # pragma: no cover - the read side without the auth module
        pass
    else:
        ensure_app_navigation()
    st.title(title)
    if subtitle:
        st.caption(subtitle)
    try:
        cached.version()
    except Exception as exc:  # a locked or unreadable database: say so, never a traceback
        st.error(f"Không mở được cơ sở dữ liệu: {exc}. Hãy thử lại sau ít phút; nếu lỗi còn, báo quản trị hệ thống.")
        st.stop()
    if sample_banner_shown:
        sample_banner()


def sample_banner() -> None:
    if not cached.sample():
        return
    if layout() == theme.NARROW:  # a phone: one line, so the page's first chart still shows on the first screen
        st.warning(f"**{theme.SAMPLE_LABEL}**: số liệu hoạt động, chỉ tiêu là dữ liệu minh họa; kết quả chỉ số "
                   "công bố là thật, có nguồn.", icon="🧪")
        return
    st.warning(f"**{theme.SAMPLE_LABEL}** — số liệu hoạt động, chỉ tiêu và mục tiêu chỉ số đang hiển thị là dữ liệu mẫu "
               "để minh họa, không phải số liệu thật. Kết quả chỉ số đã công bố (PAR Index, PCI…) là số liệu thật, "
               "có ghi nguồn.", icon="🧪")


def sidebar_sample_label() -> None:
    """A small label in the sidebar on every page while sample data is in use (called from app.py)."""
    try:
        if cached.sample():
            st.sidebar.warning(f"**{theme.SAMPLE_LABEL}** — không phải số liệu thật", icon="🧪")
    except Exception:  # the pages say what is wrong with the database; the sidebar stays quiet
        pass


# --- filters bound to the URL -----------------------------------------------------------------------------------

def _written() -> dict:
    return st.session_state.setdefault(_WRITTEN, {})


def _write(name: str, value, shared: bool) -> None:
    if isinstance(value, (list, tuple)):
        st.query_params[name] = [str(v) for v in value]
        _written()[name] = tuple(str(v) for v in value)
    elif value is None:
        st.query_params.pop(name, None)
        _written()[name] = None
    else:
        st.query_params[name] = str(value)
        _written()[name] = str(value)
    if shared:
        st.session_state[f"_keep_{name}"] = value


def _single(name: str, options: list, default, shared: bool) -> str:
    key = f"qp_{name}"
    by_str = {str(o): o for o in options}

    fallback = default if default in options else options[0]
    # compare the URL by its text, the state by value
    url_text = st.query_params.get(name)
    if url_text is not None and url_text != _written().get(name) and url_text in by_str:
        st.session_state[key] = by_str[url_text]
    elif key not in st.session_state or st.session_state[key] not in options:
        keep = st.session_state.get(f"_keep_{name}")
        if shared and keep in options:
            st.session_state[key] = keep
        elif url_text in by_str:
            st.session_state[key] = by_str[url_text]
        else:
            st.session_state[key] = fallback
    return key


def select(name: str, label: str, options, default=None, format_func=str, shared: bool = False, container=None,
           help: str | None = None):
    options = list(options)
    if not options:
        return None
    key = _single(name, options, default, shared)
    value = (container or st).selectbox(label, options, key=key, format_func=format_func, help=help)
    _write(name, value, shared)
    return value


def search_select(name: str, label: str, options, default=None, format_func=str, container=None,
                  help: str | None = None, pinned=()):
    """``select`` for a long list: up to SEARCH_THRESHOLD options it is the same widget; above, a search box
    (diacritics optional, every word must be found) narrows the selectbox to SEARCH_LIMIT matches, plus the
    ``pinned`` options and the current choice (from the URL, the session or the default), so links keep working
    and only what is shown is sent."""
    options = list(options)
    if len(options) <= SEARCH_THRESHOLD:
        return select(name, label, options, default, format_func, container=container, help=help)
    box = container or st
    by_str = {str(o): o for o in options}
    url_text = st.query_params.get(name)
    state = st.session_state.get(f"qp_{name}")
    current = (by_str[url_text] if url_text in by_str and url_text != _written().get(name)
               else state if state in by_str.values() else default if default in by_str.values() else options[0])
    words = search_words(box.text_input(f"Tìm {label.lower()}", key=f"tim_{name}",
                                     placeholder=f"gõ vài chữ của tên ({fmt.number(len(options))} {label.lower()})"))
    matches = [o for o in options if o not in pinned and all(w in fold(format_func(o)) for w in words)]
    if words and not matches:
        box.caption(f"Không có {label.lower()} nào có tên chứa “{' '.join(words)}”.")
    shown = list(dict.fromkeys([*pinned, current, *matches[:SEARCH_LIMIT]]))
    more = len(matches) - min(len(matches), SEARCH_LIMIT)
    note = (f"{fmt.number(len(matches))} kết quả" if words else f"{fmt.number(len(options))} {label.lower()}") + (
        f"; hiện {fmt.number(SEARCH_LIMIT)} đầu tiên, gõ thêm để thu hẹp" if more else "")
    return select(name, label, shown, current, format_func, container=container,
                  help=f"{help + ' ' if help else ''}{note}.")


def search_words(text: str) -> list[str]:
    """The words of a search, folded the way names are ('so tu phap' finds 'Sở Tư pháp')."""
    return fold(text).split()


def segmented(name: str, label: str, options, default=None, format_func=str, container=None,
              help: str | None = None):
    options = list(options)
    if not options:
        return None
    key = _single(name, options, default, False)
    value = (container or st).segmented_control(label, options, key=key, format_func=format_func, help=help,
                                                required=True)
    if value is None:
        value = default if default in options else options[0]
    _write(name, value, False)
    return value


def multiselect(name: str, label: str, options, default=(), format_func=str, container=None,
                help: str | None = None, max_selections: int | None = None, placeholder: str = "Chọn…",
                reset_when=None):
    """``reset_when``: a value (the chosen province) whose change puts the default back (its region's peers)."""
    options = list(options)
    key = f"qp_{name}"
    by_str = {str(o): o for o in options}
    url = tuple(st.query_params.get_all(name))
    before = st.session_state.get(f"_reset_{name}", reset_when)
    st.session_state[f"_reset_{name}"] = reset_when
    if url and url != _written().get(name) and all(u in by_str for u in url):
        st.session_state[key] = [by_str[u] for u in url]
    elif before != reset_when:
        st.session_state[key] = [d for d in default if d in options]
    elif key not in st.session_state or any(v not in options for v in st.session_state[key]):
        if url and all(u in by_str for u in url):
            st.session_state[key] = [by_str[u] for u in url]
        else:
            st.session_state[key] = [d for d in default if d in options]
    value = (container or st).multiselect(label, options, key=key, format_func=format_func, help=help,
                                          max_selections=max_selections, placeholder=placeholder)
    _write(name, list(value), False)
    return list(value)


def period_picker(container=None) -> tuple[int, int]:
    """Năm and Quý (URL ``nam``, ``quy``), defaulting to the latest quarter with reports; shared across pages."""
    per = cached.q(queries.periods)
    dy, dq = queries.default_from_periods(per)
    years = sorted({int(y) for y in per["year"]} | {int(dy)}, reverse=True)
    c = container or st
    col1, col2 = c.columns(2)
    year = select("nam", "Năm", years, default=int(dy), shared=True, container=col1)
    quarter = select("quy", "Quý", [1, 2, 3, 4], default=int(dq) if int(year) == int(dy) else 4,
                     format_func=fmt.quarter_short, shared=True, container=col2)
    return int(year), int(quarter)


# The period kinds as the URL and the widget name them.
KIND_PARAM = {"month": "thang", "quarter": "quy", "half": "6thang", "nine_months": "9thang", "year": "nam"}
KIND_LABEL = {"month": "Tháng", "quarter": "Quý", "half": "6 tháng", "nine_months": "9 tháng", "year": "Năm"}
HALF_LABEL = {1: "6 tháng đầu năm", 2: "6 tháng cuối năm"}


def period_choice(container=None, kinds=VIEW_KINDS) -> Period:
    """Kỳ (tháng, quý, 6 tháng, năm; URL ``ky``), Năm (``nam``) and the period inside the year (``quy``, ``thang``,
    ``nua``). Defaults: the latest quarter with reports, the month and half holding it (or the latest month with
    monthly reports); year and quarter are shared with ``period_picker`` across pages."""
    per = cached.q(queries.periods)
    dy, dq = queries.default_from_periods(per)
    c = container or st
    col0, col1, col2 = c.columns([1, 1, 1.3])
    by_param = {KIND_PARAM[k]: k for k in kinds}
    kind = by_param[select("ky", "Kỳ", list(by_param), default="quy", format_func=lambda k: KIND_LABEL[by_param[k]],
                           shared=True, container=col0)]
    months = [Period.of(code) for code in cached.q(period_queries.available, "month")]
    years = sorted({int(y) for y in per["year"]} | {int(dy)} | {m.year for m in months}, reverse=True)
    year = int(select("nam", "Năm", years, default=int(dy), shared=True, container=col1))
    latest = int(dq) if year == int(dy) else 4
    if kind == "quarter":
        q = select("quy", "Quý", [1, 2, 3, 4], default=latest, format_func=fmt.quarter_short, shared=True,
                   container=col2)
        return Period.of_quarter(year, int(q))
    if kind == "month":
        reported = [m.first for m in months if m.year == year]
        m = select("thang", "Tháng", list(range(1, 13)), default=max(reported) if reported else 3 * latest,
                   format_func=lambda m: f"Tháng {m}", shared=True, container=col2)
        return Period.month(year, int(m))
    if kind == "half":
        h = select("nua", "Nửa năm", [1, 2], default=1 if latest <= 2 else 2, format_func=HALF_LABEL.get,
                   shared=True, container=col2)
        return Period.half(year, int(h))
    if kind == "nine_months":
        return Period(year, 1, 9)
    return Period.whole_year(year)


def period_params(period: Period) -> dict[str, str]:
    """The URL query parameters that open `period` in period_choice (for links between pages)."""
    kind = period.kind if period.kind in KIND_PARAM else "quarter"
    params = {"ky": KIND_PARAM[kind], "nam": str(period.year), "quy": str(period.last_quarter.quarter)}
    if kind == "month":
        params["thang"] = str(period.first)
    elif kind == "half":
        params["nua"] = "1" if period.first == 1 else "2"
    return params


def unit_group_picker(container=None) -> str | None:
    groups = cached.q(queries.unit_groups)
    if len(groups) <= 1:
        return None
    options = ["tat_ca"] + list(groups["group"])
    names = dict(zip(groups["group"], groups["group_name"]))
    names["tat_ca"] = "Tất cả đơn vị"
    value = select("nhom", "Nhóm đơn vị", options, default="tat_ca", format_func=lambda g: names.get(g, g),
                   shared=True, container=container)
    return None if value == "tat_ca" else value


ROW_MODES = {"thap": f"{TOP_N} thấp nhất", "cao": f"{TOP_N} cao nhất", "tat_ca": "Tất cả"}


def rows_picker(n: int, container=None, name: str = "hien") -> str:
    """How many rows to show when there are many units; 'tat_ca' (all) when there are few."""
    if n <= TOP_N:
        return "tat_ca"
    return segmented(name, f"Hiển thị ({fmt.number(n)} đơn vị)", list(ROW_MODES), default="thap",
                     format_func=ROW_MODES.get, container=container)


def pick_rows(df: pd.DataFrame, mode: str, by: str = "completion", n: int = TOP_N) -> pd.DataFrame:
    """The n lowest (mode 'thap', lowest first) or highest ('cao', highest first) rows by ``by``, or all."""
    if mode == "thap":
        return df.sort_values(by, ascending=True, na_position="first", kind="stable").head(n)
    if mode == "cao":
        return df.sort_values(by, ascending=False, na_position="last", kind="stable").head(n)
    return df


# --- charts, tables, empty states -------------------------------------------------------------------------------

def layout(narrow_below: int = theme.NARROW_MAX_WIDTH) -> str:
    """The layout the visitor's screen needs: the width of their browser window (a cookie the page shell keeps up
    to date, read when the tab connects) under ``narrow_below`` px, else what their browser says it is (a mobile
    User-Agent). The giao ban deck asks with a larger width: a slide needs a landscape screen."""
    try:
        width = st.context.cookies.get(WIDTH_COOKIE) or ""
        agent = st.context.headers.get("User-Agent") or ""
    except Exception:  # noqa: BLE001 - no browser (tests): a computer screen
        return theme.WIDE
    if width.isdigit():
        return theme.NARROW if int(width) < narrow_below else theme.WIDE
    return theme.NARROW if "Mobi" in agent else theme.WIDE


def chart(fig, source: str | None = None, key: str | None = None, on_select=None, sample: bool | None = None):
    """A Plotly chart, its source line and its PNG button; `sample`: whether the PNG is marked as sample data (None:
    while sample data is loaded)."""
    kwargs = {}
    if on_select is not None:
        kwargs = {"on_select": on_select, "selection_mode": "points"}
    event = st.plotly_chart(fig, theme=None, config=PLOTLY_CONFIG, key=key, width="stretch", **kwargs)
    if source:
        st.caption(fmt.escape_md(source))  # sources are data (an uploaded table's "Nguồn" column): text only
    if key:
        png_button(fig, source, key, sample)
    return event


def png_button(fig, source: str | None, key: str, sample: bool | None = None) -> None:
    """'Tải ảnh PNG' under a chart: 1920×1080 with its title and source line, for Zalo groups and reports.
    The image is rendered (kaleido, offline) only when the button is clicked, so a page pays nothing for it."""
    from dashboard import images

    sample = cached.sample() if sample is None else sample
    title = fig.layout.title.text if fig.layout.title and fig.layout.title.text else None
    name = exports.file_name(re.sub(r"<[^>]+>", " ", title) if title else key, "png")

    def make() -> bytes:
        return images.figure_to_png(images.png_ready(fig, source=source, sample=sample))

    st.download_button("Tải ảnh PNG", data=make, file_name=name, mime="image/png", key=f"png_{key}",
                       icon=":material/image:", on_click="ignore",
                       help="Ảnh 1920×1080 kèm tiêu đề và nguồn, để gửi nhóm Zalo hoặc chèn vào báo cáo")


DOCX_MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def report_button(period: Period, unit: str | None = None, key: str = "report", container=None) -> None:
    """'Soạn báo cáo (Word)': the written report of the period, for the province or one unit, drafted from the data
    (dashboard.written_report) in the agency's template (dashboard.report_docx); built only when clicked."""
    from dashboard.report_docx import report_docx
    from dashboard.written_report import draft

    def make() -> bytes:
        return report_docx(draft(cached.con(), period.code, unit=unit, today=fmt.today()))

    name = exports.file_name(f"bao cao cchc {period.code} {unit or 'toan tinh'}", "docx")
    (container or st).download_button(
        "Soạn báo cáo (Word)", data=make, file_name=name, mime=DOCX_MIME, key=f"docx_{key}",
        icon=":material/description:", on_click="ignore",
        help=f"Báo cáo kết quả công tác thông tin, tuyên truyền CCHC {period.phrase}, thể thức Nghị định 30/2020/"
             "NĐ-CP: số liệu, bảng chỉ tiêu, nhiệm vụ, tồn tại; cán bộ bổ sung phần đánh giá (tô vàng) rồi trình ký.")


def table(df: pd.DataFrame, kinds: dict | None = None, name: str = "bang", title: str | None = None,
          source: str | None = None, key: str | None = None, label: str = "Bảng số liệu",
          expanded: bool = False) -> None:
    """The table under a chart (formatted the Vietnamese way) and its .xlsx / .csv downloads.

    Lazy: a closed table is neither formatted nor sent (opening it reruns the page, from the cache). At national
    scale a page's 4,000-row tables were most of what it sent to the browser (540–640 KB)."""
    key = key or name
    box = st.expander(f"{label} ({fmt.number(len(df))} dòng)", expanded=expanded, key=f"open_{key}",
                      on_change="rerun")
    if not box.open:
        return
    with box:
        # a Styler keeps numbers sortable but costs ~1 ms per 10 cells to build: big tables go as formatted text
        shown = fmt.styler(df, kinds) if df.size <= STYLER_MAX_CELLS else fmt.format_frame(df, kinds)
        st.dataframe(shown, hide_index=True, width="stretch", height="auto" if len(df) <= 12 else 420)
        c1, c2, _ = st.columns([1, 1, 3])
        c1.download_button("Tải Excel (.xlsx)", lambda: exports.to_xlsx(df, kinds, title=title, source=source),
                           file_name=exports.file_name(name, "xlsx"), key=f"dl_{key}_xlsx", icon="📥",
                           mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        c2.download_button("Tải .csv", lambda: exports.to_csv(df, kinds), file_name=exports.file_name(name, "csv"),
                           key=f"dl_{key}_csv", icon="📄", mime="text/csv")


def link(page: str, label: str, icon: str | None = None, query_params: dict | None = None) -> None:
    if (ROOT / page).exists():
        try:
            st.page_link(page, label=label, icon=icon, query_params=query_params)
            return
        except Exception:  # the page is not part of the running app (e.g. a page file run on its own)
            pass
    st.markdown(f"{icon + ' ' if icon else ''}{label}")


def uploader(label: str, types, key: str, multiple: bool = False, limit_mb: int | None = None,
             help: str | None = None):
    """The one file uploader of the product. ``limit_mb`` (at most the product's limit) is enforced by the browser
    before a byte is sent, and said in Vietnamese under the drop zone ("tối đa 20 MB mỗi tệp • XLSX, CSV")."""
    limit = min(limit_mb or upload_limit_mb(), upload_limit_mb())
    return st.file_uploader(label, type=list(types) if types else None, accept_multiple_files=multiple, max_upload_size=limit, key=key,
                            help=help or f"Tối đa {limit} MB mỗi tệp.")


def upload_hint() -> None:
    if (ROOT / UPLOAD_PAGE).exists():
        link(UPLOAD_PAGE, "Mở trang Tải lên (mục Dữ liệu)", icon="⬆️")
    else:
        st.markdown("Tải báo cáo lên ở mục **Dữ liệu → Tải lên**, hoặc dùng dòng lệnh "
                    "`python -m loaders` (xem README).")


def empty_state(message: str, hint: str | None = None, upload: bool = True) -> None:
    with st.container(border=True):
        st.markdown(f"**{message}**")
        if hint:
            st.markdown(hint)
        if upload:
            upload_hint()
