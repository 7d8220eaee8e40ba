"""PNG/PDF export of Plotly figures (kaleido + system chromium, offline) and .xlsx export of chart data."""
from __future__ import annotations

import io
import struct
from pathlib import Path

import plotly.graph_objects as go
import pytest

from dashboard import images

pytestmark = pytest.mark.xdist_group("kaleido")


def _png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", data[16:24])


def _fig() -> go.Figure:
    fig = go.Figure(go.Bar(x=["Sở Tư pháp", "Văn phòng UBND tỉnh"], y=[88.5, 102.0]))
    fig.update_layout(title="Tỷ lệ hoàn thành chỉ tiêu – Quý III/2025")
    return fig


@pytest.fixture(scope="module")
def kaleido_up():
    with images.renderer():
        yield


def test_png_default_size_is_full_hd(kaleido_up):
    data = images.figure_to_png(_fig())
    assert _png_size(data) == (1920, 1080)


def test_png_custom_size_rendered_by_the_running_browser(kaleido_up, monkeypatch):
    """A new figure (not a cache hit) is rendered once, by the browser already running: no browser start-up
    (~3 s) per figure, neither a second sync server nor kaleido's one-shot browser (kaleido==1.5.0)."""
    import kaleido

    images.figure_to_png(_fig(), width=800, height=450, scale=1)  # warm
    starts, renders = [], []
    real_calc = kaleido.calc_fig_sync

    def calc(*args, **kwargs):
        renders.append(kwargs.get("opts"))
        assert kaleido._global_server.is_running(), "rendered without the kept browser (a one-shot start-up)"
        return real_calc(*args, **kwargs)

    monkeypatch.setattr(kaleido, "start_sync_server", lambda *a, **k: starts.append(k))
    monkeypatch.setattr(kaleido, "calc_fig_sync", calc)
    fig = _fig()
    fig.update_layout(title="Khác")  # not a cache hit
    data = images.figure_to_png(fig, width=800, height=450, scale=1)
    assert _png_size(data) == (800, 450)
    assert renders == [{"format": "png", "width": 800, "height": 450, "scale": 1}]
    assert starts == []
    assert images.figure_to_png(fig, width=800, height=450, scale=1) is data and len(renders) == 1  # cached


def test_png_accepts_a_dict_and_caches(kaleido_up):
    spec = _fig().to_dict()
    assert images.figure_to_png(spec) is images.figure_to_png(spec)


def test_pdf_is_one_page_with_vietnamese_text(kaleido_up):
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(images.figure_to_pdf(_fig(), 800, 450)))
    assert len(reader.pages) == 1
    assert "Quý III/2025" in reader.pages[0].extract_text()


def test_render_makes_no_network_request(monkeypatch):
    """kaleido's default page would load MathJax from a CDN; ours must not name any http(s) script."""
    from kaleido import PageGenerator

    page = PageGenerator(mathjax=False).generate_index()
    assert "http://" not in page and "https://" not in page


def test_png_ready_adds_title_source_and_sample(kaleido_up):
    fig = images.png_ready(_fig(), title="Xếp hạng đơn vị", source="Nguồn: báo cáo quý", sample=True)
    texts = [a.text for a in fig.layout.annotations]
    assert "Xếp hạng đơn vị" in fig.layout.title.text
    assert any("Nguồn: báo cáo quý" in t for t in texts) and any("DỮ LIỆU MẪU" in t for t in texts)
    assert _png_size(images.figure_to_png(fig, width=640, height=360, scale=1)) == (640, 360)


def test_failure_is_a_clear_error(monkeypatch):
    import kaleido

    def boom(*a, **k):
        raise RuntimeError("browser died")

    monkeypatch.setattr(kaleido, "calc_fig_sync", boom)
    with pytest.raises(images.ImageExportError, match="không tạo được ảnh"):
        images.figure_to_png({"data": [], "layout": {"title": {"text": "x"}}}, width=10, height=10)


def test_every_chart_on_a_leadership_page_has_a_png_download(demo_db, monkeypatch):
    from streamlit.testing.v1 import AppTest

    monkeypatch.setenv("CCHC_DB", str(demo_db))
    page = Path(__file__).resolve().parent.parent / "pages" / "tong_quan.py"
    at = AppTest.from_file(str(page), default_timeout=60).run()
    charts = at.get("plotly_chart")
    buttons = [b for b in at.get("download_button") if b.proto.label == "Tải ảnh PNG"]
    assert charts and len(buttons) == len(charts)
