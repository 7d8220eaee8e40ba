"""Static images of the dashboard's Plotly figures, made offline, and the download buttons that give them.

- `figure_to_png(fig, width=1280, height=720, scale=1.5) -> bytes`: a PNG (1920×1080 by default) for Zalo
  groups and written reports. `figure_to_pdf(...)`, `figure_to_image(fig, fmt, ...)`: the same for PDF/SVG.
- `png_download_button(fig, file_name, ...)`: a Streamlit download button that makes the PNG only when clicked.
- `xlsx_download_button(df, file_name, ...)`: the data behind a chart as .xlsx (through dashboard.exports).
- `chart_downloads(fig, df, base_name, title=, source=, kinds=)`: both buttons side by side, under a chart.
- `png_ready(fig, title=None, source=None, sample=False)`: a copy of a figure with its title, source line and
  sample label, for an image that stands alone.
- `renderer()`: a context manager that keeps one browser open around a batch (the command line, tests).

Rendering goes through kaleido 1.x and the system chromium: no network. MathJax is switched off (kaleido would
fetch it from a CDN) and plotly.js comes from the installed plotly package. One browser process is started on first
use and kept for the life of the process (~0.2 s per figure after a ~3 s start); calls from several threads
(Streamlit sessions, download callbacks) are serialised by a lock because kaleido's sync server is a singleton
that answers one caller at a time.
"""
from __future__ import annotations

import hashlib
import json
import threading
from collections import OrderedDict
from contextlib import contextmanager

import pandas as pd

PNG_WIDTH, PNG_HEIGHT, PNG_SCALE = 1280, 720, 1.5
RENDER_TIMEOUT_S = 60
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

_lock = threading.RLock()
_server_started = False
_cache: OrderedDict[str, bytes] = OrderedDict()
_CACHE_SIZE = 32


class ImageExportError(RuntimeError):
    """A figure could not be turned into an image (no chromium, a render that timed out)."""


def _start_server() -> None:
    global _server_started
    if _server_started:
        return
    import kaleido

    kaleido.start_sync_server(mathjax=False, timeout=RENDER_TIMEOUT_S, silence_warnings=True)
    _server_started = True
    import logging

    # choreographer logs a traceback for a garbled message while chromium shuts down: noise, not an error
    logging.getLogger("choreographer").setLevel(logging.CRITICAL)


def close() -> None:
    """Stop the browser kept for rendering (it is also stopped when the process exits)."""
    global _server_started
    with _lock:
        if _server_started:
            import kaleido

            kaleido.stop_sync_server(silence_warnings=True)
            _server_started = False


@contextmanager
def renderer():
    """Keep one browser for a batch of figures; stop it afterwards unless it was already running."""
    with _lock:
        was_running = _server_started
        _start_server()
    try:
        yield
    finally:
        if not was_running:
            close()


def _fig_dict(fig) -> dict:
    return fig if isinstance(fig, dict) else fig.to_dict()


def figure_to_image(fig, fmt: str = "png", width: int = PNG_WIDTH, height: int = PNG_HEIGHT,
                    scale: float = 1) -> bytes:
    """Render a Plotly figure (Figure or dict) to png/svg/pdf/jpeg bytes, offline."""
    spec = _fig_dict(fig)
    key = hashlib.sha256(
        json.dumps([spec, fmt, width, height, scale], sort_keys=True, default=str).encode()
    ).hexdigest()
    with _lock:
        if key in _cache:
            _cache.move_to_end(key)
            return _cache[key]
        import kaleido

        opts = {"format": fmt, "width": int(width), "height": int(height), "scale": scale}
        try:
            _start_server()
            data = kaleido.calc_fig_sync(spec, opts=opts)
        except Exception as exc:  # noqa: BLE001 - one clear error for every way a browser can fail
            close()  # a broken browser is not reused; the next call starts a new one
            raise ImageExportError(f"không tạo được ảnh biểu đồ ({type(exc).__name__}: {exc})") from exc
        _cache[key] = data
        while len(_cache) > _CACHE_SIZE:
            _cache.popitem(last=False)
        return data


def figure_to_png(fig, width: int = PNG_WIDTH, height: int = PNG_HEIGHT, scale: float = PNG_SCALE) -> bytes:
    """A PNG of the figure: 1280×720 layout at 1.5× = 1920×1080 pixels by default."""
    return figure_to_image(fig, "png", width, height, scale)


def figure_to_pdf(fig, width: int, height: int) -> bytes:
    """A one-page vector PDF of the figure (page size = width×height CSS pixels)."""
    return figure_to_image(fig, "pdf", width, height, 1)


def _safe_name(file_name: str, ext: str) -> str:
    name = file_name.strip() or "bieu_do"
    return name if name.lower().endswith(ext) else f"{name}{ext}"


def png_download_button(fig, file_name: str, *, label: str = "Tải ảnh PNG", key: str | None = None,
                        width: int = PNG_WIDTH, height: int = PNG_HEIGHT, scale: float = PNG_SCALE,
                        help: str | None = "Ảnh 1920×1080 để gửi nhóm Zalo hoặc chèn vào báo cáo"):
    """A download button for the figure as PNG; the image is made only when the button is clicked.

    Call it right under `st.plotly_chart(fig)`. `file_name` without extension is fine ("hoan_thanh_2025-Q3").
    """
    import streamlit as st

    spec = _fig_dict(fig)  # a snapshot: later changes to `fig` on this run do not leak into the download

    def make() -> bytes:
        return figure_to_png(spec, width, height, scale)

    return st.download_button(label, data=make, file_name=_safe_name(file_name, ".png"), mime="image/png",
                              key=key, help=help, icon=":material/image:", on_click="ignore")


def xlsx_download_button(df: pd.DataFrame, file_name: str, *, label: str = "Tải dữ liệu Excel",
                         key: str | None = None, title: str | None = None, source: str | None = None,
                         kinds: dict | None = None):
    """A download button for the chart's data as .xlsx (dashboard.exports.to_xlsx, made when clicked)."""
    import streamlit as st

    from dashboard import exports

    frame = df.copy()

    def make() -> bytes:
        return exports.to_xlsx(frame, kinds=kinds, title=title, source=source)

    return st.download_button(label, data=make, file_name=_safe_name(file_name, ".xlsx"), mime=XLSX_MIME,
                              key=key, icon=":material/table:", on_click="ignore")


def chart_downloads(fig, df: pd.DataFrame | None, base_name: str, *, key: str | None = None,
                    title: str | None = None, source: str | None = None, kinds: dict | None = None) -> None:
    """PNG and .xlsx buttons side by side under a chart. `key` makes them unique when a name repeats.

    The PNG carries the chart's title and source line (``title``/``source``) so it stands alone in a Zalo group.
    """
    import streamlit as st

    key = key or base_name
    if title or source:
        fig = png_ready(fig, title=title, source=source)
    with st.container(horizontal=True):
        png_download_button(fig, base_name, key=f"png_{key}")
        if df is not None:
            xlsx_download_button(df, base_name, key=f"xlsx_{key}", title=title, source=source, kinds=kinds)


def png_ready(fig, title: str | None = None, source: str | None = None, sample: bool = False):
    """A copy of the figure for a stand-alone image: its title on top, its source line at the bottom (below the
    axis labels), and the sample label while sample data is shown."""
    import html

    import plotly.graph_objects as go

    from dashboard import theme

    out = go.Figure(fig)
    margin = out.layout.margin
    top, bottom = (margin.t if margin.t is not None else 40), (margin.b if margin.b is not None else 10)
    if title:
        top = max(top, 80) + 50
        out.update_layout(title=dict(text=f"<b>{html.escape(title, quote=False)}</b>", x=0.01, xanchor="left", xref="container", y=0.985,
                                     yanchor="top", yref="container", font=dict(size=22)))
    if source:
        lines = _wrap_source(source)
        bottom = max(bottom, 10) + 90 + 16 * lines.count("<br>")
        out.add_annotation(x=0, y=0, xref="paper", yref="paper", xanchor="left", yanchor="top",
                           yshift=-(bottom - 14 - 16 * (lines.count("<br>") + 1)), text=lines, showarrow=False,
                           align="left", font=dict(size=13, color="#4a5361"))
    if sample:
        out.add_annotation(x=1, y=1, xref="paper", yref="paper", xanchor="right", yanchor="bottom", yshift=30,
                           text="<b>DỮ LIỆU MẪU</b>", showarrow=False, font=dict(size=14, color="white"),
                           bgcolor=theme.STATUS_COLOR[theme.CHUA_DAT], borderpad=5)
    out.update_layout(margin=dict(t=top, b=bottom))
    return out


def _wrap_source(text: str, width: int = 170) -> str:
    import textwrap

    import html

    lines = textwrap.wrap(text, width=width, break_long_words=True) or [text]
    return "<br>".join(html.escape(line, quote=False) for line in lines)  # sources are data: text, not markup
