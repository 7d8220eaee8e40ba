"""`init`: create or upgrade the schema and load the shipped registries and reference data."""
from __future__ import annotations

from loaders.registry.reference import reference_batch, registry_unit_entities, save_entities, save_regions
from loaders.registry.registries import Registry, load_registries
from loaders.registry.settings import home_province_name, set_home_province
from loaders.store.batches import rollback_batch, write_batch
from loaders.store.materialize import refresh_if_stale
from loaders.store.schema import migrate


def init_database(con, province: str | None = None) -> dict:
    """Idempotent: running it twice changes nothing the second time. `province` (a name typed loosely) sets the
    deployment's home province first, since it decides how the reference tables' unit rows are read."""
    version = migrate(con)
    if province:
        set_home_province(con, province)
    counts = load_registries(con)
    registry = Registry.from_db(con)
    batch, entities, mapping = reference_batch(registry, home=home_province_name(con))
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
    retire_older_readings(con, result.batch_id)  # also after an init that stopped between the two
    refresh_if_stale(con)  # registries loaded above feed v_activity's names and lineage
    return {"schema_version": version, **counts, "entities": len(entities),
            "reference_rows": batch.rows, "reference_batch": result.batch_id, "reference_new": result.created}


def retire_older_readings(con, batch_id: int) -> None:
    """A new reading of the shipped CSVs replaces the old one whole: an older reading's keys that the new one
    no longer has (a unit row read for another home province) must leave the views, not linger."""
    older = con.execute("SELECT id FROM batch WHERE kind = 'reference' AND status <> 'rolled_back' AND id < ?"
                        " ORDER BY id", [batch_id]).fetchall()
    for (old_id,) in older:
        rollback_batch(con, old_id, by="hệ thống")
