"""Hoạt động: target against actual by unit and indicator in a period (a month, a quarter, six months, the year),
the completion heatmap, the year to date at the period's grain, drill-down."""
import pandas as pd
import streamlit as st

from dashboard import cached, figures, fmt, period_queries as P, queries as Q, theme, ui

ui.page_header("Hoạt động", "Thực hiện so với chỉ tiêu theo đơn vị, chỉ tiêu và kỳ (tháng, quý, 6 tháng, năm). Bấm vào "
                            "một thanh của biểu đồ đơn vị (hoặc chọn ở cuối trang) để xem chi tiết đơn vị đó.")
metrics = cached.q(Q.metrics)
metric_names = dict(zip(metrics["metric_code"], metrics["metric_name"]))
c1, c2, c3 = st.columns([2.6, 1, 1.8])
chosen = ui.period_choice(c1)
year, quarter = chosen.year, chosen.last_quarter.quarter
group = ui.unit_group_picker(c2)
metric_opt = ui.select("chi_tieu", "Chỉ tiêu", ["tat_ca"] + list(metrics["metric_code"]), default="tat_ca",
                       format_func=lambda c: "Tất cả chỉ tiêu" if c == "tat_ca" else metric_names.get(c, c),
                       container=c3)
metric = None if metric_opt == "tat_ca" else metric_opt
minfo = metrics.set_index("metric_code").loc[metric] if metric else None
is_rate = bool(metric and minfo["kind"] == "rate")
munit = fmt.text(minfo["metric_unit"]) if metric else ""
period = chosen.label
units = tuple(cached.q(Q.units, year, quarter, group)["unit_code"]) if group else None
src = cached.q(Q.activity_source, year, None if chosen.kind == "year" else quarter)
source = theme.source_line("báo cáo của các đơn vị và chỉ tiêu được giao (v_activity, v_activity_period)",
                           sample=bool(src["sample"].iloc[0]), updated=src["last_upload"].iloc[0])
ranking = cached.q(P.unit_completion, chosen.code, units)


def _drill():
    """A click on a unit's bar selects that unit for the detail section (and the URL)."""
    event = st.session_state.get("hd_units_chart")
    points = (event or {}).get("selection", {}).get("points", []) if event else []
    if points:
        code = points[0].get("customdata")
        if isinstance(code, (list, tuple)):
            code = code[0] if code else None
        if code:
            st.session_state["qp_don_vi"] = code


if ranking.empty:
    ui.empty_state(f"Chưa có đơn vị nào báo cáo {period}.",
                   "Khi các đơn vị tải báo cáo lên, biểu đồ thực hiện so với chỉ tiêu, bản đồ nhiệt và lũy kế "
                   "năm hiện ở đây. Chọn kỳ khác ở trên để xem các kỳ đã có số liệu"
                   + (" (tháng chỉ có số liệu khi đơn vị gửi báo cáo tháng)." if chosen.kind == "month" else "."))
    st.stop()
reach = P.reached_label(chosen.code, int(ranking["through"].max()))
if reach:
    st.caption(f"{period}: {reach} — số thực hiện là của kỳ đến nay, so với chỉ tiêu cả kỳ.")

# --- 1. by unit --------------------------------------------------------------------------------------------------
if metric:
    st.subheader(f"{fmt.escape_md(metric_names[metric])} — {period}")
    by_unit = cached.q(P.metric_by_unit, chosen.code, metric, units)
else:
    st.subheader(f"Mức hoàn thành theo đơn vị — {period}")
    by_unit = ranking
mode = ui.rows_picker(len(by_unit))
shown = ui.pick_rows(by_unit, mode)
if by_unit.empty:
    ui.empty_state(f"Chưa có số liệu “{metric_names.get(metric, '')}” {period}.", upload=False)
else:
    if metric:
        fig = figures.actual_target_bars(shown, unit_label=munit, rate=is_rate, layout=ui.layout())
        kinds = {"Thực hiện": "rate" if is_rate else "auto", "Chỉ tiêu": "rate" if is_rate else "auto",
                 "Hoàn thành": "percent"}
        tbl = by_unit[["unit_name", "actual", "target", "completion", "status"]].rename(
            columns={"unit_name": "Đơn vị", "actual": "Thực hiện", "target": "Chỉ tiêu", "completion": "Hoàn thành",
                     "status": "Đánh giá"})
    else:
        fig = figures.completion_bars(shown.assign(detail=[f"{fmt.number(a)}/{fmt.number(b)} chỉ tiêu đạt"
                                                           for a, b in zip(shown["n_dat"], shown["n_indicators"])]),
                                      detail="detail", layout=ui.layout())
        kinds = {"Hoàn thành": "percent"}
        tbl = by_unit[["rank", "unit_name", "n_indicators", "n_dat", "completion", "status"]].rename(
            columns={"rank": "Hạng", "unit_name": "Đơn vị", "n_indicators": "Số chỉ tiêu có số liệu",
                     "n_dat": "Số chỉ tiêu đạt", "completion": "Hoàn thành", "status": "Đánh giá"})
    ui.chart(fig, source, key="hd_units_chart", on_select=_drill)
    ui.table(tbl.assign(**{"Đánh giá": tbl["Đánh giá"].map(theme.STATUS_LABEL)}), kinds,
             name=f"don vi {metric or 'tat ca'} {period}", title=f"{metric_names.get(metric, 'Tất cả chỉ tiêu')} — "
             f"{period}", source=source, key="hd_units_table")

# --- 2. by indicator ---------------------------------------------------------------------------------------------
st.subheader(f"Thực hiện so với chỉ tiêu theo từng chỉ tiêu — {period}")
summary = cached.q(P.indicator_summary, chosen.code, units)
st.caption("Tổng của các đơn vị đã báo cáo (chỉ tiêu đếm: cộng; chỉ tiêu tỷ lệ: trung bình các đơn vị).")
ui.chart(figures.indicator_bullets(summary, layout=ui.layout()), source, key="hd_indicators_chart")
ui.table(summary[["metric_name", "grp", "kind", "actual", "target", "completion", "n_dat", "n_units", "status"]]
         .assign(kind=lambda d: d["kind"].map({"count": "Số lượng", "rate": "Tỷ lệ (%)"}),
                 status=lambda d: d["status"].map(theme.STATUS_LABEL))
         .rename(columns={"metric_name": "Chỉ tiêu", "grp": "Nhóm", "kind": "Loại", "actual": "Thực hiện",
                          "target": "Chỉ tiêu giao", "completion": "Hoàn thành", "n_dat": "Số đơn vị đạt",
                          "n_units": "Số đơn vị báo cáo", "status": "Đánh giá"}),
         {"Hoàn thành": "percent", "Thực hiện": "auto", "Chỉ tiêu giao": "auto"}, name=f"chi tieu {period}",
         title=f"Thực hiện theo chỉ tiêu — {period}", source=source, key="hd_indicators_table")

# --- 3. heatmap --------------------------------------------------------------------------------------------------
st.subheader("Bản đồ nhiệt mức hoàn thành")
layout = ui.segmented("bang", "Bố trí", ["quy", "chi_tieu"], default="quy",
                      format_func={"quy": f"Đơn vị × quý (đến {fmt.quarter(year, quarter)})",
                                   "chi_tieu": f"Đơn vị × chỉ tiêu ({period})"}.get)
keep = None if mode == "tat_ca" else tuple(shown["unit_code"])
if layout == "quy":
    # only the units shown are read (the 15 lowest of 4,000 by default), not every unit then filtered
    heat = cached.q(Q.heatmap_quarters, year, quarter, keep if keep is not None else units, metric)
    rows = list(dict.fromkeys(shown["unit_name"])) if keep is not None else None
    detail = None
    if metric:
        heat = heat.assign(detail=[f"Thực hiện {fmt.auto(a)} / chỉ tiêu {fmt.auto(t)}"
                                   for a, t in zip(heat["actual"], heat["target"])])
        detail = "detail"
    cols = list(dict.fromkeys(heat.sort_values(["year", "quarter"])["label"]))
    fig = figures.status_heatmap(heat, row_order=rows, col_order=cols, detail=detail,
                                 title=(metric_names[metric] if metric else "Mức hoàn thành bình quân của đơn vị"),
                                 layout=ui.layout())
    tbl = heat.pivot_table(index="unit_name", columns="label", values="completion", sort=False)
    tbl = tbl[[c for c in cols if c in tbl.columns]].reset_index().rename(columns={"unit_name": "Đơn vị"})
else:
    heat = cached.q(P.completion, chosen.code, units)
    heat = heat[heat["actual"].notna()]
    if keep is not None:
        heat = heat[heat["unit_code"].isin(keep)]
    heat = heat.assign(short=[figures.short_label(n) for n in heat["metric_name"]],
                       detail=[f"{n} — thực hiện {fmt.auto(a)} / chỉ tiêu {fmt.auto(t)}"
                               for n, a, t in zip(heat["metric_name"], heat["actual"], heat["target"])])
    cols = list(dict.fromkeys(heat.sort_values("ordinal")["short"]))
    rows = list(dict.fromkeys(shown["unit_name"])) if keep is not None else None
    fig = figures.status_heatmap(heat, col="short", row_order=rows, col_order=cols, detail="detail",
                                 title=f"Từng chỉ tiêu — {period}", layout=ui.layout())
    tbl = heat.pivot_table(index="unit_name", columns="metric_name", values="completion", sort=False)
    tbl = tbl.reset_index().rename(columns={"unit_name": "Đơn vị"})
ui.chart(fig, source + " " + theme.STATUS_RULE, key="hd_heatmap_chart")
ui.table(tbl, {c: "percent" for c in tbl.columns if c != "Đơn vị"}, name=f"ban do nhiet {period}",
         title="Bản đồ nhiệt mức hoàn thành", source=source, key="hd_heatmap_table")

# --- 4. year to date ---------------------------------------------------------------------------------------------
st.subheader(f"Lũy kế năm {year} so với lộ trình chỉ tiêu")
ytd = cached.q(P.ytd, chosen.code, units, metric)
if ytd.empty or ytd["actual"].isna().all():
    ui.empty_state(f"Chưa có số liệu lũy kế năm {year}.", upload=False)
else:
    note = {"progress": "Bình quân các chỉ tiêu đếm của mọi đơn vị: phần chỉ tiêu cả năm đã làm được (mỗi chỉ tiêu "
                        "tính tối đa 100%). Chỉ tiêu tỷ lệ xem riêng bằng cách chọn chỉ tiêu ở trên.",
            "count": "Cộng dồn từ đầu năm (số của từng đơn vị đến kỳ gần nhất đã biết).",
            "rate": "Chỉ tiêu tỷ lệ không cộng dồn: số lũy kế là số của kỳ gần nhất (trung bình các đơn vị)."}
    grain = {"month": "theo tháng", "half": "theo 6 tháng"}.get(chosen.kind, "theo quý")
    st.caption(f"Lũy kế {grain}. " + note[ytd["mode"].iloc[0]])
    ui.chart(figures.ytd_line(ytd, unit_label=munit, title=metric_names.get(metric, "Tất cả chỉ tiêu đếm"),
                             layout=ui.layout()),
             source, key="hd_ytd_chart")
    pk = {"progress": "percent", "count": "auto", "rate": "rate"}[ytd["mode"].iloc[0]]
    ui.table(ytd[["label", "actual", "target"]].rename(columns={"label": "Kỳ", "actual": "Lũy kế thực hiện",
                                                               "target": "Lộ trình chỉ tiêu"}),
             {"Lũy kế thực hiện": pk, "Lộ trình chỉ tiêu": pk}, name=f"luy ke {year}",
             title=f"Lũy kế năm {year}", source=source, key="hd_ytd_table")

# --- 5. one unit -------------------------------------------------------------------------------------------------
st.subheader("Chi tiết một đơn vị")
names = dict(zip(ranking["unit_code"], ranking["unit_name"]))
options = [""] + [c for c in cached.q(Q.units)["unit_code"] if c in names]  # Vietnamese name order
drill_unit = ui.search_select("don_vi", "Đơn vị", options, default="", pinned=("",),
                              format_func=lambda c: "— chọn đơn vị (hoặc bấm vào biểu đồ đơn vị ở trên) —" if not c
                              else names.get(c, c))
if drill_unit:
    one = cached.q(P.completion, chosen.code, (drill_unit,))
    one = one[one["actual"].notna() | one["target"].notna()]
    row = ranking[ranking["unit_code"] == drill_unit].iloc[0]
    st.markdown(f"**{fmt.escape_md(names[drill_unit])}** — {period}: hoàn thành **{fmt.percent(row['completion'])}**, hạng "
                f"{fmt.number(row['rank'])}/{fmt.number(len(ranking))} &nbsp; "
                + theme.badge_html(row["status"]), unsafe_allow_html=True)
    ui.chart(figures.completion_bars(one.assign(detail=[
        f"Thực hiện {fmt.rate(a) if k == 'rate' else fmt.auto(a)} / chỉ tiêu "
        f"{fmt.rate(t) if k == 'rate' else fmt.auto(t)}" for a, t, k in zip(one["actual"], one["target"], one["kind"])]),
        label="metric_name", key="metric_code", detail="detail", title=f"{names[drill_unit]} — từng chỉ tiêu",
        layout=ui.layout()),
        source, key="hd_unit_chart")
    ui.table(one[["metric_name", "actual", "target", "completion", "status"]]
             .assign(status=lambda d: d["status"].map(theme.STATUS_LABEL))
             .rename(columns={"metric_name": "Chỉ tiêu", "actual": "Thực hiện", "target": "Chỉ tiêu giao",
                              "completion": "Hoàn thành", "status": "Đánh giá"}),
             {"Hoàn thành": "percent", "Thực hiện": "auto", "Chỉ tiêu giao": "auto"},
             name=f"{names[drill_unit]} {period}", title=f"{names[drill_unit]} — {period}", source=source,
             key="hd_unit_table")
    ui.link("pages/don_vi.py", f"Mở trang Đơn vị: {fmt.escape_md(names[drill_unit])}", icon="🏢",
            query_params={"don_vi": drill_unit, **ui.period_params(chosen)})
