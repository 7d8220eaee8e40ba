"""Lines of text (a .txt file, a PDF text layer in layout mode, OCR output) -> paragraphs and table rows.

- Tables: tab-separated lines, '|' pipe tables, and column-aligned tables (PDF layout text, OCR) whose
  header names 'Nội dung' and 'Cơ quan chủ trì' / 'Phối hợp' / 'Thời gian'. Columns are found from the
  gutters (character columns blank on every line of the table); rows start where the STT column has a
  number. Each cell's wrapped lines are joined.
- Paragraphs: hard-wrapped lines are joined back. A new paragraph starts at an item marker ('II.', '1.',
  'a)', '-', '+'), after a line ending a sentence, at a line in capitals, or at a blank line — unless the
  file puts a blank line after every wrapped line (double-spaced PDF copies), in which case blanks are
  ignored.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from core.text import fold
from loaders.plans.textutil import clean, compact, is_upper_heading, marker, view


@dataclass
class Block:
    """One paragraph ('para') or one table row ('row', with its cells) in document order."""

    kind: str
    text: str
    cells: list[str] = field(default_factory=list)
    table: int | None = None
    lines: list[str] = field(default_factory=list)  # a paragraph's original lines (letterheads)
    read: str = ""  # the text as read, when OCR repair changed it (loaders.plans.vocab)


# Words that make up table headers ('STT', 'NỘI DUNG TUYÊN TRUYỀN', 'CƠ QUAN CHỦ TRÌ', 'THỜI GIAN THỰC HIỆN'...).
HEADER_WORDS = frozenset(
    "stt tt so thu tu noi dung tuyen truyen co quan chu tri phoi hop thoi gian han thuc hien don vi ghi chu san "
    "pham kinh phi du kien hoan thanh cong viec nhiem vu ket qua hinh tien do trach cac va hoat dong dia diem "
    "nguon ten chi tieu luong tinh dau moi lien ban hanh trien khai bo phan phu cu the".split()
)
CONTENT_KEYS = ("noidung", "congviec", "nhiemvu", "hoatdong")
OTHER_KEYS = ("chutri", "phoihop", "thoigian", "thoihan", "thuchien", "donvi", "coquan", "tiendo")


def is_header_text(text: str) -> bool:
    """Every word (allowing one OCR slip in four) is a table-header word."""
    toks = fold(text).split()
    if not toks:
        return False
    good = sum(t in HEADER_WORDS or len(t) <= 1 for t in toks)
    return good >= len(toks) - (len(toks) // 4)


def is_task_header(text: str) -> bool:
    c = compact(text)
    return any(k in c for k in CONTENT_KEYS) and any(k in c for k in OTHER_KEYS)


# --- column-aligned tables -----------------------------------------------------------------------
_SEGMENT = re.compile(r"\S+(?: \S+)*")


def segments(line: str) -> list[tuple[int, int, str]]:
    """Runs of text separated by two or more spaces: (start, end, text). A stray mark ('-', '|') joins the
    text before it: it is OCR or layout debris, not a column."""
    out: list[tuple[int, int, str]] = []
    for m in _SEGMENT.finditer(line):
        text = m.group(0)
        if out and len(text) <= 2 and not any(c.isalnum() for c in text):
            a, _, t = out[-1]
            out[-1] = (a, m.end(), f"{t} {text}")
        else:
            out.append((m.start(), m.end(), text))
    return out


def _runs(spans: list[tuple[int, int]]) -> list[list[int]]:
    """Merge overlapping spans into disjoint runs [start, end) ordered left to right."""
    out: list[list[int]] = []
    for a, b in sorted(spans):
        if out and a <= out[-1][1]:
            out[-1][1] = max(out[-1][1], b)
        else:
            out.append([a, b])
    return out


def _hits(runs, a: int, b: int) -> list[int]:
    return [i for i, (x, y) in enumerate(runs) if a < y and b > x]


def _fits(runs, segs) -> bool:
    return all(len(_hits(runs, a, b)) <= 1 for a, b, _ in segs)


_ROW_NUMBER = re.compile(r"^(?:\d{1,3}|[IVXivx]{1,4})[.)]?$")


PAGE_BREAK = "\f"


def _realign_continuation(lines: list[str], k: int, runs, recent, row_start) -> None:
    """A row carried over to a new page whose only table text is that row's rest: the PDF text layer puts the
    page's leftmost text at column 0, so those lines are moved back under the column the row was filling."""
    end = next((m for m in range(k + 1, len(lines)) if lines[m] == PAGE_BREAK), len(lines))
    page = [m for m in range(k + 1, end) if lines[m].strip()]
    if not page or not recent or any(row_start(lines[m]) for m in page):
        return  # the page has a row of its own in the STT column: its columns line up already
    cont = []
    for m in range(k + 1, end):
        if not lines[m].strip():
            break
        cont.append(m)
    if not cont:
        return
    counts = [sum(1 for a, b in recent if a < y and b > x) for x, y in runs]
    target = max(range(len(runs)), key=lambda c: counts[c])
    left = min(segments(lines[m])[0][0] for m in cont)
    shift = runs[target][0] - left
    if shift > 0:
        for m in cont:
            lines[m] = " " * shift + lines[m]


def parse_aligned_table(lines: list[str], i: int):
    """If lines[i] starts a column-aligned task table, return (header, rows, next index); else None."""
    j = i
    while j + 1 < len(lines) and j - i < 3 and lines[j + 1].strip() and is_header_text(lines[j + 1]):
        j += 1
    head_lines = lines[i:j + 1]
    if not is_task_header(" ".join(head_lines)):
        return None
    spans = [(a, b) for line in head_lines for a, b, _ in segments(line)]
    runs = _runs(spans)
    if len(runs) < 3:
        return None
    stt_end = next((b for a, b, t in segments(head_lines[0]) if compact(t) in ("stt", "tt", "sott")), None)

    def row_start(line: str) -> bool:
        segs = segments(line)
        return stt_end is not None and bool(segs) and segs[0][0] <= stt_end + 1 and bool(_ROW_NUMBER.match(segs[0][2]))

    body: list[tuple[int, str | None]] = []  # (line index, None for a blank line)
    recent: list[tuple[int, int]] = []  # segments of the current row, to place a continuation on a new page
    k, blanks = j + 1, 0
    while k < len(lines):
        line = lines[k]
        if line == PAGE_BREAK:
            _realign_continuation(lines, k, runs, recent, row_start)
            k += 1
            continue
        if not line.strip():
            blanks += 1
            if blanks >= 3:
                break
            body.append((k, None))
            k += 1
            continue
        blanks = 0
        segs = segments(line)
        if _fits(runs, segs):
            spans += [(a, b) for a, b, _ in segs]
            runs = _runs(spans)
            body.append((k, line))
            recent = [(a, b) for a, b, _ in segs] if row_start(line) else recent + [(a, b) for a, b, _ in segs]
            k += 1
            continue
        # A row spanning the table ('I. TUYÊN TRUYỀN TRÊN BÁO, ĐÀI') when the lines after it fit again.
        nxt = next((x for x in lines[k + 1:k + 3] if x.strip()), None)
        if nxt is not None and _fits(runs, segments(nxt)) and len(segs) <= 2 and (
                is_upper_heading(line) or marker(line.strip())[0] in ("roman", "letter")):
            body.append((k, "\x00" + line.strip()))
            k += 1
            continue
        break
    while body and body[-1][1] is None:
        body.pop()
        k -= 1
    if not body:
        return None
    cols = _runs(spans)

    def split(line: str) -> list[str]:
        cells = [[] for _ in cols]
        for a, b, text in segments(line):
            hit = _hits(cols, a, b)
            idx = hit[0] if hit else min(range(len(cols)), key=lambda c: abs(cols[c][0] - a))
            cells[idx].append(text)
        return [" ".join(c) for c in cells]

    header = [" ".join(parts) for parts in zip(*(split(h) for h in head_lines))]
    header = [clean(h) for h in header]
    stt = next((c for c, h in enumerate(header) if compact(h) in ("stt", "tt", "sott", "sothutu")), None)
    rows: list[list[str]] = []
    current: list[list[str]] | None = None
    prev_blank = True
    in_header = False
    for _, line in body:
        if line is None:
            prev_blank = True
            continue
        if line.startswith("\x00"):
            rows.append([clean(line[1:])])
            current = None
            prev_blank = False
            continue
        if is_header_text(line) and is_task_header(line) and len(segments(line)) >= 2:
            prev_blank, in_header = False, True
            continue  # the header repeated on a new page…
        if in_header and is_upper_heading(line) and is_header_text(line):
            continue  # …and its wrapped lines
        in_header = False
        cells = split(line)
        filled = [c for c in cells if c]
        if stt is not None:
            starts = bool(_ROW_NUMBER.match(cells[stt].strip())) or current is None
        else:
            starts = current is None or prev_blank or len(filled) >= max(2, (len(cols) + 1) // 2)
        if starts:
            current = [[] for _ in cols]
            rows.append(current)  # type: ignore[arg-type]
        for c, text in enumerate(cells):
            if text:
                current[c].append(text)  # type: ignore[index]
        prev_blank = False
    out = [r if isinstance(r[0], str) else [clean(" ".join(c)) for c in r] for r in rows]
    return header, out, k


# --- paragraphs ------------------------------------------------------------------------------------
_TERMINATOR = re.compile(r"(?:[.:;!?]|\./\.)[\"”’)*]*\s*$")
_PARA_START = re.compile(r"^(?:can cu|noi nhan|tren day|kinh gui|kt\.|tm\.|q\. |tl\.)", re.I)
# A line in capitals that starts a block of its own even after other capitals (the letterhead above it).
_DOC_TITLE = re.compile(r"^\s*(?:ke hoach|phu luc|quyet dinh|cong hoa|doc lap|bao cao|chuong trinh)\b")
_PAGE_NUMBER = re.compile(r"^\s*(?:-\s*)?\d{1,3}(?:\s*-)?\s*$|^\s*(?:trang|page)\s+\d{1,3}(?:\s*/\s*\d{1,3})?\s*$",
                          re.I)


def _ends_sentence(line: str) -> bool:
    return bool(_TERMINATOR.search(line))


def _wrapped_mode(lines: list[str | None]) -> bool:
    """True when a blank line follows nearly every wrapped line (a double-spaced copy): blanks then mean nothing."""
    before_blank = [lines[i] for i in range(len(lines) - 1) if lines[i] and lines[i + 1] is None]
    if len(before_blank) < 6:
        return False
    open_ended = [x for x in before_blank if not _ends_sentence(x) and not is_upper_heading(x)
                  and marker(x)[0] is None]
    return len(open_ended) > 0.4 * len(before_blank)


def reflow(lines: list[str | None]) -> list[tuple[str, list[str]]]:
    """Join wrapped lines into paragraphs; None in `lines` is a blank line. Returns (text, original lines)."""
    ignore_blanks = _wrapped_mode(lines)
    paras: list[list[str]] = []
    prev: str | None = None
    blank = True
    for line in lines:
        if line is None:
            blank = True
            continue
        line = line.strip()
        if not line:
            continue
        kind = marker(line)[0]
        # A line that starts in lower case continues the paragraph ('…của Ban;' / 'giúp Lãnh đạo Ban…').
        goes_on = prev is not None and kind is None and line[0].islower() and (
            not _ends_sentence(prev) or prev.rstrip()[-1:] in ";:,")
        new = not goes_on and (
            prev is None
            or (blank and not ignore_blanks)
            or kind is not None
            or _ends_sentence(prev)
            or _PARA_START.match(view(line) + " ") is not None
            or is_upper_heading(line) != is_upper_heading(prev)
            or (is_upper_heading(line) and _DOC_TITLE.match(view(line)) is not None)
        )
        if new:
            paras.append([line])
        else:
            paras[-1].append(line)
        prev, blank = line, False
    return [(clean(" ".join(p)), p) for p in paras]


def lines_to_blocks(raw_lines: list[str], first_table: int = 0) -> list[Block]:
    """Paragraph and table-row blocks from lines of text (tabs, pipes and aligned columns make tables)."""
    lines = [ln if ln == PAGE_BREAK else ln.replace("\u00a0", " ").rstrip("\r\n") for ln in raw_lines]
    blocks: list[Block] = []
    pending: list[str | None] = []
    table = first_table - 1

    def flush():
        if any(p is not None for p in pending):
            for text, orig in reflow(pending):
                blocks.append(Block("para", text, lines=orig))
        pending.clear()

    i, last_kind = 0, None
    while i < len(lines):
        line = lines[i]
        if line == PAGE_BREAK:
            i += 1
            continue
        if "\t" in line.strip() and len([c for c in line.split("\t") if c.strip()]) >= 2:
            flush()
            if last_kind != "tab":
                table += 1
            blocks.append(Block("row", " | ".join(clean(c) for c in line.split("\t")),
                                [clean(c) for c in line.split("\t")], table))
            last_kind = "tab"
            i += 1
            continue
        s = line.strip()
        if s.startswith("|") and s.count("|") >= 3:
            flush()
            if last_kind != "pipe":
                table += 1
            cells = [clean(c) for c in s.strip("|").split("|")]
            if not all(re.fullmatch(r":?-{2,}:?", c.replace(" ", "")) for c in cells if c):
                blocks.append(Block("row", " | ".join(cells), cells, table))
            last_kind = "pipe"
            i += 1
            continue
        if not s:
            pending.append(None)
            i += 1
            continue  # a blank line does not end a tab table: the next header row says if a new one starts
        if _PAGE_NUMBER.match(s):
            i += 1
            continue  # a page number left in a copied text
        if len(segments(line)) >= 2 and is_header_text(line):
            found = parse_aligned_table(lines, i)
            if found:
                flush()
                header, rows, i = found
                table += 1
                blocks.append(Block("row", " | ".join(header), header, table))
                for r in rows:
                    blocks.append(Block("row", " | ".join(r), r, table))
                last_kind = "aligned"
                continue
        last_kind = None
        pending.append(clean(s) if len(segments(line)) < 2 else re.sub(r"\s{2,}", "  ", s))
        i += 1
    flush()
    return blocks


def drop_page_furniture(page_lines: list[str]) -> list[str]:
    """Page numbers alone on a line near the top or bottom of a page."""
    idx = [k for k, ln in enumerate(page_lines) if ln.strip()]
    edge = set(idx[:2] + idx[-2:])
    return [ln for k, ln in enumerate(page_lines) if not (k in edge and _PAGE_NUMBER.match(ln))]
