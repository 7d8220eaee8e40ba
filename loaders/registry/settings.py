"""Deployment settings kept in the database (table meta): which province the dashboard belongs to, when each
report is due and which reports the units owe (table unit_reporting for a unit's own, with its contact).

The home province decides the Chỉ số page's default province and peers, the deck's organisation name, the index
cards of Tổng quan, and which province's unit rows in index tables (DDCI, internal PAR Index) name the registry's
own units. `python -m loaders init --province NAME` sets it; without it, the shipped registry's province
(core.rules.HOME_PROVINCE) is used.
"""
from __future__ import annotations

from functools import lru_cache

from core.matching import MatchError
from core.periods import CADENCE_LABEL, CADENCES, CADENCES_KEY, DEADLINE_KEY, Deadline, PeriodError, cadences_error
from core.periods import parse_cadences
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


# --- reporting duties -----------------------------------------------------------------------------------------

def set_deadline(con, cadence: str, day: int, months_after: int = 0) -> Deadline:
    """The day each report of a cadence is due: `day` of the period's last month (months_after 0) or of the month
    after (1, 2)."""
    if cadence not in CADENCES:
        raise SettingError(f"kỳ báo cáo “{cadence}” không hợp lệ — cần một trong: {', '.join(CADENCES)}")
    try:
        deadline = Deadline(int(day), int(months_after))
    except (PeriodError, ValueError) as exc:
        raise SettingError(f"hạn nộp {CADENCE_LABEL[cadence].lower()}: {exc}") from None
    set_meta(con, DEADLINE_KEY + cadence, deadline.code)
    return deadline


def set_default_cadences(con, text: str) -> tuple[str, ...]:
    """The reports every unit owes unless the office set a unit's own ('quy;6thang;nam')."""
    cadences = _cadences(text)
    set_meta(con, CADENCES_KEY, ";".join(cadences))
    return cadences


def set_unit_reporting(con, unit_code: str, cadences: str | None = None, contact: str | None = None) -> None:
    """A unit's own cadences ('' goes back to the default set) and contact (a name and a phone; '' clears it);
    None leaves a field as it is."""
    if not con.execute("SELECT count(*) FROM unit WHERE code = ?", [unit_code]).fetchone()[0]:
        raise SettingError(f"không có đơn vị mã “{unit_code}”")
    own = None if cadences is None else (";".join(_cadences(cadences)) if cadences.strip() else "")
    text = None if contact is None else " ".join(contact.split())
    if text is not None and len(text) > 200:
        raise SettingError("thông tin đầu mối dài quá 200 ký tự — ghi họ tên, chức vụ và số điện thoại")
    con.execute("""
        INSERT INTO unit_reporting VALUES (?, nullif(?, ''), nullif(?, ''))
        ON CONFLICT (unit_code) DO UPDATE SET
            cadences = CASE WHEN ? THEN excluded.cadences ELSE unit_reporting.cadences END,
            contact = CASE WHEN ? THEN excluded.contact ELSE unit_reporting.contact END""",
                [unit_code, own or "", text or "", own is not None, text is not None])


def _cadences(text: str) -> tuple[str, ...]:
    error = cadences_error(text)
    cadences = parse_cadences(text)
    if error or not cadences:
        raise SettingError(error or f"cần ít nhất một kỳ báo cáo trong: {', '.join(CADENCES)}")
    return cadences
