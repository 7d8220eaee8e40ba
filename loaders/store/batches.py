"""Batches: every accepted file becomes one batch, written in one transaction.

A newer batch for the same key replaces the older value in the views; rolling a batch back
marks it so and the previous value shows again. Nothing is deleted. The very same file
(same SHA-256) loaded again is recognised and creates no second batch.
"""
from __future__ import annotations

import datetime
import hashlib
from dataclasses import dataclass, field

import pandas as pd

from loaders.store import derive
from loaders.store.materialize import refresh_batch
from loaders.store.writer import one_writer

KINDS = ("activities", "targets", "indices", "reference", "sample", "plan", "target_edit")


@dataclass
class ActivityRow:
    unit_code: str
    year: int
    quarter: int
    metric_code: str
    value: float
    sheet: str | None = None
    row: int | None = None
    col: str | None = None


@dataclass
class SpanRow:
    """A value of months month_from..month_to other than one quarter (a month, six or nine months, the year, a
    cumulative "lũy kế" column), with its weight when the report gives one (the files a rate is taken of)."""

    unit_code: str
    year: int
    month_from: int
    month_to: int
    metric_code: str
    value: float
    weight: float | None = None
    sheet: str | None = None
    row: int | None = None
    col: str | None = None


@dataclass
class TargetRow:
    """quarter None: an annual target. per 'month': set per month ('04 số/tháng'), the value still the year's."""

    unit_code: str
    year: int
    quarter: int | None
    metric_code: str
    value: float
    sheet: str | None = None
    row: int | None = None
    col: str | None = None
    per: str | None = None


@dataclass
class IndexRow:
    index_code: str
    year: int
    entity_code: str
    component_code: str | None
    score: float | None
    rank: int | None = None
    rank_of: int | None = None
    source: str | None = None
    note: str | None = None
    sheet: str | None = None
    row: int | None = None
    col: str | None = None


@dataclass
class IndexTargetRow:
    index_code: str
    year: int
    entity_code: str
    component_code: str | None
    target_score: float | None
    target_rank: int | None = None
    source: str | None = None


@dataclass
class Batch:
    kind: str
    file_name: str | None = None
    content: bytes | None = None
    uploaded_by: str | None = None
    unit_code: str | None = None
    year: int | None = None
    quarter: int | None = None
    is_sample: bool = False
    note: str | None = None
    uploaded_at: "datetime.datetime | None" = None  # None: now
    period: str | None = None  # the period the file reports, as a code (2025-Q3, 2025-M08, 2025-H1, 2025)
    activities: list[ActivityRow] = field(default_factory=list)
    spans: list[SpanRow] = field(default_factory=list)
    targets: list[TargetRow] = field(default_factory=list)
    indices: list[IndexRow] = field(default_factory=list)
    index_targets: list[IndexTargetRow] = field(default_factory=list)
    extra_rows: int = 0  # rows that an `extra` writer adds (e.g. a plan's tasks), counted in `rows`

    @property
    def sha256(self) -> str | None:
        return hashlib.sha256(self.content).hexdigest() if self.content is not None else None

    @property
    def rows(self) -> int:
        return (len(self.activities) + len(self.spans) + len(self.targets) + len(self.indices)
                + len(self.index_targets) + self.extra_rows)


@dataclass(frozen=True)
class WriteResult:
    batch_id: int
    created: bool  # False: the same file was already loaded as this (active) batch


class BatchError(ValueError):
    """A batch that cannot be written or rolled back."""


class PeriodConflictError(BatchError):
    """Values of different periods that cannot all be true (loaders.store.derive.PeriodConflict each)."""

    def __init__(self, conflicts):
        self.conflicts = list(conflicts)
        super().__init__("; ".join(c.message for c in self.conflicts))


def find_active_batch(con, sha256: str, kind: str | None = None) -> int | None:
    """The active batch holding this very file, while it is still the newest for its unit and period.

    A file loaded, then corrected by a newer file, then sent again is a deliberate return to the first
    version: that is a new batch, not a duplicate.
    """
    row = con.execute(
        """SELECT max(b.id) FROM batch b
           WHERE b.sha256 = ? AND b.status = 'active' AND (? IS NULL OR b.kind = ?)
             AND NOT EXISTS (SELECT 1 FROM batch n WHERE n.id > b.id AND n.status = 'active' AND n.kind = b.kind
                             AND n.unit_code IS NOT DISTINCT FROM b.unit_code
                             AND n.year IS NOT DISTINCT FROM b.year AND n.quarter IS NOT DISTINCT FROM b.quarter
                             AND n.period IS NOT DISTINCT FROM b.period)""",
        [sha256, kind, kind],
    ).fetchone()
    return row[0] if row and row[0] is not None else None


def _frame(rows, columns: list[str], batch_id: int) -> pd.DataFrame:
    df = pd.DataFrame([{c: getattr(r, c) for c in columns} for r in rows], columns=columns)
    df.insert(0, "batch_id", batch_id)
    return df


@one_writer
def write_batch(con, batch: Batch, extra=None, refresh: bool = True, replaces: int | None = None) -> WriteResult:
    """Write the batch and its rows in one transaction. Same file again: the existing batch.

    `extra(con, batch_id)`, when given, writes rows of its own (a plan's tasks) inside the same transaction.
    `replaces`: an active batch of the same kind that this one supersedes whole (a corrected plan, even from the
    same file): it is rolled back in the same transaction, so its keys that the new batch lacks leave the views.
    The materialised v_activity follows in the same transaction; a writer of many batches at once (the demo)
    passes refresh=False and calls materialize.refresh_if_stale once at the end. Values that contradict what is
    stored for other periods (a cumulative figure below the quarters already reported) raise PeriodConflictError
    and nothing is written (loaders.load reports them earlier, at their cells).
    """
    if batch.kind not in KINDS:
        raise BatchError(f"loại lô không hợp lệ: {batch.kind}")
    if replaces is not None:
        row = con.execute("SELECT kind, status FROM batch WHERE id = ?", [replaces]).fetchone()
        if row is None or row[1] != "active" or row[0] != batch.kind:
            raise BatchError(f"không thay được lô số {replaces}: không có lô {batch.kind} đang dùng với số này")
    sha = batch.sha256
    if sha is not None:
        existing = find_active_batch(con, sha, batch.kind)
        if existing is not None and existing != replaces:
            return WriteResult(existing, created=False)
    con.execute("BEGIN TRANSACTION")
    try:
        if refresh and (batch.activities or batch.spans):
            conflicts = derive.check(con, batch)
            if conflicts:
                raise PeriodConflictError(conflicts)
        batch_id = con.execute(
            "INSERT INTO batch (kind, file_name, sha256, content, uploaded_by, unit_code, year, quarter, rows,"
            " is_sample, note, uploaded_at, period)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, coalesce(?, current_timestamp), ?) RETURNING id",
            [batch.kind, batch.file_name, sha, batch.content, batch.uploaded_by, batch.unit_code, batch.year,
             batch.quarter, batch.rows, batch.is_sample, batch.note, batch.uploaded_at, batch.period],
        ).fetchone()[0]
        _insert(con, "activity_value", batch.activities,
                ["unit_code", "year", "quarter", "metric_code", "value", "sheet", "row", "col"], batch_id)
        _insert(con, "activity_span", batch.spans,
                ["unit_code", "year", "month_from", "month_to", "metric_code", "value", "weight", "sheet", "row",
                 "col"], batch_id)
        _insert(con, "target_value", batch.targets,
                ["unit_code", "year", "quarter", "metric_code", "value", "sheet", "row", "col", "per"], batch_id)
        _insert(con, "index_value", batch.indices,
                ["index_code", "year", "entity_code", "component_code", "score", "rank", "rank_of", "source",
                 "note", "sheet", "row", "col"], batch_id)
        _insert(con, "index_target", batch.index_targets,
                ["index_code", "year", "entity_code", "component_code", "target_score", "target_rank", "source"],
                batch_id)
        if extra is not None:
            extra(con, batch_id)
        if replaces is not None:
            con.execute("UPDATE batch SET status = 'rolled_back', rolled_back_at = current_timestamp, "
                        "rolled_back_by = ? WHERE id = ?", [batch.uploaded_by, replaces])
        if refresh:
            refresh_batch(con, batch_id)
        con.execute("COMMIT")
    except Exception:
        con.execute("ROLLBACK")
        raise
    return WriteResult(batch_id, created=True)


def _insert(con, table: str, rows, columns: list[str], batch_id: int) -> None:
    if not rows:
        return
    df = _frame(rows, columns, batch_id).rename(columns={"row": "row_no"})
    con.register("_batch_rows", df)
    try:
        con.execute(f"INSERT INTO {table} BY NAME SELECT * FROM _batch_rows")
    finally:
        con.unregister("_batch_rows")


@one_writer
def rollback_batch(con, batch_id: int, by: str | None = None) -> None:
    """Mark a batch rolled back: its values leave the views and the previous ones return."""
    row = con.execute("SELECT status FROM batch WHERE id = ?", [batch_id]).fetchone()
    if row is None:
        raise BatchError(f"không có lô số {batch_id}")
    if row[0] == "rolled_back":
        raise BatchError(f"lô số {batch_id} đã được hoàn tác trước đó")
    con.execute("BEGIN TRANSACTION")
    try:
        con.execute(
            "UPDATE batch SET status = 'rolled_back', rolled_back_at = current_timestamp, rolled_back_by = ?"
            " WHERE id = ?", [by, batch_id])
        conflicts = derive.check_batch_groups(con, batch_id)
        if conflicts:  # the values this batch replaced come back and contradict a later report
            raise PeriodConflictError(conflicts)
        refresh_batch(con, batch_id)
        con.execute("COMMIT")
    except Exception:
        con.execute("ROLLBACK")
        raise


# Batches of these kinds never hold index rows (a unit's quarterly report: activities and its own targets).
ACTIVITY_ONLY_KINDS = ("activities",)


def data_version(con, scope: str = "all") -> str:
    """Changes whenever a batch lands or is rolled back: the key for read-side caches. scope 'index' counts only
    the batches that can hold index rows, so a reporting season's uploads leave cached index results valid;
    scope 'registry' (unit and indicator lists, which no batch changes) counts units and indicators — the pages
    that edit a name clear the cache themselves."""
    if scope == "registry":
        row = con.execute("SELECT (SELECT count(*) FROM unit), (SELECT count(*) FROM unit WHERE valid_to IS NOT NULL),"
                          " (SELECT count(*) FROM metric)").fetchone()
        return f"registry:{row[0]}-{row[1]}-{row[2]}"
    where = f"WHERE kind NOT IN ({', '.join(repr(k) for k in ACTIVITY_ONLY_KINDS)})" if scope == "index" else ""
    row = con.execute(
        f"SELECT count(*), coalesce(max(id), 0), count(*) FILTER (status = 'rolled_back') FROM batch {where}"
    ).fetchone()
    return f"{scope}:{row[0]}-{row[1]}-{row[2]}"


def is_sample_data(con) -> bool:
    """True while any active batch holds sample (demo) data: the UI must say so."""
    return bool(con.execute("SELECT count(*) FROM batch WHERE is_sample AND status = 'active'").fetchone()[0])
