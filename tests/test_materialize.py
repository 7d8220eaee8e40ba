"""loaders.store.materialize: the maintained table always holds exactly the rows of the live v_activity, and the
per-unit aggregate exactly what the live view gives."""
from __future__ import annotations

import pytest

from loaders.store import materialize as M
from loaders.store.schema import connect, migrate
from loaders.store.batches import ActivityRow, Batch, TargetRow, rollback_batch, write_batch


def _diff(con) -> tuple[int, int]:
    """Rows only in the table, rows only in the live view; the aggregate must equal the live view's too."""
    a = con.execute(f"SELECT count(*) FROM (SELECT * FROM {M.TABLE} EXCEPT ALL SELECT * FROM {M.LIVE})").fetchall()
    b = con.execute(f"SELECT count(*) FROM (SELECT * FROM {M.LIVE} EXCEPT ALL SELECT * FROM {M.TABLE})").fetchall()
    assert (a[0][0], b[0][0]) != (0, 0) or _agg_diff(con) == (0, 0)
    return a[0][0], b[0][0]


def _agg_diff(con) -> tuple[int, int]:
    """Rows differing between the kept aggregates (per unit and quarter; year to date) and the live view's."""
    out = [0, 0]
    for table, sql, cols in (
            (M.AGG, M._agg_sql, "* EXCLUDE (completion), round(completion, 9) AS completion"),
            (M.YTD, M._ytd_sql, "* EXCLUDE (progress, plan), round(progress, 9) AS p, round(plan, 9) AS pl")):
        kept = f"SELECT {cols} FROM {table}"
        live = f"SELECT {cols} FROM ({sql('true', M.LIVE)})"
        out[0] += con.execute(f"SELECT count(*) FROM ({kept} EXCEPT ALL {live})").fetchall()[0][0]
        out[1] += con.execute(f"SELECT count(*) FROM ({live} EXCEPT ALL {kept})").fetchall()[0][0]
    return out[0], out[1]


@pytest.fixture
def con(demo_db):
    c = connect(demo_db)
    M.install(c)
    yield c
    c.close()


def test_install_copies_the_live_view_and_points_v_activity_at_the_table(con):
    assert _diff(con) == (0, 0)
    n = con.execute("SELECT count(*) FROM v_activity").fetchall()[0][0]
    assert n == con.execute(f"SELECT count(*) FROM {M.LIVE}").fetchall()[0][0] > 0
    sql = con.execute("SELECT sql FROM duckdb_views() WHERE view_name = 'v_activity'").fetchall()[0][0]
    assert M.TABLE in sql
    assert M.refresh_if_stale(con) == "fresh"


def test_every_batch_and_rollback_updates_v_activity_in_its_own_transaction(con):
    unit = con.execute("SELECT unit_code FROM v_activity WHERE actual IS NOT NULL LIMIT 1").fetchall()[0][0]

    def ytd_q4():  # a Q2 value moves the year-to-date of Q3 and Q4 too
        return con.execute(f"SELECT progress FROM {M.YTD} WHERE unit_code = ? AND year = 2025 AND quarter = 4",
                           [unit]).fetchall()

    before = ytd_q4()
    b = write_batch(con, Batch("activities", file_name="x.xlsx", content=b"x1", unit_code=unit, year=2025, quarter=2,
                               activities=[ActivityRow(unit, 2025, 2, "tin_bai", 999.0)]))
    assert _diff(con) == (0, 0) and _agg_diff(con) == (0, 0)
    assert ytd_q4() != before
    assert M.refresh_if_stale(con) == "fresh"
    assert con.execute("SELECT actual FROM v_activity WHERE unit_code = ? AND year = 2025 AND quarter = 2 "
                       "AND metric_code = 'tin_bai'", [unit]).fetchall() == [(999.0,)]
    t = write_batch(con, Batch("targets", file_name="t.xlsx", content=b"t1", year=2025,
                               targets=[TargetRow(unit, 2025, None, "tin_bai", 4000.0)]))
    assert _diff(con) == (0, 0)
    assert con.execute("SELECT sum(target) FROM v_activity WHERE unit_code = ? AND year = 2025 "
                       "AND metric_code = 'tin_bai'", [unit]).fetchall() == [(4000.0,)]
    rollback_batch(con, b.batch_id)
    assert _diff(con) == (0, 0)
    rollback_batch(con, t.batch_id)
    assert _diff(con) == (0, 0)
    assert M.refresh_if_stale(con) == "fresh"


def test_a_deferred_refresh_catches_up_with_the_batches_written_without_it(con):
    unit = con.execute("SELECT unit_code FROM v_activity WHERE actual IS NOT NULL LIMIT 1").fetchall()[0][0]
    for q, value in ((1, 111.0), (3, 333.0)):
        write_batch(con, Batch("activities", file_name=f"q{q}.xlsx", content=f"q{q}".encode(), unit_code=unit,
                               year=2025, quarter=q, activities=[ActivityRow(unit, 2025, q, "tin_bai", value)]),
                    refresh=False)
    assert _diff(con) != (0, 0)  # stale until refreshed
    assert M.refresh_if_stale(con) == "partial"
    assert _diff(con) == (0, 0)


def test_a_failed_write_leaves_table_and_batches_unchanged(con):
    before = con.execute(f"SELECT count(*), sum(actual) FROM {M.TABLE}").fetchall()
    n_batches = con.execute("SELECT count(*) FROM batch").fetchall()

    def boom(c, batch_id):
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        write_batch(con, Batch("activities", file_name="y.xlsx", content=b"y1", unit_code="so_y_te", year=2025,
                               quarter=2, activities=[ActivityRow("so_y_te", 2025, 2, "tin_bai", 5.0)]), extra=boom)
    assert con.execute(f"SELECT count(*), sum(actual) FROM {M.TABLE}").fetchall() == before
    assert con.execute("SELECT count(*) FROM batch").fetchall() == n_batches
    assert M.refresh_if_stale(con) == "fresh"


def test_registry_changes_rebuild_everything(con):
    con.execute("UPDATE unit SET name = name || ' (mới)' WHERE code = 'so_y_te'")
    assert M.refresh_if_stale(con) == "full"
    assert _diff(con) == (0, 0)
    con.execute("UPDATE metric SET grp = 'khac' WHERE code = 'tin_bai'")  # a group feeds only the aggregate
    assert M.refresh_if_stale(con) == "full"
    assert _agg_diff(con) == (0, 0)


def test_the_aggregate_has_one_row_per_unit_and_quarter_for_all_groups(con):
    n_units = con.execute(f"SELECT count(*) FROM (SELECT DISTINCT unit_code, year, quarter FROM {M.LIVE})").fetchall()
    assert con.execute(f"SELECT count(*) FROM {M.AGG} WHERE all_groups").fetchall() == n_units
    assert con.execute(f"SELECT count(*) FROM {M.AGG} WHERE all_groups AND grp IS NOT NULL").fetchall() == [(0,)]


@pytest.mark.parametrize("table", [M.AGG, M.YTD])
def test_a_database_with_the_table_but_no_aggregate_gets_both_built(con, table):
    con.execute(f"DROP TABLE {table}")
    M.install(con)
    assert _diff(con) == (0, 0) and _agg_diff(con) == (0, 0)
    assert con.execute(f"SELECT count(*) FROM {table}").fetchall()[0][0] > 0


def test_a_schema_upgrade_then_install_again(con):
    migrate(con)  # recreates the live v_activity
    M.install(con)
    assert _diff(con) == (0, 0)
    assert M.TABLE in con.execute("SELECT sql FROM duckdb_views() WHERE view_name = 'v_activity'").fetchall()[0][0]


def test_a_rollback_set_by_hand_is_caught_up_at_the_next_start(con):
    con.execute("UPDATE batch SET status = 'rolled_back' WHERE id = (SELECT max(id) FROM batch WHERE kind = 'activities')")
    assert _diff(con) != (0, 0)
    migrate(con)  # what the dashboard runs when it starts
    assert _diff(con) == (0, 0)


def _plant(con, unit: str) -> None:
    """Mark a unit's kept rows of 2025 (table, aggregate, year to date) so that a rebuild of them shows."""
    con.execute(f"UPDATE {M.TABLE} SET actual = -7 WHERE unit_code = ? AND year = 2025", [unit])
    con.execute(f"UPDATE {M.AGG} SET n_actual = -7 WHERE unit_code = ? AND year = 2025", [unit])
    con.execute(f"UPDATE {M.YTD} SET n_count_actual = -7 WHERE unit_code = ? AND year = 2025", [unit])


def _planted(con, unit: str, quarters=(1, 2, 3, 4)) -> tuple[int, int, int]:
    return tuple(con.execute(f"SELECT count(*) FILTER ({col} = -7) FROM {table} WHERE unit_code = ? AND year = 2025 "
                             f"AND quarter IN ({', '.join(map(str, quarters))})", [unit]).fetchall()[0][0]
                 for table, col in ((M.TABLE, "actual"), (M.AGG, "n_actual"), (M.YTD, "n_count_actual")))


def test_a_units_report_rebuilds_that_units_rows_only(con):
    units = [r[0] for r in con.execute(f"SELECT DISTINCT unit_code FROM {M.TABLE} WHERE year = 2025 AND quarter = 2 "
                                       "AND actual IS NOT NULL ORDER BY 1 LIMIT 2").fetchall()]
    mine, other = units
    _plant(con, other)
    planted = _planted(con, other)
    assert min(planted) > 0
    write_batch(con, Batch("activities", file_name="m.xlsx", content=b"m1", unit_code=mine, year=2025, quarter=2,
                           activities=[ActivityRow(mine, 2025, 2, "tin_bai", 42.0)]))
    assert _planted(con, other) == planted  # the other unit of the same quarter was left alone
    M.refresh(con, {(2025, None)}, frozenset([other]))  # put it right, then compare everything
    assert _diff(con) == (0, 0) and _agg_diff(con) == (0, 0)


def test_a_merged_units_report_rebuilds_its_successors_rows(con):
    old, new = [r[0] for r in con.execute(f"SELECT DISTINCT unit_code FROM {M.TABLE} WHERE year = 2025 "
                                          "AND actual IS NOT NULL ORDER BY 1 LIMIT 2").fetchall()]
    con.execute("UPDATE unit SET valid_to = DATE '2024-12-31', successor = ? WHERE code = ?", [new, old])
    assert M.refresh_if_stale(con) == "full"  # lineage is a registry change
    _plant(con, new)
    assert min(_planted(con, new, [2])) > 0
    write_batch(con, Batch("activities", file_name="o.xlsx", content=b"o1", unit_code=old, year=2025, quarter=2,
                           activities=[ActivityRow(old, 2025, 2, "video", 5.0)]))
    assert _planted(con, new, [2]) == (0, 0, 0)  # the successor's rows were rebuilt: the old unit's data shows there
    M.refresh(con, {(2025, None)}, frozenset([new]))
    assert _diff(con) == (0, 0) and _agg_diff(con) == (0, 0)
