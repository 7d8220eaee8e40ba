"""Excel 97–2003 (.xls) and OpenDocument (.ods) workbooks: older office PCs and LibreOffice/WPS users send them.
The same report must give the same rows, cells and warnings as its .xlsx twin: merged headers, title and
section rows, text numbers, names without diacritics."""
import pytest
from conftest import rollup_xlsx, unit_report_xlsx

from loaders.load import load_file, read_file


def _rows(parsed):
    return (sorted((a.unit_code, a.year, a.quarter, a.metric_code, a.value, a.row, a.col)
                   for a in parsed.batch.activities),
            sorted((t.unit_code, t.year, t.quarter, t.metric_code, t.value, t.row, t.col)
                   for t in parsed.batch.targets))


def _warned(parsed):
    return sorted((w.sheet, w.row, w.column, w.message) for w in parsed.warnings)


@pytest.mark.parametrize("fmt", ["xls", "ods"])
def test_unit_report_reads_the_same_as_xlsx(load_con, fmt):
    want = read_file(load_con, "bao_cao.xlsx", unit_report_xlsx())
    got = read_file(load_con, f"bao_cao.{fmt}", unit_report_xlsx(fmt=fmt))
    assert got.errors == [] and got.layouts == want.layouts == [("Báo cáo", "unit_report")]
    assert _rows(got) == _rows(want) and len(got.batch.activities) == 5
    assert (got.batch.unit_code, got.batch.year, got.batch.quarter) == ("so_tu_phap", 2025, 3)
    assert _warned(got) == _warned(want)


@pytest.mark.parametrize("fmt", ["xls", "ods"])
def test_rollup_reads_the_same_as_xlsx(load_con, fmt):
    want = read_file(load_con, "tong_hop.xlsx", rollup_xlsx())
    got = read_file(load_con, f"tong_hop.{fmt}", rollup_xlsx(fmt=fmt))
    assert got.errors == [] and got.layouts == [("Tổng hợp", "rollup")]
    assert _rows(got) == _rows(want) and len(got.batch.activities) == 18


@pytest.mark.parametrize("fmt", ["xls", "ods"])
def test_percent_formatted_rates(load_con, fmt):
    """A rate typed as 97,5 % is stored as 0.975 with a percent format: it is 97.5, never 0.975 (a silent
    hundredfold error); the annual plan beside it likewise."""
    body = [[1, "Tỷ lệ hồ sơ TTHC giải quyết đúng hạn", "%", 0.95, 0.975, 0.96]]
    want = read_file(load_con, "ty_le.xlsx", unit_report_xlsx(body=body, percent=("D11", "E11", "F11")))
    got = read_file(load_con, f"ty_le.{fmt}", unit_report_xlsx(body=body, percent=("D11", "E11", "F11"), fmt=fmt))
    assert [a.value for a in want.batch.activities] == [97.5]
    assert got.errors == [] and [a.value for a in got.batch.activities] == [97.5]
    assert [t.value for t in got.batch.targets] == [t.value for t in want.batch.targets] == [95.0]


def test_a_literal_percent_sign_is_not_a_percent_format():
    from loaders.files.legacy import is_percent_format

    assert is_percent_format("0.0%") and is_percent_format("#,##0.00 %") and is_percent_format("0%;[Red]-0%")
    assert not is_percent_format('0.0" %"') and not is_percent_format("0.0\\%") and not is_percent_format("General")


def test_an_xls_report_loads_and_is_kept_as_sent(load_con):
    content = unit_report_xlsx(fmt="xls")
    report = load_file(load_con, "bao_cao_stp_q3.xls", content, uploaded_by="can_bo_stp")
    assert report.status == "loaded" and report.rows == 15
    stored = load_con.execute("SELECT file_name, content FROM batch WHERE id = ?", [report.batch_id]).fetchone()
    assert stored == ("bao_cao_stp_q3.xls", content)
