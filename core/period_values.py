"""How the values of one unit's indicator in one year combine across periods: the rule both sides use.

Reports give values for spans of months: a month, a quarter, six or nine months, the year, and cumulative
columns ("Lũy kế từ đầu năm": months 1..m). For a count, the value of months a..b is P(b) - P(a-1), where P(m) is
the total from January to the end of month m and P(0) = 0. Every reported span is one such difference, so what is
known is a graph over the month ends 0..12, and a span is known exactly when its two ends are connected:
    Q1 = 10 and H1 = 25 give Q2 = H1 - Q1 = 15;  months 7, 8, 9 give Q3;  9 months alone give neither Q1 nor Q3.
Nothing else is ever filled in: a span whose ends are not connected has no value (the view shows the cumulative
figure as such). Two ways to the same span that disagree (months that do not add up to the quarter sent) and a
total that would shrink (a cumulative figure below what was already reported) are contradictions, named with
every reported value involved.

Rates do not add up. Where every piece carries a weight (the number of files a share is taken of), the weighted
sums add up like counts, and a span's rate is its weighted sum over its weight; otherwise a span's rate is the one
reported for it, else the latest reported piece ending with it (the quarter's last month; the year's last quarter).

    values = PeriodValues(2025, "count", [Known(1, 3, 10, source="lô 4"), Known(1, 6, 25, source="lô 9")])
    values.value(4, 6)          -> SpanValue(4, 6, 15.0, "derived", ("lô 9", "lô 4"))
    values.to_date(1, 9)        -> the span 1..m with the latest m <= 9 that is known (here 1..6)
    values.conflicts            -> [] (or Conflict objects with a Vietnamese `message`)
"""
from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field

from core.numbers import auto
from core.periods import Period

TOLERANCE = 1e-6
# The spans kept for the views: from the start of each quarter (quarters, halves, nine months, the year, and every
# "to date" span of a period starting there) and every single month.
STARTS = (1, 4, 7, 10)


@dataclass(frozen=True)
class Known:
    """A reported value of months first..last; `source` says who reported it (a batch, a cell), for messages."""

    first: int
    last: int
    value: float
    weight: float | None = None
    source: object = None


@dataclass(frozen=True)
class SpanValue:
    first: int
    last: int
    value: float
    basis: str  # 'reported' (a report gave this very span) | 'derived' (sums, differences, the latest piece)
    sources: tuple = ()


@dataclass(frozen=True)
class Conflict:
    """Reported values that cannot all be true. `known`: the value that does not fit what came before it (None
    when a total shrinks: every value on the path is involved); `involved`: every reported value concerned."""

    reason: str  # 'mismatch' | 'negative'
    first: int
    last: int
    known: Known | None
    involved: tuple[Known, ...]
    message: str


@dataclass
class _Edge:
    a: int  # month end a (0..12) ...
    b: int  # ... to month end b: P(b) - P(a) = value
    value: float
    known: Known


class _Graph:
    """Month ends 0..12 joined by reported differences; a path between two ends gives their difference."""

    def __init__(self):
        self.edges: list[_Edge] = []
        self.adj: dict[int, list[tuple[int, float, _Edge, int]]] = {i: [] for i in range(13)}

    def add(self, edge: _Edge) -> None:
        self.edges.append(edge)
        self.adj[edge.a].append((edge.b, edge.value, edge, 1))
        self.adj[edge.b].append((edge.a, -edge.value, edge, -1))

    def path(self, start: int, end: int) -> tuple[float, list[tuple[_Edge, int]]] | None:
        """P(end) - P(start) and the edges (with their sign) that give it; None when not connected."""
        if start == end:
            return 0.0, []
        prev: dict[int, tuple[int, float, _Edge, int]] = {start: (start, 0.0, None, 0)}
        todo = deque([start])
        while todo:
            node = todo.popleft()
            for nxt, delta, edge, sign in self.adj[node]:
                if nxt not in prev:
                    prev[nxt] = (node, delta, edge, sign)
                    if nxt == end:
                        todo.clear()
                        break
                    todo.append(nxt)
        if end not in prev:
            return None
        total, steps, node = 0.0, [], end
        while node != start:
            back, delta, edge, sign = prev[node]
            total += delta
            steps.append((edge, sign))
            node = back
        return total, steps[::-1]


class PeriodValues:
    """The values of one indicator of one unit in one year, from the spans reported (`known`, oldest first: a
    later value that contradicts earlier ones is the one named as not fitting)."""

    def __init__(self, year: int, kind: str, known: list[Known]):
        self.year = int(year)
        self.kind = kind
        self.known = list(known)
        self.reported = {(k.first, k.last): k for k in self.known}
        self.conflicts: list[Conflict] = []
        self._rejected: set[int] = set()  # ids of the values that did not fit (left out of every sum)
        self._counts = self._numerators = self._weights = None
        if kind == "count":
            self._counts = self._build([(k, k.value) for k in self.known], "")
        else:
            weighted = [k for k in self.known if k.weight is not None and k.weight > 0]
            if weighted:
                self._weights = self._build([(k, k.weight) for k in weighted], "số hồ sơ (trọng số) ")
                self._numerators = self._build([(k, k.value * k.weight) for k in weighted], None)

    # --- building ---------------------------------------------------------------------------------------------
    def _build(self, items: list[tuple[Known, float]], what: str | None) -> _Graph:
        """The graph of these values; contradictions are recorded (under `what`; None: not recorded, for the
        weighted sums of rates, whose contradictions show in the weights or the rates themselves)."""
        graph = _Graph()
        for k, v in items:
            found = graph.path(k.first - 1, k.last)
            if found is None:
                graph.add(_Edge(k.first - 1, k.last, v, k))
            elif abs(found[0] - v) > TOLERANCE * max(1.0, abs(v)) and what is not None:
                self.conflicts.append(self._mismatch(k, v, found, what))
                self._rejected.add(id(k))
        if what is not None:
            self._negatives(graph, what)
        return graph

    def _components(self, graph: _Graph) -> list[list[int]]:
        seen, out = set(), []
        for node in range(13):
            if node in seen or not graph.adj[node]:
                continue
            comp, todo = [], [node]
            seen.add(node)
            while todo:
                n = todo.pop()
                comp.append(n)
                for nxt, _, _, _ in graph.adj[n]:
                    if nxt not in seen:
                        seen.add(nxt)
                        todo.append(nxt)
            out.append(sorted(comp))
        return out

    def _negatives(self, graph: _Graph, what: str) -> None:
        """A total never shrinks: between two connected month ends the later total is at least the earlier."""
        for comp in self._components(graph):
            for a, b in zip(comp, comp[1:]):
                total, steps = graph.path(a, b)
                if total < -TOLERANCE:
                    involved = tuple(e.known for e, _ in steps)
                    span = self.label(a + 1, b)
                    self.conflicts.append(Conflict(
                        "negative", a + 1, b, None, involved,
                        f"{what}{self._expression(steps)} = {signed(total)}: {span} sẽ là số âm — số lũy kế nhỏ hơn số "
                        f"đã báo cáo trước ({self._sources(involved)})"))

    def _mismatch(self, k: Known, v: float, found, what: str) -> Conflict:
        total, steps = found
        involved = tuple(e.known for e, _ in steps)
        return Conflict(
            "mismatch", k.first, k.last, k, involved + (k,),
            f"{what}{self.label(k.first, k.last)} = {auto(v)} ({self._source(k)}) nhưng {self._expression(steps)} = "
            f"{signed(total)} ({self._sources(involved)}) — các kỳ không khớp nhau")

    # --- words --------------------------------------------------------------------------------------------------
    def label(self, first: int, last: int) -> str:
        return Period(self.year, first, last).label

    def _expression(self, steps: list[tuple[_Edge, int]]) -> str:
        """'6 tháng đầu năm 2025 − Quý I/2025 = 8 − 10': the reported spans added, then those taken away."""
        ordered = sorted(steps, key=lambda s: -s[1])
        names, values = [], []
        for i, (edge, sign) in enumerate(ordered):
            op = (" + " if sign > 0 else " − ") if i else ("" if sign > 0 else "−")
            names.append(f"{op}{self.label(edge.known.first, edge.known.last)}")
            values.append(f"{op}{auto(edge.value)}")
        if len(steps) == 1 and steps[0][1] > 0:
            return "".join(names)
        return f"{''.join(names)} = {''.join(values)}"

    @staticmethod
    def _source(k: Known) -> str:
        return str(k.source) if k.source is not None else "không rõ nguồn"

    def _sources(self, knowns) -> str:
        return "; ".join(dict.fromkeys(self._source(k) for k in knowns))

    # --- reading ------------------------------------------------------------------------------------------------
    def value(self, first: int, last: int) -> SpanValue | None:
        """The value of months first..last, when what was reported determines it; None otherwise."""
        if self.kind == "count":
            return self._count_value(first, last)
        return self._rate_value(first, last)

    def _count_value(self, first: int, last: int) -> SpanValue | None:
        found = self._counts.path(first - 1, last)
        if found is None:
            return None
        total, steps = found
        direct = self.reported.get((first, last))
        if direct is not None and id(direct) not in self._rejected:  # reported, even where other spans agree
            return SpanValue(first, last, direct.value, "reported", (direct.source,))
        return SpanValue(first, last, total, "derived", tuple(e.known.source for e, _ in steps))

    def _rate_value(self, first: int, last: int) -> SpanValue | None:
        direct = self.reported.get((first, last))
        if direct is not None:
            return SpanValue(first, last, direct.value, "reported", (direct.source,))
        if self._weights is not None:
            w = self._weights.path(first - 1, last)
            n = self._numerators.path(first - 1, last)
            if w is not None and n is not None and w[0] > TOLERANCE:
                return SpanValue(first, last, n[0] / w[0], "derived", tuple(e.known.source for e, _ in w[1]))
        pieces = [k for k in self.known if k.last == last and first <= k.first]
        if pieces:
            latest = max(pieces, key=lambda k: k.first)  # the finest piece ending with the span: its latest month
            return SpanValue(first, last, latest.value, "derived", (latest.source,))
        return None

    def to_date(self, first: int, upto: int) -> SpanValue | None:
        """The span first..m with the latest m <= upto whose value is known (the period so far), else None."""
        for m in range(upto, first - 1, -1):
            v = self.value(first, m)
            if v is not None:
                return v
        return None

    def spans(self) -> list[SpanValue]:
        """Every value the views keep: each span from a quarter's start, each month, each span reported."""
        wanted = {(a, b) for a in STARTS for b in range(a, 13)} | {(m, m) for m in range(1, 13)}
        wanted |= set(self.reported)
        out = [self.value(a, b) for a, b in sorted(wanted)]
        return [v for v in out if v is not None]


def signed(x: float) -> str:
    """A value as a sentence writes it, with a true minus sign: '−2', '1.250'."""
    return f"−{auto(-x)}" if x < 0 else auto(x)


def quarter_values(values: PeriodValues) -> dict[int, SpanValue]:
    """The four quarters' values where known: {quarter: SpanValue}."""
    out = {}
    for q in range(1, 5):
        v = values.value(3 * q - 2, 3 * q)
        if v is not None:
            out[q] = v
    return out


@dataclass
class Group:
    """The reported values of one (unit, year, indicator), for loaders and the store to fill."""

    unit_code: str
    year: int
    metric_code: str
    kind: str
    known: list[Known] = field(default_factory=list)

    def values(self) -> PeriodValues:
        return PeriodValues(self.year, self.kind, self.known)
