"""Read-side queries for a period of any kind: a month, a quarter, six months, nine months, a year.

Every function takes the period as its code ('2025-M08', '2025-Q3', '2025-H1', '2025-9M', '2025'). For a quarter
it returns what dashboard.queries returns (the fast path over the maintained per-unit aggregate); for another
period it computes the same columns from the values of the period:
- a unit's value of an indicator is the value of its months from the period's start to the latest month known
  (the period so far: `through` is that month, `complete` says whether it is the period's last). Exact values only
  (core.period_values): the quarters reported, the quarters and spans months and cumulative reports determine
  (v_activity and cur_span_unit). A count needs consecutive quarters from the period's start; a rate is the latest
  value in the period. Where nothing from the period's start is known but a cumulative figure of the year is
  (a nine-month report alone), the value stays empty and `cumulative` / `cumulative_through` show that figure as
  what it is, never split;
- the target is the whole period's: the quarters' targets summed for counts (a month's only where the target was
  set per month, "04 số/tháng"), the rate target of the period's last quarter for rates; completion compares the
  value so far with it (progress toward the period's target), with the rules of core.rules.

Public API (one line each; columns in brackets)
- ``period_values(con, code, units=None, metric=None)``  [unit_code, unit_name, metric_code, metric_name, kind, grp,
        metric_unit, ordinal, actual, target, completion, status, through, complete, cumulative,
        cumulative_through] one row per unit and indicator with a value or a target.
- ``completion(con, code, units=None, metric=None)``   period_values' rows (the columns of queries.completion first).
- ``unit_completion(con, code, units=None)``            [unit_code, unit_name, group_name, n_indicators, n_dat,
        completion, status, rank, through].
- ``overview(con, code, units=None)``                   [key, label, grp, completion, prev_completion, delta,
        n_units, status] overall and per indicator group, beside the previous period of the same kind.
- ``indicator_summary(con, code, units=None)``          queries.indicator_summary's columns.
- ``metric_by_unit(con, code, metric, units=None)``     queries.metric_by_unit's columns.
- ``reached(con, code, units=None) -> int | None``      the latest month the units' values reach in the period.
- ``ytd(con, code, units=None, metric=None)``           [month, label, actual, target, annual_target, mode] the year
        to date at the grain of the period's kind (months, quarters, halves), as queries.ytd.
- ``available(con, kind) -> list[str]``                 codes of the periods of a kind with values, oldest first.
- ``unit_history(con, unit_code, kind)``                [period, year, month_from, month_to, label, metric_code,
        metric_name, kind, grp, metric_unit, ordinal, actual, target, completion, status, complete] one unit's
        indicators for every period of a kind with values.
"""
from __future__ import annotations

import pandas as pd

from core import rules
from core.periods import Period, periods_of_kind
from core.rules import completion_sql
from dashboard import queries as Q, theme

COLUMNS = ["unit_code", "unit_name", "metric_code", "metric_name", "kind", "grp", "metric_unit", "ordinal", "actual",
           "target", "completion", "status", "through", "complete", "cumulative", "cumulative_through"]


def _period(code) -> Period:
    return Period.of(code)


def _quarter_bounds(p: Period) -> tuple[int, int]:
    """The first and last whole quarter inside the period (first > last when it holds none: a month)."""
    qs = [q.quarter for q in p.quarters]
    return (qs[0], qs[-1]) if qs else (5, 0)


_VALUES_SQL = f"""
    WITH groups AS (SELECT DISTINCT unit_code, metric_code FROM cur_span_unit WHERE year = $y),
    spans AS (  -- units with months or cumulative reports: the latest known span from the period's start
        SELECT unit_code, metric_code, actual, month_to AS through
        FROM cur_span_unit WHERE year = $y AND month_from = $a AND month_to <= $b
        QUALIFY row_number() OVER (PARTITION BY unit_code, metric_code ORDER BY month_to DESC) = 1),
    q AS (  -- units reported by quarters only: the quarters of the period
        SELECT a.unit_code, a.metric_code, m.kind, a.quarter, a.actual,
               row_number() OVER (PARTITION BY a.unit_code, a.metric_code ORDER BY a.quarter) AS rn
        FROM v_activity a JOIN metric m ON m.code = a.metric_code
        WHERE a.year = $y AND a.quarter BETWEEN $qa AND $qb AND a.actual IS NOT NULL
          AND ($units IS NULL OR list_contains($units::VARCHAR[], a.unit_code))
          AND NOT EXISTS (SELECT 1 FROM groups g WHERE g.unit_code = a.unit_code AND g.metric_code = a.metric_code)),
    quarters AS (  -- counts: the consecutive quarters from the period's start; rates: the latest quarter
        SELECT unit_code, metric_code,
               CASE WHEN any_value(kind) = 'count' THEN sum(actual) FILTER (quarter - $qa + 1 = rn)
                    ELSE arg_max(actual, quarter) END AS actual,
               3 * CASE WHEN any_value(kind) = 'count' THEN max(quarter) FILTER (quarter - $qa + 1 = rn)
                        ELSE max(quarter) END AS through
        FROM q GROUP BY unit_code, metric_code),
    vals AS (SELECT * FROM spans UNION ALL SELECT * FROM quarters WHERE actual IS NOT NULL),
    tq AS (  -- counts: the quarters' targets, a third of a quarter's a month; rates: the last quarter's target
        SELECT a.unit_code, a.metric_code,
               CASE WHEN any_value(m.kind) = 'count'
                    THEN sum(a.target * (least($b, 3 * a.quarter) - greatest($a, 3 * a.quarter - 2) + 1) / 3.0)
                    ELSE arg_max(a.target, a.quarter) END AS target
        FROM v_activity a JOIN metric m ON m.code = a.metric_code
        WHERE a.year = $y AND a.quarter BETWEEN ($a - 1) // 3 + 1 AND ($b - 1) // 3 + 1 AND a.target IS NOT NULL
          AND ($units IS NULL OR list_contains($units::VARCHAR[], a.unit_code))
          AND (m.kind = 'rate' OR NOT $month_view)
        GROUP BY a.unit_code, a.metric_code),
    tm AS (  -- a month viewed on its own: a count's target only where it was set per month ('04 số/tháng'),
             -- from the month's quarter where the plan set quarters (a plan issued mid-year), else from the year
        SELECT t.unit_code, t.metric_code, t.target / CASE WHEN t.quarter IS NULL THEN 12 ELSE 3 END AS target
        FROM cur_target t JOIN metric m ON m.code = t.metric_code
        WHERE t.year = $y AND t.per = 'month' AND m.kind = 'count' AND $month_view
          AND (t.quarter IS NULL OR t.quarter = ($a - 1) // 3 + 1)
        QUALIFY row_number() OVER (PARTITION BY t.unit_code, t.metric_code ORDER BY t.quarter IS NULL) = 1),
    tgt AS (SELECT * FROM tq UNION ALL SELECT * FROM tm),
    cum AS (  -- the latest cumulative figure of the year, shown as such where the period's value is unknown
        SELECT unit_code, metric_code, actual AS cumulative, month_to AS cumulative_through
        FROM cur_span_unit WHERE year = $y AND month_from = 1
        QUALIFY row_number() OVER (PARTITION BY unit_code, metric_code ORDER BY month_to DESC) = 1),
    base AS (
        SELECT coalesce(v.unit_code, t.unit_code) AS unit_code, coalesce(v.metric_code, t.metric_code) AS metric_code,
               v.actual, t.target, v.through
        FROM vals v FULL OUTER JOIN tgt t USING (unit_code, metric_code))
    SELECT b.unit_code, u.name AS unit_name, b.metric_code, m.name AS metric_name, m.kind, m.grp,
           m.unit AS metric_unit, m.ordinal, b.actual, b.target, {completion_sql('b.actual', 'b.target')} AS completion,
           b.through, b.through = $b AS complete,
           CASE WHEN b.actual IS NULL THEN c.cumulative END AS cumulative,
           CASE WHEN b.actual IS NULL THEN c.cumulative_through END AS cumulative_through
    FROM base b JOIN unit u ON u.code = b.unit_code JOIN metric m ON m.code = b.metric_code
    LEFT JOIN cum c USING (unit_code, metric_code)
    WHERE ($units IS NULL OR list_contains($units::VARCHAR[], b.unit_code))
      AND ($metric IS NULL OR b.metric_code = $metric)
    ORDER BY u.name COLLATE vi, m.ordinal"""


def period_values(con, code, units=None, metric: str | None = None, month_view: bool | None = None) -> pd.DataFrame:
    """`month_view`: a single month is judged only against targets set per month (default: when the period is a
    month); off for the months of a year-to-date line, whose targets are the quarters' shares."""
    p = _period(code)
    qa, qb = _quarter_bounds(p)
    params = {"y": p.year, "a": p.first, "b": p.last, "qa": qa, "qb": qb,
              "month_view": p.kind == "month" if month_view is None else bool(month_view),
              "units": Q._units_param(units), "metric": metric}
    df = Q._df(con, _VALUES_SQL, params)
    df["complete"] = df["complete"].fillna(False).astype(bool)
    return Q._add_status(df)[COLUMNS]


def completion(con, code, units=None, metric: str | None = None) -> pd.DataFrame:
    p = _period(code)
    if p.is_quarter:
        df = Q.completion(con, p.year, p.last_quarter.quarter, units, metric)
        df["through"] = [p.last if not pd.isna(a) else None for a in df["actual"]]
        df["complete"] = df["actual"].notna()
        df["cumulative"] = df["cumulative_through"] = None
        return df
    return period_values(con, code, units, metric)


def unit_completion(con, code, units=None) -> pd.DataFrame:
    """One row per unit with a value in the period: its capped mean completion, its rank (queries.unit_completion's
    rule), and `through`, the latest month its values reach."""
    p = _period(code)
    if p.is_quarter:
        df = Q.unit_completion(con, p.year, p.last_quarter.quarter, units)
        df["through"] = p.last
        return df
    vals = period_values(con, code, units)
    rep = vals[vals["actual"].notna()]
    if rep.empty:
        return pd.DataFrame(columns=["unit_code", "unit_name", "group_name", "n_indicators", "n_dat", "completion",
                                     "status", "rank", "through"])
    groups = Q.units(con)[["unit_code", "group_name"]]
    rows = []
    for (unit, name), g in rep.groupby(["unit_code", "unit_name"], sort=False):
        n_dat, n_with = rules.indicators_dat(g["completion"])
        rows.append({"unit_code": unit, "unit_name": name, "n_indicators": n_with, "n_dat": n_dat,
                     "completion": rules.unit_completion(g["completion"]), "through": int(g["through"].max())})
    df = pd.DataFrame(rows).merge(groups, on="unit_code", how="left")
    df = df.sort_values(["completion", "unit_name"], ascending=[False, True], na_position="last", kind="stable")
    df = Q._add_status(df.reset_index(drop=True))
    df["rank"] = df["completion"].rank(method="min", ascending=False).astype("Int64")
    return df[["unit_code", "unit_name", "group_name", "n_indicators", "n_dat", "completion", "status", "rank",
               "through"]]


def _group_means(con, code, units=None) -> pd.DataFrame:
    """[grp, completion, n_units] per indicator group and overall (grp None): the mean over the units with a
    value of their capped completions (queries' rule)."""
    vals = period_values(con, code, units)
    rep = vals[vals["actual"].notna()]
    if rep.empty:
        return pd.DataFrame(columns=["grp", "completion", "n_units"])
    reported = set(rep["unit_code"])
    scored = vals[vals["unit_code"].isin(reported)]
    rows = []
    for grp, g in [(None, scored)] + list(scored.groupby("grp", sort=True)):
        per_unit = g.groupby("unit_code")["completion"].apply(rules.unit_completion).dropna()
        rows.append({"grp": grp, "completion": float(per_unit.mean()) if len(per_unit) else None,
                     "n_units": int(len(per_unit))})
    return pd.DataFrame(rows)


def overview(con, code, units=None) -> pd.DataFrame:
    p = _period(code)
    if p.is_quarter:
        return Q.overview(con, p.year, p.last_quarter.quarter, units)
    cur, prev = _group_means(con, code, units), _group_means(con, p.previous().code, units)
    if cur.empty:
        return pd.DataFrame(columns=["key", "label", "grp", "completion", "prev_completion", "delta", "n_units",
                                     "status"])

    def key(g) -> str:  # the overall row has no group (NaN in a string column)
        return "tong" if pd.isna(g) else g

    prev_of = {key(g): c for g, c in zip(prev.get("grp", []), prev.get("completion", []))}
    order = Q.metrics(con).groupby("grp")["ordinal"].min().to_dict()
    cur = cur[cur["n_units"] > 0].copy()
    cur["key"] = [key(g) for g in cur["grp"]]
    cur["label"] = ["Hoàn thành chung" if k == "tong" else k for k in cur["key"]]
    cur["prev_completion"] = [prev_of.get(k) for k in cur["key"]]
    cur["delta"] = [c - pc if not (pd.isna(c) or pc is None or pd.isna(pc)) else None
                    for c, pc in zip(cur["completion"], cur["prev_completion"])]
    cur["_o"] = [-1 if k == "tong" else order.get(k, 99) for k in cur["key"]]
    cur = cur.sort_values("_o", kind="stable").reset_index(drop=True)
    return Q._add_status(cur)[["key", "label", "grp", "completion", "prev_completion", "delta", "n_units", "status"]]


def indicator_summary(con, code, units=None) -> pd.DataFrame:
    p = _period(code)
    if p.is_quarter:
        return Q.indicator_summary(con, p.year, p.last_quarter.quarter, units)
    vals = period_values(con, code, units)
    rep = vals[vals["actual"].notna()]
    rows = []
    for code_, g in rep.groupby("metric_code", sort=False):
        first = g.iloc[0]
        count = first["kind"] == "count"
        rows.append({"metric_code": code_, "metric_name": first["metric_name"], "kind": first["kind"],
                     "grp": first["grp"], "metric_unit": first["metric_unit"], "ordinal": first["ordinal"],
                     "actual": g["actual"].sum() if count else g["actual"].mean(),
                     "target": (g["target"].sum(min_count=1) if count else g["target"].mean()),
                     "n_units": g["unit_code"].nunique(),
                     "n_dat": int((g["completion"] >= theme.THRESHOLD_DAT).sum())})
    df = pd.DataFrame(rows, columns=["metric_code", "metric_name", "kind", "grp", "metric_unit", "ordinal", "actual",
                                     "target", "n_units", "n_dat"]).sort_values("ordinal").reset_index(drop=True)
    df["completion"] = [a / t if t and t > 0 and not pd.isna(a) else float("nan")
                        for a, t in zip(df["actual"], df["target"])]
    return Q._add_status(df)


def metric_by_unit(con, code, metric: str, units=None) -> pd.DataFrame:
    p = _period(code)
    if p.is_quarter:
        return Q.metric_by_unit(con, p.year, p.last_quarter.quarter, metric, units)
    df = period_values(con, code, units, metric)
    df = df[df["actual"].notna()]
    return df[["unit_code", "unit_name", "actual", "target", "completion", "status", "metric_unit", "kind"]] \
        .sort_values("completion", ascending=False, na_position="last").reset_index(drop=True)


def reached(con, code, units=None) -> int | None:
    """The latest month the units' values reach in the period (None: no value), for 'số liệu đến hết …'."""
    p = _period(code)
    df = unit_completion(con, code, units)
    return int(df["through"].max()) if len(df) and p.kind != "quarter" else (p.last if len(df) else None)


def reached_label(code, month: int | None) -> str:
    """'số liệu đến hết Quý II/2025', 'số liệu đến hết tháng 8/2025': how far a period's values reach, when they
    stop before its end; '' when they reach it (or there are none)."""
    p = _period(code)
    if month is None or month >= p.last:
        return ""
    upto = Period.of_quarter(p.year, month // 3).label if month % 3 == 0 else f"tháng {month}/{p.year}"
    return f"số liệu đến hết {upto}"


# --- the year to date, at the grain of the period's kind --------------------------------------------------------

GRAIN_ENDS = {"month": list(range(1, 13)), "half": [6, 12]}


def ytd(con, code, units=None, metric: str | None = None) -> pd.DataFrame:
    """The year to date: for a month, one point per month; for six months, at June and December; for a quarter,
    nine months or the year, one per quarter (queries.ytd). Columns [month, label, actual, target, annual_target,
    mode]: counts summed over the units' values so far, rates their mean, or (no indicator) the mean share of the
    annual targets reached, capped (mode 'progress')."""
    p = _period(code)
    if p.kind not in GRAIN_ENDS:
        df = Q.ytd(con, p.year, units, metric)
        df.insert(0, "month", [3 * int(q) for q in df["quarter"]])
        return df.drop(columns=["quarter"])
    rows = []
    annual = period_values(con, Period.whole_year(p.year).code, units, metric)
    for end in GRAIN_ENDS[p.kind]:
        span = Period.to_month(p.year, end)
        vals = period_values(con, span.code, units, metric, month_view=False)
        label = Period.month(p.year, end).label if p.kind == "month" else span.label
        rows.append(_ytd_point(vals, annual, end, label, metric))
    df = pd.DataFrame(rows, columns=["month", "label", "actual", "target", "annual_target", "mode"])
    last = max((r["month"] for r in rows if r["_has"]), default=0) if rows else 0
    df.loc[df["month"] > last, "actual"] = None
    return df


def _ytd_point(vals: pd.DataFrame, annual: pd.DataFrame, end: int, label: str, metric: str | None) -> dict:
    has = bool((vals["through"] == end).any())  # some unit's values reach this very month
    if metric:
        kind = vals["kind"].iloc[0] if len(vals) else (annual["kind"].iloc[0] if len(annual) else "count")
        if kind == "count":
            return {"month": end, "label": label, "actual": vals["actual"].sum(min_count=1),
                    "target": vals["target"].sum(min_count=1), "annual_target": annual["target"].sum(min_count=1),
                    "mode": "count", "_has": has}
        return {"month": end, "label": label, "actual": vals["actual"].mean(), "target": vals["target"].mean(),
                "annual_target": annual["target"].mean(), "mode": "rate", "_has": has}
    counts = vals[vals["kind"] == "count"].merge(
        annual[annual["kind"] == "count"][["unit_code", "metric_code", "target"]].rename(columns={"target": "annual"}),
        on=["unit_code", "metric_code"], how="inner")
    counts = counts[counts["annual"] > 0]
    share = (counts["actual"].fillna(0) / counts["annual"]).clip(upper=rules.UNIT_CAP)
    plan = counts["target"] / counts["annual"]
    return {"month": end, "label": label, "actual": float(share.mean()) if len(share) else None,
            "target": float(plan.mean()) if len(plan) else None, "annual_target": 1.0, "mode": "progress",
            "_has": has}


# --- which periods exist -----------------------------------------------------------------------------------------

def available(con, kind: str) -> list[str]:
    """The periods of a kind for which some unit has a value (by quarters, or by months and cumulative reports)."""
    per = Q.periods(con)
    if kind == "quarter":
        return [Period.of_quarter(y, q).code for y, q in zip(per["year"], per["quarter"])]
    spans = {(int(y), int(a), int(b)) for y, a, b in con.execute(
        "SELECT DISTINCT year, month_from, month_to FROM activity_derived").fetchall()}
    quarters = {(int(y), int(q)) for y, q in zip(per["year"], per["quarter"])}
    years = sorted({y for y, _ in quarters} | {y for y, _, _ in spans})
    out = []
    for y in years:
        for p in periods_of_kind(y, kind):
            first_quarter = (p.first - 1) // 3 + 1
            if any(yy == y and a == p.first and b <= p.last for yy, a, b in spans) or (
                    p.quarter_aligned and (y, first_quarter) in quarters):
                out.append(p.code)
    return out


def unit_history(con, unit_code: str, kind: str) -> pd.DataFrame:
    """One unit's indicators for each period of a kind that has values (quarters: queries.unit_history)."""
    if kind == "quarter":
        df = Q.unit_history(con, unit_code)
        df.insert(0, "period", [Period.of_quarter(y, q).code for y, q in zip(df["year"], df["quarter"])])
        df["month_from"], df["month_to"] = 3 * df["quarter"] - 2, 3 * df["quarter"]
        df["complete"] = df["actual"].notna()
        return df
    frames = []
    for code in available(con, kind):
        v = period_values(con, code, (unit_code,))
        if v.empty:
            continue
        p = Period.of(code)
        v.insert(0, "period", code)
        v["year"], v["month_from"], v["month_to"], v["label"] = p.year, p.first, p.last, p.label
        frames.append(v)
    if not frames:
        return pd.DataFrame(columns=["period", "year", "month_from", "month_to", "label", "metric_code", "metric_name",
                                     "kind", "grp", "metric_unit", "ordinal", "actual", "target", "completion",
                                     "status", "complete"])
    return pd.concat(frames, ignore_index=True)


def label(code) -> str:
    """The label of a period code: 'Quý III/2025', 'Tháng 8/2025', '6 tháng đầu năm 2025'."""
    return _period(code).label


__all__ = ["period_values", "completion", "unit_completion", "overview", "indicator_summary", "metric_by_unit",
           "reached", "reached_label", "ytd", "available", "unit_history", "label"]
