"""Vietnamese text rules: Unicode normalisation, folding for matching, number parsing.

One place for each rule: every loader, matcher and page goes through these functions.
"""
from __future__ import annotations

import math
import re
import unicodedata
from functools import lru_cache

_NON_WORD = re.compile(r"[^0-9a-z]+")


def nfc(text: object) -> str:
    """Text as NFC with collapsed white space (Word and Excel mix NFC and NFD forms)."""
    if text is None:
        return ""
    if isinstance(text, float) and math.isnan(text):
        return ""
    s = unicodedata.normalize("NFC", str(text)).replace("\u00a0", " ")
    return " ".join(s.split())


def _mark_class() -> re.Pattern:
    """Every nonspacing mark (category Mn) of the Basic Multilingual Plane as one character class: one regex
    substitution instead of a Python loop over characters (a roll-up folds 20,000 names)."""
    marks, start, prev = [], None, None
    for i in range(0x10000):
        if unicodedata.category(chr(i)) == "Mn":
            if start is None:
                start = i
            prev = i
        elif start is not None:
            marks.append(f"{re.escape(chr(start))}-{re.escape(chr(prev))}" if prev > start else re.escape(chr(start)))
            start = None
    return re.compile(f"[{''.join(marks)}]")


_MARKS = _mark_class()


def strip_diacritics(text: object) -> str:
    """'Sở Tư pháp Đắk Lắk' -> 'So Tu phap Dak Lak'. Unicode does not decompose đ/Đ, so they go first."""
    s = nfc(text).replace("đ", "d").replace("Đ", "D")
    s = unicodedata.normalize("NFD", s)
    if s.isascii():
        return s
    if max(s) > "\uffff":  # beyond the plane the class covers: the exact, slower way
        return unicodedata.normalize("NFC", "".join(ch for ch in s if unicodedata.category(ch) != "Mn"))
    return unicodedata.normalize("NFC", _MARKS.sub("", s))


@lru_cache(maxsize=65536)
def _fold_str(text: str) -> str:
    return " ".join(_NON_WORD.sub(" ", strip_diacritics(text).lower()).split())


def fold(text: object) -> str:
    """Key for matching: lower case, no diacritics, punctuation turned into single spaces (cached: reports
    repeat the same names and headers)."""
    return _fold_str(text) if isinstance(text, str) else _fold_str(nfc(text))


def slug(text: object) -> str:
    """Identifier made from a name: 'Sở Tư pháp' -> 'so_tu_phap'."""
    return fold(text).replace(" ", "_")


class NumberError(ValueError):
    """A cell that should hold a number holds something else."""


_NUMBER_RE = re.compile(r"^[+-]?[0-9][0-9.,\s]*$")
_EMPTY_MARKS = {"", "-", "--", "x", "—", "–", "…", "..."}


def parse_number(value: object) -> float | None:
    """Parse a number as Vietnamese reports write it.

    "1.250" -> 1250, "88,5" -> 88.5, "1.250,5" -> 1250.5, "12" -> 12, "95%" -> 95,
    "" / "-" / None -> None (an empty cell). Raises NumberError for anything else.
    Numeric cells (int/float) pass through unchanged: Excel already decided.
    """
    if value is None:
        return None
    if isinstance(value, bool):
        raise NumberError(f"giá trị logic {value!r}")
    if isinstance(value, (int, float)):
        if isinstance(value, float) and math.isnan(value):
            return None
        return float(value)
    s = nfc(value).strip()
    if s.lower() in _EMPTY_MARKS:
        return None
    if s.endswith("%"):
        s = s[:-1].strip()
    s = s.replace(" ", "")
    if not _NUMBER_RE.match(s):
        raise NumberError(s)
    dots, commas = s.count("."), s.count(",")
    if dots and commas:
        # The later separator is the decimal one: "1.250,5" (Vietnamese) or "1,250.5" (English).
        if s.rfind(",") > s.rfind("."):
            s = s.replace(".", "").replace(",", ".")
        else:
            s = s.replace(",", "")
    elif commas:
        # One comma is the Vietnamese decimal mark ("88,5"); several group thousands ("1,250,000").
        s = s.replace(",", "") if commas > 1 else s.replace(",", ".")
    elif dots:
        parts = s.split(".")
        if dots > 1 or (len(parts[-1]) == 3 and parts[0].lstrip("+-") not in ("", "0")):
            s = s.replace(".", "")  # "1.250" and "1.250.000": dots group thousands
    try:
        return float(s)
    except ValueError as exc:  # pragma: no cover - the regex above rules this out
        raise NumberError(s) from exc


# --- text written to spreadsheets: names, plan content and the audit trail come from users ---------------------
def text_cell(cell, value):
    """Put a value in an openpyxl cell; a string is always a string (openpyxl makes "=..." a formula)."""
    cell.value = value
    if isinstance(value, str) and value.startswith("="):
        cell.data_type = "s"
    return cell


CSV_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_safe(value):
    """A CSV field that no spreadsheet reads as a formula: text starting with = + - @ tab or CR gets a "'"."""
    if isinstance(value, str) and value.startswith(CSV_FORMULA_START):
        return "'" + value
    return value
