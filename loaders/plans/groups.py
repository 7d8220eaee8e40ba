"""Groups of units a plan names as one ("các sở, ban, ngành", "UBND các xã, phường, thị trấn", "các phòng, ban, đơn
vị trực thuộc Sở"): their names, and which units of the registry they stand for.

The groups are data (data/unit_groups.csv: code, name, kinds, aliases): a group is every unit of the registry whose
kind is one of the group's kinds and that is active on the day asked about. A group of the issuer's own phòng and
đơn vị (kinds phong, don_vi) keeps to the units whose parent is the issuer when the registry records parents.
"""
from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass

from core.rules import unit_active
from loaders.registry.registries import DATA_DIR, read_csv, split_aliases

GROUPS_CSV = DATA_DIR / "unit_groups.csv"
OWN_KINDS = frozenset({"phong", "don_vi"})  # kinds of the units inside one body (a department's phòng)


@dataclass(frozen=True)
class Group:
    code: str
    name: str
    kinds: frozenset
    aliases: tuple[str, ...]


@functools.lru_cache(maxsize=1)
def groups() -> tuple[Group, ...]:
    if not GROUPS_CSV.exists():
        return ()
    return tuple(Group(r["code"], r["name"], frozenset(split_aliases(r["kinds"])), tuple(split_aliases(r["aliases"])))
                 for r in read_csv(GROUPS_CSV))


def group(code: str | None) -> Group | None:
    return next((g for g in groups() if g.code == code), None)


def _value(unit, key):
    return unit.get(key) if isinstance(unit, dict) else getattr(unit, key, None)


def members(code: str, units, issuer: str | None = None,
            span: tuple[dt.date, dt.date] | None = None) -> list[str]:
    """Codes of the units (registry rows: dicts or objects with code, kind, parent, valid_from, valid_to) of group
    `code` active at some time within `span` (first day, last day; any time when None)."""
    g = group(code)
    if g is None:
        return []
    found = [u for u in units if _value(u, "kind") in g.kinds
             and (span is None or unit_active(_value(u, "valid_from"), _value(u, "valid_to"), *span))]
    if g.kinds <= OWN_KINDS and issuer:
        own = [u for u in found if _value(u, "parent") == issuer]
        if own or any(_value(u, "parent") for u in found):
            found = own
    return [_value(u, "code") for u in found]


def assignees(leads, units, issuer: str | None = None, span: tuple[dt.date, dt.date] | None = None) -> list[str]:
    """The registry units that own a task (each sees it as its own): its lead units, and every unit of a group that
    leads it. `leads`: UnitRefs, or (kind, code) pairs."""
    out: list[str] = []
    for lead in leads:
        kind, code = (lead.kind, lead.code) if hasattr(lead, "kind") else lead
        found = members(code, units, issuer, span) if kind == "group" else ([code] if code and kind in (
            "unit", "own_office", "issuer") else [])
        out += [c for c in found if c not in out]
    return out
