"""Unit names in a plan -> registry codes. An unknown name is kept as written and flagged, never dropped.

A bare 'Văn phòng' (or 'Văn phòng Sở', 'Văn phòng Ban') in a department's plan is that department's own
office, not the Văn phòng UBND tỉnh of the registry: it is left unresolved unless the plan is the
province's own (issued by the UBND tỉnh).
"""
from __future__ import annotations

import re

from core.matching import MatchError
from core.text import fold
from loaders.plans.model import UnitRef
from loaders.plans.textutil import tidy, view

# Words that begin the name of a body, as capitalised without diacritics ('Sở', 'Ủy ban', 'Văn phòng'…):
# a list of units is split before them ('Sở Tư pháp, Sở Tài chính'), issuers and assignees are found by them.
UNIT_HEADS = (r"So|Ban|Van phong|Phong|UBND|Uy ban|Trung tam|Dai|Bao|Cong an|Thanh tra|Cuc|Chi cuc|Tong cuc|Hoi|"
              r"Lien doan|Tinh doan|Doan|Mat tran|Kho bac|BHXH|Bao hiem|Ngan hang|Buu dien|Vien|Tong cong ty|Cong ty|"
              r"Truong|Benh vien|Bo Chi huy|Bo CHQS|Bo|Hoi dong|Tinh uy|Huyen uy|Dang uy|Vien kiem sat|Toa an|VNPT|"
              r"Viettel")
_UNIT_HEAD = re.compile(rf"^(?:{UNIT_HEADS})\b")
_SPLIT = re.compile(r"\s*;\s*|\s*,\s*|\s+và\s+|\s+va\s+|\s*\n\s*|\s+-\s+")
_OWN_OFFICE = re.compile(r"^(?:van phong|vp)(?:\s+(?:so|ban|cuc|chi cuc|trung tam))?$")


def split_units(text: str) -> list[str]:
    """'Sở Tư pháp, Sở Tài chính và UBND các xã' -> three names; 'Các phòng, đơn vị thuộc Sở' stays one."""
    text = tidy(text)
    if not text:
        return []
    parts: list[str] = []
    pos = 0
    for m in _SPLIT.finditer(text):
        hard = m.group(0).strip() == ";" or "\n" in m.group(0)
        heads = _UNIT_HEAD.match(view(text[pos:], lower=False)) and _UNIT_HEAD.match(view(text[m.end():], lower=False))
        if hard or heads:
            parts.append(text[pos:m.start()])
            pos = m.end()
    parts.append(text[pos:])
    return [p for p in (tidy(x) for x in parts) if p]


def resolve_unit(text: str, registry, province_plan: bool = False) -> UnitRef:
    name = tidy(text)
    if not province_plan and _OWN_OFFICE.match(fold(name)):
        return UnitRef(name, None, None, "văn phòng của chính cơ quan ban hành kế hoạch (chưa có trong danh mục)")
    try:
        m = registry.unit_matcher.match(name)
    except MatchError as exc:
        return UnitRef(name, None, None, exc.message("đơn vị"))
    return UnitRef(name, m.code, m.name, None)


def resolve_units(text: str, registry, province_plan: bool = False) -> list[UnitRef]:
    return [resolve_unit(p, registry, province_plan) for p in split_units(text)]
