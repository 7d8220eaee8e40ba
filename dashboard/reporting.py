"""Who owes which report, by when, and who has not sent it (the Chưa báo cáo page, Tổng quan, the written report).

A unit owes the reports of its cadences (core.periods.CADENCES: tháng, quý, 6 tháng, 9 tháng, năm): the
deployment's default set (meta `report_cadences`, quarterly until set) or the unit's own (table unit_reporting,
set by the office). Each cadence's report is due on a day of the period's last month or of a later month
(meta `deadline.<cadence>`, core.periods.Deadline; the 20th of the last month by default). A report of a period is
in when the unit has a value of that very period: for a quarter, any value of the quarter (also one its months
determine); for another period, a value reported for its span of months, or a batch of the unit sent as that
period. The contact of a unit is the one the office set, else the unit's staff accounts.

Units listed as missing are those active in the period that owe its cadence and either have their cadence set
explicitly, or have a target in the year, or reported in the two years before (as queries.not_reported).

Public API
- ``deadlines(con) -> dict[cadence, Deadline]``
- ``default_cadences(con) -> tuple[str, ...]``
- ``duties(con, units=None)``             [unit_code, unit_name, group_name, cadences, explicit, contact]
- ``settings_version(con) -> str``        changes with any of these settings (a cache key).
- ``missing(con, code, today, units=None, settings=None)``  [unit_code, unit_name, group_name, cadence, deadline, days_late,
                                          contact, last_period, last_upload, has_target] sorted latest first.
- ``received(con, code, units=None)``     [unit_code, unit_name, n_metrics, last_upload, uploaded_by, files].
"""
from __future__ import annotations

import datetime as dt

import pandas as pd

from core.periods import (
    CADENCES,
    CADENCES_KEY,
    DEADLINE_KEY,
    DEFAULT_CADENCES,
    DEFAULT_DEADLINES,
    Deadline,
    Period,
    Quarter,
    cadence_of,
    parse_cadences,
)
from core.rules import active_sql
from dashboard import admin_queries as AQ, queries as Q

MISSING_COLUMNS = ["unit_code", "unit_name", "group_name", "cadence", "deadline", "days_late", "contact",
                   "last_period", "last_upload", "has_target"]


def _meta(con) -> dict[str, str]:
    return dict(con.execute("SELECT key, value FROM meta WHERE key LIKE 'deadline.%' OR key = ?",
                            [CADENCES_KEY]).fetchall())


def deadlines(con) -> dict[str, Deadline]:
    meta = _meta(con)
    out = dict(DEFAULT_DEADLINES)
    for cadence in CADENCES:
        code = meta.get(DEADLINE_KEY + cadence)
        if code:
            try:
                out[cadence] = Deadline.from_code(code)
            except ValueError:  # a setting written by hand and wrong: the default holds
                pass
    return out


def default_cadences(con) -> tuple[str, ...]:
    return parse_cadences(_meta(con).get(CADENCES_KEY)) or DEFAULT_CADENCES


def duties(con, units=None) -> pd.DataFrame:
    """Every unit (or these), the cadences it owes and whom to call."""
    df = con.execute(f"""
        WITH staff AS (
            SELECT unit_code, string_agg(coalesce(full_name, username) || ' (' || username || ')', '; '
                                         ORDER BY username) AS staff
            FROM app_user WHERE active AND role = 'can_bo' AND unit_code IS NOT NULL GROUP BY unit_code)
        SELECT u.code AS unit_code, u.name AS unit_name, {Q.GROUP_NAME_SQL} AS group_name,
               r.cadences AS own, r.contact, s.staff
        FROM unit u LEFT JOIN unit_reporting r ON r.unit_code = u.code LEFT JOIN staff s ON s.unit_code = u.code
        WHERE $units IS NULL OR list_contains($units::VARCHAR[], u.code)
        ORDER BY u.name COLLATE vi""", {"units": Q._units_param(units)}).df()
    default = default_cadences(con)
    df["cadences"] = [parse_cadences(o) if isinstance(o, str) and parse_cadences(o) else default for o in df["own"]]
    df["explicit"] = [isinstance(o, str) and bool(parse_cadences(o)) for o in df["own"]]
    df["contact"] = [c if isinstance(c, str) and c.strip() else (s if isinstance(s, str) else None)
                     for c, s in zip(df["contact"], df["staff"])]
    return df[["unit_code", "unit_name", "group_name", "cadences", "explicit", "contact"]]


def _reported_units(con, p: Period) -> set[str]:
    if p.is_quarter:  # the per-unit aggregate: one row per unit and quarter, merges applied
        return {r[0] for r in con.execute(f"SELECT unit_code FROM {Q.AGG} WHERE all_groups AND n_actual > 0 "
                                          "AND year = ? AND quarter = ?", [p.year, p.last_quarter.quarter]).fetchall()}
    rows = con.execute("""
        SELECT unit_code FROM cur_span WHERE year = $y AND month_from = $a AND month_to = $b
        UNION SELECT unit_code FROM batch
        WHERE kind = 'activities' AND status = 'active' AND period = $code AND unit_code IS NOT NULL""",
                       {"y": p.year, "a": p.first, "b": p.last, "code": p.code}).fetchall()
    return {r[0] for r in rows}


def _candidates(con, p: Period, units) -> pd.DataFrame:
    """Units active in the period with a target in its year, or a report in the two years before it."""
    key = Quarter(p.year, (p.last - 1) // 3 + 1).key
    return con.execute(f"""
        WITH recent AS (
            SELECT unit_code, bool_or(n_target > 0 AND year = $y) AS has_target,
                   bool_or(n_actual > 0 AND year * 4 + quarter - 1 < $key) AS reported_before
            FROM {Q.AGG} WHERE all_groups AND year BETWEEN $y - 2 AND $y GROUP BY unit_code),
        spans AS (SELECT DISTINCT unit_code FROM cur_span WHERE year BETWEEN $y - 2 AND $y)
        SELECT u.code AS unit_code, coalesce(r.has_target, false) AS has_target,
               coalesce(r.reported_before, false) OR s.unit_code IS NOT NULL AS reported_before
        FROM unit u LEFT JOIN recent r ON r.unit_code = u.code LEFT JOIN spans s ON s.unit_code = u.code
        WHERE {active_sql('u')} AND ($units IS NULL OR list_contains($units::VARCHAR[], u.code))""",
                       {"y": p.year, "key": key, "start": p.start, "end": p.end, "units": Q._units_param(units)}).df()


def _last(con, cadence: str, before: Period, units: tuple) -> dict[str, tuple[str | None, object]]:
    """For these units: the label of the latest period of this cadence each reported before `before`, and its
    last upload."""
    params = {"units": list(units), "before": before.year * 12 + before.last}
    if cadence == "quy":  # each unit's latest quarter before the period, from the per-unit aggregate
        rows = con.execute(f"""
            SELECT unit_code, arg_max(year, year * 4 + quarter), 3 * arg_max(quarter, year * 4 + quarter) - 2,
                   3 * arg_max(quarter, year * 4 + quarter)
            FROM {Q.AGG} WHERE all_groups AND n_actual > 0 AND year * 12 + 3 * quarter < $before
              AND list_contains($units::VARCHAR[], unit_code)
            GROUP BY unit_code""", params).fetchall()
    else:
        rows = con.execute("SELECT DISTINCT unit_code, year, month_from, month_to FROM cur_span "
                           "WHERE list_contains($units::VARCHAR[], unit_code)", {"units": params["units"]}).fetchall()
    latest: dict[str, Period] = {}
    for unit, year, a, b in rows:
        p = Period(int(year), int(a), int(b))
        if cadence_of(p) == cadence and (p.year, p.last) < (before.year, before.last):
            if unit not in latest or (p.year, p.last) > (latest[unit].year, latest[unit].last):
                latest[unit] = p
    uploads = dict(con.execute("SELECT unit_code, max(uploaded_at) FROM batch WHERE status = 'active' AND kind = "
                               "'activities' AND list_contains($units::VARCHAR[], unit_code) GROUP BY unit_code",
                               {"units": params["units"]}).fetchall())
    return {u: (latest[u].label if u in latest else None, uploads.get(u)) for u in set(latest) | set(uploads)}


def settings_version(con) -> str:
    """Changes whenever a deadline, the default cadences or a unit's own reports or contact change: a key for the
    pages' caches, which the data version does not cover."""
    row = con.execute("""
        SELECT (SELECT string_agg(key || '=' || value, ';' ORDER BY key) FROM meta
                WHERE key LIKE 'deadline.%' OR key = ?),
               (SELECT string_agg(concat_ws('=', unit_code, cadences, contact), ';' ORDER BY unit_code)
                FROM unit_reporting)""", [CADENCES_KEY]).fetchone()
    return f"{row[0] or ''}|{row[1] or ''}"


def missing(con, code, today: dt.date, units=None, settings: str | None = None) -> pd.DataFrame:
    """The units that owe the report of this period and have not sent it, with its deadline and how late they
    are (days_late < 0: days left), latest first. A period no cadence reports (the second half) owes nothing.
    `settings`: settings_version, only to key a cache."""
    p = Period.of(code)
    cadence = cadence_of(p)
    if cadence is None:
        return pd.DataFrame(columns=MISSING_COLUMNS)
    due = deadlines(con)[cadence].due(p)
    cand = _candidates(con, p, units)
    cand = cand[~cand["unit_code"].isin(_reported_units(con, p))]  # the few not in: read only their duties
    duty = duties(con, tuple(cand["unit_code"])) if len(cand) else duties(con, ())
    owing = duty["cadences"].map(lambda c: cadence in c).astype(bool)  # (a boolean Series, even when empty)
    df = duty[owing].merge(cand, on="unit_code", how="inner")
    df = df[df["explicit"] | df["has_target"] | df["reported_before"]].copy()
    last = _last(con, cadence, p, tuple(df["unit_code"]))
    df["cadence"] = cadence
    df["deadline"] = pd.Timestamp(due)
    df["days_late"] = (today - due).days
    df["last_period"] = [last.get(u, (None, None))[0] for u in df["unit_code"]]
    df["last_upload"] = pd.to_datetime([last.get(u, (None, None))[1] for u in df["unit_code"]])
    return df[MISSING_COLUMNS].reset_index(drop=True)


def received(con, code, units=None) -> pd.DataFrame:
    """The units whose report of the period is in."""
    p = Period.of(code)
    if p.is_quarter:
        df = AQ.reported(con, p.year, p.last_quarter.quarter)
    else:
        df = con.execute("""
            WITH v AS (SELECT unit_code, metric_code, batch_id FROM cur_span
                       WHERE year = $y AND month_from = $a AND month_to = $b)
            SELECT v.unit_code, u.name AS unit_name, count(DISTINCT v.metric_code) AS n_metrics,
                   max(b.uploaded_at) AS last_upload, arg_max(b.uploaded_by, b.uploaded_at) AS uploaded_by,
                   string_agg(DISTINCT b.file_name, '; ') AS files
            FROM v JOIN batch b ON b.id = v.batch_id JOIN unit u ON u.code = v.unit_code
            GROUP BY v.unit_code, u.name ORDER BY u.name COLLATE vi""",
                         {"y": p.year, "a": p.first, "b": p.last}).df()
    if units is not None:
        df = df[df["unit_code"].isin(set(units))].reset_index(drop=True)
    return df
