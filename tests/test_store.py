import pytest

from loaders.store.schema import connect
from loaders.store.batches import (ActivityRow, Batch, BatchError, IndexRow, TargetRow, data_version, rollback_batch,
                           write_batch)


def actual(con, unit="so_tu_phap", year=2025, quarter=2, metric="tin_bai"):
    row = con.execute("SELECT actual, target FROM v_activity WHERE unit_code=? AND year=? AND quarter=? "
                      "AND metric_code=?", [unit, year, quarter, metric]).fetchone()
    return row


def report(value, content):
    return Batch("activities", "bao_cao.xlsx", content, uploaded_by="cb_tp", unit_code="so_tu_phap", year=2025,
                 quarter=2, activities=[ActivityRow("so_tu_phap", 2025, 2, "tin_bai", value, "Báo cáo", 9, "D")])


def test_newer_batch_replaces_and_rollback_restores(fresh_db):
    with connect(fresh_db) as con:
        first = write_batch(con, report(9, b"v1"))
        second = write_batch(con, report(11, b"v2"))
        assert second.batch_id > first.batch_id
        assert actual(con)[0] == 11
        rollback_batch(con, second.batch_id, by="admin")
        assert actual(con)[0] == 9
        # nothing is deleted: both values are still stored
        assert con.execute("SELECT count(*) FROM activity_value WHERE unit_code='so_tu_phap'").fetchone()[0] == 2
        with pytest.raises(BatchError):
            rollback_batch(con, second.batch_id)


def test_same_file_again_makes_no_duplicate(fresh_db):
    with connect(fresh_db) as con:
        a = write_batch(con, report(9, b"same bytes"))
        b = write_batch(con, report(9, b"same bytes"))
        assert a.batch_id == b.batch_id and a.created and not b.created
        assert con.execute("SELECT count(*) FROM batch WHERE kind='activities'").fetchone()[0] == 1


def test_annual_target_splits_for_counts_not_for_rates(fresh_db):
    with connect(fresh_db) as con:
        write_batch(con, Batch("targets", "t.xlsx", b"t", targets=[
            TargetRow("so_tu_phap", 2025, None, "tin_bai", 40),
            TargetRow("so_tu_phap", 2025, None, "ty_le_dung_han", 98),
        ]))
        assert actual(con)[1] == 10
        assert actual(con, metric="ty_le_dung_han")[1] == 98


def test_failed_batch_writes_nothing(fresh_db):
    with connect(fresh_db) as con:
        before = data_version(con)
        bad = report(9, b"bad")
        bad.activities.append(ActivityRow("so_tu_phap", 2025, 7, "tin_bai", 1))  # quarter 7 violates the CHECK
        with pytest.raises(Exception):
            write_batch(con, bad)
        assert data_version(con) == before
        assert con.execute("SELECT count(*) FROM activity_value").fetchone()[0] == 0


def test_sending_the_first_file_again_after_a_correction_brings_it_back(fresh_db):
    with connect(fresh_db) as con:
        a = write_batch(con, report(9, b"version A"))
        write_batch(con, report(11, b"version B"))
        again = write_batch(con, report(9, b"version A"))
        assert again.created and again.batch_id != a.batch_id
        assert actual(con)[0] == 9


def test_an_activity_report_leaves_the_index_data_version_alone(fresh_db):
    with connect(fresh_db) as con:
        all_before, index_before = data_version(con), data_version(con, "index")
        b = write_batch(con, report(5, b"q3"))
        assert data_version(con) != all_before
        assert data_version(con, "index") == index_before  # cached index results stay valid
        rollback_batch(con, b.batch_id)
        assert data_version(con, "index") == index_before
        write_batch(con, Batch("indices", file_name="par.xlsx", content=b"par", indices=[
            IndexRow("PAR", 2025, "dak_lak_2025", None, 90.1, 5, 34, "QĐ thử", None, "PAR", 5, "C")]))
        assert data_version(con, "index") != index_before


def test_the_registry_data_version_moves_with_units_not_with_batches(fresh_db):
    with connect(fresh_db) as con:
        before = data_version(con, "registry")
        write_batch(con, report(5, b"q3"))
        assert data_version(con, "registry") == before
        con.execute("INSERT INTO unit (code, name) VALUES ('xa_moi', 'UBND xã Mới')")
        assert data_version(con, "registry") != before
