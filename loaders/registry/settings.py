"""Deployment settings kept in the database (table meta): which province the dashboard belongs to.

The home province decides the Chỉ số page's default province and peers, the deck's organisation name, the index
cards of Tổng quan, and which province's unit rows in index tables (DDCI, internal PAR Index) name the registry's
own units. `python -m loaders init --province NAME` sets it; without it, the shipped registry's province
(core.rules.HOME_PROVINCE) is used.
"""
from __future__ import annotations

from functools import lru_cache

from core.matching import MatchError
from core.rules import HOME_KEY, HOME_PROVINCE
from loaders.registry.reference import REFERENCE_DIR, Entity, entity_matcher, province_entities, split_note
from loaders.registry.registries import read_csv
from loaders.store.schema import get_meta, set_meta


class SettingError(ValueError):
    """A setting that cannot be applied; the message is for the user, in Vietnamese."""


@lru_cache(maxsize=1)
def shipped_provinces() -> tuple[Entity, ...]:
    """The 63 old and 34 new provinces of the shipped 2025 mapping, the same rows init saves as entities (read
    once: every index upload asks for the home province)."""
    return tuple(province_entities(read_csv(REFERENCE_DIR / "province_mapping_2025.csv"))[0])


def match_province(name: str) -> Entity:
    """A province typed loosely (diacritics optional, old or new name); SettingError with suggestions if not."""
    provinces = shipped_provinces()
    try:
        code = entity_matcher(list(provinces)).match(name).code
    except MatchError as exc:
        raise SettingError(exc.message("tỉnh")) from exc
    return next(e for e in provinces if e.code == code)


def set_home_province(con, name: str) -> str:
    """Match `name` against the provinces and store its code."""
    code = match_province(name).code
    set_meta(con, HOME_KEY, code)
    return code


def home_province_name(con) -> str:
    """The home province's plain name ('Đắk Lắk' for Đắk Lắk (từ 2025)), as published tables spell it."""
    try:
        code = get_meta(con, HOME_KEY)
    except Exception:  # noqa: BLE001 - a database from before the meta table: the shipped default holds
        code = None
    entity = next((e for e in shipped_provinces() if e.code == code), None) if code else None
    return split_note(entity.name)[0] if entity else HOME_PROVINCE
