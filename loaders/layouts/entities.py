"""Names of index entities -> entity codes: provinces from the `entity` table (names, aliases, the 2025
lineage, with the rules of `loaders.registry.reference`), units from the unit registry (entity code = unit code).

Shared by the layouts' context (`Context.entities`) and the index-table reader.
"""
from __future__ import annotations

import re

from core.matching import MatchError
from core.rules import HOME_PROVINCE
from core.text import slug
from loaders.registry.reference import MERGER_DATE, REFERENCE_DIR, Entity, ReferenceResolver, province_entities, split_note
from loaders.registry.registries import read_csv
from loaders.registry.settings import home_province_name


class EntityResolver:
    """Names -> entity codes: provinces from the `entity` table, units from the unit registry."""

    def __init__(self, registry, con=None):
        self.registry = registry
        rows = []
        if con is not None:
            try:
                rows = con.execute("SELECT code, name, kind, province, CAST(valid_from AS VARCHAR), "
                                   "CAST(valid_to AS VARCHAR), successor, unit_code, aliases FROM entity").fetchall()
            except Exception:  # noqa: BLE001 - a database without the entity table yet
                rows = []
        entities = [Entity(*r) for r in rows]
        provinces = [e for e in entities if e.kind == "tinh"]
        if not provinces:
            provinces, _ = province_entities(read_csv(REFERENCE_DIR / "province_mapping_2025.csv"))
        self.known = {e.code for e in entities}
        home = home_province_name(con) if con is not None else HOME_PROVINCE
        self.resolver = ReferenceResolver(registry, provinces, home)
        self.province_matcher = self.resolver.province_matcher
        self.has_db = bool(rows)

    def provinces_in(self, year: int) -> int:
        """How many provinces a complete ranking of `year` has: those that existed during the year (PCI 2008 still
        ranks Hà Tây, merged on 01/08/2008), except that a province merged in 2025 leaves 2025 to the new ones."""
        def existed(e) -> bool:
            if e.valid_from and year < int(e.valid_from[:4]):
                return False
            if not e.valid_to:
                return True
            end = int(e.valid_to[:4])
            return year < end or (year == end and end != int(MERGER_DATE[:4]))
        return sum(1 for e in self.resolver.provinces if e.kind == "tinh" and existed(e))

    def province(self, name: str, year: int, hint: str = "") -> str:
        """Raises MatchError (unknown / ambiguous) or ReferenceDataError (a 2025 province before 2025)."""
        base, _ = split_note(name)
        base = re.sub(r"^\s*(tỉnh|thành phố|tp\.?)\s+", "", base, flags=re.I) or base
        return self.resolver.province(base if "(cũ" not in name else name, year, hint)

    def unit(self, name: str) -> str:
        return self.registry.unit_matcher.match(name).code

    def reference_unit(self, province: str, text: str) -> str:
        """'unit: Sở Tư pháp (department group)' in the long form: a registry unit of the home province,
        or an entity already known for another province; never a new one made up."""
        name, _ = split_note(text.split(":", 1)[1].strip())
        if not province or self.resolver.is_home(province):
            return self.unit(name)
        code = f"{slug(province)}__{slug(name)}"
        if code in self.known:
            return code
        raise MatchError(name, [])

    def group(self, province: str, text: str) -> str | None:
        name, _ = split_note(text.split(":", 1)[1].strip())
        code = f"{slug(province)}__tb_{slug(name)}"
        return code if code in self.known else None
