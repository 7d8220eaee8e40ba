"""dashboard.queries against the public views: numbers equal the views, rules hold, gaps stay gaps."""
import math

import pandas as pd
import pytest

from dashboard import queries as Q, theme
from loaders.store.schema import connect

YEAR, QUARTER = 2025, 3  # the demo fixture's last quarter


@pytest.fixture
def con(demo_db):
    c = connect(demo_db, read_only=True)
    yield c
    c.close()


@pytest.fixture
def fresh(fresh_db):
    c = connect(fresh_db, read_only=True)
    yield c
    c.close()


def _view(con, year=YEAR, quarter=QUARTER):
    return con.execute("SELECT a.*, m.grp, m.kind FROM v_activity a JOIN metric m ON m.code = a.metric_code "
                       "WHERE year = ? AND quarter = ?", [year, quarter]).df()


def _unit_means(v):
    v = v[v["actual"].notna()].copy()
    v["c"] = (v["actual"] / v["target"]).where(v["target"] > 0).clip(upper=theme.UNIT_CAP)
    return v.groupby("unit_code")["c"].mean()


def test_default_period_is_the_latest_reported_quarter(con):
    assert Q.default_period(con) == (YEAR, QUARTER)
    per = Q.periods(con)
    assert "Quý III/2025" in set(per["label"])


def test_unit_completion_equals_the_view(con):
    got = Q.unit_completion(con, YEAR, QUARTER).set_index("unit_code")
    want = _unit_means(_view(con))
    assert set(got.index) == set(want.index)
    for code, value in want.items():
        assert math.isclose(got.loc[code, "completion"], value, rel_tol=1e-9)
    assert (got["completion"] <= theme.UNIT_CAP + 1e-12).all()
    assert list(got["rank"]) == sorted(got["rank"])  # ordered best first
    assert set(got["status"]) <= set(theme.STATUSES)


def test_overview_is_the_mean_of_units_and_compares_with_the_previous_quarter(con):
    ov = Q.overview(con, YEAR, QUARTER)
    total = ov[ov["key"] == "tong"].iloc[0]
    assert math.isclose(total["completion"], _unit_means(_view(con)).mean(), rel_tol=1e-9)
    prev = _unit_means(_view(con, YEAR, QUARTER - 1)).mean()
    assert math.isclose(total["prev_completion"], prev, rel_tol=1e-9)
    assert math.isclose(total["delta"], total["completion"] - prev, rel_tol=1e-9)
    groups = set(con.execute("SELECT DISTINCT grp FROM metric").df()["grp"])
    assert set(ov["key"]) == groups | {"tong"}
    assert ov.iloc[0]["key"] == "tong"


def test_indicator_summary_sums_counts_and_averages_rates(con):
    s = Q.indicator_summary(con, YEAR, QUARTER).set_index("metric_code")
    v = _view(con)
    v = v[v["actual"].notna()]
    tin = v[v["metric_code"] == "tin_bai"]
    assert s.loc["tin_bai", "actual"] == tin["actual"].sum()
    assert s.loc["tin_bai", "target"] == tin["target"].sum()
    rate = v[v["metric_code"] == "ty_le_dung_han"]
    assert math.isclose(s.loc["ty_le_dung_han", "actual"], rate["actual"].mean())


def test_metric_by_unit(con):
    df = Q.metric_by_unit(con, YEAR, QUARTER, "tin_bai")
    v = _view(con)
    v = v[(v["metric_code"] == "tin_bai") & v["actual"].notna()].set_index("unit_code")
    assert set(df["unit_code"]) == set(v.index)
    row = df.iloc[0]
    assert row["actual"] == v.loc[row["unit_code"], "actual"]
    assert list(df["completion"]) == sorted(df["completion"], reverse=True)


def test_not_reported_is_units_without_a_report(con):
    missing = Q.not_reported(con, YEAR, QUARTER)
    v = _view(con)
    reported = set(v.loc[v["actual"].notna(), "unit_code"])
    expected = set(v.loc[v["target"].notna(), "unit_code"]) - reported
    assert set(missing["unit_code"]) == expected
    assert len(missing) == 3  # the demo leaves three units late
    assert missing["last_period"].eq("Quý II/2025").all()
    assert list(missing["unit_name"]) == sorted(missing["unit_name"], key=lambda s: s.replace("Đ", "D~"))


def test_units_sorted_the_vietnamese_way_and_filtered_by_validity(con):
    names = list(Q.units(con)["unit_name"])
    want = [r[0] for r in con.execute("SELECT name FROM unit ORDER BY name COLLATE vi").fetchall()]
    assert names == want
    now = Q.units(con, YEAR, QUARTER)
    assert "so_gtvt" not in set(now["unit_code"])  # merged away on 28/02/2025
    assert "so_gtvt" in set(Q.units(con, 2024, 4)["unit_code"])
    ended = Q.units(con).set_index("unit_code").loc["so_gtvt", "label"]
    assert ended.endswith("(đến 28/02/2025)")
    groups = Q.unit_groups(con)
    assert {"so_nganh", "huyen"} <= set(groups["group"])


def test_ytd_counts_add_up_and_rates_take_the_latest(con):
    y = Q.ytd(con, YEAR, metric="tin_bai")
    v = con.execute("SELECT quarter, sum(actual) AS a, sum(target) AS t FROM v_activity "
                    "WHERE year = ? AND metric_code = 'tin_bai' GROUP BY quarter ORDER BY quarter", [YEAR]).df()
    assert list(y["actual"].iloc[:3]) == list(v["a"].cumsum().iloc[:3])
    assert math.isnan(y["actual"].iloc[3])  # nothing reported yet in Q4: not drawn
    assert math.isclose(y["target"].iloc[3], v["t"].sum())
    r = Q.ytd(con, YEAR, metric="ty_le_dung_han")
    assert r["mode"].iloc[0] == "rate"
    p = Q.ytd(con, YEAR)
    assert p["mode"].iloc[0] == "progress"
    assert (p["actual"].dropna() <= 1).all() and list(p["target"]) == sorted(p["target"])


def _progress_from_the_view(con, units=None):
    """The year-to-date progress straight from v_activity, in pandas: per unit × count indicator with an annual
    target, the cumulative actual's share of it (capped at 100 %), averaged over all of them per quarter."""
    v = con.execute("SELECT a.unit_code, a.metric_code, a.quarter, a.actual, a.target FROM v_activity a "
                    "JOIN metric m ON m.code = a.metric_code WHERE a.year = ? AND m.kind = 'count'", [YEAR]).df()
    if units:
        v = v[v["unit_code"].isin(units)]
    v = v.sort_values("quarter")
    annual = v.groupby(["unit_code", "metric_code"])["target"].transform("sum")
    v = v[annual > 0].assign(annual=annual[annual > 0])
    g = v.groupby(["unit_code", "metric_code"])
    v = v.assign(share=(g["actual"].transform(lambda s: s.fillna(0).cumsum()) / v["annual"]).clip(upper=1),
                 plan=g["target"].transform("cumsum") / v["annual"])
    return v.groupby("quarter")[["share", "plan"]].mean()


@pytest.mark.parametrize("units", [None, ("so_tu_phap", "so_y_te", "vp_ubnd")])
def test_ytd_progress_of_all_indicators_equals_the_view(con, units):
    """Read from the kept per-unit year-to-date table; the same numbers as computing it from v_activity."""
    want = _progress_from_the_view(con, units)
    got = Q.ytd(con, YEAR, units=units).set_index("quarter")
    assert list(got.index) == list(want.index)
    for q in (1, 2, 3):
        assert math.isclose(got.loc[q, "actual"], want.loc[q, "share"], rel_tol=1e-9)
    assert math.isnan(got.loc[4, "actual"])  # nothing reported yet in Q4: not drawn
    assert all(math.isclose(got.loc[q, "target"], want.loc[q, "plan"], rel_tol=1e-9) for q in want.index)


def test_heatmap_quarters(con):
    h = Q.heatmap_quarters(con, YEAR, QUARTER, n_quarters=4)
    assert set(h["label"]) == {"Quý IV/2024", "Quý I/2025", "Quý II/2025", "Quý III/2025"}
    means = _unit_means(_view(con))
    cell = h[(h["label"] == "Quý III/2025") & h["completion"].notna()].set_index("unit_code")["completion"]
    for code, value in cell.items():
        assert math.isclose(value, means[code], rel_tol=1e-9)


def test_index_latest_for_the_home_province(con):
    chain = Q.home_chain(con)
    assert chain == ("dak_lak", "dak_lak_2025")
    idx = Q.index_latest(con, chain, YEAR).set_index("index_code")
    par = idx.loc["PAR"]
    score = con.execute("SELECT score, rank FROM v_index_score WHERE index_code = 'PAR' AND entity_code = 'dak_lak' "
                        "AND year = ? AND component_code IS NULL", [int(par["year"])]).fetchone()
    assert (par["score"], par["rank"]) == score
    assert par["target"] == 88.5 and par["target_year"] == YEAR  # the sample target for 2025 (dak_lak_2025)
    papi = idx.loc["PAPI"]
    assert papi["rank_change"] == papi["prev_rank"] - papi["rank"]


def test_lineage_shows_old_provinces_and_the_new_one(con):
    lin = Q.lineage(con, "dak_lak")
    assert list(lin["role"]).count("cu") == 2 and list(lin["role"])[-1] == "moi"
    assert set(lin["entity_code"]) == {"dak_lak", "phu_yen", "dak_lak_2025"}
    # Hà Tây joined Hà Nội on 01/08/2008: its own entity, shown beside Hà Nội, never folded into it
    hn = Q.lineage(con, "ha_noi")
    assert list(zip(hn["entity_code"], hn["role"])) == [("ha_tay", "cu"), ("ha_noi", "moi")]
    assert list(Q.lineage(con, "son_la")["role"]) == ["hien_tai"]
    from dashboard.index_cards import lineage_note

    assert lineage_note(hn).startswith("Từ 01/08/2008, Hà Tây nhập vào **Hà Nội**")
    assert "01/07/2025, " in lineage_note(lin) and "hợp nhất thành **Đắk Lắk (từ 2025)**" in lineage_note(lin)
    assert lineage_note(Q.lineage(con, "son_la")) is None


def test_index_series_keeps_gaps_as_gaps(con):
    fam = tuple(Q.lineage(con, "dak_lak")["entity_code"])
    s = Q.index_series(con, "PAR", fam)
    view = con.execute("SELECT year, entity_code, score FROM v_index_score WHERE index_code = 'PAR' "
                       "AND component_code IS NULL AND score IS NOT NULL AND list_contains(?, entity_code)",
                       [list(fam)]).df()
    shown = s[s["score"].notna()][["year", "entity_code", "score"]]
    assert len(shown) == len(view)  # nothing invented, nothing lost
    gaps = s[s["state"] == "chua_cong_bo"]
    assert len(gaps) and gaps["score"].isna().all()
    old = s[s["entity_code"] == "dak_lak"]
    assert old["year"].max() == 2024  # the old province ends with the merger
    new = s[s["entity_code"] == "dak_lak_2025"]
    assert new["year"].min() >= 2024 and (new["state"] != "chua_cong_bo").all()
    trimmed = Q.index_series(con, "PAR", fam, keep=("dak_lak",))
    assert "phu_yen" not in set(trimmed["entity_code"])  # no PAR result at all: not drawn


def test_components_and_best_province(con):
    c = Q.index_components(con, "PCI", 2020, "dak_lak")
    assert len(c) >= 1
    row = c.iloc[0]
    best = con.execute("SELECT max(score) FROM v_index_score v JOIN entity e ON e.code = v.entity_code "
                       "WHERE index_code = 'PCI' AND year = 2020 AND component_code = ? AND e.kind = 'tinh' "
                       "AND entity_code <> 'dak_lak'", [row["component_code"]]).fetchone()[0]
    assert row["best"] == best
    # the years with sub-indices: VCCI's workbooks (2006–2016) and the 2020 press figures
    assert set(Q.component_years(con, "PCI", ("dak_lak",))["year"]) == {2006, 2008, 2010, 2012, 2014, 2016, 2020}


def test_unit_pages_queries(con):
    hist = Q.unit_history(con, "so_y_te")
    assert set(hist["metric_code"]) == set(con.execute("SELECT code FROM metric").df()["code"])
    assert Q.unit_uploads(con, "so_y_te")["kind"].eq("activities").all()
    scores = Q.unit_index_scores(con, "h_buon_don")
    assert set(scores["index_code"]) == {"PAR"}
    info = Q.unit_info(con, "so_khcn").iloc[0]
    assert "Sở Thông tin và Truyền thông" in info["predecessors"]


def test_empty_database(fresh):
    assert Q.unit_completion(fresh, YEAR, QUARTER).empty
    assert Q.overview(fresh, YEAR, QUARTER).empty
    assert Q.not_reported(fresh, YEAR, QUARTER).empty
    assert Q.indicator_summary(fresh, YEAR, QUARTER).empty
    assert isinstance(Q.default_period(fresh), tuple)
    idx = Q.index_latest(fresh, Q.home_chain(fresh), YEAR)
    assert "PAR" in set(idx["index_code"])  # real reference data is there without any activity
    assert idx["target"].isna().all()  # sample targets are not
