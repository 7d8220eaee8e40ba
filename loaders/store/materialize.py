"""v_activity materialised: a table of the current activity values, maintained per batch.

Why: `v_activity` resolves every key's newest active batch (arg_max over all of activity_value), follows unit
lineage (an ASOF join) and full-outer-joins the quarterly targets, on every query. At national scale
(3.2 million activity rows) one scan costs 2.5-10 s, a year filter 0.2-0.4 s, and a unit filter is not pushed
down at all (1.3 s for one unit's history). Reading a plain table with the same rows costs 2-20 ms.

How: `activity_current` holds exactly the rows of the live view, sorted by (year, quarter, unit_code,
metric_code) so DuckDB's zone maps skip row groups for a period filter. It is brought up to date for the years
(or quarters) and the units a new or rolled-back batch touches (a merged unit's successors included: its data
shows under them) — one unit's report rebuilds that unit's rows, a roll-up the rows of the units it holds — and
rebuilt in full when the registries (unit names, lineage, metrics) change. The live definition is
kept as `v_activity_live`; `install` points `v_activity` at the table, so no reader changes.

`activity_unit_quarter` (AGG) is derived from it with the same keys: one row per unit and quarter for all
indicators (all_groups) and one per indicator group, with the unit's capped mean completion, its indicators
reaching the target, and how many values and targets it has. Why: even on the table, the pages' period list,
overview and heatmap grouped 3.4 million (all quarters) or 144,000 rows per call (90-430 ms at national
scale); the aggregate has 1.2 million rows and answers them by unit, not by indicator. dashboard.queries reads
it for those; it is public to nothing else. It is built with the completion rules below (a unit's mean of
indicator completions capped at UNIT_CAP; "đạt" from THRESHOLD_DAT; core.rules); a change of rule or of this
definition (AGG_VERSION) rebuilds everything.

`activity_unit_ytd` (YTD) holds, per unit and quarter, the year-to-date progress of the unit's count indicators
against their annual targets (summed over the indicators, with how many there are, so any set of units averages
them exactly): Hoạt động's cumulative line. Why: computed per call it read and windowed a year of every unit's
rows (224,000 at national scale, 90-110 ms); a quarter's report changes the later quarters of its year, so this
table is refreshed by year, not by quarter.

    install(con)                  create the tables, v_activity_live, and v_activity over the table (idempotent)
    refresh_if_stale(con) -> str  'fresh' | 'partial' | 'full': compare the stored state with the batch table
    refresh(con, keys=None, units=None)   rebuild the given (year, quarter|None) keys of these units, or
                                          everything; no transaction
    state(con) -> dict            what the table was built from

Call sites (the loaders are the only writers): loaders.store.schema.migrate calls `install` after VIEWS (which puts
the live view back at every start); loaders.store.batches.write_batch calls `refresh_batch` before COMMIT and
rollback_batch does its UPDATE and `refresh_batch` in one transaction, so the data version never names a stale
table; the demo writes its batches with refresh=False and calls `refresh_if_stale` once; loaders/init_db and the
registry editors call `refresh_if_stale` after unit or indicator changes. Each refresh first brings
activity_derived (loaders.store.derive: the quarters that months and cumulative reports determine) up to date for
the years it touches, since the live view reads it.
"""
from __future__ import annotations

import json

import pandas as pd

from core.rules import THRESHOLD_DAT, UNIT_CAP, capped_sql, completion_sql
from loaders.store import derive
from loaders.store.writer import one_writer

TABLE = "activity_current"
LIVE = "v_activity_live"
AGG = "activity_unit_quarter"
YTD = "activity_unit_ytd"
STATE_KEY = "activity_current_state"
ORDER = "year, quarter, unit_code, metric_code"

AGG_VERSION = 3  # bump when _agg_sql, _ytd_sql or the live view changes: the state then differs, all is rebuilt


def _agg_sql(where: str, source: str = TABLE) -> str:
    """AGG's rows for the rows of `source` matching `where`."""
    return f"""
        SELECT a.unit_code, any_value(a.unit_name) AS unit_name, a.year, a.quarter, m.grp,
               grouping(m.grp) = 1 AS all_groups,
               count(a.c) AS n_indicators, count(*) FILTER (a.c >= {THRESHOLD_DAT}) AS n_dat,
               avg({capped_sql('a.c')}) AS completion,
               count(a.actual) AS n_actual, count(a.target) AS n_target
        FROM (SELECT *, {completion_sql()} AS c
              FROM {source} WHERE {where}) a
        JOIN metric m ON m.code = a.metric_code
        GROUP BY GROUPING SETS ((a.unit_code, a.year, a.quarter, m.grp), (a.unit_code, a.year, a.quarter))
        ORDER BY a.year, a.quarter, a.unit_code"""


def _ytd_sql(where: str, source: str = TABLE) -> str:
    """YTD's rows for the years matching `where`: per unit and quarter, over its count indicators with an annual
    target (the sum of the year's quarterly targets) > 0, the sum of the cumulative actual's share of the annual
    target capped at UNIT_CAP (progress), the sum of the cumulative target's share (plan), how many indicators
    (series), and how many count values were reported in the quarter (n_count_actual, over every count indicator:
    it decides the last quarter the line is drawn to)."""
    return f"""
        WITH c AS (SELECT t.unit_code, t.year, t.quarter, t.metric_code, t.actual, t.target
                   FROM {source} t JOIN metric m ON m.code = t.metric_code
                   WHERE m.kind = 'count' AND ({where})),
        annual AS (SELECT unit_code, year, metric_code, sum(target) AS annual FROM c GROUP BY ALL
                   HAVING sum(target) > 0),
        cum AS (SELECT c.unit_code, c.year, c.quarter, c.actual, a.annual,
                       sum(coalesce(c.actual, 0)) OVER w AS cum_actual, sum(c.target) OVER w AS cum_target
                FROM c JOIN annual a USING (unit_code, year, metric_code)
                WINDOW w AS (PARTITION BY c.unit_code, c.year, c.metric_code ORDER BY c.quarter)),
        s AS (SELECT unit_code, year, quarter, count(*) AS series,
                     sum({capped_sql('cum_actual / annual')})
                         AS progress,
                     sum(cum_target / annual) AS plan
              FROM cum GROUP BY ALL),
        n AS (SELECT unit_code, year, quarter, count(actual) AS n_count_actual FROM c GROUP BY ALL)
        SELECT n.unit_code, n.year, n.quarter, coalesce(s.series, 0) AS series, s.progress, s.plan,
               n.n_count_actual
        FROM n LEFT JOIN s USING (unit_code, year, quarter) ORDER BY n.year, n.quarter, n.unit_code"""


def _one(con, sql: str, params=None):
    rows = con.execute(sql, params or []).fetchall()
    return rows[0] if rows else None


def _view_sql(con, name: str) -> str | None:
    row = _one(con, "SELECT sql FROM duckdb_views() WHERE view_name = ? AND NOT internal", [name])
    return row[0] if row else None


def install(con) -> None:
    """Keep the live view as v_activity_live, build the table, and make v_activity read it."""
    live = _view_sql(con, "v_activity")
    if live is None:
        raise RuntimeError("v_activity does not exist: run loaders.store.schema.migrate first")
    if TABLE not in live:  # v_activity is still the live definition (fresh schema or after migrate)
        body = live[live.upper().index(" AS ", live.upper().index("VIEW")) + 4:]
        con.execute(f"CREATE OR REPLACE VIEW {LIVE} AS {body}")
    tables = {r[0] for r in con.execute("SELECT table_name FROM duckdb_tables() WHERE table_name IN (?, ?, ?)",
                                        [TABLE, AGG, YTD]).fetchall()}
    if TABLE not in tables:
        con.execute(f"CREATE TABLE {TABLE} AS SELECT * FROM {LIVE} WHERE false")
    if AGG not in tables:
        con.execute(f"CREATE TABLE {AGG} AS {_agg_sql('false')}")
    if YTD not in tables:
        con.execute(f"CREATE TABLE {YTD} AS {_ytd_sql('false')}")
    if tables != {TABLE, AGG, YTD}:
        con.execute("DELETE FROM meta WHERE key = ?", [STATE_KEY])  # a new table: build both in full
    con.execute(f"CREATE OR REPLACE VIEW v_activity AS SELECT * FROM {TABLE}")
    refresh_if_stale(con)


def current_state(con) -> dict:
    """What the table must reflect: the newest batch, the newest rollback, the registries."""
    max_batch, last_rollback, n_rolled = _one(con, """
        SELECT coalesce(max(id), 0), CAST(max(rolled_back_at) AS VARCHAR), count(*) FILTER (status = 'rolled_back')
        FROM batch""")
    registry = _one(con, """
        SELECT hash((SELECT string_agg(concat_ws('|', code, name, valid_from, valid_to, successor), ';' ORDER BY code)
                     FROM unit),
                    (SELECT string_agg(concat_ws('|', code, name, kind, grp), ';' ORDER BY code) FROM metric))""")[0]
    return {"max_batch": int(max_batch), "last_rollback": last_rollback, "n_rolled_back": int(n_rolled),
            "registry": f"{registry}:{AGG_VERSION}:{UNIT_CAP}:{THRESHOLD_DAT}"}


def state(con) -> dict | None:
    row = _one(con, "SELECT value FROM meta WHERE key = ?", [STATE_KEY])
    return json.loads(row[0]) if row else None


def _save_state(con, st: dict) -> None:
    con.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", [STATE_KEY, json.dumps(st)])


Touched = tuple[set[tuple[int, "int | None"]], "frozenset[str] | None"]


def _touched(con, batches_sql: str, params: dict) -> Touched:
    """What the batches of `batches_sql` touched: (year, quarter) pairs — quarter None: the whole year (targets,
    which are split over the quarters; spans) — and the units, as reported (lineage is followed in `refresh`)."""
    rows = con.execute(f"""
        WITH b AS ({batches_sql})
        SELECT DISTINCT unit_code, year, quarter FROM activity_value WHERE batch_id IN (SELECT id FROM b)
        UNION SELECT DISTINCT unit_code, year, NULL FROM activity_span WHERE batch_id IN (SELECT id FROM b)
        UNION SELECT DISTINCT unit_code, year, NULL FROM target_value WHERE batch_id IN (SELECT id FROM b)""",
                       params).fetchall()
    return ({(int(y), None if q is None else int(q)) for _, y, q in rows}, frozenset(u for u, _, _ in rows))


def keys_since(con, old: dict) -> Touched:
    """What batches newer than `old`, or rolled back since, touched."""
    return _touched(con, """
        SELECT id FROM batch WHERE id > $max_batch
        UNION SELECT id FROM batch
        WHERE status = 'rolled_back'  -- rolled_back_at NULL: set by hand, outside rollback_batch
          AND ($last_rb IS NULL OR rolled_back_at IS NULL OR rolled_back_at >= CAST($last_rb AS TIMESTAMP))""",
                    {"max_batch": old["max_batch"], "last_rb": old.get("last_rollback")})


def _predicate(keys: set[tuple[int, int | None]]) -> str:
    years = sorted({y for y, q in keys if q is None})
    parts = [f"year IN ({', '.join(str(y) for y in years)})"] if years else []
    parts += [f"(year = {y} AND quarter = {q})" for y, q in sorted(k for k in keys if k[1] is not None)
              if y not in years]
    return " OR ".join(parts) or "false"


UNITS = "_refresh_units"  # the units whose rows a partial refresh rebuilds (a registered frame)


def _with_units(where: str, units: frozenset[str] | None) -> str:
    return where if units is None else f"({where}) AND unit_code IN (SELECT unit_code FROM {UNITS})"


def _register_units(con, units: frozenset[str]) -> None:
    """The units as reported and every unit their data shows under (a merged unit's successors): the rows of
    v_activity they can move."""
    reported = pd.DataFrame({"unit_code": sorted(units)}, dtype="string")  # noqa: F841 - read by DuckDB
    con.register("_reported_units", reported)
    try:
        rows = con.execute("SELECT unit_code FROM _reported_units UNION SELECT current_code FROM unit_lineage "
                           "WHERE code IN (SELECT unit_code FROM _reported_units)").fetchall()
    finally:
        con.unregister("_reported_units")
    con.register(UNITS, pd.DataFrame({"unit_code": sorted(r[0] for r in rows)}, dtype="string"))


def refresh(con, keys: set[tuple[int, int | None]] | None = None, units: frozenset[str] | None = None) -> None:
    """Rebuild the rows of these keys from the live view (all rows when keys is None), for these units only (as
    reported; every unit when None). No transaction of its own: call inside the caller's (store.write_batch) or
    use refresh_if_stale."""
    if keys is None:
        derive.refresh(con, None)
        con.execute(f"DELETE FROM {TABLE}")
        con.execute(f"INSERT INTO {TABLE} SELECT * FROM {LIVE} ORDER BY {ORDER}")
        con.execute(f"DELETE FROM {AGG}")
        con.execute(f"INSERT INTO {AGG} {_agg_sql('true')}")
        con.execute(f"DELETE FROM {YTD}")
        con.execute(f"INSERT INTO {YTD} {_ytd_sql('true')}")
    elif keys and units != frozenset():
        # reports of other periods move the quarters they determine anywhere in their year
        keys = keys | {(y, None) for y in derive.refresh(con, {y for y, _ in keys}, units)}
        if units is not None:
            _register_units(con, units)
        try:
            where = _with_units(_predicate(keys), units)
            con.execute(f"DELETE FROM {TABLE} WHERE {where}")
            con.execute(f"INSERT INTO {TABLE} SELECT * FROM {LIVE} WHERE {where} ORDER BY {ORDER}")
            con.execute(f"DELETE FROM {AGG} WHERE {where}")
            con.execute(f"INSERT INTO {AGG} {_agg_sql(where)}")
            # a quarter's values move the later quarters' totals
            years = _with_units(_predicate({(y, None) for y, _ in keys}), units)
            con.execute(f"DELETE FROM {YTD} WHERE {years}")
            con.execute(f"INSERT INTO {YTD} {_ytd_sql(years)}")
        finally:
            if units is not None:
                con.unregister(UNITS)
    _save_state(con, current_state(con))


def refresh_batch(con, batch_id: int) -> None:
    """After writing (or rolling back) one batch, inside the same transaction."""
    old = state(con)
    now = current_state(con)
    if old is None or old.get("registry") != now["registry"]:
        refresh(con, None)
        return
    keys, units = _touched(con, "SELECT $b AS id", {"b": batch_id})
    since_keys, since_units = keys_since(con, old)
    refresh(con, keys | since_keys, units | since_units)


@one_writer
def refresh_if_stale(con) -> str:
    """Bring the table up to date in its own transaction: 'fresh' (nothing to do), 'partial' or 'full'."""
    old = state(con)
    now = current_state(con)
    if old == now:
        return "fresh"
    con.execute("BEGIN TRANSACTION")
    try:
        if old is None or old.get("registry") != now["registry"]:
            refresh(con, None)
            kind = "full"
        else:
            refresh(con, *keys_since(con, old))
            kind = "partial"
        con.execute("COMMIT")
    except Exception:
        con.execute("ROLLBACK")
        raise
    return kind
