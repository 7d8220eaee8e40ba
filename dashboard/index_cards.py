"""The index cards of Tổng quan: what each card says, built from `queries.index_latest` (a view model; the page
only lays the cards out); and the Chỉ số page's note on a province's lineage (`lineage_note`)."""
from __future__ import annotations

from dataclasses import dataclass, field

import datetime as dt

import pandas as pd

from core.rules import completion
from dashboard import fmt, theme


@dataclass
class IndexCard:
    title: str
    value: str
    help: str
    delta: str | None = None
    lines: list[str] = field(default_factory=list)  # markdown; a status badge is HTML built by theme.badge_html


def _target_lines(r, year: int) -> list[str]:
    """'Mục tiêu 2025: 88,50 điểm, hạng 10' and, with a score, the status against the score target."""
    if pd.isna(r["target"]) and pd.isna(r["target_rank"]):
        return [f"Chưa đặt mục tiêu {year}"]
    parts = []
    if not pd.isna(r["target"]):
        parts.append(fmt.index_value(r["target"], r["scale_max"]) + " điểm")
    if not pd.isna(r["target_rank"]):
        parts.append(f"hạng {fmt.number(r['target_rank'])}")
    lines = [f"Mục tiêu {year}: {', '.join(parts)}"]
    if not pd.isna(r["target"]) and not pd.isna(r["score"]):
        s = theme.status_of(completion(r["score"], r["target"]))
        lines.append(theme.badge_html(s, f"{theme.STATUS_LABEL[s]} · {fmt.signed(r['score'] - r['target'], 2)} điểm"))
    return lines


def index_card(r, year: int) -> IndexCard:
    """One row of index_latest as a card: the latest published score (or rank), its rank change, the target."""
    if pd.isna(r["year"]):
        return IndexCard(r["short_name"], fmt.MISSING, r["index_name"], lines=["Chưa có kết quả công bố của tỉnh",
                                                                              *_target_lines(r, year)])
    has_score = not pd.isna(r["score"])
    value = fmt.index_value(r["score"], r["scale_max"]) if has_score else f"Hạng {fmt.number(r['rank'])}"
    change = fmt.rank_delta(r["prev_rank"], r["rank"])
    if change and isinstance(r["prev_entity_name"], str):
        change += f" (so với {r['prev_entity_name']})"
    lines = [f"Xếp hạng: **{fmt.number(r['rank'])}**"] if not pd.isna(r["rank"]) and has_score else []
    return IndexCard(f"{r['short_name']} {int(r['year'])}", value,
                     f"{r['index_name']}. Thay đổi hạng so với năm trước.",
                     delta=f"{change} so với {int(r['year']) - 1}" if change else None,
                     lines=lines + _target_lines(r, year))


def index_cards(idx: pd.DataFrame, year: int) -> list[IndexCard]:
    return [index_card(r, year) for _, r in idx.iterrows()]


def lineage_note(family: pd.DataFrame) -> str | None:
    """What the Chỉ số page says of a province whose territory changed (`queries.lineage`): which provinces ended
    and when, and that their series stay their own. Hà Tây joined Hà Nội on 01/08/2008; Phú Yên and Đắk Lắk became
    Đắk Lắk (từ 2025) on 01/07/2025. None for a province without predecessors."""
    olds = family[family["role"] == "cu"]
    new = family[family["role"] == "moi"]
    if olds.empty or new.empty:
        return None
    new = new.iloc[0]
    notes = []
    for end, group in olds.groupby(pd.to_datetime(olds["valid_to"]), sort=True):
        since = fmt.date(end.date() + dt.timedelta(days=1))
        names = ", ".join(group["entity_name"])
        if pd.isna(new["valid_from"]):  # joined a province that goes on under its name
            notes.append(f"Từ {since}, {names} nhập vào **{new['entity_name']}**: chuỗi số liệu của {names} là chuỗi "
                         f"riêng, đến năm {end.year} — không cộng vào {new['entity_name']}, không suy ra số của tỉnh "
                         "này từ tỉnh kia.")
        else:
            notes.append(f"Từ {since}, {names} hợp nhất thành **{new['entity_name']}**. Chuỗi số liệu của các tỉnh cũ "
                         f"dừng ở năm {end.year - 1}; tỉnh mới có chuỗi riêng từ kết quả đầu tiên — không cộng gộp, "
                         "không suy ra số của tỉnh mới từ tỉnh cũ.")
    return " ".join(notes)
