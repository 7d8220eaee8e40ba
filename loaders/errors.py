"""Problems found while reading a file: each names the place (sheet, row, column) and says, in
Vietnamese, what was found and what was expected.

An error blocks the whole file (nothing is written); a warning is reported and does not block.
A file that is not a spreadsheet at all raises `UnusableFileError`.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

LISTED_PLACES = 5  # the first cells named in a message that stands for many


class LoadError(Exception):
    """One problem at one place. `row` is the Excel row number (1-based), `column` Excel letters."""

    def __init__(self, sheet: str | None, row: int | None, column: str | None, message: str):
        self.sheet = sheet
        self.row = row
        self.column = column
        self.message = message
        super().__init__(self.text())

    def place(self) -> str:
        """'Trang tính “Báo cáo”, dòng 7, cột D' — empty when the problem concerns the whole file."""
        parts = []
        if self.sheet:
            parts.append(f"Trang tính “{self.sheet}”")
        if self.row is not None:
            parts.append(f"dòng {self.row}")
        if self.column:
            parts.append(f"cột {self.column}")
        return ", ".join(parts)

    def text(self) -> str:
        place = self.place()
        return f"{place}: {self.message}" if place else self.message

    def as_dict(self) -> dict:
        return {"sheet": self.sheet, "row": self.row, "column": self.column, "message": self.message}

    def __eq__(self, other):
        return isinstance(other, LoadError) and self.as_dict() == other.as_dict()

    def __hash__(self):
        return hash(tuple(self.as_dict().values()))

    def __repr__(self):
        return f"{type(self).__name__}({self.sheet!r}, {self.row!r}, {self.column!r}, {self.message!r})"


class LoadWarning(LoadError):
    """A problem that does not block loading (a skipped total row, an empty value...)."""


class ConfirmWarning(LoadWarning):
    """A value past its indicator's plausible bound: loading the file asks the user to confirm it is right."""


class UnusableFileError(LoadError):
    """The file cannot be read as a spreadsheet at all (random bytes, a Word file, too big...)."""

    def __init__(self, message: str):
        super().__init__(None, None, None, message)


def _cell(problem: LoadError, detail: str | None = None) -> str:
    """'D9' (or 'dòng 9', 'cột D') — with the cell's text when given: 'D9 “Bắc Cạnn”'."""
    place = f"{problem.column or ''}{problem.row or ''}" if problem.column and problem.row else (
        f"dòng {problem.row}" if problem.row else f"cột {problem.column}" if problem.column else "")
    return f"{place} “{detail}”" if detail else place


@dataclass
class _Group:
    """Problems of one cause on one sheet: the first one stands for all, the others are counted."""

    first: LoadError
    message: str
    others: list[str] = field(default_factory=list)

    def add(self, place: str) -> None:
        self.others.append(place)
        shown = ", ".join(p for p in self.others[:LISTED_PLACES] if p)
        more = "…" if len(self.others) > LISTED_PLACES else ""
        same = "cùng lưu ý" if isinstance(self.first, LoadWarning) else "cùng lỗi"
        self.first.message = f"{self.message} ({same} ở {len(self.others)} chỗ khác: {shown}{more})"


@dataclass
class Problems:
    """Errors and warnings collected while reading one file. Problems given a `cause` are grouped: one message
    per cause and sheet, with the count and the first cells, instead of one line per cell."""

    errors: list[LoadError] = field(default_factory=list)
    warnings: list[LoadWarning] = field(default_factory=list)
    _seen: set = field(default_factory=set, repr=False)
    _groups: dict = field(default_factory=dict, repr=False)

    def error(self, sheet, row, column, message: str, cause: str | None = None,
              detail: str | None = None) -> LoadError:
        return self._record(LoadError(sheet, row, column, message), cause, detail)

    def warn(self, sheet, row, column, message: str, cause: str | None = None,
             detail: str | None = None) -> LoadWarning:
        return self._record(LoadWarning(sheet, row, column, message), cause, detail)

    def _record(self, problem: LoadError, cause: str | None, detail: str | None) -> LoadError:
        if cause is None:
            self.add(problem)
            return problem
        key = (isinstance(problem, LoadWarning), problem.sheet, cause)
        group = self._groups.get(key)
        if group is None:
            self._groups[key] = _Group(problem, problem.message)
            self.add(problem)
            return problem
        group.add(_cell(problem, detail))
        return group.first

    def add(self, problem: LoadError) -> None:
        """Record a problem once (the same message at the same place is not repeated)."""
        key = (isinstance(problem, LoadWarning), problem.sheet, problem.row, problem.column, problem.message)
        if key in self._seen:
            return
        self._seen.add(key)
        (self.warnings if isinstance(problem, LoadWarning) else self.errors).append(problem)

    def extend(self, other: "Problems") -> None:
        for p in [*other.errors, *other.warnings]:
            self.add(p)

    @property
    def ok(self) -> bool:
        return not self.errors

    def __bool__(self) -> bool:  # "if problems:" reads as "if there is anything to report"
        return bool(self.errors or self.warnings)

    def __len__(self) -> int:
        return len(self.errors) + len(self.warnings)


_QUOTED = re.compile(r"“[^”]*”|\"[^\"]*\"")
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
_SUGGESTIONS = re.compile(r"(gần nhất|khớp với nhiều [^:]*): [^—]*")


def cause_of(message: str) -> str:
    """A message with its particulars (quoted texts, numbers, suggestions) taken out: what went wrong."""
    return _NUMBER.sub("#", _QUOTED.sub("“”", _SUGGESTIONS.sub(r"\1: …", message)))


def collapse_repeats(problems: list[LoadError], least: int = 4) -> list[LoadError]:
    """Problems repeated on a sheet with the same cause (`least` times or more) become one: the first, with the
    count and the first cells of the others. A thousand lines are not a message."""
    groups: dict[tuple, list[LoadError]] = {}
    for p in problems:
        groups.setdefault((type(p), p.sheet, cause_of(p.message)), []).append(p)
    out = []
    for p in problems:
        same = groups[(type(p), p.sheet, cause_of(p.message))]
        if len(same) < least:
            out.append(p)
        elif p is same[0]:
            group = _Group(type(p)(p.sheet, p.row, p.column, p.message), p.message)
            for other in same[1:]:
                group.add(_cell(other, (_QUOTED.findall(other.message) or [""])[0].strip("“”\"") or None))
            out.append(group.first)
    return out
