"""Problems found while reading a file: each names the place (sheet, row, column) and says, in
Vietnamese, what was found and what was expected.

An error blocks the whole file (nothing is written); a warning is reported and does not block.
A file that is not a spreadsheet at all raises `UnusableFileError`.
"""
from __future__ import annotations

from dataclasses import dataclass, field


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


@dataclass
class Problems:
    """Errors and warnings collected while reading one file."""

    errors: list[LoadError] = field(default_factory=list)
    warnings: list[LoadWarning] = field(default_factory=list)
    _seen: set = field(default_factory=set, repr=False)

    def error(self, sheet, row, column, message: str) -> LoadError:
        e = LoadError(sheet, row, column, message)
        self.add(e)
        return e

    def warn(self, sheet, row, column, message: str) -> LoadWarning:
        w = LoadWarning(sheet, row, column, message)
        self.add(w)
        return w

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
