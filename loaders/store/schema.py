"""The DuckDB schema: numbered migrations, applied in order, each in its own transaction.

A database made by an older version is upgraded in place: only the migrations it lacks run.
The public views (v_activity, v_index_score, v_upload) are recreated after every upgrade,
so they always match the code that reads them.
"""
from __future__ import annotations

import os
from pathlib import Path

import duckdb

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_DB = ROOT / "data" / "cchc.duckdb"

MIGRATIONS: list[str] = [
    # 1: registries, batches, values
    """
    CREATE TABLE meta (key VARCHAR PRIMARY KEY, value VARCHAR);
    CREATE TABLE unit (
        code VARCHAR PRIMARY KEY, name VARCHAR NOT NULL, kind VARCHAR, parent VARCHAR,
        valid_from DATE, valid_to DATE, successor VARCHAR, note VARCHAR);
    CREATE TABLE unit_alias (unit_code VARCHAR NOT NULL, alias VARCHAR NOT NULL, PRIMARY KEY (unit_code, alias));
    CREATE TABLE metric (
        code VARCHAR PRIMARY KEY, name VARCHAR NOT NULL, kind VARCHAR NOT NULL CHECK (kind IN ('count', 'rate')),
        grp VARCHAR, unit VARCHAR, ordinal INTEGER);
    CREATE TABLE metric_alias (metric_code VARCHAR NOT NULL, alias VARCHAR NOT NULL, PRIMARY KEY (metric_code, alias));
    CREATE TABLE index_def (
        code VARCHAR PRIMARY KEY, name VARCHAR NOT NULL, short_name VARCHAR, publisher VARCHAR,
        scale_min DOUBLE, scale_max DOUBLE, unit VARCHAR, higher_is_better BOOLEAN, aliases VARCHAR);
    CREATE TABLE index_component (
        index_code VARCHAR NOT NULL, code VARCHAR NOT NULL, name VARCHAR NOT NULL, name_en VARCHAR,
        aliases VARCHAR, ordinal INTEGER, PRIMARY KEY (index_code, code));
    CREATE TABLE entity (
        code VARCHAR PRIMARY KEY, name VARCHAR NOT NULL, kind VARCHAR NOT NULL, province VARCHAR,
        valid_from DATE, valid_to DATE, successor VARCHAR, unit_code VARCHAR, aliases VARCHAR);
    CREATE TABLE province_mapping (old_code VARCHAR PRIMARY KEY, new_code VARCHAR NOT NULL, source VARCHAR);
    CREATE SEQUENCE batch_seq START 1;
    CREATE TABLE batch (
        id INTEGER PRIMARY KEY DEFAULT nextval('batch_seq'),
        kind VARCHAR NOT NULL, file_name VARCHAR, sha256 VARCHAR, content BLOB,
        uploaded_by VARCHAR, uploaded_at TIMESTAMP NOT NULL DEFAULT current_timestamp,
        unit_code VARCHAR, year INTEGER, quarter INTEGER, rows INTEGER NOT NULL DEFAULT 0,
        status VARCHAR NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'rolled_back')),
        is_sample BOOLEAN NOT NULL DEFAULT false, note VARCHAR,
        rolled_back_at TIMESTAMP, rolled_back_by VARCHAR);
    CREATE TABLE activity_value (
        batch_id INTEGER NOT NULL, unit_code VARCHAR NOT NULL, year INTEGER NOT NULL,
        quarter INTEGER NOT NULL CHECK (quarter BETWEEN 1 AND 4), metric_code VARCHAR NOT NULL,
        value DOUBLE NOT NULL, sheet VARCHAR, row_no INTEGER, col VARCHAR);
    -- quarter NULL: an annual target
    CREATE TABLE target_value (
        batch_id INTEGER NOT NULL, unit_code VARCHAR NOT NULL, year INTEGER NOT NULL,
        quarter INTEGER CHECK (quarter BETWEEN 1 AND 4), metric_code VARCHAR NOT NULL, value DOUBLE NOT NULL,
        sheet VARCHAR, row_no INTEGER, col VARCHAR);
    CREATE TABLE index_value (
        batch_id INTEGER NOT NULL, index_code VARCHAR NOT NULL, year INTEGER NOT NULL,
        entity_code VARCHAR NOT NULL, component_code VARCHAR, score DOUBLE, rank INTEGER, rank_of INTEGER,
        source VARCHAR, note VARCHAR, sheet VARCHAR, row_no INTEGER, col VARCHAR);
    CREATE TABLE index_target (
        batch_id INTEGER NOT NULL, index_code VARCHAR NOT NULL, year INTEGER NOT NULL,
        entity_code VARCHAR NOT NULL, component_code VARCHAR, target_score DOUBLE, target_rank INTEGER,
        source VARCHAR);
    CREATE INDEX activity_key ON activity_value (unit_code, year, quarter, metric_code);
    CREATE INDEX target_key ON target_value (unit_code, year, metric_code);
    CREATE INDEX index_key ON index_value (index_code, year, entity_code);
    """,
    # 2: users and the audit trail
    """
    CREATE TABLE app_user (
        username VARCHAR PRIMARY KEY, full_name VARCHAR, role VARCHAR NOT NULL
            CHECK (role IN ('lanh_dao', 'can_bo', 'quan_tri')),
        unit_code VARCHAR, password_hash VARCHAR NOT NULL, active BOOLEAN NOT NULL DEFAULT true,
        created_at TIMESTAMP NOT NULL DEFAULT current_timestamp);
    CREATE SEQUENCE audit_seq START 1;
    CREATE TABLE audit_log (
        id INTEGER PRIMARY KEY DEFAULT nextval('audit_seq'), happened_at TIMESTAMP NOT NULL DEFAULT current_timestamp,
        username VARCHAR, action VARCHAR NOT NULL, detail VARCHAR);
    """,
    # 3: tasks of an imported yearly plan (batch kind 'plan') and their status per quarter
    """
    CREATE SEQUENCE plan_task_seq START 1;
    CREATE TABLE plan_task (
        batch_id INTEGER NOT NULL, id INTEGER PRIMARY KEY DEFAULT nextval('plan_task_seq'),
        ordinal INTEGER, content VARCHAR NOT NULL, lead_unit_code VARCHAR, lead_text VARCHAR,
        partners VARCHAR[], partner_codes VARCHAR[],
        schedule_kind VARCHAR NOT NULL CHECK (schedule_kind IN
            ('month', 'quarter', 'month_range', 'monthly', 'quarterly', 'regular', 'on_request', 'year')),
        months INTEGER[], quarters INTEGER[], year INTEGER, when_text VARCHAR, source_text VARCHAR);
    CREATE INDEX plan_task_batch ON plan_task (batch_id);
    -- One row per mark; the newest mark of a (task, year, quarter) is its status. Nothing is overwritten.
    CREATE TABLE plan_task_status (
        task_id INTEGER NOT NULL, year INTEGER NOT NULL, quarter INTEGER NOT NULL CHECK (quarter BETWEEN 1 AND 4),
        status VARCHAR NOT NULL CHECK (status IN ('done', 'in_progress', 'not_done')),
        note VARCHAR, evidence_url VARCHAR, evidence_file BLOB, evidence_name VARCHAR,
        marked_by VARCHAR, marked_at TIMESTAMP NOT NULL DEFAULT current_timestamp);
    CREATE INDEX plan_task_status_key ON plan_task_status (task_id, year, quarter);
    """,
    # 4: the socio-economic region of each province entity (default peers on the Chỉ số page)
    """
    CREATE TABLE province_region (entity_code VARCHAR PRIMARY KEY, region VARCHAR NOT NULL, source VARCHAR);
    """,
    # 5: plans read as documents: their identity (number, date, period, scope, a fingerprint of their content),
    # every lead of a task (a group of units counts as one), every number a plan commits to (those bound to an
    # indicator or index, those awaiting review, those dropped), and a task's marks per unit of a group
    """
    CREATE TABLE plan_doc (
        batch_id INTEGER PRIMARY KEY, organisation VARCHAR, issuer_code VARCHAR, province VARCHAR, kind VARCHAR,
        number VARCHAR, symbol VARCHAR, issued VARCHAR, not_before DATE, year_start INTEGER, year_end INTEGER,
        first_quarter INTEGER, scope VARCHAR, fingerprint VARCHAR, source VARCHAR);
    ALTER TABLE plan_task ADD COLUMN lead_kinds VARCHAR[];
    ALTER TABLE plan_task ADD COLUMN lead_codes VARCHAR[];
    ALTER TABLE plan_task ADD COLUMN lead_texts VARCHAR[];
    ALTER TABLE plan_task ADD COLUMN item VARCHAR;
    ALTER TABLE plan_task ADD COLUMN year_end INTEGER;
    ALTER TABLE plan_task_status ADD COLUMN unit_code VARCHAR;
    CREATE SEQUENCE plan_target_seq START 1;
    CREATE TABLE plan_target (
        id INTEGER PRIMARY KEY DEFAULT nextval('plan_target_seq'), batch_id INTEGER NOT NULL, ordinal INTEGER,
        code VARCHAR, kind VARCHAR, value DOUBLE NOT NULL, unit VARCHAR, per VARCHAR, year INTEGER,
        text VARCHAR, as_written VARCHAR,
        status VARCHAR NOT NULL CHECK (status IN ('saved', 'pending', 'dropped')),
        applies_to VARCHAR, decided_by VARCHAR);
    CREATE INDEX plan_target_batch ON plan_target (batch_id);
    """,
    # 6: sign-in sessions that outlive a page load (loaders/accounts/sessions.py). Only digests of the browser's
    # token and of the one-time grant are stored; password_stamp changes with the password and ends older sessions.
    """
    CREATE TABLE app_session (
        id VARCHAR PRIMARY KEY, username VARCHAR NOT NULL, token_hash VARCHAR, grant_hash VARCHAR,
        grant_until TIMESTAMP, password_stamp VARCHAR, created_at TIMESTAMP NOT NULL,
        last_seen_at TIMESTAMP NOT NULL, expires_at TIMESTAMP NOT NULL, ended_at TIMESTAMP, end_reason VARCHAR);
    """,
    # 7: reports of any period (issue 17). activity_value keeps the values of one quarter (the public grain);
    # activity_span every other reported span of months (a month, six or nine months, the year, a cumulative
    # "lũy kế" column: months 1..m), and any value given with a weight (the number of files a rate is taken of).
    # activity_derived is maintained by loaders.store.derive from them: every span their sums and differences
    # determine. batch.period is the period a file reports (its code: 2025-M08, 2025-H1...); target_value.per the
    # period a target was set for ('month': '04 số/tháng', kept as the annual total like every target);
    # unit_reporting the reports a unit owes (cadences) and the person to call about them.
    """
    CREATE TABLE activity_span (
        batch_id INTEGER NOT NULL, unit_code VARCHAR NOT NULL, year INTEGER NOT NULL,
        month_from INTEGER NOT NULL CHECK (month_from BETWEEN 1 AND 12),
        month_to INTEGER NOT NULL CHECK (month_to BETWEEN month_from AND 12),
        metric_code VARCHAR NOT NULL, value DOUBLE NOT NULL, weight DOUBLE CHECK (weight > 0),
        sheet VARCHAR, row_no INTEGER, col VARCHAR);
    CREATE INDEX activity_span_key ON activity_span (unit_code, year, metric_code);
    CREATE TABLE activity_derived (
        unit_code VARCHAR NOT NULL, year INTEGER NOT NULL, month_from INTEGER NOT NULL, month_to INTEGER NOT NULL,
        metric_code VARCHAR NOT NULL, value DOUBLE NOT NULL, basis VARCHAR NOT NULL, batch_id INTEGER,
        quarter_row BOOLEAN NOT NULL);
    ALTER TABLE batch ADD COLUMN period VARCHAR;
    ALTER TABLE target_value ADD COLUMN per VARCHAR;
    CREATE TABLE unit_reporting (unit_code VARCHAR PRIMARY KEY, cadences VARCHAR, contact VARCHAR);
    """,
    # 8: the years of the methodology a component belongs to (PCI's SOE-bias sub-index: 2005-2008); NULL: open
    """
    ALTER TABLE index_component ADD COLUMN first_year INTEGER;
    ALTER TABLE index_component ADD COLUMN last_year INTEGER;
    """,
    # 9: hardening — streaks of failed sign-ins (per machine and name; name '*': per machine), and a plausible
    # bound per count indicator above which an upload asks for confirmation
    """
    CREATE TABLE sign_in_throttle (client VARCHAR NOT NULL, name VARCHAR NOT NULL, failures INTEGER NOT NULL,
                                   last_at TIMESTAMP NOT NULL, audit_id INTEGER, PRIMARY KEY (client, name));
    CREATE TABLE metric_bound (metric_code VARCHAR PRIMARY KEY, max_plausible DOUBLE NOT NULL);
    """,
    # 10: the quarters of its year a plan's target applies to (a plan issued in July: Quý III–IV, unless the target
    # names its own: '6 tháng đầu năm'); NULL: the whole year, or not known (targets saved before)
    """
    ALTER TABLE plan_target ADD COLUMN quarters INTEGER[];
    """,
]

# The current value of a key is the one from its newest active batch; rolled-back batches stay stored.
VIEWS = """
CREATE OR REPLACE VIEW v_upload AS
SELECT id AS batch_id, kind, file_name, sha256, uploaded_by, uploaded_at, rows, status,
       unit_code, year, quarter, is_sample, note, period
FROM batch;

-- A quarter's value: the one reported for it (newest active batch), else the one its months or cumulative
-- figures determine (activity_derived, maintained by loaders.store.derive; never both for one key).
CREATE OR REPLACE VIEW cur_quarter_value AS
SELECT a.unit_code, a.year, a.quarter, a.metric_code,
       arg_max(a.value, a.batch_id) AS actual, max(a.batch_id) AS batch_id
FROM activity_value a JOIN batch b ON b.id = a.batch_id AND b.status = 'active'
GROUP BY ALL;

CREATE OR REPLACE VIEW cur_activity AS
SELECT * FROM cur_quarter_value
UNION ALL
SELECT d.unit_code, d.year, d.month_to // 3 AS quarter, d.metric_code, d.value AS actual, d.batch_id
FROM activity_derived d WHERE d.quarter_row;

-- Every reported span of months other than a bare quarter: the newest active batch's value per key.
CREATE OR REPLACE VIEW cur_span AS
SELECT s.unit_code, s.year, s.month_from, s.month_to, s.metric_code,
       arg_max(s.value, s.batch_id) AS value, arg_max(s.weight, s.batch_id) AS weight, max(s.batch_id) AS batch_id
FROM activity_span s JOIN batch b ON b.id = s.batch_id AND b.status = 'active'
GROUP BY ALL;

CREATE OR REPLACE VIEW cur_target AS
SELECT t.unit_code, t.year, t.quarter, t.metric_code,
       arg_max(t.value, t.batch_id) AS target, max(t.batch_id) AS batch_id, arg_max(t.per, t.batch_id) AS per
FROM target_value t JOIN batch b ON b.id = t.batch_id AND b.status = 'active'
GROUP BY t.unit_code, t.year, t.quarter, t.metric_code;

-- Quarterly target: a quarterly figure where one was set; otherwise the annual one, split in four
-- for counts (they add up) and taken whole for rates (they do not).
CREATE OR REPLACE VIEW v_quarter_target AS
WITH annual AS (SELECT * FROM cur_target WHERE quarter IS NULL),
     quarterly AS (SELECT * FROM cur_target WHERE quarter IS NOT NULL),
     q AS (SELECT unnest([1, 2, 3, 4]) AS quarter)
SELECT a.unit_code, a.year, q.quarter, a.metric_code,
       coalesce(qt.target, CASE WHEN m.kind = 'count' THEN a.target / 4 ELSE a.target END) AS target,
       a.target AS annual_target
FROM annual a CROSS JOIN q
JOIN metric m ON m.code = a.metric_code
LEFT JOIN quarterly qt
  ON qt.unit_code = a.unit_code AND qt.year = a.year AND qt.metric_code = a.metric_code AND qt.quarter = q.quarter
UNION ALL
SELECT qt.unit_code, qt.year, qt.quarter, qt.metric_code, qt.target, NULL
FROM quarterly qt
WHERE NOT EXISTS (SELECT 1 FROM annual a
                  WHERE a.unit_code = qt.unit_code AND a.year = qt.year AND a.metric_code = qt.metric_code);

-- Unit lineage: a merged (or renamed-into) unit has valid_to and successor. unit_lineage lists, for every
-- predecessor, each later unit its data belongs to and from which date (chains followed); unit_current gives
-- the unit a code stands for today. A quarter's activity belongs to the unit that exists at the quarter's end:
-- the old unit's data shows under its successor from the merge date, and stays its own before it. When a
-- quarter has values both from the successor and from its predecessors, the successor's own value wins;
-- from predecessors only, counts add up and rates are averaged. Targets follow the same rule.
CREATE OR REPLACE VIEW unit_lineage AS
WITH RECURSIVE chain(code, current_code, from_date, depth) AS (
    SELECT code, successor, CAST(valid_to + INTERVAL 1 DAY AS DATE), 1
    FROM unit WHERE successor IS NOT NULL AND valid_to IS NOT NULL AND successor <> code
    UNION ALL
    SELECT c.code, u.successor, greatest(c.from_date, CAST(u.valid_to + INTERVAL 1 DAY AS DATE)), c.depth + 1
    FROM chain c JOIN unit u ON u.code = c.current_code
    WHERE u.successor IS NOT NULL AND u.valid_to IS NOT NULL AND c.depth < 20)
SELECT code, current_code, from_date, depth FROM chain;

CREATE OR REPLACE VIEW unit_current AS
SELECT u.code, coalesce(arg_max(l.current_code, l.depth), u.code) AS current_code, max(l.from_date) AS merged_on
FROM unit u LEFT JOIN unit_lineage l ON l.code = u.code
GROUP BY u.code;

CREATE OR REPLACE VIEW cur_activity_unit AS
WITH a AS (SELECT *, last_day(make_date(year, 3 * quarter, 1)) AS period_end FROM cur_activity),
m AS (SELECT coalesce(l.current_code, a.unit_code) AS unit_code, a.year, a.quarter, a.metric_code, a.actual,
             a.batch_id, l.current_code IS NULL AS own
      FROM a ASOF LEFT JOIN unit_lineage l ON l.code = a.unit_code AND a.period_end >= l.from_date)
SELECT m.unit_code, m.year, m.quarter, m.metric_code,
       CASE WHEN bool_or(m.own) THEN arg_max(m.actual, [m.own::INTEGER, m.batch_id])
            WHEN any_value(k.kind) = 'count' THEN sum(m.actual) ELSE avg(m.actual) END AS actual,
       max(m.batch_id) AS batch_id
FROM m JOIN metric k ON k.code = m.metric_code
GROUP BY m.unit_code, m.year, m.quarter, m.metric_code;

CREATE OR REPLACE VIEW v_quarter_target_unit AS
WITH t AS (SELECT *, last_day(make_date(year, 3 * quarter, 1)) AS period_end FROM v_quarter_target),
m AS (SELECT coalesce(l.current_code, t.unit_code) AS unit_code, t.year, t.quarter, t.metric_code, t.target,
             l.current_code IS NULL AS own
      FROM t ASOF LEFT JOIN unit_lineage l ON l.code = t.unit_code AND t.period_end >= l.from_date)
SELECT m.unit_code, m.year, m.quarter, m.metric_code,
       CASE WHEN bool_or(m.own) THEN arg_max(m.target, m.own::INTEGER)
            WHEN any_value(k.kind) = 'count' THEN sum(m.target) ELSE avg(m.target) END AS target
FROM m JOIN metric k ON k.code = m.metric_code
GROUP BY m.unit_code, m.year, m.quarter, m.metric_code;

CREATE OR REPLACE VIEW v_activity AS
SELECT coalesce(a.unit_code, t.unit_code) AS unit_code, u.name AS unit_name,
       coalesce(a.year, t.year) AS year, coalesce(a.quarter, t.quarter) AS quarter,
       coalesce(a.metric_code, t.metric_code) AS metric_code, m.name AS metric_name,
       a.actual, t.target
FROM cur_activity_unit a
FULL OUTER JOIN v_quarter_target_unit t USING (unit_code, year, quarter, metric_code)
JOIN unit u ON u.code = coalesce(a.unit_code, t.unit_code)
JOIN metric m ON m.code = coalesce(a.metric_code, t.metric_code);

-- Spans of months (loaders.store.derive keeps them in activity_derived) under the unit that exists at the span's
-- end, with the same rule as cur_activity_unit for merged units.
CREATE OR REPLACE VIEW cur_span_unit AS
WITH d AS (SELECT *, last_day(make_date(year, month_to, 1)) AS period_end FROM activity_derived),
m AS (SELECT coalesce(l.current_code, d.unit_code) AS unit_code, d.year, d.month_from, d.month_to, d.metric_code,
             d.value, d.basis, d.batch_id, l.current_code IS NULL AS own
      FROM d ASOF LEFT JOIN unit_lineage l ON l.code = d.unit_code AND d.period_end >= l.from_date)
SELECT m.unit_code, m.year, m.month_from, m.month_to, m.metric_code,
       CASE WHEN bool_or(m.own) THEN arg_max(m.value, [m.own::INTEGER, m.batch_id])
            WHEN any_value(k.kind) = 'count' THEN sum(m.value) ELSE avg(m.value) END AS actual,
       CASE WHEN bool_or(m.own) THEN arg_max(m.basis, [m.own::INTEGER, m.batch_id]) ELSE 'derived' END AS basis
FROM m JOIN metric k ON k.code = m.metric_code
GROUP BY m.unit_code, m.year, m.month_from, m.month_to, m.metric_code;

-- The finer public view beside v_activity: every known value by span of months — what reports gave (basis
-- 'reported') and what their sums and differences determine ('derived'); a unit and indicator reported by
-- quarters only has its quarters here. A span with no row is not known (its cumulative figure may be).
CREATE OR REPLACE VIEW v_activity_period AS
WITH s AS (SELECT * FROM cur_span_unit),
q AS (SELECT a.unit_code, a.year, 3 * a.quarter - 2 AS month_from, 3 * a.quarter AS month_to, a.metric_code,
             a.actual, 'reported' AS basis
      FROM v_activity a
      WHERE a.actual IS NOT NULL
        AND NOT EXISTS (SELECT 1 FROM s WHERE s.unit_code = a.unit_code AND s.year = a.year
                                          AND s.metric_code = a.metric_code)),
x AS (SELECT * FROM s UNION ALL SELECT * FROM q)
SELECT x.unit_code, u.name AS unit_name, x.year,
       CASE WHEN x.month_from = x.month_to THEN x.year || '-M' || lpad(CAST(x.month_from AS VARCHAR), 2, '0')
            WHEN x.month_to - x.month_from = 2 AND x.month_from % 3 = 1 THEN x.year || '-Q' || (x.month_to // 3)
            WHEN x.month_from = 1 AND x.month_to = 12 THEN CAST(x.year AS VARCHAR)
            WHEN x.month_from = 1 AND x.month_to = 6 THEN x.year || '-H1'
            WHEN x.month_from = 7 AND x.month_to = 12 THEN x.year || '-H2'
            WHEN x.month_from = 1 THEN x.year || '-' || x.month_to || 'M'
            ELSE x.year || '-M' || lpad(CAST(x.month_from AS VARCHAR), 2, '0') || '-M'
                 || lpad(CAST(x.month_to AS VARCHAR), 2, '0') END AS period,
       x.month_from, x.month_to, x.metric_code, m.name AS metric_name, x.actual, x.basis
FROM x JOIN unit u ON u.code = x.unit_code JOIN metric m ON m.code = x.metric_code;

CREATE OR REPLACE VIEW cur_index AS
SELECT v.index_code, v.year, v.entity_code, v.component_code,
       arg_max(v.score, v.batch_id) AS score, arg_max(v.rank, v.batch_id) AS rank,
       arg_max(v.rank_of, v.batch_id) AS rank_of, arg_max(v.source, v.batch_id) AS source,
       arg_max(v.note, v.batch_id) AS note, max(v.batch_id) AS batch_id
FROM index_value v JOIN batch b ON b.id = v.batch_id AND b.status = 'active'
GROUP BY ALL;

CREATE OR REPLACE VIEW cur_index_target AS
SELECT t.index_code, t.year, t.entity_code, t.component_code,
       arg_max(t.target_score, t.batch_id) AS target, arg_max(t.target_rank, t.batch_id) AS target_rank,
       arg_max(t.source, t.batch_id) AS source
FROM index_target t JOIN batch b ON b.id = t.batch_id AND b.status = 'active'
GROUP BY ALL;

CREATE OR REPLACE VIEW v_index_score AS
SELECT coalesce(v.index_code, t.index_code) AS index_code, coalesce(v.year, t.year) AS year,
       coalesce(v.entity_code, t.entity_code) AS entity_code, e.name AS entity_name,
       coalesce(v.component_code, t.component_code) AS component_code,
       v.score, v.rank, t.target, coalesce(v.source, t.source) AS source,
       v.rank_of, t.target_rank, v.note, e.kind AS entity_kind
FROM cur_index v
FULL OUTER JOIN cur_index_target t
  ON t.index_code = v.index_code AND t.year = v.year AND t.entity_code = v.entity_code
 AND t.component_code IS NOT DISTINCT FROM v.component_code
JOIN entity e ON e.code = coalesce(v.entity_code, t.entity_code);
"""


class DatabaseLockedError(RuntimeError):
    """Another process (usually the running dashboard) holds the database file."""


class DatabaseUnusableError(RuntimeError):
    """The file is not a DuckDB database, or it is truncated or damaged; str() is the Vietnamese message."""


def _is_lock(exc: BaseException) -> bool:
    """DuckDB's "Could not set lock on file … Conflicting lock is held" (not "block", which damage names)."""
    text = str(exc).lower()
    return "set lock" in text or "conflicting lock" in text


_DAMAGE_WORDS = ("not a valid duckdb", "corrupt", "checksum", "could not read enough bytes", "invalid block",
                 "failed to read", "serializ", "unexpected end")


def database_fault(path, exc: BaseException) -> DatabaseUnusableError | None:
    """The Vietnamese error for a database file the engine cannot read (None: `exc` is no such fault)."""
    if isinstance(exc, DatabaseUnusableError):
        return exc
    text = str(exc).lower()
    if isinstance(exc, duckdb.Error) and not _is_lock(exc) and (
            isinstance(exc, (duckdb.IOException, duckdb.SerializationException))
            or any(w in text for w in _DAMAGE_WORDS)):
        return DatabaseUnusableError(
            f"tệp cơ sở dữ liệu {db_path(path)} không dùng được: không phải tệp DuckDB, bị cắt cụt hoặc bị hỏng "
            "— không ghi gì. Hãy khôi phục tệp từ bản sao lưu, hoặc đặt CCHC_DB (--db) tới một tệp khác")
    return None


def verify_database(con, path=None) -> int:
    """Read every table whole (every column of every row, so every block's checksum is checked); the number of
    tables read. DatabaseUnusableError when a block cannot be read."""
    try:
        tables = [r[0] for r in con.execute("SELECT table_name FROM duckdb_tables() WHERE NOT internal").fetchall()]
        for table in tables:
            con.execute(f'SELECT count(*), sum(hash(COLUMNS(*))) FROM "{table}"').fetchall()
    except duckdb.Error as exc:
        fault = database_fault(path, exc)
        if fault is None:
            raise
        raise fault from exc
    return len(tables)


def db_path(path: str | os.PathLike | None = None) -> Path:
    """--db, else $CCHC_DB, else data/cchc.duckdb."""
    return Path(path or os.environ.get("CCHC_DB") or DEFAULT_DB)


def connect(path: str | os.PathLike | None = None, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    p = db_path(path)
    if not read_only:
        p.parent.mkdir(parents=True, exist_ok=True)
    try:
        con = duckdb.connect(str(p), read_only=read_only, config={"autoinstall_known_extensions": False})
    except duckdb.Error as exc:
        if _is_lock(exc):
            raise DatabaseLockedError(str(p)) from exc
        fault = database_fault(p, exc)
        if fault is None:
            raise
        raise fault from exc
    _check_length(con, p)
    return con


def _check_length(con, path: Path) -> None:
    """A file shorter than the blocks its header counts was cut off (a copy stopped half-way): say so at once,
    before a command reads a missing block or, worse, writes after it."""
    try:
        row = con.execute("PRAGMA database_size").fetchone()
    except duckdb.Error as exc:
        con.close()
        fault = database_fault(path, exc)
        if fault is None:
            raise
        raise fault from exc
    block_size, used_blocks = int(row[2]), int(row[4])
    if Path(str(path) + ".wal").exists():  # blocks still in the write-ahead log are not in the file yet
        return
    # the blocks in use lie somewhere in the file (free ones may lie past its end): it holds at least that many
    if path.exists() and path.stat().st_size < block_size * used_blocks:
        con.close()
        raise database_fault(path, duckdb.IOException("truncated: could not read enough bytes"))


def schema_version(con) -> int:
    has_meta = con.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_name = 'meta'"
    ).fetchone()[0]
    if not has_meta:
        return 0
    row = con.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
    return int(row[0]) if row else 0


def migrate(con) -> int:
    """Bring the schema to the newest version; return the version reached."""
    version = schema_version(con)
    for number, sql in enumerate(MIGRATIONS, start=1):
        if number <= version:
            continue
        con.execute("BEGIN")
        try:
            con.execute(sql)
            con.execute(
                "INSERT OR REPLACE INTO meta VALUES ('schema_version', ?)", [str(number)]
            )
            con.execute("COMMIT")
        except Exception:
            con.execute("ROLLBACK")
            raise
    con.execute(VIEWS)
    from loaders.store.materialize import install

    install(con)  # v_activity reads a table maintained per batch; VIEWS just made it the live view again
    return len(MIGRATIONS)


def get_meta(con, key: str, default: str | None = None) -> str | None:
    row = con.execute("SELECT value FROM meta WHERE key = ?", [key]).fetchone()
    return row[0] if row else default


def set_meta(con, key: str, value: str) -> None:
    con.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", [key, value])
