"""`demo`: a sample dataset for the default units, marked as sample so the UI labels it.

Activities: one batch per unit and quarter, as if each unit had uploaded its report, from 2024-Q1
to the latest complete quarter; a few units have not reported the latest quarter yet.
Targets: one annual target batch per year. Index targets for the home province: sample, too.
Values are random but reproducible (seeded), with per-unit character: some units lead, some lag, and the
leading ones meet every quarterly target, as the best departments of real roll-ups do (so the sample shows all
three statuses, not only gần đạt and chưa đạt).
"""
from __future__ import annotations

import datetime as dt
import math
import random

from core.periods import Quarter, latest_complete_quarter, quarter_range
from core.rules import unit_active
from loaders.registry.registries import Registry
from loaders.store.batches import ActivityRow, Batch, IndexTargetRow, TargetRow, write_batch
from loaders.store.materialize import refresh_if_stale

FIRST = Quarter(2024, 1)
SAMPLE_BY = "Dữ liệu mẫu"
# Typical annual targets of a department for each count indicator (from real provincial plans' orders of size).
ANNUAL_TARGET = {
    "tin_bai": 48, "bao_dai": 8, "video_clip": 6, "infographic": 8, "mang_xa_hoi": 60, "ban_tin": 4,
    "truyen_thanh": 12, "hoi_nghi": 4, "tap_huan": 2, "hoi_thi": 1, "doi_thoai": 2, "pano_apphich": 10,
    "to_gap": 500, "dan_hoi": 40, "phan_anh": 12,
}
RATE_TARGET = {"ty_le_dung_han": 98.0, "ty_le_truc_tuyen": 60.0, "ty_le_nam_vung": 100.0}
NOT_REPORTED_LATEST = 3
LEADING_SKILL = 1.12  # units at or above it meet every target (about one unit in five)


def sample_units(registry: Registry, on: dt.date) -> list[dict]:
    return [u for u in registry.units
            if u.get("kind") != "huyen" and unit_active(u.get("valid_from"), u.get("valid_to"), on, on)]


def build_sample(registry: Registry, last: Quarter | None = None, seed: int = 2025) -> list[Batch]:
    last = last or latest_complete_quarter()
    rng = random.Random(seed)
    units = sample_units(registry, last.end)
    skill = {u["code"]: rng.uniform(0.55, 1.25) for u in units}

    def leading(unit) -> bool:
        return skill[unit["code"]] >= LEADING_SKILL
    quarters = quarter_range(FIRST, last)
    late = {u["code"] for u in rng.sample(units, min(NOT_REPORTED_LATEST, len(units)))}
    batches: list[Batch] = []
    for year in sorted({q.year for q in quarters}):
        targets = []
        for u in units:
            for code, annual in ANNUAL_TARGET.items():
                scale = rng.choice([0.5, 1, 1, 1.5, 2]) if code != "to_gap" else rng.choice([0.4, 1, 2])
                targets.append(TargetRow(u["code"], year, None, code, float(round(annual * scale))))
            for code, rate in RATE_TARGET.items():
                targets.append(TargetRow(u["code"], year, None, code, rate))
        batches.append(Batch("targets", file_name=f"chi_tieu_{year}_mau.xlsx", uploaded_by=SAMPLE_BY,
                             year=year, is_sample=True, note="Chỉ tiêu mẫu",
                             uploaded_at=dt.datetime(year - 1, 12, 20, 9, 0), targets=targets))
    annual = {(t.unit_code, t.year, t.metric_code): t.value for b in batches for t in b.targets}
    for q in quarters:
        for u in units:
            if q == last and u["code"] in late:
                continue
            rows = []
            for code in ANNUAL_TARGET:
                target = annual[(u["code"], q.year, code)] / 4
                value = max(0, round(target * skill[u["code"]] * rng.uniform(0.6, 1.4)))
                if leading(u):
                    value = max(value, math.ceil(target))
                rows.append(ActivityRow(u["code"], q.year, q.quarter, code, float(value)))
            for code, rate in RATE_TARGET.items():
                value = min(100.0, rate * min(1.02, skill[u["code"]] * rng.uniform(0.85, 1.05)))
                rows.append(ActivityRow(u["code"], q.year, q.quarter, code,
                                        max(round(value, 1), rate) if leading(u) else round(value, 1)))
            sent = dt.datetime.combine(q.end, dt.time(8)) + dt.timedelta(days=rng.randint(3, 12), hours=rng.randint(0, 9))
            batches.append(Batch("activities", file_name=f"bao_cao_{u['code']}_{q.code}.xlsx",
                                 uploaded_by=SAMPLE_BY, unit_code=u["code"], year=q.year, quarter=q.quarter,
                                 is_sample=True, uploaded_at=sent, activities=rows))
    home_targets = []
    for year in sorted({q.year for q in quarters} | {last.year + 1}):
        home = "dak_lak_2025" if year >= 2025 else "dak_lak"
        home_targets += [
            IndexTargetRow("PAR", year, home, None, 88.5, None, SAMPLE_BY),
            IndexTargetRow("SIPAS", year, home, None, 85.0, None, SAMPLE_BY),
            IndexTargetRow("PAPI", year, home, None, 44.0, None, SAMPLE_BY),
            IndexTargetRow("PCI", year, home, None, 66.0, 35, SAMPLE_BY),
            IndexTargetRow("DTI", year, home, None, 0.70, 30, SAMPLE_BY),
        ]
    batches.append(Batch("targets", file_name="chi_tieu_chi_so_mau.xlsx", uploaded_by=SAMPLE_BY, is_sample=True,
                         note="Mục tiêu chỉ số mẫu", uploaded_at=dt.datetime(FIRST.year - 1, 12, 21, 9, 0),
                         index_targets=home_targets))
    return batches


DEMO_ADMIN = ("admin", "admin")  # user name and password of the demo database's administrator


def add_demo_admin(con) -> bool:
    """The demo administrator (admin/admin, below the password policy on purpose), only in a database that holds
    sample data and no account yet: a real deployment's database never gets it. True when it was added."""
    from loaders.accounts.audit import record
    from loaders.accounts.users import hash_password

    if not con.execute("SELECT count(*) FROM batch WHERE is_sample").fetchone()[0]:
        return False
    if con.execute("SELECT count(*) FROM app_user").fetchone()[0]:
        return False
    name, password = DEMO_ADMIN
    con.execute("INSERT INTO app_user (username, full_name, role, password_hash) VALUES (?, ?, 'quan_tri', ?)",
                [name, "Quản trị (demo)", hash_password(password)])
    record(con, SAMPLE_BY, "user_add", f"{name} (Quản trị, tài khoản của bản demo)")
    return True


def load_sample(con, last: Quarter | None = None) -> dict:
    """Write the sample batches unless sample data is already there (idempotent)."""
    if con.execute("SELECT count(*) FROM batch WHERE is_sample").fetchone()[0]:
        return {"sample_batches": 0, "sample_rows": 0, "already": True}
    batches = build_sample(Registry.from_db(con), last)
    for b in batches:
        write_batch(con, b, refresh=False)
    refresh_if_stale(con)
    return {"sample_batches": len(batches), "sample_rows": sum(b.rows for b in batches), "already": False}
