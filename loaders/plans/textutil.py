"""Text helpers for plan extraction, built on core.text (nfc, strip_diacritics, fold).

Regular expressions run on a *folded view* of a paragraph: lower case, no diacritics, punctuation
kept, same length as the original, so a match found in the folded view is sliced out of the original
text with its diacritics. OCR noise in numbers ("O4 số", "1OO%") is repaired in that view too.
"""
from __future__ import annotations

import functools
import re

from core.text import fold, nfc, strip_diacritics


_COMBINING = re.compile("[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]")


def clean(text: object) -> str:
    """NFC with collapsed white space and without stray combining marks (OCR residue)."""
    s = nfc(text)
    return s if s.isascii() else _COMBINING.sub("", s)


@functools.lru_cache(maxsize=4096)
def _fold_char(ch: str, lower: bool) -> str:
    if ch.isspace():
        return " "
    f = strip_diacritics(ch)
    if lower:
        f = f.lower()
    return f[:1] if f else " "


_VIEW_TABLES: dict[bool, dict[int, str]] = {True: {}, False: {}}


def view(text: str, lower: bool = True) -> str:
    """`text` without diacritics (and in lower case), character for character: same length, same offsets."""
    table = _VIEW_TABLES[lower]
    for ch in set(text):
        if ord(ch) not in table:
            table[ord(ch)] = _fold_char(ch, lower)
    return text.translate(table)


# A token made of digits and letters OCR confuses with them ("O4", "1OO", "l00%"): at least one digit.
_OCR_NUMBER = re.compile(r"(?<![a-z0-9])(?=[0-9oO]*[0-9])[0-9oO]+(?=[\s,.%/)]|$)")
_OCR_PERCENT = re.compile(r"(?<![a-z0-9])(?=[0-9oOlI]*[0-9])[0-9oOlI]{2,4}(?=\s?%)")


def repair_numbers(folded: str) -> str:
    """'o4 so/thang' -> '04 so/thang', 'l00%' -> '100%' (same length)."""
    s = _OCR_NUMBER.sub(lambda m: m.group(0).replace("o", "0").replace("O", "0"), folded)
    return _OCR_PERCENT.sub(
        lambda m: m.group(0).replace("o", "0").replace("O", "0").replace("l", "1").replace("I", "1"), s)


def fview(text: str) -> str:
    """The folded view used for matching: view() plus repaired OCR numbers."""
    return repair_numbers(view(text))


def compact(text: str) -> str:
    """fold() without spaces: 'NỘIDUNG', 'NỘI DUNG' and 'Nội  dung' all give 'noidung' (OCR breaks spacing)."""
    return fold(text).replace(" ", "")


# Item markers at the start of a paragraph: "Điều 2.", "II.", "1.", "1.2.", "a)", "(3)", "-", "+", "•".
DIEU_HEAD = re.compile(r"^\s*dieu\s+(\d{1,3})\s*[.:]\s*")  # on the folded view: OCR's 'Điếu 3.' too
ROMAN_HEAD = re.compile(r"^\s*([IVXL]{1,5})\s*[.)/:-]\s*(?=\S)")
# OCR reads a Roman numeral with ones and small Ls ('1I.', 'lV.'): trusted only before a heading in capitals.
OCR_ROMAN_HEAD = re.compile(r"^\s*([IVXLl1]{1,4})\s*[.)/:-]\s*(?=\S)")
NUMBER_HEAD = re.compile(r"^\s*(\d{1,2}(?:\.\d{1,2}){0,3})\s*[.)]\s*(?=[^\d\s])")
LETTER_HEAD = re.compile(r"^\s*([a-zđ])\s*\)\s*(?=\S)")
PAREN_HEAD = re.compile(r"^\s*\(\s*(\d{1,2})\s*\)\s*(?=\S)")
BULLET_HEAD = re.compile(r"^\s*[-–—+•*·▪►○●]\s*(?=\S)")


def marker(text: str) -> tuple[str | None, int, str]:
    """(kind, level, rest): kind 'dieu'|'roman'|'number'|'letter'|'paren'|'bullet'|None; level 1 (roman) ..
    5 (bullet)."""
    for kind, rx, level in (("dieu", DIEU_HEAD, 1), ("roman", ROMAN_HEAD, 1), ("number", NUMBER_HEAD, 2),
                            ("letter", LETTER_HEAD, 4), ("paren", PAREN_HEAD, 4), ("bullet", BULLET_HEAD, 5)):
        m = rx.match(view(text) if rx is DIEU_HEAD else text)
        if m:
            rest = text[m.end():].strip()
            if kind == "number" and m.group(1) and m.group(1).count("."):
                level = 2 + m.group(1).count(".")
            return kind, level, rest
    m = OCR_ROMAN_HEAD.match(text)
    if m and not m.group(1).isdigit() and is_upper_heading(text[m.end():]):
        return "roman", 1, text[m.end():].strip()
    return None, 0, text.strip()


def marker_label(text: str) -> str:
    """The numeral or letter of an item's marker ('III', '2', '1.2', 'b', 'Điều 2', '-'), '' for none."""
    for rx in (DIEU_HEAD, ROMAN_HEAD, NUMBER_HEAD, LETTER_HEAD, PAREN_HEAD):
        m = rx.match(view(text) if rx is DIEU_HEAD else text)
        if m:
            return ("Điều " if rx is DIEU_HEAD else "") + m.group(1)
    m = BULLET_HEAD.match(text)
    return m.group(0).strip() if m else ""


def strip_marker(text: str) -> str:
    return marker(text)[2]


def is_upper_heading(text: str) -> bool:
    """A line in capitals ('II. NỘI DUNG, HÌNH THỨC TUYÊN TRUYỀN', 'KẾ HOẠCH')."""
    letters = [c for c in text if c.isalpha()]
    return len(letters) >= 3 and sum(c.isupper() for c in letters) >= 0.85 * len(letters)


# Clause boundaries: ';', './.', and '.', '!' or '?' followed by a space and a capital, a marker or the end.
_CLAUSE_END = re.compile(r";|\./\.|[.!?](?=\s|$)")
_OPENERS = "-–—+•(“\"*"


def clauses(text: str) -> list[tuple[int, int]]:
    """Spans (start, end) of the clauses of a paragraph, split at ';' and at sentence ends."""
    spans, start = [], 0
    for m in _CLAUSE_END.finditer(text):
        if m.group(0) in ".!?":
            rest = text[m.end():].lstrip()
            if rest and not (rest[0].isupper() or rest[0] in _OPENERS):
                continue
        if m.start() > start:
            spans.append((start, m.start()))
        start = m.end()
    if start < len(text):
        spans.append((start, len(text)))
    return [(a, b) for a, b in spans if text[a:b].strip()]


def tidy(text: str) -> str:
    """Trim spaces and stray punctuation at both ends; keep the text as written otherwise."""
    return clean(text).strip(" ,;:-–—|").strip()


def capitalise_first(text: str) -> str:
    return text[:1].upper() + text[1:] if text else text
