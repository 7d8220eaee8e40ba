"""Read-side queries: pure functions ``f(con, ...) -> pandas.DataFrame``. All the dashboard's SQL lives here.

They read only the public views (v_activity, v_index_score, v_upload), the registry tables (unit, metric,
index_def, index_component, entity, meta) and ``activity_unit_quarter``: per unit and quarter (all indicators,
and per indicator group) the capped mean completion and counts of v_activity's rows, kept with v_activity by
loaders.store.materialize. Queries that need one number per unit (periods, completion per unit, group and overall
means, the heatmap, who has not reported) read it: at national scale they would otherwise group 144,000 to
3.4 million rows per call. They never write. Names are sorted the Vietnamese way
(``ORDER BY name COLLATE vi``). Completion rules and thresholds come from dashboard.theme (see its docstring):
indicator completion = actual / target; a unit's = mean of its indicators' completions capped at 100% each;
a group's / the province's = mean over units. An indicator left empty, or without a target (or a target of 0),
has no completion and is left out of the means. Units that have not reported are left out of the means and are
listed by ``not_reported``.

Arguments named ``units`` / ``entities`` take a tuple of codes, or None for all. Wrap calls in
``dashboard.cached.q(fn, ...)`` in pages: the results are cached until the data version changes.

Public API (one line each; columns in brackets)
----------------------------------------------
Activities
- ``unit_groups(con)``                         [group, group_name, n_units] groups of units that exist.
- ``units(con, year=None, quarter=None, group=None)``  [unit_code, unit_name, kind, group, group_name, valid_from,
                                               valid_to, successor, label] units (valid in that quarter if given).
- ``metrics(con)``                             [metric_code, metric_name, kind, grp, metric_unit, ordinal].
- ``periods(con)``                             [year, quarter, label, n_reported, has_target] quarters with data.
- ``default_period(con) -> (year, quarter)``   latest quarter with reports; else with targets; else last quarter.
- ``default_from_periods(periods_df) -> (year, quarter)``  the same, from a ``periods`` result (no query).
- ``completion(con, year, quarter, units=None, metric=None)``  [unit_code, unit_name, metric_code, metric_name,
                                               kind, grp, metric_unit, ordinal, actual, target, completion, status].
- ``unit_completion(con, year, quarter, units=None)``  [unit_code, unit_name, group_name, n_indicators, n_dat,
                                               completion, status, rank] one row per unit that reported.
- ``group_completion(con, year, quarter, units=None)``  [grp, completion, n_units] per indicator group, plus
                                               the overall row with grp = None.
- ``overview(con, year, quarter, units=None)``  [key, label, completion, prev_completion, delta, n_units,
                                               status] overall (key "tong") and per group, with the previous
                                               quarter.
- ``indicator_summary(con, year, quarter, units=None)``  [metric_code, metric_name, kind, grp, metric_unit,
                                               actual, target, completion, n_units, n_dat, status] totals of
                                               the reporting units (sum for counts, mean for rates).
- ``metric_by_unit(con, year, quarter, metric, units=None)``  [unit_code, unit_name, actual, target,
                                               completion, status].
- ``heatmap_quarters(con, year, quarter, units=None, metric=None, n_quarters=8)``  [unit_code, unit_name, year,
                                               quarter, label, completion, actual, target, status]; without
                                               ``metric`` the unit's completion.
- ``ytd(con, year, units=None, metric=None)``  [quarter, label, actual, target, annual_target, mode] year to date:
                                               counts summed, rates latest (mode "count" / "rate"); without
                                               ``metric``, mean share of the annual target reached (mode "progress").
- ``not_reported(con, year, quarter, units=None)``  [unit_code, unit_name, group_name, last_period, last_upload,
                                               has_target] units that should have reported and have not.
- ``activity_source(con, year=None, quarter=None)``  [n_batches, n_units, last_upload, sample] what the figures
                                               come from.
- ``unit_info(con, unit_code)``                [unit_code, unit_name, kind, group_name, valid_from, valid_to,
                                               successor, successor_name, predecessors].
- ``unit_history(con, unit_code)``             [year, quarter, label, metric_code, metric_name, kind, grp,
                                               metric_unit, ordinal, actual, target, completion, status].
- ``unit_index_scores(con, unit_code)``        [index_code, index_name, year, entity_code, entity_name, score, rank,
                                               target, source, note] the unit's own index scores (and those of
                                               the units it replaced).
- ``unit_uploads(con, unit_code)``             [batch_id, kind, file_name, uploaded_by, uploaded_at, rows, status,
                                               year, quarter, is_sample, period].
Indices
- ``index_defs(con)``                          [index_code, name, short_name, publisher, scale_min, scale_max, unit,
                                               higher_is_better, n_rows] in the usual order (PAR, SIPAS, PAPI, ...).
- ``provinces(con)``                           [entity_code, entity_name, valid_from, valid_to, successor, label].
- ``region_peers(con, province, limit=6) -> tuple``  default peers: same region and generation, most results first.
- ``home_province(con) -> str``                the home province's entity code (meta 'home_province', else the
                                               core.rules.HOME_PROVINCE).
- ``home_chain(con, code=None) -> tuple``      the entity and its successors: ('dak_lak', 'dak_lak_2025').
- ``lineage(con, code)``                       [entity_code, entity_name, valid_from, valid_to, successor, role]
                                               the new province and all the old ones merged into it (role
                                               'cu' / 'moi' / 'hien_tai').
- ``main_line(con, code) -> tuple``            one province through the merger: same-named old one, it, successors.
- ``index_latest(con, entities, year, prefer=None)``  [index_code, short_name, index_name, scale_max, unit, year,
                                               entity_code, entity_name, score, rank, rank_of, prev_rank,
                                               prev_entity_name, rank_change, target_year, target, target_rank,
                                               source, target_source] per index, the latest result up to ``year``.
- ``index_series(con, index_code, entities, component=None, keep=None)``  [year, entity_code, entity_name, score, rank,
                                               rank_of, target, target_rank, source, note, state] one row per
                                               entity and year it existed; state 'co' (a result), 'chua_cong_bo'
                                               (a gap: never filled) or 'chua_den_ky' (after the last publication).
- ``national_series(con, index_code)``      [year, national, source] the published national average by year.
- ``index_components(con, index_code, year, entity_code)``  [component_code, component_name, ordinal, score,
                                               national, best, best_name, source].
- ``component_years(con, index_code, entities)``  [year, entity_code, entity_name, n_components] years with
                                               component scores for these entities.
- ``unit_index_ranking(con, index_code, province)``  [year, entity_code, entity_name, entity_kind, score, rank,
                                               source, note] units assessed inside a province (DDCI, internal PAR).
- ``index_table(con, index_code, entities)``   [year, entity_name, component_name, score, rank, target,
                                               target_rank, source, note] every row, for the table.
"""
from __future__ import annotations

import datetime as dt
import re

import pandas as pd

from core.periods import Quarter, latest_complete_quarter, quarter_key, quarter_key_sql
from core.rules import HOME_KEY, HOME_PROVINCE, active_sql, completion_sql
from core.text import slug
from dashboard import fmt, theme
from loaders.store.materialize import AGG, YTD

QK = quarter_key_sql()

# Queries that read only index results and the entity registry: cached by the index data version
# (loaders.store.batches.data_version(con, "index")), which a unit's activity report does not change.
INDEX_SCOPE = frozenset({"index_defs", "provinces", "home_province", "region_peers", "home_chain", "main_line",
                         "lineage", "index_latest", "index_series", "national_series", "index_components",
                         "component_years", "unit_index_ranking", "index_table", "unit_index_scores"})
# Queries that read only the unit and indicator registries: no batch changes them (scope 'registry').
REGISTRY_SCOPE = frozenset({"units", "metrics", "unit_groups", "unit_info"})

# Unit kinds grouped for the "unit group" filter; kinds not listed fall into "khac".
UNIT_GROUPS: list[tuple[str, str, tuple[str, ...]]] = [
    ("so_nganh", "Sở, ban, ngành", ("van_phong", "thanh_tra", "so", "ban", "co_quan_bao_chi", "nganh")),
    ("huyen", "UBND cấp huyện", ("huyen", "thi_xa", "thanh_pho")),
    ("xa", "UBND cấp xã", ("xa", "phuong", "dac_khu", "thi_tran")),
    ("phong", "Phòng, đơn vị trực thuộc", ("phong", "don_vi", "don_vi_truc_thuoc", "trung_tam")),
]
OTHER_GROUP = ("khac", "Đơn vị khác")
INDEX_ORDER = ("PAR", "SIPAS", "PAPI", "PCI", "DTI", "DDCI")
NATIONAL_KINDS = ("ca_nuoc", "quoc_gia")
NATIONAL_CODES = ("ca_nuoc", "toan_quoc", "viet_nam")
# An entity of the national average (the shipped data/reference/national_averages.csv uses 'ca_nuoc'), as SQL on `e`.
IS_NATIONAL = (f"(e.kind IN ({', '.join(repr(k) for k in NATIONAL_KINDS)}) "
               f"OR e.code IN ({', '.join(repr(c) for c in NATIONAL_CODES)}))")


def _group_case(col: str = "u.kind") -> tuple[str, str]:
    code = "CASE " + " ".join(
        f"WHEN {col} IN ({', '.join(repr(k) for k in kinds)}) THEN '{g}'" for g, _, kinds in UNIT_GROUPS
    ) + f" ELSE '{OTHER_GROUP[0]}' END"
    name = "CASE " + " ".join(
        f"WHEN {col} IN ({', '.join(repr(k) for k in kinds)}) THEN '{n}'" for _, n, kinds in UNIT_GROUPS
    ) + f" ELSE '{OTHER_GROUP[1]}' END"
    return code, name


GROUP_CODE_SQL, GROUP_NAME_SQL = _group_case()


_PARAM = re.compile(r"\$([A-Za-z_]\w*)")


def _df(con, sql: str, params: dict | None = None) -> pd.DataFrame:
    """Run with the named parameters the SQL uses (DuckDB refuses unused ones)."""
    used = set(_PARAM.findall(sql))
    return con.execute(sql, {k: v for k, v in (params or {}).items() if k in used}).df()


def _units_param(units) -> list[str] | None:
    return None if units is None else [str(u) for u in units]


def _add_status(df: pd.DataFrame, col: str = "completion") -> pd.DataFrame:
    df["status"] = theme.status_series(df[col]) if len(df) else pd.Series(dtype="object")
    return df


def _labels(df: pd.DataFrame) -> list[str]:
    """'Quý III/2025' for each row's year and quarter, formatted once per quarter (a heatmap has 32,000 rows)."""
    keys = list(zip(df["year"], df["quarter"]))
    label = {k: fmt.quarter(*k) for k in set(keys)}
    return [label[k] for k in keys]


def _quarter_bounds(year: int, quarter: int) -> tuple[dt.date, dt.date]:
    q = Quarter(int(year), int(quarter))
    return q.start, q.end


# --- activities -------------------------------------------------------------------------------------------------

def unit_groups(con) -> pd.DataFrame:
    df = _df(con, f'SELECT {GROUP_CODE_SQL} AS "group", {GROUP_NAME_SQL} AS group_name, count(*) AS n_units '
                  "FROM unit u GROUP BY ALL")
    order = {g: i for i, (g, _, _) in enumerate(UNIT_GROUPS)}
    return df.sort_values("group", key=lambda s: s.map(lambda g: order.get(g, 99))).reset_index(drop=True)


def units(con, year: int | None = None, quarter: int | None = None, group: str | None = None) -> pd.DataFrame:
    start, end = _quarter_bounds(year, quarter) if year and quarter else (None, None)
    df = _df(con, f"""
        SELECT u.code AS unit_code, u.name AS unit_name, u.kind, {GROUP_CODE_SQL} AS "group",
               {GROUP_NAME_SQL} AS group_name, u.valid_from, u.valid_to, u.successor
        FROM unit u
        WHERE ($start IS NULL OR {active_sql('u')})
          AND ($group IS NULL OR {GROUP_CODE_SQL} = $group)
        ORDER BY u.name COLLATE vi""", {"start": start, "end": end, "group": group})
    df["label"] = [
        f"{n} (đến {fmt.date(vt)})" if not pd.isna(vt) else n for n, vt in zip(df["unit_name"], df["valid_to"])
    ]
    return df


def metrics(con) -> pd.DataFrame:
    return _df(con, "SELECT code AS metric_code, name AS metric_name, kind, grp, unit AS metric_unit, ordinal "
                    "FROM metric ORDER BY ordinal, code")


def periods(con) -> pd.DataFrame:
    df = _df(con, f"""
        SELECT year, quarter, count(*) FILTER (n_actual > 0) AS n_reported, bool_or(n_target > 0) AS has_target
        FROM {AGG} WHERE all_groups GROUP BY ALL ORDER BY year, quarter""")
    df["label"] = _labels(df)
    return df


def default_period(con) -> tuple[int, int]:
    return default_from_periods(periods(con))


def default_from_periods(per: pd.DataFrame) -> tuple[int, int]:
    """The latest quarter with reports; else the latest with targets up to the last complete quarter; else that."""
    last = latest_complete_quarter()
    if len(per):
        keys = quarter_key(per["year"], per["quarter"])
        reported = keys[per["n_reported"] > 0]
        key = int(reported.max()) if len(reported) else None
        if key is None and per["has_target"].any():
            key = min(int(keys[per["has_target"]].max()), last.key)
        if key is not None:
            q = Quarter.from_key(key)
            return q.year, q.quarter
    return last.year, last.quarter


_BASE = f"""
    SELECT a.unit_code, a.unit_name, a.year, a.quarter, a.metric_code, m.name AS metric_name, m.kind, m.grp,
           m.unit AS metric_unit, m.ordinal, a.actual, a.target,
           {completion_sql('a.actual', 'a.target')} AS completion
    FROM v_activity a JOIN metric m ON m.code = a.metric_code
    WHERE ($units IS NULL OR list_contains($units::VARCHAR[], a.unit_code))
      AND ($metric IS NULL OR a.metric_code = $metric)
"""


def completion(con, year: int, quarter: int, units=None, metric: str | None = None) -> pd.DataFrame:
    df = _df(con, f"""
        WITH base AS ({_BASE})
        SELECT unit_code, unit_name, metric_code, metric_name, kind, grp, metric_unit, ordinal, actual, target,
               completion
        FROM base WHERE year = $year AND quarter = $quarter
        ORDER BY unit_name COLLATE vi, ordinal""",
             {"units": _units_param(units), "metric": metric, "year": int(year), "quarter": int(quarter)})
    return _add_status(df)


def _agg_rows(join: str = "") -> str:
    """FROM the per-unit aggregate (loaders.store.materialize.AGG) as p, filtered by $units as _BASE is."""
    return f"""
        FROM {AGG} p {join}
        WHERE ($units IS NULL OR list_contains($units::VARCHAR[], p.unit_code))"""


def unit_completion(con, year: int, quarter: int, units=None) -> pd.DataFrame:
    df = _df(con, f"""
        SELECT p.unit_code, p.unit_name, {GROUP_NAME_SQL} AS group_name, p.n_indicators, p.n_dat, p.completion
        {_agg_rows("JOIN unit u ON u.code = p.unit_code")}
          AND p.all_groups AND p.year = $year AND p.quarter = $quarter AND p.n_actual > 0
        ORDER BY p.completion DESC NULLS LAST, p.unit_name COLLATE vi""",
             {"units": _units_param(units), "year": int(year), "quarter": int(quarter)})
    df = _add_status(df)
    df["rank"] = df["completion"].rank(method="min", ascending=False).astype("Int64")
    return df


_GROUP_MEANS_SQL = f"""
        WITH p AS (SELECT p.* {_agg_rows()}
                   AND list_contains($years::INTEGER[], p.year)
                   AND list_contains($keys::INTEGER[], {quarter_key_sql('p')})),
        reported AS (SELECT unit_code, year, quarter FROM p WHERE all_groups AND n_actual > 0)
        SELECT year, quarter, CASE WHEN all_groups THEN NULL ELSE grp END AS grp, avg(completion) AS completion,
               count(completion) AS n_units
        FROM p SEMI JOIN reported USING (unit_code, year, quarter)
        WHERE all_groups OR grp IS NOT NULL
        GROUP BY year, quarter, all_groups, grp"""


def _group_means_params(periods: list[tuple[int, int]], units=None) -> dict:
    return {"units": _units_param(units), "years": sorted({int(y) for y, _ in periods}),
            "keys": [quarter_key(int(y), int(q)) for y, q in periods]}


def _group_means(con, periods: list[tuple[int, int]], units=None) -> pd.DataFrame:
    """[year, quarter, grp, completion, n_units] per quarter: per indicator group and overall (grp None), the
    mean over the units that reported of their capped completions (groups in code order, overall last)."""
    return _df(con, f"{_GROUP_MEANS_SQL} ORDER BY year, quarter, all_groups, grp",
               _group_means_params(periods, units))


def group_completion(con, year: int, quarter: int, units=None) -> pd.DataFrame:
    return _group_means(con, [(int(year), int(quarter))], units)[["grp", "completion", "n_units"]]


def overview(con, year: int, quarter: int, units=None) -> pd.DataFrame:
    """Overall and per-group completion of the quarter beside the previous quarter's, in one query (the big
    numbers of Tổng quan; joining and sorting in pandas cost as much as the query at national scale)."""
    prev = Quarter(int(year), int(quarter)).previous()
    df = _df(con, f"""
        WITH m AS ({_GROUP_MEANS_SQL}),
        ord AS (SELECT grp, min(ordinal) AS o FROM metric GROUP BY grp)
        SELECT coalesce(c.grp, 'tong') AS key, coalesce(c.grp, 'Hoàn thành chung') AS label, c.grp,
               c.completion, b.completion AS prev_completion, c.completion - b.completion AS delta, c.n_units
        FROM m c
        LEFT JOIN m b ON b.year = $py AND b.quarter = $pq AND b.grp IS NOT DISTINCT FROM c.grp
        LEFT JOIN ord ON ord.grp = c.grp
        WHERE c.year = $y AND c.quarter = $q AND c.n_units > 0
        ORDER BY CASE WHEN c.grp IS NULL THEN -1 ELSE coalesce(ord.o, 99) END""",
             {**_group_means_params([(int(year), int(quarter)), (prev.year, prev.quarter)], units),
              "y": int(year), "q": int(quarter), "py": prev.year, "pq": prev.quarter})
    return _add_status(df)[["key", "label", "grp", "completion", "prev_completion", "delta", "n_units", "status"]]


def indicator_summary(con, year: int, quarter: int, units=None) -> pd.DataFrame:
    df = _df(con, f"""
        WITH base AS ({_BASE}),
        rep AS (SELECT * FROM base WHERE year = $year AND quarter = $quarter AND actual IS NOT NULL)
        SELECT metric_code, any_value(metric_name) AS metric_name, any_value(kind) AS kind, any_value(grp) AS grp,
               any_value(metric_unit) AS metric_unit, any_value(ordinal) AS ordinal,
               CASE WHEN any_value(kind) = 'count' THEN sum(actual) ELSE avg(actual) END AS actual,
               CASE WHEN any_value(kind) = 'count' THEN sum(target) ELSE avg(target) END AS target,
               count(DISTINCT unit_code) AS n_units,
               count(*) FILTER (completion >= $dat) AS n_dat
        FROM rep GROUP BY metric_code ORDER BY ordinal""",
             {"units": _units_param(units), "metric": None, "year": int(year), "quarter": int(quarter),
              "dat": theme.THRESHOLD_DAT})
    df["completion"] = [a / t if t and t > 0 and not pd.isna(a) else float("nan")
                        for a, t in zip(df["actual"], df["target"])]
    return _add_status(df)


def metric_by_unit(con, year: int, quarter: int, metric: str, units=None) -> pd.DataFrame:
    df = completion(con, year, quarter, units, metric)
    df = df[df["actual"].notna()]
    return df[["unit_code", "unit_name", "actual", "target", "completion", "status", "metric_unit", "kind"]] \
        .sort_values("completion", ascending=False, na_position="last").reset_index(drop=True)


def heatmap_quarters(con, year: int, quarter: int, units=None, metric: str | None = None,
                     n_quarters: int = 8) -> pd.DataFrame:
    hi = quarter_key(int(year), int(quarter))
    lo = hi - n_quarters + 1
    # the predicate on year alone lets DuckDB skip row groups (the tables are sorted by year, quarter)
    params = {"units": _units_param(units), "metric": metric, "lo": lo, "hi": hi, "ylo": lo // 4, "yhi": hi // 4}
    if metric:
        sql = f"""
            WITH base AS ({_BASE})
            SELECT unit_code, unit_name, year, quarter, completion, actual, target
            FROM base WHERE year BETWEEN $ylo AND $yhi AND {quarter_key_sql()} BETWEEN $lo AND $hi"""
    else:
        sql = f"""
            SELECT p.unit_code, p.unit_name, p.year, p.quarter,
                   CASE WHEN p.n_actual > 0 THEN p.completion END AS completion,
                   NULL::DOUBLE AS actual, NULL::DOUBLE AS target
            {_agg_rows()} AND p.all_groups AND p.year BETWEEN $ylo AND $yhi
              AND {quarter_key_sql('p')} BETWEEN $lo AND $hi"""
    # Names are compared COLLATE vi once per unit, not once per cell (85 ms for 32,000 cells at national scale)
    df = _df(con, f"""
        WITH h AS ({sql}),
        o AS (SELECT unit_code, row_number() OVER (ORDER BY any_value(unit_name) COLLATE vi, unit_code) AS o
              FROM h GROUP BY unit_code)
        SELECT h.* FROM h JOIN o USING (unit_code) ORDER BY o.o, h.year, h.quarter""", params)
    df["label"] = _labels(df)
    return _add_status(df)


def ytd(con, year: int, units=None, metric: str | None = None) -> pd.DataFrame:
    params = {"units": _units_param(units), "metric": metric, "year": int(year), "cap": theme.UNIT_CAP}
    kind = None
    if metric:
        row = con.execute("SELECT kind FROM metric WHERE code = ?", [metric]).fetchone()
        kind = row[0] if row else None
    if metric and kind == "count":
        sql = f"""
            WITH base AS ({_BASE}), q AS (
                SELECT quarter, sum(actual) AS actual, sum(target) AS target, count(actual) AS n
                FROM base WHERE year = $year GROUP BY quarter)
            SELECT quarter,
                   CASE WHEN quarter <= (SELECT max(quarter) FILTER (n > 0) FROM q)
                        THEN sum(coalesce(actual, 0)) OVER (ORDER BY quarter) END AS actual,
                   sum(target) OVER (ORDER BY quarter) AS target,
                   sum(target) OVER () AS annual_target, 'count' AS mode
            FROM q ORDER BY quarter"""
    elif metric:
        sql = f"""
            WITH base AS ({_BASE})
            SELECT quarter, avg(actual) AS actual, avg(target) AS target, avg(target) AS annual_target,
                   'rate' AS mode
            FROM base WHERE year = $year GROUP BY quarter ORDER BY quarter"""
    else:
        # each unit × count indicator's cumulative share of its annual target, capped, averaged over all of them:
        # summed per unit by loaders.store.materialize (YTD), so any set of units averages exactly
        sql = f"""
            WITH y AS (SELECT quarter, sum(series) AS series, sum(progress) AS progress, sum(plan) AS plan,
                              sum(n_count_actual) AS n
                       FROM {YTD} WHERE year = $year
                         AND ($units IS NULL OR list_contains($units::VARCHAR[], unit_code))
                       GROUP BY quarter)
            SELECT quarter,
                   CASE WHEN quarter <= (SELECT max(quarter) FILTER (n > 0) FROM y) THEN progress / series END
                       AS actual,
                   plan / series AS target, 1.0 AS annual_target, 'progress' AS mode
            FROM y WHERE series > 0 ORDER BY quarter"""
        params = {"units": params["units"], "year": params["year"]}
    df = _df(con, sql, params)
    df["label"] = [fmt.quarter(year, q) for q in df["quarter"]]
    return df


def not_reported(con, year: int, quarter: int, units=None) -> pd.DataFrame:
    """Units valid in the quarter that have a target for it, or reported in the 8 quarters before, and have sent
    nothing for it (one scan of the per-unit aggregate over two years)."""
    start, end = _quarter_bounds(year, quarter)
    key = quarter_key(int(year), int(quarter))
    df = _df(con, f"""
        WITH recent AS (
            SELECT unit_code,
                   max({QK}) FILTER (n_actual > 0 AND {QK} < $key) AS last_key,
                   bool_or(n_actual > 0 AND {QK} = $key) AS now,
                   bool_or(n_target > 0 AND {QK} = $key) AS has_target
            FROM {AGG}
            WHERE all_groups AND list_contains($years::INTEGER[], year)
              AND {QK} BETWEEN $key - 8 AND $key
            GROUP BY unit_code),
        uploads AS (SELECT unit_code, max(uploaded_at) AS last_upload FROM v_upload
                    WHERE status = 'active' AND kind = 'activities' GROUP BY unit_code)
        SELECT u.code AS unit_code, u.name AS unit_name, {GROUP_NAME_SQL} AS group_name,
               coalesce(r.has_target, false) AS has_target, r.last_key, up.last_upload
        FROM unit u JOIN recent r ON r.unit_code = u.code
        LEFT JOIN uploads up ON up.unit_code = u.code
        WHERE {active_sql('u')}
          AND ($units IS NULL OR list_contains($units::VARCHAR[], u.code))
          AND NOT coalesce(r.now, false) AND (r.has_target OR r.last_key IS NOT NULL)
        ORDER BY u.name COLLATE vi""",
             {"key": key, "years": [int(year) - 2, int(year) - 1, int(year)], "start": start, "end": end,
              "units": _units_param(units)})
    df["last_period"] = [Quarter.from_key(k).label if not pd.isna(k) else None
                         for k in df["last_key"]]
    return df.drop(columns=["last_key"])


def activity_source(con, year: int | None = None, quarter: int | None = None) -> pd.DataFrame:
    return _df(con, """
        SELECT count(*) AS n_batches, count(DISTINCT unit_code) AS n_units, max(uploaded_at) AS last_upload,
               coalesce(bool_or(is_sample), false) AS sample
        FROM v_upload
        WHERE status = 'active' AND kind IN ('activities', 'targets', 'sample')
          AND ($year IS NULL OR year = $year OR year IS NULL) AND ($quarter IS NULL OR quarter = $quarter
               OR quarter IS NULL)""", {"year": year, "quarter": quarter})


def unit_info(con, unit_code: str) -> pd.DataFrame:
    return _df(con, f"""
        SELECT u.code AS unit_code, u.name AS unit_name, u.kind, {GROUP_NAME_SQL} AS group_name,
               u.valid_from, u.valid_to, u.successor, s.name AS successor_name,
               (SELECT string_agg(p.name, '; ' ORDER BY p.name COLLATE vi) FROM unit p
                WHERE p.successor = u.code) AS predecessors
        FROM unit u LEFT JOIN unit s ON s.code = u.successor
        WHERE u.code = $code""", {"code": unit_code})


def unit_history(con, unit_code: str) -> pd.DataFrame:
    last = latest_complete_quarter()
    df = _df(con, f"""
        WITH base AS ({_BASE}),
        upto AS (SELECT max({QK}) FILTER (n_actual > 0) AS k FROM {AGG} WHERE all_groups)
        SELECT year, quarter, metric_code, metric_name, kind, grp, metric_unit, ordinal, actual, target, completion
        FROM base
        WHERE {QK} <= greatest(coalesce((SELECT k FROM upto), 0), $last)
        ORDER BY year, quarter, ordinal""",
             {"units": [unit_code], "metric": None, "last": last.key})
    df["label"] = _labels(df)
    return _add_status(df)


def unit_index_scores(con, unit_code: str) -> pd.DataFrame:
    return _df(con, """
        WITH ents AS (
            SELECT code FROM entity WHERE code = $code OR unit_code = $code
            UNION SELECT u.code FROM unit u WHERE u.successor = $code)
        SELECT s.index_code, d.short_name AS index_name, s.year, s.entity_code, s.entity_name, s.score, s.rank,
               s.target, s.source, s.note
        FROM v_index_score s JOIN index_def d ON d.code = s.index_code
        WHERE s.entity_code IN (SELECT code FROM ents) AND s.component_code IS NULL
        ORDER BY s.index_code, s.year""", {"code": unit_code})


def unit_uploads(con, unit_code: str) -> pd.DataFrame:
    return _df(con, """
        SELECT batch_id, kind, file_name, uploaded_by, uploaded_at, rows, status, year, quarter, is_sample, period
        FROM v_upload WHERE unit_code = $code ORDER BY uploaded_at DESC, batch_id DESC""", {"code": unit_code})


# --- indices ----------------------------------------------------------------------------------------------------

def index_defs(con) -> pd.DataFrame:
    df = _df(con, """
        SELECT d.code AS index_code, d.name, d.short_name, d.publisher, d.scale_min, d.scale_max, d.unit,
               d.higher_is_better, (SELECT count(*) FROM v_index_score s WHERE s.index_code = d.code
                                     AND (s.score IS NOT NULL OR s.rank IS NOT NULL)) AS n_rows
        FROM index_def d""")
    order = {c: i for i, c in enumerate(INDEX_ORDER)}
    return df.sort_values("index_code", key=lambda s: s.map(lambda c: order.get(c, 99))).reset_index(drop=True)


def provinces(con) -> pd.DataFrame:
    df = _df(con, """
        SELECT code AS entity_code, name AS entity_name, valid_from, valid_to, successor
        FROM entity WHERE kind = 'tinh' ORDER BY name COLLATE vi""")
    df["label"] = [f"{n} (đến {fmt.date(vt)})" if not pd.isna(vt) else n
                   for n, vt in zip(df["entity_name"], df["valid_to"])]
    return df


def home_province(con) -> str:
    row = con.execute("SELECT value FROM meta WHERE key = ?", [HOME_KEY]).fetchone()
    code = row[0] if row and row[0] else slug(HOME_PROVINCE)
    exists = con.execute("SELECT count(*) FROM entity WHERE code = ?", [code]).fetchone()[0]
    return code if exists else slug(HOME_PROVINCE)


def region_peers(con, province: str, limit: int = 6) -> tuple[str, ...]:
    """Default comparison provinces: the same socio-economic region, the same generation (the 63 before the 2025
    merger for an old or unchanged province, the provinces existing today for a new one), most published results
    first."""
    return tuple(r[0] for r in con.execute("""
        WITH me AS (SELECT e.code, e.valid_from, r.region FROM entity e JOIN province_region r ON r.entity_code = e.code
                    WHERE e.code = $p)
        SELECT e.code
        FROM entity e JOIN province_region r ON r.entity_code = e.code, me
        WHERE r.region = me.region AND e.code <> me.code AND e.kind = 'tinh'
          AND CASE WHEN me.valid_from IS NULL THEN e.valid_from IS NULL ELSE e.valid_to IS NULL END
          -- a province that ended long before (Hà Tây, 2008) is never a default peer: its series stopped
          AND coalesce(year(e.valid_to), 9999) >= 2025
        ORDER BY (SELECT count(*) FROM v_index_score s WHERE s.entity_code = e.code AND s.score IS NOT NULL) DESC,
                 e.name COLLATE vi
        LIMIT $n""", {"p": province, "n": limit}).fetchall())


def home_chain(con, code: str | None = None) -> tuple[str, ...]:
    """The entity and its successors, oldest first."""
    code = code or home_province(con)
    chain, seen = [code], {code}
    while True:
        row = con.execute("SELECT successor FROM entity WHERE code = ?", [chain[-1]]).fetchone()
        if not row or not row[0] or row[0] in seen:
            return tuple(chain)
        chain.append(row[0])
        seen.add(row[0])


def main_line(con, code: str) -> tuple[str, ...]:
    """One province through the merger: the old province of the same name (if ``code`` is a new one), ``code``,
    then its successors. ('da_nang_2025' -> ('da_nang', 'da_nang_2025'); 'dak_lak' -> ('dak_lak', 'dak_lak_2025'))."""
    chain = list(home_chain(con, code))
    rows = con.execute(r"""
        SELECT p.code FROM entity p JOIN entity n ON n.code = ?
        WHERE p.successor = n.code AND p.name = regexp_replace(n.name, '\s*\([^)]*\)\s*$', '')""",
                       [chain[0]]).fetchall()
    return tuple([r[0] for r in rows] + chain)


def lineage(con, code: str) -> pd.DataFrame:
    newest = home_chain(con, code)[-1]
    df = _df(con, """
        WITH RECURSIVE fam(code, depth) AS (
            SELECT $newest, 0
            UNION ALL
            SELECT e.code, f.depth + 1 FROM entity e JOIN fam f ON e.successor = f.code WHERE f.depth < 5)
        SELECT e.code AS entity_code, e.name AS entity_name, e.valid_from, e.valid_to, e.successor, d.depth
        FROM (SELECT code, min(depth) AS depth FROM fam GROUP BY code) d JOIN entity e ON e.code = d.code
        ORDER BY d.depth DESC, (e.code = $code) DESC, e.name COLLATE vi""", {"newest": newest, "code": code})
    merged = len(df) > 1
    df["role"] = ["moi" if (d == 0 and merged) else ("cu" if d > 0 else "hien_tai") for d in df["depth"]]
    return df.drop(columns=["depth"])


def index_latest(con, entities, year: int, prefer: str | None = None) -> pd.DataFrame:
    """``prefer``: the entity whose result wins when two of ``entities`` have one for the same year (else the
    newer entity: a 34-province ranking over the 63-province one)."""
    ents = _units_param(entities) or []
    df = _df(con, """
        WITH s AS (
            SELECT v.*, e.valid_from AS e_from, e.successor AS e_successor
            FROM v_index_score v JOIN entity e ON e.code = v.entity_code
            WHERE list_contains($ents::VARCHAR[], v.entity_code) AND v.component_code IS NULL),
        latest AS (
            SELECT * FROM s WHERE (score IS NOT NULL OR rank IS NOT NULL) AND year <= $year
            QUALIFY row_number() OVER (PARTITION BY index_code
                                       ORDER BY year DESC, (entity_code = $prefer) DESC NULLS LAST,
                                                e_from DESC NULLS LAST) = 1),
        tgt AS (
            SELECT index_code, any_value(target) AS target, any_value(target_rank) AS target_rank,
                   any_value(source) AS target_source
            FROM s WHERE year = $year AND (target IS NOT NULL OR target_rank IS NOT NULL) GROUP BY index_code)
        SELECT d.code AS index_code, d.short_name, d.name AS index_name, d.scale_max, d.unit,
               l.year, l.entity_code, l.entity_name, l.score, l.rank, l.rank_of, l.source,
               coalesce(same.rank, pred.rank) AS prev_rank,
               CASE WHEN same.rank IS NULL AND pred.rank IS NOT NULL THEN pred.entity_name END AS prev_entity_name,
               $year AS target_year, t.target, t.target_rank, t.target_source
        FROM index_def d
        LEFT JOIN latest l ON l.index_code = d.code
        LEFT JOIN s same ON same.index_code = l.index_code AND same.entity_code = l.entity_code
                        AND same.year = l.year - 1 AND same.rank IS NOT NULL
        LEFT JOIN (SELECT * FROM s WHERE rank IS NOT NULL) pred
               ON pred.index_code = l.index_code AND pred.e_successor = l.entity_code AND pred.year = l.year - 1
        LEFT JOIN tgt t ON t.index_code = d.code
        WHERE l.year IS NOT NULL OR t.index_code IS NOT NULL""", {"ents": ents, "year": int(year), "prefer": prefer})
    df = df.drop_duplicates("index_code")
    df["rank_change"] = [p - r if not (pd.isna(p) or pd.isna(r)) else pd.NA for p, r in zip(df["prev_rank"], df["rank"])]
    df["rank_change"] = df["rank_change"].astype("Int64")
    order = {c: i for i, c in enumerate(INDEX_ORDER)}
    return df.sort_values("index_code", key=lambda s: s.map(lambda c: order.get(c, 99))).reset_index(drop=True)


def index_series(con, index_code: str, entities, component: str | None = None, keep=None) -> pd.DataFrame:
    """``keep``: entities drawn even without any result; the others are dropped when they have none
    (None: keep all)."""
    ents = _units_param(entities) or []
    df = _df(con, """
        WITH s AS (
            SELECT * FROM v_index_score
            WHERE index_code = $idx AND component_code IS NOT DISTINCT FROM $comp),
        published AS (SELECT max(year) AS last_pub, min(year) AS first_pub FROM s WHERE score IS NOT NULL OR rank IS NOT NULL),
        ents AS (
            SELECT e.code, e.name, e.valid_from, e.valid_to,
                   (SELECT min(year) FROM s WHERE s.entity_code = e.code AND (s.score IS NOT NULL OR s.rank IS NOT NULL)) AS first_res,
                   (SELECT max(year) FROM s WHERE s.entity_code = e.code AND (s.score IS NOT NULL OR s.rank IS NOT NULL)) AS last_res,
                   (SELECT min(year) FROM s WHERE s.entity_code = e.code) AS first_any,
                   (SELECT max(year) FROM s WHERE s.entity_code = e.code) AS last_any
            FROM entity e WHERE list_contains($ents::VARCHAR[], e.code)),
        span AS (
            SELECT code, name,
                   CASE WHEN valid_from IS NOT NULL THEN least(coalesce(first_res, year(valid_from)), year(valid_from))
                        ELSE least(coalesce(first_any, 9999), (SELECT min(first_any) FROM ents)) END AS y0,
                   -- a province that ended mid-year: its last full year, or the year of its last result
                   -- (PCI 2008 still rates Hà Tây, merged on 01/08/2008)
                   CASE WHEN valid_to IS NOT NULL
                        THEN greatest(CASE WHEN month(valid_to) = 12 AND day(valid_to) = 31 THEN year(valid_to)
                                           ELSE year(valid_to) - 1 END, coalesce(last_res, 0))
                        ELSE greatest(coalesce(last_any, 0), (SELECT max(last_any) FROM ents)) END AS y1
            FROM ents),
        grid AS (SELECT code, name, unnest(range(y0, y1 + 1)) AS year FROM span WHERE y0 <= y1)
        SELECT g.year, g.code AS entity_code, g.name AS entity_name, s.score, s.rank, s.rank_of, s.target,
               s.target_rank, s.source, s.note,
               CASE WHEN s.score IS NOT NULL OR s.rank IS NOT NULL THEN 'co'
                    WHEN g.year <= (SELECT last_pub FROM published) THEN 'chua_cong_bo'
                    ELSE 'chua_den_ky' END AS state
        FROM grid g LEFT JOIN s ON s.entity_code = g.code AND s.year = g.year
        ORDER BY g.year, g.name COLLATE vi""", {"idx": index_code, "comp": component, "ents": ents})
    if len(df) and keep is not None:
        has = set(df.loc[df["state"] == "co", "entity_code"]) | set(df.loc[df["target"].notna(), "entity_code"])
        df = df[df["entity_code"].isin(has | set(keep))]
    if len(df):
        # entities are drawn in the order asked for
        order = {c: i for i, c in enumerate(ents)}
        df = df.sort_values(["entity_code", "year"], key=lambda s: s.map(order) if s.name == "entity_code" else s)
        df = df.reset_index(drop=True)
    return df


def national_series(con, index_code: str) -> pd.DataFrame:
    """The published national average of an index's total, by year, with its source (only the years published)."""
    return _df(con, """
        SELECT s.year, s.score AS national, s.source
        FROM v_index_score s JOIN entity e ON e.code = s.entity_code
        WHERE s.index_code = $idx AND s.component_code IS NULL AND s.score IS NOT NULL
          AND {IS_NATIONAL}
        ORDER BY s.year""".format(IS_NATIONAL=IS_NATIONAL), {"idx": index_code})


def index_components(con, index_code: str, year: int, entity_code: str) -> pd.DataFrame:
    return _df(con, """
        WITH c AS (SELECT * FROM v_index_score
                   WHERE index_code = $idx AND year = $year AND component_code IS NOT NULL AND score IS NOT NULL),
        mine AS (SELECT component_code, score, source FROM c WHERE entity_code = $ent),
        nat AS (SELECT c.component_code, avg(c.score) AS national FROM c JOIN entity e ON e.code = c.entity_code
                WHERE {IS_NATIONAL}
                GROUP BY ALL),
        best AS (SELECT c.component_code, c.score AS best, c.entity_name AS best_name
                 FROM c JOIN entity e ON e.code = c.entity_code
                 WHERE e.kind = 'tinh' AND c.entity_code <> $ent
                 QUALIFY row_number() OVER (PARTITION BY c.component_code ORDER BY c.score DESC,
                                            c.entity_name COLLATE vi) = 1)
        SELECT m.component_code, ic.name AS component_name, ic.ordinal, m.score, n.national, b.best, b.best_name,
               m.source
        FROM mine m
        JOIN index_component ic ON ic.index_code = $idx AND ic.code = m.component_code
        LEFT JOIN nat n USING (component_code)
        LEFT JOIN best b USING (component_code)
        ORDER BY ic.ordinal""".format(IS_NATIONAL=IS_NATIONAL), {"idx": index_code, "year": int(year), "ent": entity_code})


def component_years(con, index_code: str, entities) -> pd.DataFrame:
    return _df(con, """
        SELECT year, entity_code, any_value(entity_name) AS entity_name, count(*) AS n_components
        FROM v_index_score
        WHERE index_code = $idx AND component_code IS NOT NULL AND score IS NOT NULL
          AND list_contains($ents::VARCHAR[], entity_code)
        GROUP BY ALL ORDER BY year DESC, n_components DESC""", {"idx": index_code, "ents": _units_param(entities) or []})


def unit_index_ranking(con, index_code: str, province: str) -> pd.DataFrame:
    """Scores of the units (departments, districts, communes) assessed inside a province: DDCI, internal PAR/DTI.
    For the home province these are the registry units; for others the units named in published tables."""
    return _df(con, """
        SELECT s.year, s.entity_code, s.entity_name, e.kind AS entity_kind, s.score, s.rank, s.source, s.note
        FROM v_index_score s JOIN entity e ON e.code = s.entity_code
        WHERE s.index_code = $idx AND s.component_code IS NULL AND s.score IS NOT NULL
          AND (e.province = $prov OR (e.kind = 'don_vi' AND $prov = $home))
        ORDER BY s.year DESC, s.score DESC, s.entity_name COLLATE vi""",
               {"idx": index_code, "prov": province, "home": home_province(con)})


def index_table(con, index_code: str, entities) -> pd.DataFrame:
    return _df(con, """
        SELECT s.year, s.entity_name, coalesce(ic.name, 'Tổng điểm') AS component_name, s.score, s.rank,
               s.target, s.target_rank, s.source, s.note
        FROM v_index_score s
        LEFT JOIN index_component ic ON ic.index_code = s.index_code AND ic.code = s.component_code
        WHERE s.index_code = $idx AND list_contains($ents::VARCHAR[], s.entity_code)
        ORDER BY s.year DESC, s.entity_name COLLATE vi, ic.ordinal NULLS FIRST""",
               {"idx": index_code, "ents": _units_param(entities) or []})
