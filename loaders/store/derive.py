"""activity_derived: what reports of any period determine, kept per batch; and the check that a batch's values
agree with the periods already stored.

Values of one quarter are kept in activity_value (v_activity's grain); every other reported span of months in
activity_span (months, six or nine months, the year, cumulative "lũy kế" columns). For each unit, year and
indicator with at least one such span (a "span group"), core.period_values works out every span the reports
determine: the quarters (a six-month report after the Q1 report gives Q2 = H1 − Q1), the months, the year so far.
They are stored in activity_derived; its quarters that no report gave directly (`quarter_row`) join the quarters of
cur_activity, so v_activity, the maintained tables and every page see them. A unit and indicator reported by
quarters only never enters this module: the national roll-ups pay nothing for it.

    refresh(con, years=None, units=None) -> set[int]   re-derive the span groups of these years and units (all
                                           when None); the years whose derived quarters may have moved
    check(con, batch) -> list[PeriodConflict]   the batch's values against the stored ones (and each other)
    check_batch_groups(con, batch_id)      after a rollback inside its transaction: the contradictions it brings back

The current value of a span is its newest active batch's, as for quarters. Call sites: loaders.store.materialize
(refresh, before refreshing the quarters), loaders.store.batches (check before writing, check_batch_groups on
rollback), loaders.load (check, to name the cells of a file).
"""
from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from core.period_values import Conflict, Known, PeriodValues

TABLE = "activity_derived"
COLUMNS = ["unit_code", "year", "month_from", "month_to", "metric_code", "value", "basis", "batch_id", "quarter_row"]


@dataclass(frozen=True)
class StoredValue:
    """A value already stored: named by its batch."""

    batch_id: int
    file_name: str | None

    def __str__(self) -> str:
        return f"lô số {self.batch_id}" + (f", tệp “{self.file_name}”" if self.file_name else "")


@dataclass(frozen=True)
class NewValue:
    """A value of the batch being written: named by its cell when it has one."""

    row: object  # an ActivityRow or SpanRow

    def __str__(self) -> str:
        r = self.row
        place = ", ".join(p for p in (f"trang “{r.sheet}”" if r.sheet else "", f"dòng {r.row}" if r.row else "",
                                      f"cột {r.col}" if r.col else "") if p)
        return f"tệp này ({place})" if place else "lô mới"


@dataclass(frozen=True)
class PeriodConflict:
    """A contradiction of one unit and indicator; `rows`: the batch's rows involved (where to point in a file)."""

    unit_code: str
    year: int
    metric_code: str
    conflict: Conflict
    rows: tuple = ()

    @property
    def message(self) -> str:
        return self.conflict.message


def _kinds(con) -> dict[str, str]:
    return dict(con.execute("SELECT code, kind FROM metric").fetchall())


def _stored(con, groups_sql: str) -> dict[tuple, list[tuple]]:
    """{(unit, year, metric): [(month_from, month_to, value, weight, batch_id, is_quarter, file_name), …]}, oldest
    batch first, one value per span (the newest batch's), for the (unit_code, year, metric_code) of `groups_sql`:
    the group's spans and its quarters."""
    rows = con.execute(f"""
        WITH g AS ({groups_sql}),
        v AS (SELECT c.unit_code, c.year, c.metric_code, c.month_from, c.month_to, c.value, c.weight, c.batch_id,
                     false AS is_quarter
              FROM cur_span c SEMI JOIN g USING (unit_code, year, metric_code)
              UNION ALL
              SELECT a.unit_code, a.year, a.metric_code, 3 * a.quarter - 2, 3 * a.quarter, a.actual, NULL,
                     a.batch_id, true
              FROM cur_quarter_value a SEMI JOIN g USING (unit_code, year, metric_code))
        SELECT v.*, b.file_name FROM v JOIN batch b ON b.id = v.batch_id
        QUALIFY row_number() OVER (PARTITION BY v.unit_code, v.year, v.metric_code, v.month_from, v.month_to
                                   ORDER BY v.batch_id DESC) = 1
        ORDER BY v.batch_id""").fetchall()
    out: dict[tuple, list[tuple]] = {}
    for unit, year, metric, a, b, value, weight, batch_id, is_quarter, file_name in rows:
        out.setdefault((unit, int(year), metric), []).append((int(a), int(b), float(value), weight, int(batch_id),
                                                              bool(is_quarter), file_name))
    return out


def _quoted(text: str) -> str:
    return "'" + str(text).replace("'", "''") + "'"


def _span_groups(where: str) -> str:
    return f"SELECT DISTINCT unit_code, year, metric_code FROM cur_span WHERE {where}"


def _known(stored: list[tuple]) -> list[Known]:
    return [Known(a, b, v, w, StoredValue(bid, fn)) for a, b, v, w, bid, _, fn in stored]


def _derived_rows(key: tuple, stored: list[tuple], kind: str) -> list[tuple]:
    """activity_derived's rows of one span group: every span kept for the views, quarters flagged where no report
    gave the quarter itself."""
    unit, year, metric = key
    direct_quarters = {(a, b) for a, b, _, _, _, is_quarter, _ in stored if is_quarter}
    values = PeriodValues(year, kind, _known(stored))
    out = []
    for v in values.spans():
        batches = [s.batch_id for s in v.sources if isinstance(s, StoredValue)]
        is_quarter = v.last - v.first == 2 and v.first % 3 == 1
        out.append((unit, year, v.first, v.last, metric, v.value, v.basis, max(batches) if batches else None,
                    is_quarter and (v.first, v.last) not in direct_quarters))
    return out


def refresh(con, years: set[int] | None = None, units: frozenset[str] | None = None) -> set[int]:
    """Rebuild activity_derived for the span groups of these years (all when None) and units (as reported; all
    when None). No transaction of its own. Returns the years that had or have derived rows: their quarters in
    v_activity may have changed."""
    where = "true" if years is None else (f"year IN ({', '.join(str(int(y)) for y in sorted(years))})"
                                          if years else "false")
    if units is not None:
        where = f"({where}) AND unit_code IN ({', '.join(_quoted(u) for u in sorted(units)) or 'NULL'})"
    before = {int(r[0]) for r in con.execute(f"SELECT DISTINCT year FROM {TABLE} WHERE {where}").fetchall()}
    con.execute(f"DELETE FROM {TABLE} WHERE {where}")
    kinds = _kinds(con)
    rows = [r for key, stored in _stored(con, _span_groups(where)).items()
            for r in _derived_rows(key, stored, kinds.get(key[2], "count"))]
    if rows:
        df = pd.DataFrame(rows, columns=COLUMNS)  # noqa: F841 - read by DuckDB's replacement scan
        con.register("_derived_rows", df)
        try:
            con.execute(f"INSERT INTO {TABLE} BY NAME SELECT * FROM _derived_rows")
        finally:
            con.unregister("_derived_rows")
    return before | {int(r[1]) for r in rows}


# --- checks ---------------------------------------------------------------------------------------------------

def place(row) -> tuple:
    """Where a row stands in its file, to read its values in the clerk's order (top to bottom, left to right)."""
    col = row.col or ""
    return row.sheet or "", row.row or 0, len(col), col


def _batch_values(batch) -> dict[tuple, list[tuple]]:
    """The batch's rows by (unit, year, metric), in the file's order: (month_from, month_to, value, weight, row)."""
    out: dict[tuple, list[tuple]] = {}
    items = [(3 * r.quarter - 2, 3 * r.quarter, float(r.value), None, r) for r in batch.activities]
    items += [(r.month_from, r.month_to, float(r.value), r.weight, r) for r in batch.spans]
    for item in sorted(items, key=lambda it: place(it[4])):
        r = item[4]
        out.setdefault((r.unit_code, int(r.year), r.metric_code), []).append(item)
    return out


def _stored_for(con, keys: list[tuple], spans_only: bool) -> dict[tuple, list[tuple]]:
    """The stored values of these (unit, year, metric) keys that are span groups (of every key, when the batch
    itself brings spans: its own spans make each key a span group)."""
    df = pd.DataFrame(keys, columns=["unit_code", "year", "metric_code"])  # noqa: F841
    con.register("_check_keys", df)
    try:
        return _stored(con, "SELECT DISTINCT c.unit_code, c.year, c.metric_code FROM cur_span c "
                            "SEMI JOIN _check_keys USING (unit_code, year, metric_code)"
                       if spans_only else "SELECT * FROM _check_keys")
    finally:
        con.unregister("_check_keys")


def check(con, batch, kind_of=None) -> list[PeriodConflict]:
    """The contradictions the batch's values would make with the stored values of other periods (and among
    themselves). A value the batch gives for a span replaces the stored one for that span, as in the views.
    `con` None: the batch's own values only; `kind_of(metric)`: 'count' | 'rate' when there is no database."""
    if con is None:  # a file read without a database: its own values only
        if not batch.spans:
            return []
        kinds, stored = {}, {}
    elif not batch.spans and not con.execute("SELECT count(*) FROM (SELECT 1 FROM activity_span LIMIT 1)").fetchone()[0]:
        return []  # quarters only, and no span stored anywhere: the national roll-ups' case, decided in one probe
    new = _batch_values(batch)
    if not new:
        return []
    if con is not None:
        kinds = _kinds(con)
        stored = _stored_for(con, list(new), spans_only=not batch.spans)
    out = []
    for key, rows in new.items():
        if not batch.spans and key not in stored:
            continue  # quarters only, no span stored: nothing to contradict
        replaced = {(a, b) for a, b, *_ in rows}
        old = [Known(a, b, v, w, StoredValue(bid, fn)) for a, b, v, w, bid, _, fn in stored.get(key, [])
               if (a, b) not in replaced]
        mine = [Known(a, b, v, w, NewValue(r)) for a, b, v, w, r in rows]
        kind = kinds.get(key[2]) or (kind_of(key[2]) if kind_of else "count")
        values = PeriodValues(key[1], kind, old + mine)
        for c in values.conflicts:
            involved = tuple(k.source.row for k in c.involved if isinstance(k.source, NewValue))
            if involved:
                out.append(PeriodConflict(key[0], key[1], key[2], c, involved))
    return out


def check_batch_groups(con, batch_id: int) -> list[PeriodConflict]:
    """The contradictions among the current values of the span groups a batch touches (after its rollback)."""
    keys = con.execute("""
        SELECT DISTINCT unit_code, year, metric_code FROM activity_value WHERE batch_id = $b
        UNION SELECT DISTINCT unit_code, year, metric_code FROM activity_span WHERE batch_id = $b""",
                       {"b": int(batch_id)}).fetchall()
    if not keys:
        return []
    kinds = _kinds(con)
    out = []
    for key, stored in _stored_for(con, [tuple(k) for k in keys], spans_only=True).items():
        for c in PeriodValues(key[1], kinds.get(key[2], "count"), _known(stored)).conflicts:
            out.append(PeriodConflict(key[0], key[1], key[2], c))
    return out
