"""Deployment settings kept in the database (table meta): which province the dashboard belongs to.

The home province decides the Chỉ số page's default province and peers, the deck's organisation name and the
index cards of Tổng quan. `python -m loaders init --province NAME` sets it; without it, the default registry's
province (loaders.reference.HOME_PROVINCE) is used.
"""
from __future__ import annotations

from .matching import MatchError
from .reference import Entity, entity_matcher
from .schema import set_meta

HOME_KEY = "home_province"


class SettingError(ValueError):
    """A setting that cannot be applied; the message is for the user, in Vietnamese."""


def set_home_province(con, name: str) -> str:
    """Match `name` against the province entities (diacritics optional, old or new names) and store its code."""
    rows = con.execute("SELECT code, name, aliases FROM entity WHERE kind = 'tinh'").fetchall()
    if not rows:
        raise SettingError("chưa có danh mục tỉnh: hãy chạy `python -m loaders init` trước")
    matcher = entity_matcher([Entity(code, label, "tinh", aliases=aliases) for code, label, aliases in rows])
    try:
        code = matcher.match(name).code
    except MatchError as exc:
        raise SettingError(exc.message("tỉnh")) from exc
    set_meta(con, HOME_KEY, code)
    return code
