"""Edits of the registries from the Danh mục page: add, rename and merge units; add aliases and indicators.

Only an administrator (quan_tri) may edit; every edit is one transaction and one audit entry.
A merge keeps history: the old unit stays with valid_to = the day before the merge and successor = the
new unit, and the views (unit_lineage, v_activity) show its data under the successor from the merge date.
A name or alias that would make two units (or two indicators) indistinguishable is refused: matching
must never have to guess.
"""
from __future__ import annotations

import datetime as dt
import re

from core.text import fold, nfc
from loaders.accounts.audit import record
from loaders.accounts.users import User, require_role
from loaders.registry.reference import registry_unit_entities
from loaders.registry.registries import Registry
from loaders.store.writer import one_writer

UNIT_KINDS = {
    "van_phong": "Văn phòng", "thanh_tra": "Thanh tra", "so": "Sở", "ban": "Ban", "co_quan_bao_chi": "Cơ quan báo chí",
    "huyen": "Cấp huyện (cũ)", "xa": "Xã", "phuong": "Phường", "phong": "Phòng", "don_vi": "Đơn vị trực thuộc",
    "khac": "Khác",
}
METRIC_KINDS = {"count": "Số lượng (cộng dồn theo quý)", "rate": "Tỷ lệ % (không cộng dồn)"}
_CODE_RE = re.compile(r"^[a-z][a-z0-9_]{1,39}$")


class RegistryEditError(ValueError):
    """An edit that cannot be made; the message is Vietnamese."""


def _admin(con, user: User | None) -> User:
    return require_role(con, user, "quan_tri")


def _check_code(code: str) -> str:
    code = (code or "").strip()
    if not _CODE_RE.match(code):
        raise RegistryEditError(f"mã “{code}” không hợp lệ: dùng 2–40 chữ thường không dấu, số và gạch dưới, "
                                "bắt đầu bằng chữ (ví dụ: xa_ea_kao)")
    return code


def _clean_name(name: str, what: str) -> str:
    name = nfc(name)
    if not fold(name):
        raise RegistryEditError(f"{what} không được để trống")
    if len(name) > 200:
        raise RegistryEditError(f"{what} quá dài (tối đa 200 ký tự)")
    return name


def _parse_date(value, what: str) -> dt.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        try:
            return dt.datetime.strptime(str(value), "%d/%m/%Y").date()
        except ValueError:
            raise RegistryEditError(f"{what} “{value}” không hợp lệ (cần dạng dd/mm/yyyy)") from None


def _clash(matcher, text: str, own_code: str | None) -> str | None:
    """The code of another entry whose name or alias reads the same as `text` once folded, else None."""
    key = matcher.key(text)
    for cand, code in matcher._keys:  # noqa: SLF001 - same package
        if cand == key and code != own_code:
            return code
    return None


def _unit_row(con, code: str):
    return con.execute("SELECT code, name, valid_from, valid_to, successor FROM unit WHERE code = ?",
                       [code]).fetchone()


def _successors(con, code: str) -> list[str]:
    """The chain of units `code` was merged into, nearest first."""
    chain, seen = [], {code}
    while True:
        row = con.execute("SELECT successor FROM unit WHERE code = ?", [code]).fetchone()
        if not row or not row[0] or row[0] in seen:
            return chain
        code = row[0]
        chain.append(code)
        seen.add(code)


@one_writer
def _run(con, fn):
    con.execute("BEGIN TRANSACTION")
    try:
        out = fn()
        con.execute("COMMIT")
    except Exception:
        con.execute("ROLLBACK")
        raise
    _refresh_materialised(con)
    return out


def _refresh_materialised(con) -> None:
    """Names and lineage feed the materialised v_activity (loaders.store.materialize): bring it up to date."""
    from loaders.store.materialize import refresh_if_stale

    refresh_if_stale(con)


# --- units -----------------------------------------------------------------------------------------------
def add_unit(con, user: User | None, code: str, name: str, kind: str | None = None, parent: str | None = None,
             valid_from=None, aliases: list[str] | tuple = (), note: str | None = None) -> str:
    user = _admin(con, user)
    code = _check_code(code)
    name = _clean_name(name, "tên đơn vị")
    if kind and kind not in UNIT_KINDS:
        raise RegistryEditError(f"loại đơn vị “{kind}” không hợp lệ")
    if _unit_row(con, code):
        raise RegistryEditError(f"mã đơn vị “{code}” đã có")
    if parent and not _unit_row(con, parent):
        raise RegistryEditError(f"không có đơn vị cấp trên mã “{parent}”")
    matcher = Registry.from_db(con).unit_matcher
    aliases = [nfc(a) for a in aliases if fold(a)]
    for text in [name, *aliases]:
        other = _clash(matcher, text, None)
        if other:
            raise RegistryEditError(f"“{text}” trùng với tên hoặc tên gọi khác của đơn vị "
                                    f"“{matcher.name_of(other)}” ({other})")
    start = _parse_date(valid_from, "ngày bắt đầu")

    def write():
        con.execute("INSERT INTO unit (code, name, kind, parent, valid_from, note) VALUES (?, ?, ?, ?, ?, ?)",
                    [code, name, kind or None, parent or None, start, nfc(note) or None])
        for a in dict.fromkeys(aliases):
            con.execute("INSERT INTO unit_alias VALUES (?, ?) ON CONFLICT DO NOTHING", [code, a])
        registry_unit_entities(con)

    _run(con, write)
    record(con, user.username, "registry_edit", f"thêm đơn vị {code}: {name}")
    return code


def rename_unit(con, user: User | None, code: str, new_name: str, keep_old_as_alias: bool = True) -> None:
    """Rename in place (same code, same data). The old name stays an alias so old files still match."""
    user = _admin(con, user)
    row = _unit_row(con, code)
    if not row:
        raise RegistryEditError(f"không có đơn vị mã “{code}”")
    new_name = _clean_name(new_name, "tên mới")
    old_name = row[1]
    if new_name == old_name:
        raise RegistryEditError("tên mới giống tên hiện tại")
    matcher = Registry.from_db(con).unit_matcher
    other = _clash(matcher, new_name, code)
    if other:
        raise RegistryEditError(f"“{new_name}” trùng với tên hoặc tên gọi khác của đơn vị "
                                f"“{matcher.name_of(other)}” ({other})")

    def write():
        con.execute("UPDATE unit SET name = ? WHERE code = ?", [new_name, code])
        if keep_old_as_alias:
            con.execute("INSERT INTO unit_alias VALUES (?, ?) ON CONFLICT DO NOTHING", [code, old_name])
        con.execute("DELETE FROM unit_alias WHERE unit_code = ? AND alias = ?", [code, new_name])
        registry_unit_entities(con)

    _run(con, write)
    record(con, user.username, "registry_edit", f"đổi tên đơn vị {code}: “{old_name}” → “{new_name}”")


def merge_unit(con, user: User | None, old_code: str, successor_code: str, merge_date) -> None:
    """`old_code` ends the day before `merge_date`; from that date its data shows under `successor_code`."""
    user = _admin(con, user)
    old, new = _unit_row(con, old_code), _unit_row(con, successor_code)
    if not old:
        raise RegistryEditError(f"không có đơn vị mã “{old_code}”")
    if not new:
        raise RegistryEditError(f"không có đơn vị mã “{successor_code}”")
    if old_code == successor_code:
        raise RegistryEditError("không thể sáp nhập một đơn vị vào chính nó")
    date = _parse_date(merge_date, "ngày sáp nhập")
    if date is None:
        raise RegistryEditError("cần ngày sáp nhập")
    if old[4]:
        raise RegistryEditError(f"“{old[1]}” đã được sáp nhập vào {old[4]} từ trước")
    if old[2] and date <= old[2]:
        raise RegistryEditError(f"ngày sáp nhập phải sau ngày thành lập của “{old[1]}” ({old[2]:%d/%m/%Y})")
    if new[3] and new[3] < date:
        raise RegistryEditError(f"“{new[1]}” đã ngừng hoạt động từ {new[3]:%d/%m/%Y}, không thể nhận sáp nhập")
    if old_code in _successors(con, successor_code):
        raise RegistryEditError(f"“{new[1]}” đã được sáp nhập vào “{old[1]}”: không thể sáp nhập ngược lại")

    def write():
        con.execute("UPDATE unit SET valid_to = ?, successor = ?, note = concat_ws('; ', note, ?) WHERE code = ?",
                    [date - dt.timedelta(days=1), successor_code,
                     f"sáp nhập vào {new[1]} từ {date:%d/%m/%Y}", old_code])
        registry_unit_entities(con)

    _run(con, write)
    record(con, user.username, "registry_edit",
           f"sáp nhập đơn vị {old_code} (“{old[1]}”) vào {successor_code} (“{new[1]}”) từ {date:%d/%m/%Y}")


def add_unit_alias(con, user: User | None, unit_code: str, alias: str) -> None:
    user = _admin(con, user)
    row = _unit_row(con, unit_code)
    if not row:
        raise RegistryEditError(f"không có đơn vị mã “{unit_code}”")
    alias = _clean_name(alias, "tên gọi khác")
    matcher = Registry.from_db(con).unit_matcher
    other = _clash(matcher, alias, unit_code)
    if other:
        raise RegistryEditError(f"“{alias}” đã là tên hoặc tên gọi khác của đơn vị “{matcher.name_of(other)}” "
                                f"({other})")
    if matcher.key(alias) in {c for c, code in matcher._keys if code == unit_code}:  # noqa: SLF001
        raise RegistryEditError(f"“{alias}” đã được nhận ra là “{row[1]}”, không cần thêm")
    con.execute("INSERT INTO unit_alias VALUES (?, ?)", [unit_code, alias])
    record(con, user.username, "registry_edit", f"thêm tên gọi khác cho đơn vị {unit_code}: “{alias}”")


# --- indicators ------------------------------------------------------------------------------------------
def add_indicator(con, user: User | None, code: str, name: str, kind: str, group: str | None = None,
                  unit: str | None = None, aliases: list[str] | tuple = ()) -> str:
    user = _admin(con, user)
    code = _check_code(code)
    name = _clean_name(name, "tên chỉ tiêu")
    if kind not in METRIC_KINDS:
        raise RegistryEditError("loại chỉ tiêu phải là số lượng (count) hoặc tỷ lệ % (rate)")
    if con.execute("SELECT count(*) FROM metric WHERE code = ?", [code]).fetchone()[0]:
        raise RegistryEditError(f"mã chỉ tiêu “{code}” đã có")
    matcher = Registry.from_db(con).indicator_matcher
    aliases = [nfc(a) for a in aliases if fold(a)]
    for text in [name, *aliases]:
        other = _clash(matcher, text, None)
        if other:
            raise RegistryEditError(f"“{text}” trùng với tên hoặc tên gọi khác của chỉ tiêu "
                                    f"“{matcher.name_of(other)}” ({other})")

    def write():
        ordinal = con.execute("SELECT coalesce(max(ordinal), 0) + 1 FROM metric").fetchone()[0]
        con.execute("INSERT INTO metric VALUES (?, ?, ?, ?, ?, ?)",
                    [code, name, kind, nfc(group) or None, nfc(unit) or None, ordinal])
        for a in dict.fromkeys(aliases):
            con.execute("INSERT INTO metric_alias VALUES (?, ?) ON CONFLICT DO NOTHING", [code, a])

    _run(con, write)
    record(con, user.username, "registry_edit", f"thêm chỉ tiêu {code}: {name} ({kind})")
    return code


def add_indicator_alias(con, user: User | None, metric_code: str, alias: str) -> None:
    user = _admin(con, user)
    row = con.execute("SELECT name FROM metric WHERE code = ?", [metric_code]).fetchone()
    if not row:
        raise RegistryEditError(f"không có chỉ tiêu mã “{metric_code}”")
    alias = _clean_name(alias, "tên gọi khác")
    matcher = Registry.from_db(con).indicator_matcher
    other = _clash(matcher, alias, metric_code)
    if other:
        raise RegistryEditError(f"“{alias}” đã là tên hoặc tên gọi khác của chỉ tiêu “{matcher.name_of(other)}” "
                                f"({other})")
    if matcher.key(alias) in {c for c, code in matcher._keys if code == metric_code}:  # noqa: SLF001
        raise RegistryEditError(f"“{alias}” đã được nhận ra là “{row[0]}”, không cần thêm")
    con.execute("INSERT INTO metric_alias VALUES (?, ?)", [metric_code, alias])
    record(con, user.username, "registry_edit", f"thêm tên gọi khác cho chỉ tiêu {metric_code}: “{alias}”")


def suggest_code(name: str, taken: set[str] | None = None, prefix: str = "") -> str:
    """A free code made from a name: 'Xã Ea Kao' -> 'xa_ea_kao' (a digit appended when taken)."""
    from core.text import slug

    core = slug(name)
    for lead in ("uy_ban_nhan_dan_", "ubnd_"):
        if core.startswith(lead) and len(core) > len(lead) + 2:
            core = core[len(lead):]
    base = (prefix + core)[:38].strip("_") or "don_vi"
    if not base[0].isalpha():
        base = "u_" + base
    code, n = base, 2
    while taken and code in taken:
        code, n = f"{base}_{n}", n + 1
    return code
