"""Đơn vị: one unit — all its indicators over the periods of a kind (months, quarters, six months, years) against
targets, its own index scores, its uploads; its written report of a period, drafted from the data."""
import pandas as pd
import streamlit as st

from core import rules
from dashboard import cached, figures, fmt, period_queries as P, queries as Q, theme, ui

ui.page_header("Đơn vị", "Toàn bộ chỉ tiêu của một đơn vị qua các kỳ (tháng, quý, 6 tháng, năm), điểm chỉ số của đơn "
                         "vị (PAR Index nội bộ, DTI, DDCI nếu có) và lịch sử tải báo cáo.")
all_units = cached.q(Q.units)
if all_units.empty:
    ui.empty_state("Chưa có đơn vị nào trong danh mục.",
                   "Thêm đơn vị ở trang Danh mục (mục Dữ liệu) hoặc trong tệp data/units.csv.", upload=False)
    st.stop()
labels = dict(zip(all_units["unit_code"], all_units["label"]))
p1, _ = st.columns([2.6, 1])
chosen = ui.period_choice(p1)
ranking = cached.q(P.unit_completion, chosen.code)
default_unit = ranking["unit_code"].iloc[0] if len(ranking) else all_units["unit_code"].iloc[0]
c1, c2, c3 = st.columns([2.2, 1, 1.8])
unit = ui.search_select("don_vi", "Đơn vị", list(all_units["unit_code"]), default=default_unit,
                        format_func=labels.get, container=c1)
info = cached.q(Q.unit_info, unit).iloc[0]
history = cached.q(P.unit_history, unit, chosen.kind)
kind_words = {"month": ("tháng", "Số tháng đã báo cáo"), "quarter": ("quý", "Số quý đã báo cáo"),
              "half": ("kỳ 6 tháng", "Số kỳ 6 tháng đã báo cáo"), "year": ("năm", "Số năm đã báo cáo")}
kind_word, count_label = kind_words.get(chosen.kind, ("kỳ", "Số kỳ đã báo cáo"))
src = cached.q(Q.activity_source)
source = theme.source_line(f"báo cáo của {info['unit_name']} và chỉ tiêu được giao (v_activity, v_activity_period)",
                           sample=bool(src["sample"].iloc[0]), updated=src["last_upload"].iloc[0])

notes = [f"Nhóm: {info['group_name']}"]  # escaped with the rest below
if not pd.isna(info["valid_from"]):
    notes.append(f"hoạt động từ {fmt.date(info['valid_from'])}")
if not pd.isna(info["valid_to"]):
    notes.append(f"đến {fmt.date(info['valid_to'])}" + (f", hợp nhất vào {info['successor_name']}"
                                                           if isinstance(info["successor_name"], str) else ""))
if isinstance(info["predecessors"], str):
    notes.append(f"tiếp nhận từ: {info['predecessors']}")
st.caption(fmt.escape_md(" · ".join(notes)))

# --- activities -------------------------------------------------------------------------------------------------
st.subheader(f"Chỉ tiêu qua các {kind_word} — {fmt.escape_md(info['unit_name'])}")
reported = history[history["actual"].notna()]
if reported.empty:
    ui.empty_state(f"{info['unit_name']} chưa có báo cáo {kind_word} nào.",
                   "Cán bộ đầu mối CCHC của đơn vị tải báo cáo theo mẫu ở trang Tải lên; khi có, từng chỉ tiêu "
                   "so với chỉ tiêu giao hiện ở đây.")
else:
    years = sorted({int(y) for y in history["year"]})
    from_year = ui.select("tu_nam", "Từ năm", years, default=years[-2] if len(years) > 1 else years[-1],
                          container=c2)
    h = history[history["year"] >= from_year]
    metrics = cached.q(Q.metrics)
    mnames = dict(zip(metrics["metric_code"], metrics["metric_name"]))
    metric = ui.select("chi_tieu", "Chỉ tiêu xem chi tiết", list(metrics["metric_code"]),
                       default=metrics["metric_code"].iloc[0], format_func=mnames.get, container=c3)

    in_period = reported[reported["period"] == chosen.code]
    # the chosen period, else the unit's latest period of that kind with values
    shown_period = chosen.code if len(in_period) else reported.sort_values(["year", "month_to"]).iloc[-1]["period"]
    lq = reported[reported["period"] == shown_period]
    mean = rules.unit_completion(lq["completion"])
    n_dat, n_with = rules.indicators_dat(lq["completion"])
    rank_row = ranking[ranking["unit_code"] == unit]
    cols = st.columns(4)
    with cols[0].container(border=True):
        st.metric(f"Hoàn thành {P.label(shown_period)}", fmt.percent(mean),
                  help="Bình quân các chỉ tiêu của đơn vị, mỗi chỉ tiêu tính tối đa 100%. " + theme.STATUS_RULE)
        st.markdown(theme.badge_html(theme.status_of(mean)), unsafe_allow_html=True)
    with cols[1].container(border=True):
        st.metric(f"Xếp hạng {chosen.label}",
                  f"{fmt.number(rank_row['rank'].iloc[0])}/{fmt.number(len(ranking))}" if len(rank_row) else "–",
                  help="Trong số các đơn vị đã báo cáo kỳ này.")
    with cols[2].container(border=True):
        st.metric("Chỉ tiêu đạt", f"{fmt.number(n_dat)}/{fmt.number(n_with)}")
    with cols[3].container(border=True):
        st.metric(count_label, fmt.number(reported["period"].nunique()))
    if len(in_period):
        ui.report_button(chosen, unit=unit, key="dv_report")

    qcols = list(dict.fromkeys(h.sort_values(["year", "month_from", "month_to"])["label"]))
    heat = h.assign(detail=[f"Thực hiện {fmt.rate(a) if k == 'rate' else fmt.auto(a)} / chỉ tiêu "
                            f"{fmt.rate(t) if k == 'rate' else fmt.auto(t)}"
                            for a, t, k in zip(h["actual"], h["target"], h["kind"])])
    ui.chart(figures.status_heatmap(heat, row="metric_name", col="label", col_order=qcols,
                                    row_order=list(dict.fromkeys(h.sort_values("ordinal")["metric_name"])),
                                    detail="detail", row_width=46,
                                    title=f"Mức hoàn thành từng chỉ tiêu theo {kind_word}", layout=ui.layout()),
             source + " " + theme.STATUS_RULE, key="dv_heatmap_chart")
    ui.table(h[["label", "metric_name", "actual", "target", "completion", "status"]]
             .assign(status=lambda d: d["status"].map(theme.STATUS_LABEL))
             .rename(columns={"label": "Kỳ", "metric_name": "Chỉ tiêu", "actual": "Thực hiện", "target": "Chỉ tiêu giao",
                              "completion": "Hoàn thành", "status": "Đánh giá"}),
             {"Hoàn thành": "percent", "Thực hiện": "auto", "Chỉ tiêu giao": "auto"},
             name=f"{info['unit_name']} chi tieu", title=f"{info['unit_name']} — chỉ tiêu theo {kind_word}",
             source=source,
             key="dv_heatmap_table")

    one = h[h["metric_code"] == metric]
    kind = metrics.set_index("metric_code").loc[metric]
    st.markdown(f"**{fmt.escape_md(mnames[metric])}**")
    if one["actual"].notna().any():
        ui.chart(figures.unit_metric_bars(one, unit_label=fmt.text(kind["metric_unit"]), rate=kind["kind"] == "rate",
                                          layout=ui.layout()),
                 source, key="dv_metric_chart")
    else:
        st.info(f"Đơn vị chưa báo cáo chỉ tiêu này từ năm {from_year}.")

# --- index scores -----------------------------------------------------------------------------------------------
st.subheader("Điểm chỉ số của đơn vị")
scores = cached.q(Q.unit_index_scores, unit)
scores = scores[scores["score"].notna() | scores["rank"].notna()]
if scores.empty:
    ui.empty_state(f"Chưa có điểm chỉ số nào của {info['unit_name']}.",
                   "Khi tỉnh công bố PAR Index cấp sở/huyện, DTI hoặc DDCI, nạp bảng kết quả (kèm nguồn) ở trang Tải "
                   "lên; điểm của đơn vị sẽ hiện ở đây.")
else:
    isrc = theme.source_line(scores["source"])
    ui.chart(figures.index_scores_lines(scores, title=f"{info['unit_name']}: điểm các chỉ số", layout=ui.layout()), isrc,
             key="dv_index_chart")
    ui.table(scores[["index_name", "year", "entity_name", "score", "rank", "note", "source"]].rename(
        columns={"index_name": "Chỉ số", "year": "Năm", "entity_name": "Đơn vị được đánh giá", "score": "Điểm",
                 "rank": "Xếp hạng", "note": "Ghi chú", "source": "Nguồn"}), {"Năm": "text", "Điểm": "auto4"},
        name=f"{info['unit_name']} chi so", title=f"{info['unit_name']} — điểm chỉ số", source=isrc,
        key="dv_index_table")

# --- uploads ----------------------------------------------------------------------------------------------------
st.subheader("Lịch sử tải báo cáo")
uploads = cached.q(Q.unit_uploads, unit)
if uploads.empty:
    ui.empty_state(f"{info['unit_name']} chưa tải lên tệp nào.",
                   "Mỗi lần tải báo cáo quý được lưu lại cùng tệp gốc; tải lại sẽ thay số cũ mà không xóa.")
else:
    kinds = {"activities": "Báo cáo", "targets": "Chỉ tiêu", "indices": "Kết quả chỉ số", "plan": "Kế hoạch",
             "target_edit": "Sửa chỉ tiêu", "sample": "Dữ liệu mẫu", "reference": "Số liệu công bố"}
    tbl = uploads.assign(
        kind=uploads["kind"].map(lambda k: kinds.get(k, k)),
        status=uploads["status"].map({"active": "Đang dùng", "rolled_back": "Đã hoàn tác"}),
        period=[P.label(c) if isinstance(c, str) else fmt.quarter(y, q) if not (pd.isna(y) or pd.isna(q))
                else (str(int(y)) if not pd.isna(y) else "–")
                for c, y, q in zip(uploads["period"], uploads["year"], uploads["quarter"])],
        is_sample=uploads["is_sample"].map({True: "Có", False: "Không"}))
    st.caption(f"{fmt.number(len(uploads))} lần tải lên; gần nhất {fmt.datetime(uploads['uploaded_at'].max())}.")
    ui.table(tbl[["uploaded_at", "period", "kind", "file_name", "uploaded_by", "rows", "status", "is_sample"]].rename(
        columns={"uploaded_at": "Thời điểm", "period": "Kỳ", "kind": "Loại", "file_name": "Tệp",
                 "uploaded_by": "Người tải", "rows": "Số dòng", "status": "Trạng thái", "is_sample": "Dữ liệu mẫu"}),
        {"Thời điểm": "datetime"}, name=f"{info['unit_name']} lich su tai len",
        title=f"{info['unit_name']} — lịch sử tải báo cáo", key="dv_uploads_table", label="Các lần tải lên",
        expanded=True)
