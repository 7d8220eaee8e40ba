"""The .pptx renders in another office suite: LibreOffice (headless) turns it into a PDF with one page per slide,
the Vietnamese titles, chart labels, slide numbers and the sample mark; pdftoppm makes PNGs that are not blank.

One conversion per session (~5–15 s). Runs in CI (scripts/test.sh installs libreoffice-impress and
poppler-utils); skipped on a machine without them unless CI=true.
"""
from __future__ import annotations

import datetime as dt
import os
import subprocess

import duckdb
import pytest

from conftest import require_tool
from dashboard import deck as D
from dashboard import fmt
from dashboard.pptx_export import deck_to_pptx

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("libreoffice")]


def convert_to_pdf(pptx, outdir, home):
    """HOME=<tmp> libreoffice --headless --convert-to pdf, with a private profile (no clash with other runs)."""
    office = require_tool("libreoffice", "soffice")
    profile = home / "profile"
    r = subprocess.run(
        [office, f"-env:UserInstallation=file://{profile}", "--headless", "--norestore", "--convert-to", "pdf",
         "--outdir", str(outdir), str(pptx)],
        env={**os.environ, "HOME": str(home)}, capture_output=True, text=True, timeout=240)
    pdf = outdir / (pptx.stem + ".pdf")
    assert r.returncode == 0 and pdf.exists(), f"LibreOffice failed: {r.stdout}\n{r.stderr}"
    return pdf


@pytest.fixture(scope="session")
def rendered(demo_db_file, tmp_path_factory):
    work = tmp_path_factory.mktemp("render")
    with duckdb.connect(str(demo_db_file), read_only=True) as con:
        deck = D.build_deck(con, "2025-Q3", today=dt.date(2025, 10, 7))
    pptx = work / "giao_ban.pptx"
    pptx.write_bytes(deck_to_pptx(deck))
    pdf = convert_to_pdf(pptx, work, work / "home")
    return deck, pdf, work


def test_one_page_per_slide_with_the_texts(rendered):
    from pypdf import PdfReader

    deck, pdf, _ = rendered
    reader = PdfReader(str(pdf))
    assert len(reader.pages) == len(deck.slides)
    n = len(deck.slides)
    for i, (spec, page) in enumerate(zip(deck.slides, reader.pages), start=1):
        text = " ".join(page.extract_text().split())
        assert " ".join(spec.title.split()) in text, (spec.key, text[:300])
        assert f"{i}/{n}" in text
        assert "DỮ LIỆU MẪU" in text
    units = deck.keys().index("units")
    text = reader.pages[units].extract_text()
    first = deck.slides[units].chart
    assert first.categories[0] in text  # a unit name, with its diacritics
    assert fmt.percent(first.series[0].values[0]) in text  # a bar label: "88,5%"


def test_pages_are_not_blank(rendered):
    from PIL import Image

    require_tool("pdftoppm")
    deck, pdf, work = rendered
    subprocess.run(["pdftoppm", "-png", "-r", "40", str(pdf), str(work / "slide")], check=True, timeout=120)
    pngs = sorted(work.glob("slide-*.png"))
    assert len(pngs) == len(deck.slides)
    for png, spec in zip(pngs, deck.slides):
        img = Image.open(png).convert("L")
        assert abs(img.width / img.height - 16 / 9) < 0.02
        dark = sum(img.histogram()[:200]) / (img.width * img.height)
        assert dark > (0.03 if spec.chart else 0.01), f"{spec.key} looks blank ({dark:.3f})"
