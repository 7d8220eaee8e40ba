"""OCR through the command-line tools: `pdftoppm -r 300` renders a PDF page, `tesseract -l vie` reads it.

Tesseract's TSV output (one box per word) is turned back into lines of text in which every word
stands at its place on the page, so that tables keep their columns (see layout.py).
"""
from __future__ import annotations

import csv
import io
import os
import shutil
import statistics
import subprocess
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from loaders.plans.model import PlanError
from loaders.plans.textutil import clean

DPI = 300
LANG = "vie"
TIMEOUT = 300
_NOISE = set("|[]{}()_—–~¦‖")


def _env() -> dict:
    # One thread per tesseract: on 2 cores OpenMP threads make a page slower, not faster (10 s vs 2.5 s).
    return {**os.environ, "OMP_THREAD_LIMIT": "1"}


def check_tools(*names: str) -> None:
    for name in names:
        if shutil.which(name) is None:
            raise PlanError(f"không chạy được nhận dạng chữ (OCR): thiếu chương trình “{name}” trên máy chủ")


def render_pdf_page(pdf: Path, page: int, out_dir: Path, dpi: int = DPI) -> Path:
    """Page `page` (1-based) of `pdf` as a PNG in out_dir."""
    check_tools("pdftoppm")
    prefix = out_dir / f"page{page}"
    try:
        subprocess.run(["pdftoppm", "-r", str(dpi), "-f", str(page), "-l", str(page), "-png", str(pdf), str(prefix)],
                       check=True, capture_output=True, timeout=TIMEOUT)
    except (subprocess.CalledProcessError, subprocess.TimeoutExpired) as exc:
        raise PlanError(f"không chuyển được trang {page} của tệp PDF thành ảnh để nhận dạng chữ") from exc
    found = sorted(out_dir.glob(f"page{page}*.png"))
    if not found:
        raise PlanError(f"không chuyển được trang {page} của tệp PDF thành ảnh để nhận dạng chữ")
    return found[-1]


def ocr_tsv(image: Path, lang: str = LANG) -> str:
    check_tools("tesseract")
    try:
        done = subprocess.run(["tesseract", str(image), "stdout", "-l", lang, "tsv"], capture_output=True,
                              timeout=TIMEOUT, env=_env())
    except subprocess.TimeoutExpired as exc:
        raise PlanError("nhận dạng chữ (OCR) quá lâu: ảnh quá lớn hoặc quá nhiều trang") from exc
    if done.returncode != 0:
        err = done.stderr.decode("utf-8", "replace")
        if "Failed loading language" in err or "Error opening data file" in err:
            raise PlanError(f"máy chủ chưa cài dữ liệu tiếng Việt cho tesseract (gói tesseract-ocr-{lang})")
        raise PlanError("không đọc được ảnh để nhận dạng chữ (OCR)")
    return done.stdout.decode("utf-8", "replace")


def _word(text: str) -> str:
    return text.strip().strip("|[]{}¦‖").strip()


def tsv_to_lines(tsv: str) -> list[str]:
    """Words placed at their columns; a blank line where the page leaves a paragraph gap."""
    reader = csv.DictReader(io.StringIO(tsv), delimiter="\t", quoting=csv.QUOTE_NONE)
    groups: dict[tuple, list[dict]] = {}
    for r in reader:
        if r.get("level") != "5":
            continue
        text = _word(r.get("text") or "")
        if not text or set(text) <= _NOISE:
            continue
        w = {"text": text, "left": int(r["left"]), "top": int(r["top"]), "width": int(r["width"]),
             "height": int(r["height"])}
        groups.setdefault((r["page_num"], r["block_num"], r["par_num"], r["line_num"]), []).append(w)
    if not groups:
        return []
    words = [w for ws in groups.values() for w in ws]
    char_w = statistics.median(w["width"] / len(w["text"]) for w in words if len(w["text"]) >= 2) \
        if any(len(w["text"]) >= 2 for w in words) else 20
    unit = max(1.0, 0.85 * char_w)  # a little under a character: a line's text rarely overruns its place
    # Tesseract lines of different blocks (table columns) that share a height form one printed line.
    tlines = sorted(({"top": min(w["top"] for w in ws), "bottom": max(w["top"] + w["height"] for w in ws), "words": ws}
                     for ws in groups.values()), key=lambda x: x["top"])
    rows: list[dict] = []
    for tl in tlines:
        h = tl["bottom"] - tl["top"]
        for row in rows[-6:]:
            overlap = min(row["bottom"], tl["bottom"]) - max(row["top"], tl["top"])
            if overlap > 0.5 * min(h, row["bottom"] - row["top"]):
                row["words"] += tl["words"]
                row["top"], row["bottom"] = min(row["top"], tl["top"]), max(row["bottom"], tl["bottom"])
                break
        else:
            rows.append(dict(tl, words=list(tl["words"])))
    rows.sort(key=lambda r: r["top"])
    heights = [r["bottom"] - r["top"] for r in rows]
    gaps = [b["top"] - a["bottom"] for a, b in zip(rows, rows[1:])]
    h_med = statistics.median(heights)
    g_med = statistics.median(gaps) if gaps else 0
    lines: list[str] = []
    for k, row in enumerate(rows):
        if k and gaps[k - 1] > max(g_med, 0) + 0.5 * h_med:
            lines.append("")
        s, right = "", None
        for w in sorted(row["words"], key=lambda w: w["left"]):
            if right is not None and (w["left"] - right < 1.2 * char_w or len(w["text"]) <= 2 and
                                      not any(c.isalnum() for c in w["text"])):
                s += " "  # the next word of the same phrase (a lone '-' stays with it too)
            else:  # a new phrase (a table cell): at its place on the page, two spaces at least
                col = int(round(w["left"] / unit))
                s += " " * max(col - len(s), 2 if s else 0)
            s += clean(w["text"])
            right = w["left"] + w["width"]
        lines.append(s)
    return lines


def ocr_image_lines(image: Path, lang: str = LANG) -> list[str]:
    return tsv_to_lines(ocr_tsv(image, lang))


def ocr_image_bytes(data: bytes, suffix: str = ".png") -> list[str]:
    with tempfile.TemporaryDirectory(prefix="cchc-ocr-") as tmp:
        path = Path(tmp) / f"image{suffix}"
        path.write_bytes(data)
        return ocr_image_lines(path)


def ocr_pdf_pages(pdf_bytes: bytes, pages: list[int]) -> dict[int, list[str]]:
    """OCR the given 1-based pages of a PDF: {page: lines}. Pages run side by side, one tesseract per core."""
    out: dict[int, list[str]] = {}
    if not pages:
        return out
    with tempfile.TemporaryDirectory(prefix="cchc-ocr-") as tmp:
        pdf = Path(tmp) / "plan.pdf"
        pdf.write_bytes(pdf_bytes)

        def one(page: int) -> tuple[int, list[str]]:
            return page, ocr_image_lines(render_pdf_page(pdf, page, Path(tmp)))

        with ThreadPoolExecutor(max_workers=max(1, min(len(pages), os.cpu_count() or 1))) as pool:
            out.update(pool.map(one, pages))
    return out
