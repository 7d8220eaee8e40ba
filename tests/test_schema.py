import duckdb

from loaders.store.schema import MIGRATIONS, VIEWS, connect, migrate, schema_version

PUBLIC_VIEWS = {
    "v_activity": ["unit_code", "unit_name", "year", "quarter", "metric_code", "metric_name", "actual", "target"],
    "v_index_score": ["index_code", "year", "entity_code", "entity_name", "component_code", "score", "rank",
                      "target", "source"],
    "v_upload": ["batch_id", "kind", "file_name", "sha256", "uploaded_by", "uploaded_at", "rows", "status"],
}


def test_public_views_have_the_contracted_columns_first(fresh_db):
    with connect(fresh_db) as con:
        for view, columns in PUBLIC_VIEWS.items():
            got = [d[0] for d in con.execute(f"SELECT * FROM {view} LIMIT 0").description]
            assert got[: len(columns)] == columns, view


def test_older_database_is_upgraded_in_place_without_losing_data(tmp_path):
    path = tmp_path / "old.duckdb"
    con = duckdb.connect(str(path))
    con.execute(MIGRATIONS[0])  # a database made by the first released version
    con.execute("INSERT INTO meta VALUES ('schema_version', '1')")
    con.execute("INSERT INTO unit (code, name) VALUES ('u1', 'Đơn vị cũ')")
    con.execute("INSERT INTO metric VALUES ('m1', 'Chỉ tiêu', 'count', NULL, NULL, 1)")
    con.execute("INSERT INTO batch (kind, rows) VALUES ('activities', 1)")
    con.execute("INSERT INTO activity_value VALUES (1, 'u1', 2025, 1, 'm1', 7, NULL, NULL, NULL)")
    con.close()

    with connect(path) as con:
        assert schema_version(con) == 1
        assert migrate(con) == len(MIGRATIONS)
        assert schema_version(con) == len(MIGRATIONS)
        assert con.execute("SELECT actual FROM v_activity WHERE unit_code = 'u1'").fetchone()[0] == 7
        assert con.execute("SELECT count(*) FROM app_user").fetchone()[0] == 0  # table of migration 2


def test_migrate_twice_changes_nothing(fresh_db):
    with connect(fresh_db) as con:
        before = con.execute("SELECT count(*) FROM index_value").fetchone()[0]
        migrate(con)
        assert con.execute("SELECT count(*) FROM index_value").fetchone()[0] == before


def test_views_sql_is_idempotent(fresh_db):
    with connect(fresh_db) as con:
        con.execute(VIEWS)
        con.execute(VIEWS)
