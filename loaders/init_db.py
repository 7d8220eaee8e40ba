"""`init`: create or upgrade the schema and load the shipped registries and reference data."""
from __future__ import annotations

from .materialize import refresh_if_stale
from .reference import reference_batch, registry_unit_entities, save_entities, save_regions
from .registry import Registry, load_registries
from .schema import migrate
from .store import write_batch


def init_database(con) -> dict:
    """Idempotent: running it twice changes nothing the second time."""
    version = migrate(con)
    counts = load_registries(con)
    registry = Registry.from_db(con)
    batch, entities, mapping = reference_batch(registry)
    con.execute("BEGIN TRANSACTION")
    try:
        registry_unit_entities(con)
        save_entities(con, entities, mapping)
        save_regions(con, entities, mapping)
        con.execute("COMMIT")
    except Exception:
        con.execute("ROLLBACK")
        raise
    result = write_batch(con, batch)
    refresh_if_stale(con)  # registries loaded above feed v_activity's names and lineage
    return {"schema_version": version, **counts, "entities": len(entities),
            "reference_rows": batch.rows, "reference_batch": result.batch_id, "reference_new": result.created}
