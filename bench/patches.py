"""The loader fixes proposed in bench/RESULTS.md, applied in memory for the "proposed" benchmark variant only.

They change no result (tests/test_fast_match.py and tests/test_bench_smoke.py compare the batches), only the
cost. Each names the one place in the loaders' code that would change:

1. loaders/registry.py: build the matchers with `loaders.fast_match.IndexedMatcher.build` instead of
   `Matcher.build` (exact names answered from a dict; 4,000 unit names: ~50 s -> 0.1 s).
2. loaders/workbook.py `Grid.ncols`: computed once per grid instead of a max() over every row at each call
   (`Grid.row` calls it for every row: quadratic, 11 s for a 4,000-row sheet).
3. loaders/errors.py `Problems.error/warn/add`: deduplicate with a set beside the list (each new warning
   was compared with every earlier one: quadratic in the number of warnings).
4. loaders/registry.py `Registry.indicator` / `Registry.unit`: a dict by code instead of a linear scan
   (called once per value).
"""
from __future__ import annotations

_applied = False


def apply() -> list[str]:
    global _applied
    if _applied:
        return NAMES
    import loaders.registry as registry
    import loaders.workbook as workbook
    from loaders import errors
    from loaders.fast_match import IndexedMatcher

    registry.Matcher = IndexedMatcher

    def ncols(self) -> int:
        cached = self.__dict__.get("_ncols")
        if cached is None or cached[0] != len(self.cells):
            cached = (len(self.cells), max((len(r) for r in self.cells), default=0))
            self.__dict__["_ncols"] = cached
        return cached[1]

    workbook.Grid.ncols = property(ncols)

    def _seen(self, attr: str) -> set:
        key = "_seen_" + attr
        items = getattr(self, attr)
        seen = self.__dict__.get(key)
        if seen is None or seen[0] != len(items):  # someone appended directly: rebuild
            seen = (len(items), set(items))
        self.__dict__[key] = seen
        return seen[1]

    def _add(self, attr: str, problem):
        seen = _seen(self, attr)
        if problem not in seen:
            seen.add(problem)
            getattr(self, attr).append(problem)
            self.__dict__["_seen_" + attr] = (len(getattr(self, attr)), seen)
        return problem

    def error(self, sheet, row, column, message: str):
        return _add(self, "errors", errors.LoadError(sheet, row, column, message))

    def warn(self, sheet, row, column, message: str):
        return _add(self, "warnings", errors.LoadWarning(sheet, row, column, message))

    def add(self, problem) -> None:
        _add(self, "warnings" if isinstance(problem, errors.LoadWarning) else "errors", problem)

    errors.Problems.error = error
    errors.Problems.warn = warn
    errors.Problems.add = add

    def indicator(self, code: str) -> dict:
        by = self._matchers.get("_indicator_by_code")
        if by is None:
            by = self._matchers["_indicator_by_code"] = {m["code"]: m for m in self.indicators}
        return by[code]

    def unit(self, code: str) -> dict:
        by = self._matchers.get("_unit_by_code")
        if by is None:
            by = self._matchers["_unit_by_code"] = {u["code"]: u for u in self.units}
        return by[code]

    registry.Registry.indicator = indicator
    registry.Registry.unit = unit
    _applied = True
    return NAMES


NAMES = ["IndexedMatcher for the registries", "Grid.ncols computed once", "Problems deduplicated with a set",
         "Registry.indicator/unit by dict"]
