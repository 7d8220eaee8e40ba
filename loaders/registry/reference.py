"""Real published index values shipped under data/reference/, and the 2025 province mapping.

Load inputs (the CSVs, each row with its source) / process (resolve index, entity, component) /
save (one batch of kind 'reference'). Nothing is estimated: an empty score stays empty.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from core.matching import Matcher, MatchError
from core.numbers import same_published
from core.rules import HOME_PROVINCE
from core.text import fold, nfc, slug
from loaders.registry.registries import DATA_DIR, Registry, read_csv, split_aliases
from loaders.store.batches import Batch, IndexRow

REFERENCE_DIR = DATA_DIR / "reference"
# VCCI's own workbooks before the press and province pages: where two sources give one key, the first one's
# (more precise) figure is kept and both are named.
INDEX_FILES = ("par_index.csv", "sipas.csv", "papi.csv", "pci_vcci_workbooks.csv", "pci.csv", "dti.csv", "ddci.csv",
               "subprovincial_par_dti.csv", "national_averages.csv")
# The national average is an entity of its own, never a province: the pages draw it as a reference line.
NATIONAL = {"code": "ca_nuoc", "name": "Trung bình cả nước", "kind": "ca_nuoc"}
MERGER_DATE = "2025-07-01"
READER_VERSION = b"reference-reader 5\n"  # raise when the reading of the CSVs changes

PROVINCE_ALIASES_FILE = DATA_DIR / "province_aliases.csv"  # publishers' spellings: "Bắc Cạn", "TP.HCM", "BRVT"
HISTORICAL_FILE = REFERENCE_DIR / "historical_provinces.csv"  # provinces that ended before 2025 (Hà Tây)


class ReferenceDataError(ValueError):
    """A reference row that cannot be resolved: a defect in the shipped data."""


@dataclass(frozen=True)
class Entity:
    code: str
    name: str
    kind: str  # 'tinh' (a province), 'don_vi' (a unit of the home registry), 'don_vi_ngoai' (another province's unit)
    province: str | None = None
    valid_from: str | None = None
    valid_to: str | None = None
    successor: str | None = None
    unit_code: str | None = None
    aliases: str | None = None


def province_entities(mapping_rows: list[dict], historical_rows: list[dict] | None = None,
                      alias_rows: list[dict] | None = None) -> tuple[list[Entity], list[tuple[str, str, str]]]:
    """The 63 old provinces and the 34 new ones with lineage, the provinces that ended earlier (Hà Tây, into
    Hà Nội on 01/08/2008), and the old -> new mapping of 2025. Aliases and ended provinces default to the
    shipped registries (data/province_aliases.csv, data/reference/historical_provinces.csv).

    A province that merged with others keeps its old entity up to 30/06/2025; the new province is a
    new entity from 01/07/2025 ('Đắk Lắk (từ 2025)'), so a series never silently joins two territories.
    """
    alias_rows = read_csv(PROVINCE_ALIASES_FILE) if alias_rows is None else alias_rows
    historical_rows = read_csv(HISTORICAL_FILE) if historical_rows is None else historical_rows
    known_aliases: dict[str, list[str]] = {}
    for r in alias_rows:
        known_aliases.setdefault(r["province"], []).append(r["alias"])
    groups: dict[str, list[str]] = {}
    for r in mapping_rows:
        groups.setdefault(r["new_province"], []).append(r["old_province"])
    entities: list[Entity] = []
    mapping = []
    new_code = {}
    for new, olds in groups.items():
        if len(olds) == 1:
            new_code[new] = slug(olds[0])
        else:
            new_code[new] = slug(new) + "_2025"
            entities.append(Entity(new_code[new], f"{new} (từ 2025)", "tinh", valid_from=MERGER_DATE,
                                   aliases=f"{new} (mới);{new} (sau sáp nhập)"))
    for r in mapping_rows:
        old, new = r["old_province"], r["new_province"]
        merged = len(groups[new]) > 1
        aliases = known_aliases.get(old, []) + ([new] if not merged and new != old else [])
        entities.append(Entity(
            slug(old), old, "tinh",
            valid_to="2025-06-30" if merged else None,
            successor=new_code[new] if merged else None,
            aliases=";".join(aliases + [f"{old} (cũ)"]),
        ))
        mapping.append((slug(old), new_code[new], r["source"]))
    by_name = {e.name: e.code for e in entities}
    for r in historical_rows:
        name = r["province"]
        aliases = known_aliases.get(name, []) + split_aliases(r.get("aliases")) + [f"{name} (cũ)"]
        entities.append(Entity(slug(name), name, "tinh", valid_from=r.get("valid_from") or None,
                               valid_to=r.get("valid_to") or None, successor=by_name.get(r.get("successor") or ""),
                               aliases=";".join(aliases)))
    return entities, mapping


def _next_day(iso_date: str) -> str:
    """'2008-07-31' -> '01/08/2008' (the day a merger took effect)."""
    d = dt.date.fromisoformat(iso_date[:10]) + dt.timedelta(days=1)
    return d.strftime("%d/%m/%Y")


def entity_matcher(entities) -> Matcher:
    return Matcher.build(
        ((e.code, e.name, [a for a in (e.aliases or "").split(";") if a]) for e in entities),
        what="tỉnh/đơn vị", filler=frozenset({"tinh", "thanh", "pho"}), extra_words_ok=False,
    )


_PAREN = re.compile(r"\s*\(([^)]*)\)\s*")


def split_note(text: str) -> tuple[str, str | None]:
    """'Sở Tư pháp (department group)' -> ('Sở Tư pháp', 'department group')."""
    notes = _PAREN.findall(text)
    return nfc(_PAREN.sub(" ", text)), ("; ".join(notes) or None)


class ReferenceResolver:
    """Resolves the names in the reference CSVs to index, entity and component codes."""

    def __init__(self, registry: Registry, provinces: list[Entity], home: str = HOME_PROVINCE):
        self.registry = registry
        self.provinces = provinces
        self.home = home  # unit rows of this province name the registry's own units
        self.province_matcher = entity_matcher(provinces)
        self.extra: dict[str, Entity] = {}
        # a workbook names the same provinces on every sheet: each name is matched once (unknown ones again)
        self._province_code = lru_cache(maxsize=4096)(lambda name: self.province_matcher.match(name).code)

    def index_code(self, text: str) -> str:
        name, _ = split_note(text)
        return self.registry.index_matcher.match(name).code

    def province(self, name: str, year: int, source: str) -> str:
        base, note = split_note(name)
        if fold(base) == "ca nuoc":
            self.extra.setdefault(NATIONAL["code"], Entity(**NATIONAL))
            return NATIONAL["code"]
        code = self._province_code(base)
        entity = next(e for e in self.provinces if e.code == code)
        self._check_existed(entity, year)
        new_ranking = "34-province" in source or (year >= 2025 and "(cũ" not in name)
        if new_ranking and entity.successor:
            return entity.successor
        if entity.code.endswith("_2025") and not new_ranking:
            raise ReferenceDataError(f"{name} {year}: tỉnh mới chỉ có số liệu từ 2025 hoặc bảng 34 tỉnh")
        return code

    def _check_existed(self, entity: Entity, year: int) -> None:
        """A province that ended by joining a differently named one (Hà Tây into Hà Nội, 01/08/2008) has no
        result of its own after its last year, and its name never stands for its successor: that would fold one
        series into another. (A 2025 province that lives on under its own name is the new province's name.)"""
        if not entity.valid_to or year <= int(entity.valid_to[:4]):
            return
        successor = next((e for e in self.provinces if e.code == entity.successor), None)
        if successor is not None and split_note(successor.name)[0] == entity.name:
            return
        joined = f" nhập vào {successor.name}" if successor is not None else " không còn"
        raise ReferenceDataError(f"tỉnh {entity.name} đã{joined} từ {_next_day(entity.valid_to)} — không có kết quả "
                                 f"riêng năm {year} (số liệu của {entity.name} chỉ đến năm {entity.valid_to[:4]})")

    def unit_entity(self, province: str, unit_text: str) -> tuple[str, str | None]:
        """'unit: Sở Tư pháp (department group)' -> an entity code for that unit."""
        name, note = split_note(unit_text.split(":", 1)[1].strip())
        if self.is_home(province):
            try:
                # registry units are entities already (registry_unit_entities), with their lineage
                return self.registry.unit_matcher.match(name).code, note
            except MatchError:
                pass
        code = f"{slug(province)}__{slug(name)}"
        self.extra.setdefault(code, Entity(code, f"{name} ({province})", "don_vi_ngoai", province=slug(province)))
        return code, note

    def is_home(self, province: str) -> bool:
        """'Đắk Lắk' is home for a deployment of Đắk Lắk (từ 2025) too: the unit rows name the same departments."""
        return fold(split_note(province)[0]) == fold(split_note(self.home)[0])

    def group_entity(self, province: str, text: str) -> tuple[str, str | None]:
        """'group average: sở/ban/ngành' -> an entity for that group's average."""
        name, note = split_note(text.split(":", 1)[1].strip())
        code = f"{slug(province)}__tb_{slug(name)}"
        self.extra.setdefault(code, Entity(code, f"Trung bình nhóm {name} ({province})", "nhom",
                                           province=slug(province)))
        return code, note

    def component(self, index_code: str, text: str) -> tuple[str | None, str | None]:
        if not text:
            return None, None
        vi = text.split(" / ")[0]
        name, note = split_note(vi)
        matcher = self.registry.component_matcher(index_code)
        try:
            return matcher.match(name).code, note
        except MatchError:
            return matcher.match(text).code, note


def csv_number(text: str) -> float | None:
    """The reference CSVs are machine-written: a dot is always the decimal point ("48.881" is 48,881)."""
    return float(text) if text and text.strip() else None


def read_reference_rows(registry: Registry, reference_dir: Path = REFERENCE_DIR, home: str = HOME_PROVINCE):
    """All index rows of the shipped reference CSVs, resolved; plus the entities they need. Unit rows of the
    `home` province resolve to registry units; other provinces' units become entities of their own."""
    provinces, mapping = province_entities(read_csv(reference_dir / "province_mapping_2025.csv"))
    resolver = ReferenceResolver(registry, provinces, home)
    rows: list[IndexRow] = []
    for file_name in INDEX_FILES:
        last_source = None
        for line_no, r in enumerate(read_csv(reference_dir / file_name), start=2):
            source = r["source_url_or_citation"]
            if fold(source).startswith("same as above"):
                source = last_source + source[len("same as above"):] if last_source else source
            last_source = source
            year = int(r["year"])
            try:
                index_code = resolver.index_code(r["index"])
                component = r["component"]
                note = None
                if fold(component).startswith("unit"):
                    entity, note = resolver.unit_entity(r["province"], component)
                    component_code = None
                elif fold(component).startswith("group average"):
                    entity, note = resolver.group_entity(r["province"], component)
                    component_code = None
                else:
                    entity = resolver.province(r["province"], year, source)
                    component_code, note = resolver.component(index_code, component)
            except (MatchError, ReferenceDataError) as exc:
                raise ReferenceDataError(f"{file_name} dòng {line_no}: {exc}") from exc
            rank = csv_number(r["rank"])
            rows.append(IndexRow(index_code, year, entity, component_code, csv_number(r["score"]),
                                 int(rank) if rank is not None else None, None, source, note,
                                 file_name, line_no, None))
    return merge_duplicates(rows), provinces + list(resolver.extra.values()), mapping


def merge_duplicates(rows: list[IndexRow]) -> list[IndexRow]:
    """Two sources for one key (one gives the rank, another the score, or a press page rounds the workbook): one
    row, both sources named.

    The score comes from the first row that has one, the rank likewise; nothing is averaged or chosen between two
    different published figures: scores that do not agree to the precision of the rounder one (core.numbers.
    same_published), or two different ranks, are refused as a defect in the data.
    """
    merged: dict[tuple, IndexRow] = {}
    for r in rows:
        key = (r.index_code, r.year, r.entity_code, r.component_code)
        first = merged.get(key)
        if first is None:
            merged[key] = r
            continue
        if first.score is not None and r.score is not None and not same_published(first.score, r.score):
            raise ReferenceDataError(f"{r.sheet} dòng {r.row}: hai điểm khác nhau cho cùng một tỉnh/năm ({first.score}, "
                                     f"{r.score}; {first.sheet} dòng {first.row})")
        if first.rank is not None and r.rank is not None and first.rank != r.rank:
            raise ReferenceDataError(f"{r.sheet} dòng {r.row}: hai xếp hạng khác nhau cho cùng một tỉnh/năm "
                                     f"({first.rank}, {r.rank}; {first.sheet} dòng {first.row})")
        sources = [first.source] if r.source in first.source else [first.source, r.source]
        merged[key] = IndexRow(
            r.index_code, r.year, r.entity_code, r.component_code,
            first.score if first.score is not None else r.score,
            first.rank if first.rank is not None else r.rank, first.rank_of or r.rank_of,
            " | ".join(sources), "; ".join(n for n in (first.note, r.note) if n) or None,
            first.sheet, first.row, first.col,
        )
    return list(merged.values())


def save_entities(con, entities: list[Entity], mapping) -> None:
    for e in entities:
        con.execute(
            "INSERT OR REPLACE INTO entity VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [e.code, e.name, e.kind, e.province, e.valid_from, e.valid_to, e.successor, e.unit_code, e.aliases],
        )
    for old, new, source in mapping:
        con.execute("INSERT OR REPLACE INTO province_mapping VALUES (?, ?, ?)", [old, new, source])


def province_regions(entities: list[Entity], mapping, rows: list[dict]) -> list[tuple[str, str, str]]:
    """(entity code, region, source) for every province entity. regions.csv names the 63 old provinces; a new
    province (from 2025) takes the region of its same-named predecessor, else the region most of them share; a
    province that ended earlier (Hà Tây) takes its successor's, whose territory it became."""
    by_old = {slug(r["province"]): (r["region"], r["source"]) for r in rows}
    out = [(e.code, *by_old[e.code]) for e in entities if e.code in by_old]
    for e in entities:
        if e.kind != "tinh" or e.code in by_old:
            continue
        olds = [old for old, new, _ in mapping if new == e.code]
        same = slug(split_note(e.name)[0])
        regions = [by_old[o] for o in olds if o in by_old]
        if same in by_old:
            out.append((e.code, *by_old[same]))
        elif regions:
            out.append((e.code, *max(regions, key=regions.count)))
        elif e.successor in by_old:
            out.append((e.code, *by_old[e.successor]))
    return out


def save_regions(con, entities: list[Entity], mapping) -> None:
    for code, region, source in province_regions(entities, mapping, read_csv(DATA_DIR / "regions.csv")):
        con.execute("INSERT OR REPLACE INTO province_region VALUES (?, ?, ?)", [code, region, source])


def registry_unit_entities(con) -> None:
    """Every registry unit is also an index entity (internal PAR Index, DDCI), code = unit code."""
    con.execute(
        "INSERT OR REPLACE INTO entity SELECT code, name, 'don_vi', NULL, valid_from, valid_to, successor, code, NULL "
        "FROM unit"
    )


def reference_batch(registry: Registry, reference_dir: Path = REFERENCE_DIR, home: str = HOME_PROVINCE):
    rows, entities, mapping = read_reference_rows(registry, reference_dir, home)
    # The version tag and the home province make a new reading of the same CSVs a new batch (init then retires
    # the older readings, whose keys may differ: a unit row is a registry unit for one home and not another).
    content = READER_VERSION + f"home: {nfc(home)}\n".encode() + b"".join(
        (reference_dir / f).read_bytes() for f in INDEX_FILES)
    batch = Batch("reference", file_name="data/reference/*.csv", content=content, uploaded_by="hệ thống",
                  note="Số liệu công bố chính thức, mỗi dòng kèm nguồn (data/reference/SOURCES.md)",
                  indices=rows)
    return batch, entities, mapping
