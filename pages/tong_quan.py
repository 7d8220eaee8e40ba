"""Tổng quan: where the province stands in the period (a month, a quarter, six months, the year), which units lag,
who has not reported, the indices; the written report of the period, drafted from the data."""
import pandas as pd
import streamlit as st

from core.periods import cadence_of
from dashboard import cached, figures, fmt, period_queries as P, queries as Q, reporting as R, theme, ui
from dashboard.index_cards import index_cards

ui.page_header("Tổng quan", "Mức hoàn thành chỉ tiêu CCHC trong kỳ (tháng, quý, 6 tháng, năm), đơn vị chậm, đơn vị chưa "
                            "báo cáo và kết quả các chỉ số của tỉnh.")
c1, c2 = st.columns([2.6, 1])
chosen = ui.period_choice(c1)
group = ui.unit_group_picker(c2)
year, quarter = chosen.year, chosen.last_quarter.quarter
period = chosen.label
prev = chosen.previous().label if chosen.kind != "half" else "6 tháng trước"  # a short delta label
units = tuple(cached.q(Q.units, year, quarter, group)["unit_code"]) if group else None
src = cached.q(Q.activity_source, year, None if chosen.kind == "year" else quarter)
activity_source = theme.source_line(
    "báo cáo của các đơn vị và chỉ tiêu được giao (v_activity, v_activity_period)", sample=bool(src["sample"].iloc[0]),
    updated=src["last_upload"].iloc[0])

# --- big numbers -------------------------------------------------------------------------------------------------
st.subheader(f"Hoàn thành chỉ tiêu — {period}")
ov = cached.q(P.overview, chosen.code, units)
ranking = cached.q(P.unit_completion, chosen.code, units)
missing = cached.q(R.missing, chosen.code, fmt.today(), units, cached.fresh(R.settings_version))
reach = P.reached_label(chosen.code, int(ranking["through"].max()) if len(ranking) else None)
if reach:
    st.caption(f"{period}: {reach} — mức hoàn thành là phần chỉ tiêu cả kỳ đã làm được đến nay.")
if ov.empty:
    ui.empty_state(f"Chưa có số liệu hoạt động cho {period}.",
                   "Các đơn vị tải báo cáo (mẫu Excel có ở trang Tải lên); Văn phòng có thể nạp bảng tổng hợp. "
                   "Khi có báo cáo, tỷ lệ hoàn thành và xếp hạng đơn vị hiện ở đây.")
else:
    total = ov.iloc[0]
    n_expected = len(ranking) + len(missing)
    n_dat = int((ranking["status"] == theme.DAT).sum())
    cols = st.columns(3)
    with cols[0].container(border=True):
        delta = fmt.points_delta(total["delta"]) if not pd.isna(total["delta"]) else None
        st.metric("Hoàn thành chung", fmt.percent(total["completion"]),
                  delta=f"{delta} so với {prev}" if delta else None,
                  help="Bình quân mức hoàn thành của các đơn vị đã báo cáo; mỗi đơn vị là bình quân các chỉ tiêu "
                       "của mình, mỗi chỉ tiêu tính tối đa 100%. " + theme.STATUS_RULE)
        st.markdown(theme.badge_html(total["status"]), unsafe_allow_html=True)
    with cols[1].container(border=True):
        st.metric("Đơn vị đã báo cáo", f"{fmt.number(len(ranking))}/{fmt.number(n_expected)}",
                  delta=(f"{fmt.number(len(missing))} đơn vị chưa báo cáo" if len(missing) else "Đủ"),
                  delta_color="inverse" if len(missing) else "off", delta_arrow="off")
    with cols[2].container(border=True):
        st.metric("Đơn vị đạt chỉ tiêu", f"{fmt.number(n_dat)}/{fmt.number(len(ranking))}",
                  delta=f"{fmt.number((ranking['status'] == theme.GAN_DAT).sum())} đơn vị gần đạt",
                  delta_color="off", delta_arrow="off",
                  help="Đơn vị có mức hoàn thành bình quân từ 100% trở lên.")
    groups = ov.iloc[1:]
    per_row = 3
    for start in range(0, len(groups), per_row):
        row = st.columns(per_row)
        for col, (_, g) in zip(row, groups.iloc[start:start + per_row].iterrows()):
            with col.container(border=True):
                d = fmt.points_delta(g["delta"]) if not pd.isna(g["delta"]) else None
                st.metric(f"Nhóm: {fmt.escape_md(g['label'])}", fmt.percent(g["completion"]),
                          delta=f"{d} so với {prev}" if d else None,
                          help=f"Nhóm chỉ tiêu “{g['label']}”: bình quân các đơn vị đã báo cáo.")
                st.markdown(theme.badge_html(g["status"]), unsafe_allow_html=True)
    st.caption(activity_source + " " + theme.STATUS_RULE)
    ui.report_button(chosen, key="tq_report")

    # --- ranking ---------------------------------------------------------------------------------------------------
    st.subheader("Xếp hạng đơn vị theo mức hoàn thành")
    mode = ui.rows_picker(len(ranking))
    shown = ui.pick_rows(ranking, mode)
    caption = {"thap": "thấp nhất trước", "cao": "cao nhất trước", "tat_ca": "cao nhất trước"}[mode]
    fig = figures.completion_bars(
        shown.assign(detail=[f"{fmt.number(a)}/{fmt.number(b)} chỉ tiêu đạt · hạng {fmt.number(r)}"
                             for a, b, r in zip(shown["n_dat"], shown["n_indicators"], shown["rank"])]),
        detail="detail", title=f"{period} — {caption}", layout=ui.layout())
    ui.chart(fig, activity_source, key="tq_ranking")
    ui.table(ranking[["rank", "unit_name", "group_name", "n_indicators", "n_dat", "completion", "status"]]
             .assign(status=lambda d: d["status"].map(theme.STATUS_LABEL))
             .rename(columns={"rank": "Hạng", "unit_name": "Đơn vị", "group_name": "Nhóm", "n_indicators":
                              "Số chỉ tiêu có số liệu", "n_dat": "Số chỉ tiêu đạt", "completion": "Hoàn thành",
                              "status": "Đánh giá"}),
             {"Hoàn thành": "percent"}, name=f"xep hang don vi {period}", title=f"Xếp hạng đơn vị — {period}",
             source=activity_source, key="tq_ranking_table")

# --- not reported -----------------------------------------------------------------------------------------------
st.subheader(f"Đơn vị chưa báo cáo {period}")
if cadence_of(chosen) is None:
    st.info(f"Không có báo cáo riêng cho {period}: kết quả nằm trong báo cáo quý và báo cáo năm.")
elif missing.empty:
    if not ov.empty:
        st.success(f"Tất cả đơn vị cần báo cáo đã gửi báo cáo {period}.")
    else:
        st.info("Chưa có đơn vị nào được giao chỉ tiêu hoặc đã từng báo cáo, nên chưa có danh sách cần nhắc.")
else:
    names = [f"**{fmt.escape_md(n)}**" for n in missing["unit_name"]]
    more = f" và {fmt.number(len(names) - 20)} đơn vị khác (xem danh sách)" if len(names) > 20 else ""
    st.markdown(f"{fmt.number(len(names))} đơn vị: " + ", ".join(names[:20]) + more)
    ui.table(missing[["unit_name", "group_name", "deadline", "days_late", "contact", "last_period", "last_upload"]]
             .assign(days_late=lambda d: d["days_late"].clip(lower=0))
             .rename(columns={"unit_name": "Đơn vị", "group_name": "Nhóm", "deadline": "Hạn nộp",
                              "days_late": "Số ngày trễ", "contact": "Đầu mối", "last_period": "Kỳ báo cáo gần nhất",
                              "last_upload": "Lần tải lên gần nhất"}),
             {"Hạn nộp": "date", "Số ngày trễ": "int", "Lần tải lên gần nhất": "datetime"},
             name=f"chua bao cao {period}", title=f"Đơn vị chưa báo cáo — {period}", key="tq_missing",
             label="Danh sách để nhắc")

# --- indices ----------------------------------------------------------------------------------------------------
chain = cached.q(Q.home_chain)
prov = cached.q(Q.provinces).set_index("entity_code")
home_name = prov.loc[chain[0], "entity_name"] if chain[0] in prov.index else chain[0]
st.subheader(f"Chỉ số của tỉnh {fmt.escape_md(home_name)}")
idx = cached.q(Q.index_latest, chain, year)
if idx.empty:
    ui.empty_state("Chưa có kết quả chỉ số nào của tỉnh.",
                   "Nạp kết quả công bố (PAR Index, SIPAS, PAPI, PCI, DTI) kèm nguồn ở trang Tải lên.")
else:
    per_row = 3
    cards = index_cards(idx, year)
    for start in range(0, len(cards), per_row):
        for col, card in zip(st.columns(per_row), cards[start:start + per_row]):
            with col.container(border=True):
                st.metric(card.title, card.value, delta=card.delta, help=card.help)
                st.markdown("  \n".join(card.lines), unsafe_allow_html=True)
    st.caption(theme.source_line(list(idx["source"].dropna()) + list(idx["target_source"].dropna())))
    ui.table(idx[["short_name", "year", "entity_name", "score", "rank", "prev_rank", "rank_change", "target",
                  "target_rank", "source"]]
             .rename(columns={"short_name": "Chỉ số", "year": "Năm kết quả", "entity_name": "Tỉnh", "score": "Điểm",
                              "rank": "Xếp hạng", "prev_rank": "Hạng năm trước", "rank_change": "Thay đổi hạng",
                              "target": f"Mục tiêu điểm {year}", "target_rank": f"Mục tiêu hạng {year}",
                              "source": "Nguồn"}),
             {"Năm kết quả": "text", "Điểm": "auto4", f"Mục tiêu điểm {year}": "auto4"}, name=f"chi so {home_name} {year}",
             title=f"Kết quả chỉ số mới nhất — {home_name}", key="tq_indices")
    ui.link("pages/chi_so.py", "Xem chi tiết các chỉ số", icon="🏅")
