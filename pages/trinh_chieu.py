"""Trình chiếu: the giao ban deck of a quarter, full screen on a projector, and its exports.

The URL holds the state, so a link opens the deck where it should: ``?ky=2025-Q3&slide=3`` (quarter, slide
number from 1), ``&slides=title,units,index:PAR`` (which slides, in that order), ``&menu=1`` (show the app's
sidebar and header; by default they are hidden for the projector). Keys: ← → (also PageUp/PageDown of a
presenter's clicker), Home/End. Downloads: the .pptx (native charts), the one-page PDF summary, the current
chart as PNG and its data as .xlsx. The slides come from dashboard.deck: the same model as the .pptx.
"""
from __future__ import annotations

import datetime as dt
import html

import streamlit as st

from dashboard import cached, deck as D, deck_data, exports, images, theme, ui

PPTX_MIME = "application/vnd.openxmlformats-officedocument.presentationml.presentation"


def _deck(code: str, keys: tuple | None, today: dt.date) -> D.Deck:
    """The deck, cached by the data version (the spinner shows only while it is built)."""
    with st.spinner("Đang lập bộ trình chiếu…"):
        return cached.q(D.build_deck, code, tuple(keys) if keys else None, today=today)


def _go(n: int) -> None:
    st.query_params["slide"] = str(n)


def _step(delta: int) -> None:
    """Relative to the slide in the URL when the key is pressed: a button left over from the previous run (keys
    pressed quickly, while the page is still redrawing) still moves one slide on. The upper end is clamped when
    the slide is drawn."""
    try:
        current = int(st.query_params.get("slide", "1"))
    except ValueError:
        current = 1
    st.query_params["slide"] = str(max(current + delta, 1))


def _set_quarter() -> None:
    st.query_params["ky"] = st.session_state["tc_ky"]
    st.query_params["slide"] = "1"


def _set_slides(default: list[str]) -> None:
    chosen = st.session_state["tc_slides"]
    if chosen and chosen != default:
        st.query_params["slides"] = ",".join(chosen)
    else:
        st.query_params.pop("slides", None)
    st.query_params["slide"] = "1"


def _reset_slides() -> None:
    st.query_params.pop("slides", None)
    st.query_params["slide"] = "1"
    st.session_state.pop("tc_slides", None)


def _toggle_menu() -> None:
    if st.query_params.get("menu") == "1":
        st.query_params.pop("menu", None)
    else:
        st.query_params["menu"] = "1"


PRESENTATION_CSS = """
<style>
[data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"], [data-testid="collapsedControl"],
header[data-testid="stHeader"], [data-testid="stToolbar"], [data-testid="stDecoration"] { display: none !important; }
[data-testid="stMainBlockContainer"], .block-container {
  padding: 0.9rem 2.2rem 0.4rem 2.2rem !important; max-width: 100% !important; }
</style>
"""

SLIDE_CSS = f"""
<style>
.tc-head {{ display: flex; align-items: flex-start; justify-content: space-between; gap: 1.5rem; }}
.tc-title {{ font-size: clamp(26px, 2.9vw, 54px); font-weight: 700; color: #1f2933; line-height: 1.15; margin: 0; }}
.tc-sub {{ font-size: clamp(15px, 1.35vw, 26px); color: #4a5361; margin: 0.2rem 0 0 0; }}
.tc-sample {{ background: {theme.STATUS_COLOR[theme.CHUA_DAT]}; color: #fff; font-weight: 700; white-space: nowrap;
  font-size: clamp(13px, 1.1vw, 20px); padding: 0.25em 0.8em; border-radius: 0.4em; letter-spacing: 0.03em; }}
.tc-fact {{ margin: 0 0 1.1rem 0; }}
.tc-fact-v {{ font-size: clamp(30px, 3.3vw, 64px); font-weight: 700; color: {theme.PRIMARY}; line-height: 1.05; }}
.tc-fact-c {{ font-size: clamp(16px, 1.2vw, 24px); color: #4a5361; }}
.tc-notes {{ font-size: clamp(15px, 1.15vw, 22px); color: #1f2933; line-height: 1.35; }}
.tc-empty {{ font-size: clamp(20px, 2vw, 36px); color: #4a5361; text-align: center; padding: 12vh 2rem;
  min-height: max(300px, calc(100vh - 16rem)); box-sizing: border-box; }}
.tc-foot {{ display: flex; justify-content: space-between; gap: 2rem; align-items: baseline;
  border-top: 1px solid #d0d4da; padding-top: 0.3rem; font-size: clamp(11px, 0.85vw, 16px); color: #4a5361; }}
.tc-num {{ font-weight: 700; font-size: clamp(14px, 1.1vw, 22px); white-space: nowrap; }}
.tc-cover {{ text-align: center; padding-top: 7vh; min-height: calc(100vh - 9rem); }}
.tc-cover-org {{ color: {theme.PRIMARY}; font-weight: 700; font-size: clamp(20px, 2vw, 38px); }}
.tc-cover-band {{ background: {theme.PRIMARY}; color: #fff; margin: 4vh -2.2rem; padding: 5vh 2rem; }}
.tc-cover-title {{ font-size: clamp(30px, 3.4vw, 66px); font-weight: 700; line-height: 1.15; }}
.tc-cover-q {{ font-size: clamp(26px, 2.8vw, 54px); font-weight: 700; margin-top: 2vh; }}
.tc-cover-date {{ font-size: clamp(16px, 1.5vw, 28px); color: #4a5361; }}
div.st-key-tc_chart, div.st-key-tc_chart .stElementContainer, div.st-key-tc_chart [data-testid="stFullScreenFrame"],
div.st-key-tc_chart .stPlotlyChart, div.st-key-tc_chart .js-plotly-plot {{
  height: max(300px, calc(100vh - 16rem)) !important; }}
.st-key-tc_hidden_keys {{ display: none !important; }}
@media (max-width: {theme.NARROW_MAX_WIDTH - 1}px) {{  /* a phone in portrait: the slide scrolls, nothing is cut */
  [data-testid="stMainBlockContainer"], .block-container {{ padding: 0.6rem 0.8rem 0.4rem 0.8rem !important; }}
  .tc-head {{ flex-direction: column-reverse; gap: 0.4rem; }}
  .tc-title {{ font-size: 24px; }}
  .tc-sub {{ font-size: 15px; }}
  .tc-fact {{ margin: 0 4% 0.5rem 0; display: inline-block; width: 46%; vertical-align: top; }}
  .tc-fact-v {{ font-size: 28px; }}
  .tc-fact-c, .tc-notes {{ font-size: 15px; }}
  .tc-cover {{ padding-top: 3vh; min-height: auto; }}
  .tc-cover-band {{ margin: 3vh -0.8rem; padding: 3vh 0.8rem; }}
  .tc-empty {{ min-height: auto; padding: 4vh 1rem; }}
  .tc-grid-box {{ min-height: auto; }}
  .tc-grid {{ font-size: 14px; }}
  .tc-foot {{ flex-direction: column; gap: 0.2rem; font-size: 12px; }}
}}
.tc-grid-box {{ min-height: max(300px, calc(100vh - 16rem)); overflow-x: auto; }}
.tc-grid {{ width: 100%; border-collapse: collapse; font-size: clamp(15px, 1.15vw, 22px); color: #1f2933; }}
.tc-grid th {{ background: {theme.PRIMARY}; color: #fff; text-align: left; padding: 0.45em 0.6em; }}
.tc-grid td {{ padding: 0.45em 0.6em; border-bottom: 1px solid #d0d4da; vertical-align: top; }}
.tc-grid tr:nth-child(even) td {{ background: #f3f5f8; }}
.tc-grid td:nth-child(n+3), .tc-grid th:nth-child(n+3) {{ text-align: center; white-space: nowrap; }}
</style>
"""


def _esc(text) -> str:
    return html.escape(str(text))


def _header(slide: D.Slide) -> None:
    sample = f'<div class="tc-sample">{D.SAMPLE_MARK}</div>' if slide.sample else ""
    sub = f'<div class="tc-sub">{_esc(slide.subtitle)}</div>' if slide.subtitle else ""
    st.markdown(f'<div class="tc-head"><div><div class="tc-title">{_esc(slide.title)}</div>{sub}</div>{sample}</div>',
                unsafe_allow_html=True)


def _cover(deck: D.Deck, slide: D.Slide) -> None:
    sample = f'<div class="tc-head"><span></span><div class="tc-sample">{D.SAMPLE_MARK}</div></div>' \
        if slide.sample else ""
    notes = "<br>".join(_esc(n) for n in slide.notes)
    st.markdown(f"""{sample}<div class="tc-cover">
<div class="tc-cover-org">{_esc(deck.organisation.upper())}</div>
<div class="tc-cover-band"><div class="tc-cover-title">{_esc(slide.title)}</div>
<div class="tc-cover-q">{_esc(slide.subtitle)}</div></div>
<div class="tc-cover-date">{notes}</div></div>""", unsafe_allow_html=True)


def _body(slide: D.Slide) -> None:
    side = bool(slide.facts or slide.notes)
    main, right = st.columns([3.1, 1], gap="large") if side else (st.container(), None)
    layout = ui.layout(narrow_below=theme.SLIDE_MIN_WIDTH)  # a slide in portrait: the phone's chart
    with main:
        fig = D.slide_figure(slide, projector=True, layout=layout)
        if fig is not None and layout == theme.NARROW:  # as tall as it needs: the page scrolls, nothing is squeezed
            st.plotly_chart(fig, theme=None, width="stretch", config=ui.PLOTLY_CONFIG, key=f"tc_fig_{slide.key}")
        elif fig is not None:
            fig.update_layout(height=None, autosize=True)
            with st.container(key="tc_chart"):
                st.plotly_chart(fig, theme=None, width="stretch", height="stretch",
                                config=ui.PLOTLY_CONFIG, key=f"tc_fig_{slide.key}")
        elif slide.grid is not None and len(slide.grid):
            head = "".join(f"<th>{_esc(c)}</th>" for c in slide.grid.columns)
            body = "".join("<tr>" + "".join(f"<td>{_esc(v)}</td>" for v in row) + "</tr>"
                           for row in slide.grid.astype(str).values.tolist())
            st.markdown(f'<div class="tc-grid-box"><table class="tc-grid"><thead><tr>{head}</tr></thead>'
                        f'<tbody>{body}</tbody></table></div>', unsafe_allow_html=True)
        elif slide.empty_message:
            st.markdown(f'<div class="tc-empty">{_esc(slide.empty_message)}</div>', unsafe_allow_html=True)
    if right is not None:
        with right:
            facts = "".join(f'<div class="tc-fact"><div class="tc-fact-v">{_esc(v)}</div>'
                            f'<div class="tc-fact-c">{_esc(c)}</div></div>' for v, c in slide.facts)
            notes = "<br>".join(_esc(n) for n in slide.notes)
            st.markdown(facts + (f'<div class="tc-notes">{notes}</div>' if notes else ""), unsafe_allow_html=True)


def _footer(slide: D.Slide, number: int, total: int) -> None:
    st.markdown(f'<div class="tc-foot"><span>{_esc(slide.source)}</span>'
                f'<span class="tc-num" data-testid="tc-slide-number">{number}/{total}</span></div>',
                unsafe_allow_html=True)


def _options(deck: D.Deck | None, quarters, code: str, available, keys: list[str] | None) -> None:
    codes = list(quarters["code"])
    labels = dict(zip(quarters["code"], quarters["label"]))
    if code not in codes:
        codes = [code] + codes
        labels[code] = D.to_quarter(code).label
    st.session_state["tc_ky"] = code
    st.selectbox("Quý", codes, key="tc_ky", format_func=lambda c: labels.get(c, c), on_change=_set_quarter)
    names = dict(available)
    default = [k for k, _ in available]
    current = [k for k in (keys or default) if k in names]
    st.session_state["tc_slides"] = current
    st.multiselect("Các trang, theo thứ tự trình chiếu (chọn lần lượt)", default, key="tc_slides",
                   format_func=lambda k: names.get(k, k), on_change=_set_slides, args=(default,))
    st.button("Đủ các trang, thứ tự mặc định", on_click=_reset_slides, icon=":material/restart_alt:")
    st.caption("Phím tắt: ← → (hoặc PageUp/PageDown của bút trình chiếu) chuyển trang; Home/End về đầu/cuối. "
               "F11: toàn màn hình. Liên kết trên thanh địa chỉ mở đúng quý và trang đang xem.")


def main() -> None:
    qp = st.query_params
    presenting = qp.get("menu") != "1"
    if presenting:
        st.markdown(PRESENTATION_CSS, unsafe_allow_html=True)
    st.markdown(SLIDE_CSS, unsafe_allow_html=True)
    try:
        cached.version()
    except Exception as exc:  # noqa: BLE001 - a locked or unreadable database: say so, never a traceback
        st.error(f"Không mở được cơ sở dữ liệu: {exc}. Hãy thử lại sau ít phút.")
        st.stop()
    quarters = cached.q(deck_data.report_quarters)
    if quarters.empty:
        st.title("Trình chiếu")
        st.info("Chưa có đơn vị nào báo cáo: chưa có gì để trình chiếu. Tải báo cáo quý ở mục Dữ liệu → Tải lên.")
        return
    code = qp.get("ky") or quarters["code"].iloc[0]
    try:
        code = D.to_quarter(code).code
    except D.DeckError:
        st.warning(f"Không đọc được kỳ “{code}” trong địa chỉ; hiển thị quý gần nhất có báo cáo.")
        code = quarters["code"].iloc[0]
    keys = D.parse_slide_keys(qp.get("slides"))
    today = dt.date.today()
    deck, problem = None, None
    try:
        available = cached.q(D.available_slides, code)
        try:
            deck = _deck(code, keys, today)
        except D.DeckError as exc:
            st.warning(f"{exc}. Hiển thị đủ các trang.")
            keys = None
            deck = _deck(code, None, today)
    except D.NoDataError as exc:
        available, problem = [], str(exc)
    if deck is None:
        st.title("Trình chiếu")
        st.warning(problem or "Không lập được bộ trình chiếu.")
        with st.container(border=True):
            _options(None, quarters, code, available, keys)
        return
    total = len(deck.slides)
    try:
        number = min(max(int(qp.get("slide", "1")), 1), total)
    except ValueError:
        number = 1
    slide = deck.slides[number - 1]

    with st.container(key="tc_slide"):
        if slide.kind == "title":
            _cover(deck, slide)
        else:
            _header(slide)
            _body(slide)
        _footer(slide, number, total)

    with st.container(horizontal=True, vertical_alignment="center", key="tc_nav"):
        st.button("Đầu", on_click=_go, args=(1,), disabled=number == 1, shortcut="Home",
                  icon=":material/first_page:", key="tc_first")
        st.button("Trước", on_click=_step, args=(-1,), disabled=number == 1, shortcut="Left",
                  icon=":material/chevron_left:", key="tc_prev")
        st.markdown(f"**{number} / {total}**")
        st.button("Sau", on_click=_step, args=(1,), disabled=number == total, shortcut="Right",
                  icon=":material/chevron_right:", icon_position="right", key="tc_next", type="primary")
        st.button("Cuối", on_click=_go, args=(total,), disabled=number == total, shortcut="End",
                  icon=":material/last_page:", icon_position="right", key="tc_last")
        with st.popover("Chọn trang", icon=":material/tune:"):
            _options(deck, quarters, code, available, keys)
        st.download_button(".pptx", data=lambda: _pptx(deck), file_name=f"{deck.file_stem}.pptx",
                           mime=PPTX_MIME, icon=":material/slideshow:", on_click="ignore", key="tc_pptx",
                           help="Tệp .pptx với biểu đồ PowerPoint gốc (sửa được số liệu), các trang như đang chọn")
        full = _deck(code, None, today)
        st.download_button("Tóm tắt", data=lambda: _summary(full), file_name=f"tom_tat_cchc_{code}.pdf",
                           mime="application/pdf", icon=":material/picture_as_pdf:", on_click="ignore",
                           key="tc_pdf", help="Một trang A4 tóm tắt kết quả của quý, để in hoặc gửi kèm")
        png = D.slide_png_figure(slide, deck)
        if png is not None:
            images.png_download_button(png, f"{deck.file_stem}_{number}_{slide.file_stem}", label="PNG",
                                       key="tc_png")
        if slide.table is not None and len(slide.table):
            images.xlsx_download_button(slide.table, exports.file_name(f"{deck.file_stem}_{slide.file_stem}",
                                                                       "xlsx"),
                                        label="Excel", key="tc_xlsx", title=f"{slide.title} – "
                                        f"{deck.quarter.label}", source=slide.source, kinds=slide.table_kinds)
        st.button("Menu" if presenting else "Trình chiếu", on_click=_toggle_menu, key="tc_menu",
                  icon=":material/menu:" if presenting else ":material/fullscreen:")
    # PageUp/PageDown: what a presenter's clicker sends; hidden twins of Trước/Sau
    with st.container(key="tc_hidden_keys"):
        st.button("Trước (PageUp)", on_click=_step, args=(-1,), shortcut="PageUp", key="tc_pgup")
        st.button("Sau (PageDown)", on_click=_step, args=(1,), shortcut="PageDown", key="tc_pgdn")
    if str(number) != qp.get("slide"):
        st.query_params["slide"] = str(number)
    if code != qp.get("ky"):
        st.query_params["ky"] = code


def _pptx(deck: D.Deck) -> bytes:
    from dashboard.pptx_export import deck_to_pptx

    return deck_to_pptx(deck)


def _summary(deck: D.Deck) -> bytes:
    from dashboard.summary_pdf import deck_summary_pdf

    return deck_summary_pdf(deck)


main()
