"""The design before issue 6, emulated in the benchmark's own processes, for the ratio only.

Before: `v_activity` was the live view (newest batch per key, unit lineage, targets) computed on every query,
and a batch wrote only its own rows. Now (loaders/materialize.py, wired into loaders.schema.migrate and
loaders.store) `v_activity` reads tables maintained per batch. `apply()` restores the old behaviour in this
process: after every `migrate()` v_activity is pointed back at `v_activity_live`, and `store.refresh_batch`
does nothing. It is used on a copy of the database only (`before_copy`), never on the app's own file, and for
`streamlit run` through bench/before_site/sitecustomize.py (PYTHONPATH), so the app's code runs unchanged.
"""
from __future__ import annotations

import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
POINT_BACK = "CREATE OR REPLACE VIEW v_activity AS SELECT * FROM v_activity_live"


def apply() -> None:
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    import loaders.init_db
    import loaders.schema as schema
    import loaders.store as store

    if getattr(schema.migrate, "_before", False):
        return
    original = schema.migrate

    def migrate(con) -> int:
        version = original(con)
        con.execute(POINT_BACK)
        return version

    migrate._before = True
    schema.migrate = migrate
    loaders.init_db.migrate = migrate  # imported by name there
    if "dashboard.db" in sys.modules:
        sys.modules["dashboard.db"].migrate = migrate
    store.refresh_batch = lambda con, batch_id: None  # the old write path: the batch's rows only


def before_copy(db: Path, target: Path) -> Path:
    """A copy of the database whose v_activity is the live view again."""
    from loaders.schema import connect

    for stale in (target, Path(str(target) + ".wal")):  # a WAL left by a stopped run would not match
        stale.unlink(missing_ok=True)
    shutil.copy(db, target)
    with connect(target) as con:
        con.execute(POINT_BACK)
        con.execute("CHECKPOINT")
    return target


def is_before(con) -> bool:
    """Does this database's v_activity compute the live view (the emulated old design)?"""
    rows = con.execute("SELECT sql FROM duckdb_views() WHERE view_name = 'v_activity'").fetchall()
    return bool(rows) and "v_activity_live" in rows[0][0]
