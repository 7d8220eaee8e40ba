"""Registries as data: units, indicators, indices and their components.

The CSV files under data/ are the editable source; `init` loads them into the database,
and the Danh mục page edits them there. Matchers are always built from the database copy
(or from the CSVs when there is no database yet, e.g. for `plan` without --db).
"""
from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path

from core.matching import FILLER, INDICATOR_FILLER, Matcher, unit_filler
from core.rules import HOME_KEY, HOME_PROVINCE
from core.text import nfc

DATA_DIR = Path(__file__).resolve().parents[2] / "data"


def read_csv(path: Path) -> list[dict]:
    with open(path, encoding="utf-8-sig", newline="") as f:
        return [{k: nfc(v) for k, v in row.items()} for row in csv.DictReader(f)]


def split_aliases(text: str | None) -> list[str]:
    return [a.strip() for a in (text or "").split(";") if a.strip()]


def _home_province(con) -> str:
    """The home province's plain name ('Sơn La'; 'Đắk Lắk' for 'Đắk Lắk (từ 2025)'), from the setting and the
    entity table; the shipped province before either exists."""
    try:
        row = con.execute("SELECT e.name FROM meta m JOIN entity e ON e.code = m.value WHERE m.key = ?",
                          [HOME_KEY]).fetchone()
    except Exception:  # noqa: BLE001 - a database from before the meta table
        row = None
    return row[0].split(" (")[0] if row and row[0] else HOME_PROVINCE


@dataclass
class Registry:
    """Rows of each registry plus a matcher for each."""

    units: list[dict]
    indicators: list[dict]
    indices: list[dict]
    components: list[dict]
    home_province: str = HOME_PROVINCE  # its name's words are filler in unit names
    _matchers: dict = field(default_factory=dict, repr=False)

    @classmethod
    def from_data_dir(cls, data_dir: Path = DATA_DIR) -> "Registry":
        units = read_csv(data_dir / "units.csv")
        for u in units:
            u["aliases"] = split_aliases(u.get("aliases"))
        indicators = read_csv(data_dir / "indicators.csv")
        for m in indicators:
            m["aliases"] = split_aliases(m.get("aliases"))
            m["max_plausible"] = float(m["max_plausible"]) if m.get("max_plausible") else None
        return cls(units, indicators, read_csv(data_dir / "indices.csv"), read_csv(data_dir / "index_components.csv"))

    @classmethod
    def from_db(cls, con) -> "Registry":
        def rows(sql):
            cur = con.execute(sql)
            cols = [d[0] for d in cur.description]
            return [dict(zip(cols, r)) for r in cur.fetchall()]

        units = rows(
            "SELECT u.*, coalesce(list(a.alias) FILTER (a.alias IS NOT NULL), []) AS aliases "
            "FROM unit u LEFT JOIN unit_alias a ON a.unit_code = u.code GROUP BY ALL ORDER BY u.code"
        )
        indicators = rows(
            "SELECT m.*, m.grp AS \"group\", coalesce(list(a.alias) FILTER (a.alias IS NOT NULL), []) AS aliases, "
            "any_value(b.max_plausible) AS max_plausible "
            "FROM metric m LEFT JOIN metric_alias a ON a.metric_code = m.code "
            "LEFT JOIN metric_bound b ON b.metric_code = m.code GROUP BY ALL ORDER BY m.ordinal"
        )
        indices = rows("SELECT * FROM index_def ORDER BY code")
        components = rows("SELECT * FROM index_component ORDER BY index_code, ordinal")
        return cls(units, indicators, indices, components, home_province=_home_province(con))

    # --- matchers -------------------------------------------------------------------------------
    @property
    def unit_matcher(self) -> Matcher:
        if "units" not in self._matchers:
            self._matchers["units"] = Matcher.build(
                ((u["code"], u["name"], u["aliases"]) for u in self.units),
                what="đơn vị", filler=unit_filler(self.home_province), extra_words_ok=False,
            )
        return self._matchers["units"]

    @property
    def indicator_matcher(self) -> Matcher:
        if "indicators" not in self._matchers:
            self._matchers["indicators"] = Matcher.build(
                ((m["code"], m["name"], m["aliases"]) for m in self.indicators),
                what="chỉ tiêu", filler=INDICATOR_FILLER,
            )
        return self._matchers["indicators"]

    @property
    def index_matcher(self) -> Matcher:
        if "indices" not in self._matchers:
            self._matchers["indices"] = Matcher.build(
                ((i["code"], i["name"], [i["code"], i["short_name"], *split_aliases(i.get("aliases"))])
                 for i in self.indices),
                what="chỉ số", filler=FILLER,
            )
        return self._matchers["indices"]

    def component_matcher(self, index_code: str, year: int | None = None) -> Matcher:
        """The components of an index (those of `year`'s methodology when a year is given). A name must stand
        for a component whole: a longer name that only contains one ("Kiểm soát tham nhũng trong cung ứng dịch
        vụ công", a PAPI sub-dimension) is not that component ("Cung ứng dịch vụ công")."""
        key = f"components:{index_code}:{year}"
        if key not in self._matchers:
            self._matchers[key] = Matcher.build(
                ((c["code"], c["name"], [c.get("name_en") or "", *split_aliases(c.get("aliases"))])
                 for c in self.components if c["index_code"] == index_code and component_in_year(c, year)),
                what=f"thành phần của {index_code}", filler=FILLER, extra_words_ok=False,
            )
        return self._matchers[key]

    def component_years(self, index_code: str, code: str) -> tuple[int | None, int | None]:
        """(first year, last year) of a component's methodology; None: open."""
        row = next((c for c in self.components if c["index_code"] == index_code and c["code"] == code), {})
        return _year_or_none(row.get("first_year")), _year_or_none(row.get("last_year"))

    def indicator(self, code: str) -> dict:
        return next(m for m in self.indicators if m["code"] == code)

    def unit(self, code: str) -> dict:
        return next(u for u in self.units if u["code"] == code)


def _year_or_none(value) -> int | None:
    return int(value) if value not in (None, "") and str(value).strip() else None


def component_in_year(component: dict, year: int | None) -> bool:
    """Does the component belong to `year`'s methodology (PCI's SOE bias sub-index ended with PCI 2008)?"""
    if year is None:
        return True
    first, last = _year_or_none(component.get("first_year")), _year_or_none(component.get("last_year"))
    return (first is None or year >= first) and (last is None or year <= last)


def load_registries(con, data_dir: Path = DATA_DIR) -> dict[str, int]:
    """Upsert the CSV registries into the database; rows edited in the app keep their edits
    unless the CSV names the same code (the CSV is the shipped default, the database is the truth)."""
    reg = Registry.from_data_dir(data_dir)
    counts = {}
    for u in reg.units:
        con.execute(
            "INSERT INTO unit VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (code) DO NOTHING",
            [u["code"], u["name"], u["kind"] or None, u["parent"] or None, u["valid_from"] or None,
             u["valid_to"] or None, u["successor"] or None, u.get("note") or None],
        )
        for alias in u["aliases"]:
            con.execute("INSERT INTO unit_alias VALUES (?, ?) ON CONFLICT DO NOTHING", [u["code"], alias])
    counts["units"] = len(reg.units)
    for i, m in enumerate(reg.indicators, start=1):
        con.execute(
            "INSERT INTO metric VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (code) DO NOTHING",
            [m["code"], m["name"], m["kind"], m["group"], m["unit"], i],
        )
        for alias in m["aliases"]:
            con.execute("INSERT INTO metric_alias VALUES (?, ?) ON CONFLICT DO NOTHING", [m["code"], alias])
        if m.get("max_plausible"):
            con.execute("INSERT INTO metric_bound VALUES (?, ?) ON CONFLICT DO NOTHING", [m["code"], m["max_plausible"]])
    counts["indicators"] = len(reg.indicators)
    for x in reg.indices:
        con.execute(
            "INSERT OR REPLACE INTO index_def VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [x["code"], x["name"], x["short_name"], x["publisher"], float(x["scale_min"]), float(x["scale_max"]),
             x["unit"] or None, x["higher_is_better"] == "true", x["aliases"]],
        )
    for c in reg.components:
        con.execute(
            "INSERT OR REPLACE INTO index_component (index_code, code, name, name_en, aliases, ordinal, first_year, "
            "last_year) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [c["index_code"], c["code"], c["name"], c["name_en"], c["aliases"], int(c["ordinal"]),
             _year_or_none(c.get("first_year")), _year_or_none(c.get("last_year"))],
        )
    counts["indices"] = len(reg.indices)
    return counts
