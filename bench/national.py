"""A synthetic national dataset for the benchmarks, generated in SQL (no Python loops over rows).

About 4,000 units (the 34 provinces' departments and ~3,300 communes and wards, plus the default
registry's current units) x the 18 indicators x 44 quarters ~ 3.2 million activity rows, one batch per
unit and quarter as if every unit had uploaded its report; 2 % of them re-uploaded with corrections,
a few batches rolled back, a few units missing from the latest quarter. Annual targets per province and
year. Index scores for the 63 old provinces (to 2024) and the 34 new ones (2024, 2025), every component,
plus DDCI for every unit. The real schema (loaders.store.schema.migrate via loaders.init_db.init_database)
and the real registries and reference data are loaded first.

Everything generated is marked `is_sample` and labelled synthetic in the batch note, so the UI says it
is sample data. Values are deterministic: they come from hash() of the key, not from random().

    python bench/national.py --out bench/out/national.duckdb [--units 4000] [--quarters 44]
"""
from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import pandas as pd  # noqa: E402

from loaders.demo import ANNUAL_TARGET, RATE_TARGET  # noqa: E402
from loaders.init_db import init_database  # noqa: E402
from loaders.store.materialize import refresh_if_stale  # noqa: E402
from core.periods import Quarter, latest_complete_quarter, quarter_range  # noqa: E402
from loaders.registry.reference import registry_unit_entities  # noqa: E402
from loaders.store.schema import connect, set_meta  # noqa: E402

SYNTHETIC_BY = "Dữ liệu tổng hợp (đo hiệu năng)"
NOTE = "Dữ liệu tổng hợp để đo hiệu năng (synthetic benchmark data) — không phải số liệu thật"
UNIT_PREFIX = "syn_"

# Departments of a province after the 2025 reorganisation (names as the registry writes them).
DEPARTMENTS = [
    "Văn phòng UBND", "Thanh tra", "Sở Nội vụ", "Sở Tư pháp", "Sở Tài chính", "Sở Công Thương",
    "Sở Nông nghiệp và Môi trường", "Sở Xây dựng", "Sở Khoa học và Công nghệ", "Sở Giáo dục và Đào tạo",
    "Sở Y tế", "Sở Văn hóa, Thể thao và Du lịch", "Sở Dân tộc và Tôn giáo", "Sở Ngoại vụ",
    "Ban Quản lý các khu công nghiệp", "Báo và Phát thanh, Truyền hình", "Ban Quản lý dự án",
]
# Two disjoint syllable lists: "Tân Lập" can never also appear as "Lập Tân" (the matcher ignores word order).
FIRST = ["Tân", "Phú", "An", "Bình", "Long", "Phước", "Quang", "Xuân", "Vĩnh", "Cẩm", "Đức", "Hiệp",
         "Mỹ", "Ea", "Krông", "Cư", "Yên", "Hải", "Trung", "Kim", "Ngọc", "Thiện", "Bảo", "Gia", "Hồng",
         "Nghĩa", "Thạch", "Liên", "Tam", "Sông"]
SECOND = ["Lập", "Thắng", "Hòa", "Lợi", "Thịnh", "Tiến", "Hưng", "Sơn", "Lâm", "Hà", "Minh", "Phong",
          "Thủy", "Khánh", "Thuận", "Đông", "Tây", "Nam", "Bắc", "Lộc", "Kao", "Pắc", "Đôn", "Trạch",
          "Xuyên", "Điền", "Tường", "Giang", "Hiệp Thành", "Châu"]


def province_units(con, n_units: int) -> pd.DataFrame:
    """Synthetic units spread round-robin over the 34 provinces, departments first, then communes/wards."""
    provinces = con.execute(
        "SELECT code, replace(name, ' (từ 2025)', '') FROM entity WHERE kind = 'tinh' AND valid_to IS NULL "
        "ORDER BY code"
    ).fetchall()
    existing = con.execute(
        "SELECT count(*) FROM unit WHERE kind <> 'huyen' AND valid_to IS NULL AND code NOT LIKE 'syn_%'"
    ).fetchall()[0][0]
    wanted = max(0, n_units - existing)
    home = {"dak_lak_2025", "dak_lak"}
    names_by_province = []
    for p_no, (pcode, pname) in enumerate(provinces):
        cands = []
        if pcode not in home:  # the home province's departments are the registry's own units
            cands += [("so" if d.startswith("Sở") else "co_quan", f"{d} tỉnh {pname}") for d in DEPARTMENTS]
        for i in range(len(FIRST) * len(SECOND)):
            a, b = FIRST[i % len(FIRST)], SECOND[(i // len(FIRST) + p_no) % len(SECOND)]
            kind = "phuong" if i % 4 == 0 else "xa"
            cands.append((kind, f"{'Phường' if kind == 'phuong' else 'Xã'} {a} {b} ({pname})"))
        names_by_province.append((pcode, cands))
    rows = []
    depth = 0
    while len(rows) < wanted:
        for pcode, cands in names_by_province:
            if len(rows) >= wanted:
                break
            kind, name = cands[depth]
            rows.append((f"{UNIT_PREFIX}{pcode.removesuffix('_2025')}_{depth + 1:03d}", name, kind, pcode))
        depth += 1
    return pd.DataFrame(rows, columns=["code", "name", "kind", "parent"])


def build_national(path: str | os.PathLike, units: int = 4000, quarters: int = 44, last: Quarter | None = None,
                   reupload_share: float = 0.02, rollback_share: float = 0.002, late_share: float = 0.03,
                   ddci_years: int = 3, index_years: int = 10) -> dict:
    """Create the database at `path` (replaced if present). Returns counts and seconds per step."""
    path = Path(path)
    for p in (path, Path(str(path) + ".wal")):
        if p.exists():
            p.unlink()
    last = last or latest_complete_quarter()
    qs = quarter_range(_back(last, quarters - 1), last)
    t0 = time.perf_counter()
    timings = {}
    con = connect(path)
    init_database(con)
    timings["init"] = time.perf_counter() - t0

    t = time.perf_counter()
    udf = province_units(con, units)
    con.register("_syn_units", udf)
    con.execute("INSERT INTO unit (code, name, kind, parent, note) "
                "SELECT code, name, kind, parent, ? FROM _syn_units", [NOTE])
    con.unregister("_syn_units")
    registry_unit_entities(con)  # every unit is an index entity too (DDCI)
    timings["units"] = time.perf_counter() - t

    # Work tables: units with a "skill" (some lead, some lag), quarters, metrics with their annual target.
    con.execute("""
        CREATE OR REPLACE TEMP TABLE s_unit AS
        SELECT code, coalesce(parent, 'dak_lak_2025') AS province, row_number() OVER (ORDER BY code) AS uid,
               0.55 + 0.7 * (hash(code, 'skill') % 1000) / 1000.0 AS skill
        FROM unit WHERE kind <> 'huyen' AND valid_to IS NULL""")
    con.execute("CREATE OR REPLACE TEMP TABLE s_quarter (qid INTEGER, year INTEGER, quarter INTEGER)")
    con.executemany("INSERT INTO s_quarter VALUES (?, ?, ?)", [(i, q.year, q.quarter) for i, q in enumerate(qs)])
    metrics = [(c, "count", float(v)) for c, v in ANNUAL_TARGET.items()] + [
        (c, "rate", float(v)) for c, v in RATE_TARGET.items()]
    con.execute("CREATE OR REPLACE TEMP TABLE s_metric (code VARCHAR, kind VARCHAR, annual DOUBLE)")
    con.executemany("INSERT INTO s_metric VALUES (?, ?, ?)", metrics)
    n_metrics = len(metrics)
    nq = len(qs)

    # One activities batch per unit and quarter, uploaded 3-12 days after the quarter ends; late units skip
    # the latest quarter. Then a share of them re-uploaded (a correction) a week later.
    t = time.perf_counter()
    con.execute("BEGIN TRANSACTION")
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE s_uq AS
        SELECT u.code, u.uid, u.province, u.skill, q.qid, q.year, q.quarter,
               (make_date(q.year, q.quarter * 3, 1) + INTERVAL 1 MONTH + INTERVAL 8 HOUR
                 + to_days(CAST(3 + hash(u.code, q.qid, 'd') % 10 AS INTEGER))
                 + to_hours(CAST(hash(u.code, q.qid, 'h') % 9 AS INTEGER))) AS sent
        FROM s_unit u CROSS JOIN s_quarter q
        WHERE NOT (q.qid = {nq - 1} AND hash(u.code, 'late') % 10000 < {int(late_share * 10000)})""")
    con.execute(f"""
        INSERT INTO batch (kind, file_name, uploaded_by, unit_code, year, quarter, rows, is_sample, note, uploaded_at)
        SELECT 'activities', 'bao_cao_' || code || '_' || year || '-Q' || quarter || '.xlsx', ?, code, year, quarter,
               {n_metrics}, true, ?, sent
        FROM s_uq ORDER BY sent, code""", [SYNTHETIC_BY, NOTE])
    con.execute(f"""
        INSERT INTO batch (kind, file_name, uploaded_by, unit_code, year, quarter, rows, is_sample, note, uploaded_at)
        SELECT 'activities', 'bao_cao_' || code || '_' || year || '-Q' || quarter || '_sua.xlsx', ?, code, year,
               quarter, {n_metrics}, true, ? || ' (bản sửa)', sent + INTERVAL 7 DAY
        FROM s_uq WHERE hash(code, qid, 'again') % 10000 < {int(reupload_share * 10000)}
        ORDER BY sent, code""", [SYNTHETIC_BY, NOTE])
    timings["activity_batches"] = time.perf_counter() - t

    # Annual targets: one batch per province and year (the office that rolls up sets them).
    t = time.perf_counter()
    con.execute("""
        INSERT INTO batch (kind, file_name, uploaded_by, year, rows, is_sample, note, uploaded_at)
        SELECT 'targets', 'chi_tieu_' || p.province || '_' || y.year || '.xlsx', ?, y.year,
               p.n * (SELECT count(*) FROM s_metric), true, ? || ' [' || p.province || ']',
               make_timestamp(y.year - 1, 12, 20, 9, 0, 0)
        FROM (SELECT province, count(*) AS n FROM s_unit GROUP BY 1) p
        CROSS JOIN (SELECT DISTINCT year FROM s_quarter) y ORDER BY y.year, p.province""", [SYNTHETIC_BY, NOTE])
    con.execute("""
        INSERT INTO target_value (batch_id, unit_code, year, quarter, metric_code, value)
        SELECT b.id, u.code, b.year, NULL, m.code,
               CASE WHEN m.kind = 'rate' THEN m.annual
                    ELSE round(m.annual * [0.5, 1, 1, 1.5, 2][CAST(1 + hash(u.code, b.year, m.code) % 5 AS BIGINT)]) END
        FROM batch b JOIN s_unit u ON b.note = ? || ' [' || u.province || ']'
        CROSS JOIN s_metric m
        WHERE b.kind = 'targets' AND b.is_sample""", [NOTE])
    timings["targets"] = time.perf_counter() - t

    # Activity values: around the quarter's share of the target, scaled by the unit's skill; rates near target.
    t = time.perf_counter()
    con.execute("""
        INSERT INTO activity_value (batch_id, unit_code, year, quarter, metric_code, value, sheet, row_no, col)
        SELECT b.id, b.unit_code, b.year, b.quarter, m.code,
               CASE WHEN m.kind = 'rate'
                    THEN round(least(100.0, m.annual * least(1.02, u.skill * (0.85 + 0.2 * (hash(b.id, m.code) % 1000) / 1000.0))), 1)
                    ELSE greatest(0, round(t.value / 4 * u.skill * (0.6 + 0.8 * (hash(b.id, m.code) % 1000) / 1000.0)))
               END,
               'Báo cáo', 8 + m.rn, NULL
        FROM batch b
        JOIN s_unit u ON u.code = b.unit_code
        CROSS JOIN (SELECT *, row_number() OVER () AS rn FROM s_metric) m
        LEFT JOIN target_value t ON t.unit_code = b.unit_code AND t.year = b.year AND t.metric_code = m.code
        WHERE b.kind = 'activities' AND b.is_sample""")
    n_roll = con.execute(f"""
        UPDATE batch SET status = 'rolled_back', rolled_back_at = uploaded_at + INTERVAL 1 DAY,
               rolled_back_by = ?
        WHERE kind = 'activities' AND is_sample AND hash(id, 'rollback') % 100000 < {int(rollback_share * 100000)}""",
        [SYNTHETIC_BY]).fetchall()[0][0]
    con.execute("COMMIT")
    timings["activities"] = time.perf_counter() - t

    t = time.perf_counter()
    n_index = _index_scores(con, last, index_years, ddci_years)
    timings["indices"] = time.perf_counter() - t

    counts = dict(zip(
        ["units", "activity_rows", "activity_batches", "target_rows", "index_rows", "batches"],
        con.execute("""SELECT (SELECT count(*) FROM s_unit), (SELECT count(*) FROM activity_value),
                              (SELECT count(*) FROM batch WHERE kind = 'activities'),
                              (SELECT count(*) FROM target_value), (SELECT count(*) FROM index_value),
                              (SELECT count(*) FROM batch)""").fetchall()[0]))
    counts.update(quarters=nq, first=qs[0].code, last=last.code, metrics=n_metrics, rolled_back=n_roll,
                  index_rows_generated=n_index)
    set_meta(con, "bench_dataset", f"synthetic national: {counts['units']} units x {n_metrics} indicators x "
                                   f"{nq} quarters ({qs[0].code}..{last.code})")
    # The rows above were written in SQL, not through loaders.store.batches: bring the maintained tables behind
    # v_activity up to date once, as the app would at its next start (loaders/store/materialize.py).
    t = time.perf_counter()
    refresh_kind = refresh_if_stale(con)  # "full": the registry grew
    timings["materialize"] = time.perf_counter() - t
    t = time.perf_counter()
    con.execute("CHECKPOINT")
    con.close()
    timings["checkpoint"] = time.perf_counter() - t
    timings["total"] = time.perf_counter() - t0
    return {"path": str(path), "counts": counts, "seconds": {k: round(v, 2) for k, v in timings.items()},
            "materialize_kind": refresh_kind,
            "size_mb": round(path.stat().st_size / 2**20, 1)}


def _back(q: Quarter, n: int) -> Quarter:
    idx = q.year * 4 + q.quarter - 1 - n
    return Quarter(idx // 4, idx % 4 + 1)


def _index_scores(con, last: Quarter, years: int, ddci_years: int) -> int:
    """Every index, every component: 63 old provinces to 2024, 34 new ones for 2024 and 2025; DDCI per unit."""
    last_year = last.year - 1  # indices for a year are published during the next one
    first_year = last_year - years + 1
    con.execute("BEGIN TRANSACTION")
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE s_index_key AS
        WITH prov AS (
            SELECT code, valid_to IS NULL AS is_new, code NOT LIKE '%\\_2025' ESCAPE '\\' AS is_old
            FROM entity WHERE kind = 'tinh'),
        prov_year AS (
            SELECT y.range AS year, p.code, CASE WHEN y.range >= 2025 THEN 34 ELSE 63 END AS rank_of
            FROM range({first_year}, {last_year} + 1) y
            JOIN prov p ON (y.range <= 2024 AND p.is_old) OR (y.range >= 2025 AND p.is_new)),
        comps AS (SELECT index_code, code AS component_code FROM index_component
                  UNION ALL SELECT code, NULL FROM index_def)
        SELECT i.code AS index_code, py.year, py.code AS entity_code, c.component_code, py.rank_of,
               'national' AS grp, i.scale_min, i.scale_max
        FROM index_def i JOIN comps c ON c.index_code = i.code
        CROSS JOIN prov_year py
        WHERE i.code <> 'DDCI'
        UNION ALL
        SELECT 'DDCI', y.range, u.code, c.component_code, count(*) OVER (PARTITION BY u.parent, y.range, c.component_code),
               u.parent, 0, 100
        FROM unit u CROSS JOIN range({last_year - ddci_years + 1}, {last_year + 1}) y
        JOIN comps c ON c.index_code = 'DDCI'
        WHERE u.code LIKE 'syn_%'""")
    con.execute("""
        INSERT INTO batch (kind, file_name, uploaded_by, year, rows, is_sample, note, uploaded_at)
        SELECT 'indices', 'chi_so_' || index_code || '_' || year || '_tong_hop.xlsx', ?, year, count(*), true, ?,
               make_timestamp(year + 1, 5, 15, 9, 0, 0)
        FROM s_index_key GROUP BY index_code, year ORDER BY year, index_code""", [SYNTHETIC_BY, NOTE])
    n = con.execute("""
        INSERT INTO index_value (batch_id, index_code, year, entity_code, component_code, score, rank, rank_of, source,
                                 note, sheet, row_no, col)
        WITH s AS (
            SELECT k.*, b.id AS batch_id,
                   k.scale_min + (k.scale_max - k.scale_min)
                       * (0.45 + 0.45 * (hash(k.entity_code, 'level') % 1000) / 1000.0
                          + 0.1 * (hash(k.entity_code, k.index_code, k.year, k.component_code) % 1000) / 1000.0)
                   AS raw
            FROM s_index_key k JOIN batch b ON b.kind = 'indices' AND b.is_sample AND b.note = ?
                 AND b.file_name = 'chi_so_' || k.index_code || '_' || k.year || '_tong_hop.xlsx')
        SELECT batch_id, index_code, year, entity_code, component_code,
               CASE WHEN scale_max <= 1 THEN round(raw, 4) ELSE round(raw, 2) END,
               rank() OVER (PARTITION BY index_code, year, component_code, grp ORDER BY raw DESC), rank_of,
               'Dữ liệu tổng hợp (synthetic) — không phải số liệu công bố', NULL, 'Tổng hợp', NULL, NULL
        FROM s""", [NOTE]).fetchall()[0][0]
    con.execute("COMMIT")
    return n


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", default=str(ROOT / "bench" / "out" / "national.duckdb"))
    ap.add_argument("--units", type=int, default=4000)
    ap.add_argument("--quarters", type=int, default=44)
    args = ap.parse_args(argv)
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    result = build_national(args.out, units=args.units, quarters=args.quarters)
    import json
    print(json.dumps(result, ensure_ascii=False, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
