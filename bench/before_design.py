"""The design before issue 6, emulated in the benchmark's own processes, for the ratio only.

Before: `v_activity` was the live view (newest batch per key, unit lineage, targets) computed on every query,
and a batch wrote only its own rows. Now (loaders/store/materialize.py, wired into loaders.store.schema.migrate and
loaders.store.batches) `v_activity` and the per-unit aggregate `activity_unit_quarter` are tables maintained per batch.
`apply()` restores the old behaviour in this process: after every `migrate()` v_activity is pointed back at
`v_activity_live` and the aggregate is a view computed from it on every query (so today's queries read what
the old design computed: everything from the batches, at query time), and `store.refresh_batch` and
`materialize.refresh_if_stale` do nothing. It is used on a copy of the database only (`before_copy`), never on the app's own file, and for
`streamlit run` through bench/before_site/sitecustomize.py (PYTHONPATH), so the app's code runs unchanged.
"""
from __future__ import annotations

import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
POINT_BACK = "CREATE OR REPLACE VIEW v_activity AS SELECT * FROM v_activity_live"


def _point_back(con) -> None:
    from loaders.store import materialize as M

    con.execute(POINT_BACK)
    kind = con.execute("SELECT table_type FROM information_schema.tables WHERE table_name = ?", [M.AGG]).fetchall()
    if kind and kind[0][0] == "BASE TABLE":
        con.execute(f"DROP TABLE {M.AGG}")
    con.execute(f"CREATE OR REPLACE VIEW {M.AGG} AS {M._agg_sql('true', M.LIVE)}")


def apply() -> None:
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    import loaders.init_db
    import loaders.store.materialize as materialize
    import loaders.store.schema as schema
    import loaders.store.batches as store

    if getattr(schema.migrate, "_before", False):
        return
    original = schema.migrate

    def install(con) -> None:  # migrate() calls it: only the live view under its name, nothing maintained
        sql = con.execute("SELECT sql FROM duckdb_views() WHERE view_name = 'v_activity'").fetchall()[0][0]
        if materialize.TABLE not in sql and "v_activity_live" not in sql:
            con.execute(f"CREATE OR REPLACE VIEW {materialize.LIVE} AS {sql[sql.upper().index(' AS ') + 4:]}")

    def migrate(con) -> int:
        version = original(con)
        _point_back(con)
        return version

    materialize.install = install
    materialize.refresh_if_stale = lambda con: "fresh"
    loaders.init_db.refresh_if_stale = materialize.refresh_if_stale

    migrate._before = True
    schema.migrate = migrate
    loaders.init_db.migrate = migrate  # imported by name there
    if "dashboard.db" in sys.modules:
        sys.modules["dashboard.db"].migrate = migrate
    store.refresh_batch = lambda con, batch_id: None  # the old write path: the batch's rows only


def before_copy(db: Path, target: Path) -> Path:
    """A copy of the database whose v_activity is the live view again."""
    from loaders.store.schema import connect

    for stale in (target, Path(str(target) + ".wal")):  # a WAL left by a stopped run would not match
        stale.unlink(missing_ok=True)
    shutil.copy(db, target)
    with connect(target) as con:
        _point_back(con)
        con.execute("CHECKPOINT")
    return target


def is_before(con) -> bool:
    """Does this database's v_activity compute the live view (the emulated old design)?"""
    rows = con.execute("SELECT sql FROM duckdb_views() WHERE view_name = 'v_activity'").fetchall()
    return bool(rows) and "v_activity_live" in rows[0][0]
