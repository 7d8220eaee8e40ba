"""Read-only queries of the data-management pages (Tải lên, Lịch sử, Chỉ tiêu, Danh mục, Chưa báo cáo).

Pure functions f(con, ...) -> DataFrame (or a small value); they never write. The leadership pages' queries
live in dashboard.queries; these read the batches and registries the way the office that manages the data
needs them.
"""
from __future__ import annotations

import pandas as pd

from core.periods import PeriodError, parse_period, quarter_label

KIND_LABELS = {
    "activities": "Báo cáo hoạt động", "targets": "Chỉ tiêu", "indices": "Chỉ số công bố",
    "reference": "Số liệu công bố (gói sẵn)", "sample": "Dữ liệu mẫu", "plan": "Kế hoạch",
    "target_edit": "Sửa chỉ tiêu",
}
STATUS_LABELS = {"active": "Đang dùng", "rolled_back": "Đã hoàn tác"}


def _period(year, quarter, code=None) -> str:
    """'Quý III/2025', 'Năm 2025'; a batch that records its period (a month, six or nine months): that period's label."""
    if isinstance(code, str) and code:
        try:
            return parse_period(code).label
        except PeriodError:
            pass
    if year is None or pd.isna(year):
        return ""
    if quarter is None or pd.isna(quarter):
        return f"Năm {int(year)}"
    return quarter_label(int(year), int(quarter))


# --- registries -------------------------------------------------------------------------------------------
def units(con, include_ended: bool = True) -> pd.DataFrame:
    """[code, name, kind, parent, valid_from, valid_to, successor, successor_name, aliases, note, active]"""
    df = con.execute(
        """SELECT u.code, u.name, u.kind, u.parent, u.valid_from, u.valid_to, u.successor, s.name AS successor_name,
                  coalesce((SELECT string_agg(a.alias, '; ' ORDER BY a.alias) FROM unit_alias a
                            WHERE a.unit_code = u.code), '') AS aliases,
                  u.note, u.valid_to IS NULL OR u.valid_to >= current_date AS active
           FROM unit u LEFT JOIN unit s ON s.code = u.successor
           ORDER BY (u.valid_to IS NOT NULL), u.name COLLATE vi"""
    ).df()
    if not include_ended:
        df = df[df["active"]].reset_index(drop=True)
    return df


def registry_version(con) -> str:
    """Changes whenever a unit, indicator or alias is added or renamed (a key for cached templates)."""
    return con.execute(
        "SELECT md5(coalesce(string_agg(k, '|' ORDER BY k), '')) FROM ("
        "SELECT 'u' || code || name || coalesce(valid_to::VARCHAR, '') AS k FROM unit "
        "UNION ALL SELECT 'm' || code || name FROM metric "
        "UNION ALL SELECT 'a' || unit_code || alias FROM unit_alias "
        "UNION ALL SELECT 'b' || metric_code || alias FROM metric_alias)").fetchone()[0]


def unit_names(con) -> dict[str, str]:
    return dict(con.execute("SELECT code, name FROM unit").fetchall())


def metrics(con) -> pd.DataFrame:
    """[code, name, kind, grp, unit, ordinal, aliases]"""
    return con.execute(
        """SELECT m.code, m.name, m.kind, m.grp, m.unit, m.ordinal,
                  coalesce((SELECT string_agg(a.alias, '; ' ORDER BY a.alias) FROM metric_alias a
                            WHERE a.metric_code = m.code), '') AS aliases
           FROM metric m ORDER BY m.ordinal, m.code"""
    ).df()


# --- batches ------------------------------------------------------------------------------------------------
def batch_periods(con) -> list[tuple[int, int | None]]:
    """(year, quarter) of the batches, newest first; quarter None for year-only batches."""
    return [tuple(r) for r in con.execute(
        "SELECT DISTINCT year, quarter FROM batch WHERE year IS NOT NULL ORDER BY year DESC, quarter DESC NULLS LAST"
    ).fetchall()]


def batches(con, unit: str | None = None, year: int | None = None, quarter: int | None = None,
            kind: str | None = None, status: str | None = None, uploaded_by: str | None = None) -> pd.DataFrame:
    """One row per batch, newest first: [batch_id, uploaded_at, uploaded_by, kind, kind_label, file_name,
    unit_code, unit_name, year, quarter, period, rows, status, status_label, is_sample, note, rolled_back_at,
    rolled_back_by, units]. `unit` matches the batch's unit or any of its rows' units."""
    df = con.execute(
        """WITH row_units AS (
               SELECT batch_id, list(DISTINCT unit_code ORDER BY unit_code) AS units FROM (
                   SELECT batch_id, unit_code FROM activity_value
                   UNION ALL SELECT batch_id, unit_code FROM target_value) GROUP BY batch_id)
           SELECT b.id AS batch_id, b.uploaded_at, b.uploaded_by, b.kind, b.file_name, b.unit_code,
                  u.name AS unit_name, b.year, b.quarter, b.period AS period_code, b.rows, b.status, b.is_sample,
                  b.note, b.rolled_back_at, b.rolled_back_by, coalesce(r.units, []) AS units
           FROM batch b LEFT JOIN unit u ON u.code = b.unit_code LEFT JOIN row_units r ON r.batch_id = b.id
           WHERE ($unit IS NULL OR b.unit_code = $unit OR list_contains(coalesce(r.units, []), $unit))
             AND ($year IS NULL OR b.year = $year)
             AND ($quarter IS NULL OR b.quarter = $quarter)
             AND ($kind IS NULL OR b.kind = $kind)
             AND ($status IS NULL OR b.status = $status)
             AND ($by IS NULL OR b.uploaded_by = $by)
           ORDER BY b.id DESC""",
        {"unit": unit, "year": year, "quarter": quarter, "kind": kind, "status": status, "by": uploaded_by},
    ).df()
    df["kind_label"] = df["kind"].map(lambda k: KIND_LABELS.get(k, k))
    df["status_label"] = df["status"].map(lambda s: STATUS_LABELS.get(s, s))
    df["period"] = [_period(y, q, c) for y, q, c in zip(df["year"], df["quarter"], df.pop("period_code"))]
    return df


def batch_info(con, batch_id: int) -> dict | None:
    df = con.execute(
        """SELECT b.id AS batch_id, b.kind, b.file_name, b.sha256, b.uploaded_by, b.uploaded_at, b.unit_code,
                  u.name AS unit_name, b.year, b.quarter, b.period AS period_code, b.rows, b.status, b.is_sample,
                  b.note, b.rolled_back_at, b.rolled_back_by, b.content IS NOT NULL AS has_file, octet_length(b.content) AS file_size
           FROM batch b LEFT JOIN unit u ON u.code = b.unit_code WHERE b.id = ?""", [int(batch_id)]).df()
    if df.empty:
        return None
    info = df.iloc[0].to_dict()
    info["period"] = _period(info["year"], info["quarter"], info.pop("period_code"))
    info["kind_label"] = KIND_LABELS.get(info["kind"], info["kind"])
    info["status_label"] = STATUS_LABELS.get(info["status"], info["status"])
    units = con.execute(
        "SELECT DISTINCT unit_code FROM (SELECT unit_code FROM activity_value WHERE batch_id = $b "
        "UNION ALL SELECT unit_code FROM target_value WHERE batch_id = $b) ORDER BY 1", {"b": int(batch_id)}
    ).fetchall()
    info["units"] = [u[0] for u in units]
    return info


def batch_file(con, batch_id: int) -> tuple[str | None, bytes | None]:
    row = con.execute("SELECT file_name, content FROM batch WHERE id = ?", [int(batch_id)]).fetchone()
    return (row[0], bytes(row[1]) if row and row[1] is not None else None) if row else (None, None)


def batch_rows(con, batch_id: int) -> pd.DataFrame:
    """The rows a batch holds, whatever its kind: [what, unit_or_entity, period, item, value, current,
    sheet, row_no, col]. `current` says whether the value is the one the views show now."""
    b = int(batch_id)
    return con.execute(
        """SELECT * FROM (
             SELECT 'Hoạt động' AS what, coalesce(u.name, a.unit_code) AS unit_or_entity, a.year, a.quarter,
                    coalesce(m.name, a.metric_code) AS item, a.value,
                    coalesce(c.batch_id = a.batch_id, false) AS current, a.sheet, a.row_no, a.col, m.ordinal
             FROM activity_value a LEFT JOIN unit u ON u.code = a.unit_code LEFT JOIN metric m ON m.code = a.metric_code
             LEFT JOIN cur_activity c ON c.unit_code = a.unit_code AND c.year = a.year AND c.quarter = a.quarter
                  AND c.metric_code = a.metric_code
             WHERE a.batch_id = $b
             UNION ALL
             SELECT 'Chỉ tiêu', coalesce(u.name, t.unit_code), t.year, t.quarter, coalesce(m.name, t.metric_code),
                    t.value, coalesce(c.batch_id = t.batch_id, false), t.sheet, t.row_no, t.col, m.ordinal
             FROM target_value t LEFT JOIN unit u ON u.code = t.unit_code LEFT JOIN metric m ON m.code = t.metric_code
             LEFT JOIN cur_target c ON c.unit_code = t.unit_code AND c.year = t.year
                  AND c.quarter IS NOT DISTINCT FROM t.quarter AND c.metric_code = t.metric_code
             WHERE t.batch_id = $b
             UNION ALL
             SELECT 'Chỉ số ' || v.index_code, coalesce(e.name, v.entity_code), v.year, NULL,
                    coalesce(ic.name, 'Tổng điểm'), v.score, coalesce(c.batch_id = v.batch_id, false),
                    v.sheet, v.row_no, v.col, ic.ordinal
             FROM index_value v LEFT JOIN entity e ON e.code = v.entity_code
             LEFT JOIN index_component ic ON ic.index_code = v.index_code AND ic.code = v.component_code
             LEFT JOIN cur_index c ON c.index_code = v.index_code AND c.year = v.year
                  AND c.entity_code = v.entity_code AND c.component_code IS NOT DISTINCT FROM v.component_code
             WHERE v.batch_id = $b
             UNION ALL
             SELECT 'Mục tiêu chỉ số ' || t.index_code, coalesce(e.name, t.entity_code), t.year, NULL,
                    coalesce(ic.name, 'Tổng điểm'), t.target_score, NULL, NULL, NULL, NULL, ic.ordinal
             FROM index_target t LEFT JOIN entity e ON e.code = t.entity_code
             LEFT JOIN index_component ic ON ic.index_code = t.index_code AND ic.code = t.component_code
             WHERE t.batch_id = $b)
           ORDER BY what, unit_or_entity COLLATE vi, year, quarter NULLS FIRST, ordinal NULLS FIRST, item""",
        {"b": b},
    ).df().assign(period=lambda d: [_period(y, q) for y, q in zip(d["year"], d["quarter"])])


# --- preview of an upload -------------------------------------------------------------------------------------
CHANGE_NEW, CHANGE_REPLACE, CHANGE_SAME = "Mới", "Thay giá trị", "Không đổi"


def preview_changes(con, batch) -> pd.DataFrame:
    """What writing `batch` (a loaders.store.batches.Batch, not yet written) would do to the current data, row by row:
    [what, unit_code, unit_or_entity, year, quarter, period, item, old, new, change, sheet, row_no, col]."""
    own = con.cursor()  # registering a frame needs a connection with no half-read result (DuckDB 2.0)
    try:
        return _preview_changes(own, batch)
    finally:
        own.close()


def _preview_changes(con, batch) -> pd.DataFrame:
    parts = []
    if batch.activities:
        df = pd.DataFrame([{"unit_code": r.unit_code, "year": r.year, "quarter": r.quarter,
                            "metric_code": r.metric_code, "new": r.value, "sheet": r.sheet, "row_no": r.row,
                            "col": r.col} for r in batch.activities])
        con.register("_preview_rows", df)
        try:
            parts.append(con.execute(
                """SELECT 'Hoạt động' AS what, p.unit_code, coalesce(u.name, p.unit_code) AS unit_or_entity,
                          p.year, p.quarter, coalesce(m.name, p.metric_code) AS item, c.actual AS old, p.new,
                          p.sheet, p.row_no, p.col, m.ordinal
                   FROM _preview_rows p LEFT JOIN unit u ON u.code = p.unit_code
                   LEFT JOIN metric m ON m.code = p.metric_code
                   LEFT JOIN cur_activity c ON c.unit_code = p.unit_code AND c.year = p.year
                        AND c.quarter = p.quarter AND c.metric_code = p.metric_code""").df())
        finally:
            con.unregister("_preview_rows")
    if batch.targets:
        df = pd.DataFrame([{"unit_code": r.unit_code, "year": r.year, "quarter": r.quarter,
                            "metric_code": r.metric_code, "new": r.value, "sheet": r.sheet, "row_no": r.row,
                            "col": r.col} for r in batch.targets])
        df["quarter"] = df["quarter"].astype("Int64")
        con.register("_preview_rows", df)
        try:
            parts.append(con.execute(
                """SELECT 'Chỉ tiêu' AS what, p.unit_code, coalesce(u.name, p.unit_code) AS unit_or_entity,
                          p.year, p.quarter, coalesce(m.name, p.metric_code) AS item, c.target AS old, p.new,
                          p.sheet, p.row_no, p.col, m.ordinal
                   FROM _preview_rows p LEFT JOIN unit u ON u.code = p.unit_code
                   LEFT JOIN metric m ON m.code = p.metric_code
                   LEFT JOIN cur_target c ON c.unit_code = p.unit_code AND c.year = p.year
                        AND c.quarter IS NOT DISTINCT FROM p.quarter AND c.metric_code = p.metric_code""").df())
        finally:
            con.unregister("_preview_rows")
    if batch.indices:
        df = pd.DataFrame([{"index_code": r.index_code, "year": r.year, "entity_code": r.entity_code,
                            "component_code": r.component_code, "new": r.score, "sheet": r.sheet,
                            "row_no": r.row, "col": r.col} for r in batch.indices])
        df["component_code"] = df["component_code"].astype("object")
        con.register("_preview_rows", df)
        try:
            parts.append(con.execute(
                """SELECT 'Chỉ số ' || p.index_code AS what, p.entity_code AS unit_code,
                          coalesce(e.name, p.entity_code) AS unit_or_entity, p.year, NULL::INTEGER AS quarter,
                          coalesce(ic.name, 'Tổng điểm') AS item, c.score AS old, p.new, p.sheet, p.row_no, p.col,
                          ic.ordinal
                   FROM _preview_rows p LEFT JOIN entity e ON e.code = p.entity_code
                   LEFT JOIN index_component ic ON ic.index_code = p.index_code AND ic.code = p.component_code
                   LEFT JOIN cur_index c ON c.index_code = p.index_code AND c.year = p.year
                        AND c.entity_code = p.entity_code
                        AND c.component_code IS NOT DISTINCT FROM p.component_code""").df())
        finally:
            con.unregister("_preview_rows")
    columns = ["what", "unit_code", "unit_or_entity", "year", "quarter", "period", "item", "old", "new", "change",
               "sheet", "row_no", "col"]
    if not parts:
        return pd.DataFrame(columns=columns)
    out = pd.concat([p for p in parts if not p.empty] or parts, ignore_index=True)
    out["period"] = [_period(y, q) for y, q in zip(out["year"], out["quarter"])]

    def change(old, new):
        if old is None or pd.isna(old):
            return CHANGE_NEW
        if new is not None and not pd.isna(new) and abs(float(old) - float(new)) < 1e-9:
            return CHANGE_SAME
        return CHANGE_REPLACE

    out["change"] = [change(o, n) for o, n in zip(out["old"], out["new"])]
    out = out.sort_values(["what", "unit_or_entity", "year", "quarter", "ordinal"], na_position="first")
    return out[columns].reset_index(drop=True)


def preview_summary(preview: pd.DataFrame) -> dict[str, int]:
    counts = preview["change"].value_counts() if len(preview) else {}
    return {k: int(counts.get(k, 0)) for k in (CHANGE_NEW, CHANGE_REPLACE, CHANGE_SAME)}


def active_batch_for_file(con, sha256: str) -> int | None:
    row = con.execute("SELECT max(id) FROM batch WHERE sha256 = ? AND status = 'active'", [sha256]).fetchone()
    return row[0] if row and row[0] is not None else None


# --- targets ------------------------------------------------------------------------------------------------
def target_grid(con, unit_code: str, year: int) -> pd.DataFrame:
    """One row per indicator: [metric_code, name, kind, unit, annual, q1, q2, q3, q4] as currently set."""
    return con.execute(
        """SELECT m.code AS metric_code, m.name, m.kind, m.unit,
                  max(t.target) FILTER (t.quarter IS NULL) AS annual,
                  max(t.target) FILTER (t.quarter = 1) AS q1, max(t.target) FILTER (t.quarter = 2) AS q2,
                  max(t.target) FILTER (t.quarter = 3) AS q3, max(t.target) FILTER (t.quarter = 4) AS q4
           FROM metric m LEFT JOIN cur_target t ON t.metric_code = m.code AND t.unit_code = ? AND t.year = ?
           GROUP BY m.code, m.name, m.kind, m.unit, m.ordinal ORDER BY m.ordinal, m.code""",
        [unit_code, int(year)],
    ).df()


def target_years(con) -> list[int]:
    return [r[0] for r in con.execute("SELECT DISTINCT year FROM cur_target ORDER BY year").fetchall()]


def units_with_targets(con, year: int) -> list[str]:
    return [r[0] for r in con.execute("SELECT DISTINCT unit_code FROM cur_target WHERE year = ?",
                                      [int(year)]).fetchall()]


# --- reports received -------------------------------------------------------------------------------------------
def reported(con, year: int, quarter: int) -> pd.DataFrame:
    """Units whose report of the quarter is in (under their current unit, merges applied):
    [unit_code, unit_name, n_metrics, last_upload, uploaded_by, files]."""
    return con.execute(
        """WITH raw AS (SELECT a.unit_code AS raw_unit, a.batch_id, a.metric_code,
                               coalesce(l.current_code, a.unit_code) AS unit_code
                        FROM (SELECT *, last_day(make_date(year, 3 * quarter, 1)) AS period_end
                              FROM cur_activity WHERE year = $y AND quarter = $q) a
                        ASOF LEFT JOIN unit_lineage l ON l.code = a.unit_code AND a.period_end >= l.from_date)
           SELECT r.unit_code, u.name AS unit_name, count(DISTINCT r.metric_code) AS n_metrics,
                  max(b.uploaded_at) AS last_upload, arg_max(b.uploaded_by, b.uploaded_at) AS uploaded_by,
                  string_agg(DISTINCT b.file_name, '; ') AS files
           FROM raw r JOIN batch b ON b.id = r.batch_id JOIN unit u ON u.code = r.unit_code
           GROUP BY r.unit_code, u.name ORDER BY u.name COLLATE vi""",
        {"y": int(year), "q": int(quarter)},
    ).df()


# --- audit and accounts ---------------------------------------------------------------------------------------
def audit(con, username: str | None = None, action: str | None = None, limit: int = 1000) -> pd.DataFrame:
    from loaders.accounts.audit import action_label

    df = con.execute(
        "SELECT id, happened_at, username, action, detail FROM audit_log "
        "WHERE ($u IS NULL OR username = $u) AND ($a IS NULL OR action = $a) ORDER BY id DESC LIMIT $n",
        {"u": username, "a": action, "n": int(limit)},
    ).df()
    df["action_label"] = df["action"].map(action_label)
    return df


def users(con) -> pd.DataFrame:
    """[username, full_name, role, unit_code, unit_name, active, created_at, last_sign_in]"""
    return con.execute(
        """SELECT a.username, a.full_name, a.role, a.unit_code, u.name AS unit_name, a.active, a.created_at,
                  (SELECT max(happened_at) FROM audit_log l WHERE l.username = a.username AND l.action = 'sign_in')
                      AS last_sign_in
           FROM app_user a LEFT JOIN unit u ON u.code = a.unit_code ORDER BY a.role, a.username"""
    ).df()


def rollback_preview(con, batch_id: int) -> pd.DataFrame:
    """What rolling the batch back changes: its values now shown, and what shows instead afterwards
    (the newest other active batch's value, or nothing): [what, unit_or_entity, period, item, now, after]."""
    b = int(batch_id)
    df = con.execute(
        """SELECT 'Hoạt động' AS what, coalesce(u.name, a.unit_code) AS unit_or_entity, a.year, a.quarter,
                  coalesce(m.name, a.metric_code) AS item, m.ordinal, a.value AS now,
                  (SELECT arg_max(o.value, o.batch_id) FROM activity_value o JOIN batch ob ON ob.id = o.batch_id
                   WHERE ob.status = 'active' AND o.batch_id <> a.batch_id AND o.unit_code = a.unit_code
                     AND o.year = a.year AND o.quarter = a.quarter AND o.metric_code = a.metric_code) AS after
           FROM activity_value a JOIN cur_activity c ON c.unit_code = a.unit_code AND c.year = a.year
                AND c.quarter = a.quarter AND c.metric_code = a.metric_code AND c.batch_id = a.batch_id
           LEFT JOIN unit u ON u.code = a.unit_code LEFT JOIN metric m ON m.code = a.metric_code
           WHERE a.batch_id = $b
           UNION ALL
           SELECT 'Chỉ tiêu', coalesce(u.name, t.unit_code), t.year, t.quarter, coalesce(m.name, t.metric_code),
                  m.ordinal, t.value,
                  (SELECT arg_max(o.value, o.batch_id) FROM target_value o JOIN batch ob ON ob.id = o.batch_id
                   WHERE ob.status = 'active' AND o.batch_id <> t.batch_id AND o.unit_code = t.unit_code
                     AND o.year = t.year AND o.quarter IS NOT DISTINCT FROM t.quarter
                     AND o.metric_code = t.metric_code)
           FROM target_value t JOIN cur_target c ON c.unit_code = t.unit_code AND c.year = t.year
                AND c.quarter IS NOT DISTINCT FROM t.quarter AND c.metric_code = t.metric_code
                AND c.batch_id = t.batch_id
           LEFT JOIN unit u ON u.code = t.unit_code LEFT JOIN metric m ON m.code = t.metric_code
           WHERE t.batch_id = $b
           ORDER BY 1, 2, 3, 4 NULLS FIRST, 6""", {"b": b}).df()
    df["period"] = [_period(y, q) for y, q in zip(df["year"], df["quarter"])]
    return df[["what", "unit_or_entity", "period", "item", "now", "after"]]


# --- Lịch sử ------------------------------------------------------------------------------------------------
def period_label(year, quarter) -> str:
    """The period of a batch as the data pages show it: 'Quý III/2025', 'Năm 2025' (year only), '' (none)."""
    return _period(year, quarter)


def batch_list(con, unit: str | None = None, period: tuple[int, int | None] | None = None, kind: str | None = None,
               status: str | None = None) -> pd.DataFrame:
    """batches() filtered by a period of batch_periods(): (year, quarter), or (year, None) for the year-only
    batches of that year; None: every period."""
    year, quarter = period if period is not None else (None, None)
    df = batches(con, unit=unit, year=year, quarter=quarter, kind=kind, status=status)
    if period is not None and quarter is None:
        df = df[df["quarter"].isna()]
    return df


def audit_users(con) -> list[str]:
    """Everyone the audit trail names, sorted (the history page's filter)."""
    return [r[0] for r in con.execute(
        "SELECT DISTINCT username FROM audit_log WHERE username IS NOT NULL ORDER BY 1").fetchall()]
