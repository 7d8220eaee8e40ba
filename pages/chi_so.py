"""Chỉ số: one index for a province over the years, its components, its peers, and the units assessed inside it."""
import pandas as pd
import streamlit as st

from dashboard import cached, figures, fmt, index_cards, queries as Q, theme, ui

ui.page_header("Chỉ số", "Kết quả các chỉ số đã công bố qua các năm, so với mục tiêu và với các tỉnh khác. Năm chưa "
                         "có số liệu công bố để trống, không nội suy.")
defs = cached.q(Q.index_defs)
info = defs.set_index("index_code")
provs = cached.q(Q.provinces)
prov_label = dict(zip(provs["entity_code"], provs["label"]))
prov_name = dict(zip(provs["entity_code"], provs["entity_name"]))
home = cached.q(Q.home_province)
c1, c2, c3 = st.columns([1.2, 1.2, 2.6])
index = ui.select("chi_so", "Chỉ số", list(defs["index_code"]), default="PAR",
                  format_func=lambda c: f"{info.loc[c, 'short_name']}", container=c1,
                  help="PAR Index, SIPAS (Bộ Nội vụ); PAPI (UNDP); PCI (VCCI); DTI (Bộ KH&CN); DDCI (từng tỉnh).")
province = ui.select("tinh", "Tỉnh", list(provs["entity_code"]), default=home, format_func=prov_name.get,
                     container=c2, shared=True, help="Tỉnh cũ (trước 01/07/2025) mang tên cũ; tỉnh mới ghi “(từ 2025)”.")
peer_default = [p for p in cached.q(Q.region_peers, province) if p in prov_label]  # same region by default
peers = ui.multiselect("so_sanh", "So sánh với", [p for p in provs["entity_code"] if p != province],
                       default=peer_default, format_func=prov_name.get, container=c3, max_selections=8,
                       reset_when=province, help="Mặc định: các tỉnh cùng vùng kinh tế – xã hội.")
pname = prov_name.get(province, province)
d = info.loc[index]
name, short, scale_max, unit = d["name"], d["short_name"], float(d["scale_max"]), fmt.text(d["unit"])
dec = fmt.index_decimals(scale_max)
family = cached.q(Q.lineage, province)
fam_codes = tuple(family["entity_code"])
fam_names = dict(zip(family["entity_code"], family["entity_name"]))
st.caption(f"**{name}** — {d['publisher']}; thang điểm {fmt.auto(d['scale_min'])}–{fmt.auto(scale_max)}"
           f"{' ' + unit if unit else ''}.")
note = index_cards.lineage_note(family)
if note:
    st.info(note, icon="🗺️")

# --- latest result --------------------------------------------------------------------------------------------------
series = cached.q(Q.index_series, index, fam_codes, None, (province,) + fam_codes[-1:])
line = cached.q(Q.main_line, province)
this_year = fmt.today().year
head = cached.q(Q.index_latest, line, this_year, province)
head = head[head["index_code"] == index]
r = head.iloc[0] if len(head) else None
if r is None or pd.isna(r["year"]):
    ui.empty_state(f"Chưa có kết quả {short} nào của {pname} trong cơ sở dữ liệu.",
                   f"Nạp kết quả {short} đã công bố (kèm nguồn) ở trang Tải lên; các năm chưa có số liệu sẽ hiện "
                   f"là “{fmt.NO_DATA}”.")
else:
    y = int(r["year"])
    cols = st.columns(4)
    cols[0].metric(f"Điểm {short} {y}", fmt.number(r["score"], dec), border=True,
                   help=f"{r['entity_name']}" + ("" if not pd.isna(r["score"]) else ": nguồn chỉ công bố xếp hạng"))
    change = fmt.rank_delta(r["prev_rank"], r["rank"])
    vs = f" so với {r['prev_entity_name']}" if isinstance(r["prev_entity_name"], str) else ""
    cols[1].metric(f"Xếp hạng {y}", fmt.number(r["rank"]), border=True, delta=change,
                   help=f"Thay đổi so với năm {y - 1}{vs}." if change else "Chưa có xếp hạng năm trước để so sánh.")
    if not pd.isna(r["target"]):
        gap = r["score"] - r["target"] if not pd.isna(r["score"]) else None
        cols[2].metric(f"Mục tiêu {this_year}", fmt.number(r["target"], dec), border=True,
                       delta=f"{fmt.signed(gap, dec)} (điểm {y} so với mục tiêu)" if gap is not None else None,
                       help=f"Điểm {y} so với mục tiêu {this_year}.")
    else:
        cols[2].metric(f"Mục tiêu {this_year}", "–", border=True, help="Chưa đặt mục tiêu cho năm này.")
    mine = series[series["entity_code"].isin(line)]
    n_gap = int((mine.groupby("year")["state"].agg(lambda s: (s == "chua_cong_bo").all())).sum())
    cols[3].metric("Năm thiếu số liệu", fmt.number(n_gap), border=True,
                   help="Năm đã có kỳ công bố nhưng chưa có số của tỉnh trong cơ sở dữ liệu (để trống, không nội suy).")

# --- history ----------------------------------------------------------------------------------------------------
st.subheader(f"{short}: điểm và xếp hạng qua các năm")
if not series.empty:
    national = cached.q(Q.national_series, index)
    national = national[national["year"].isin(series["year"])]
    src = theme.source_line(series["source"], sample=(series["source"] == theme.SAMPLE_LABEL).any())
    if len(national):
        src += " " + theme.source_line(national["source"], prefix="Trung bình cả nước, nguồn", max_items=2)
    ui.chart(figures.index_history(series, short, scale_max, unit, national=national,
                                             layout=ui.layout()), src, key="cs_history_chart")
    tbl = series.assign(state=series["state"].map({"co": "Có số liệu", "chua_cong_bo": fmt.NO_DATA,
                                                   "chua_den_ky": "Chưa đến kỳ công bố"}))
    tbl = tbl.merge(national[["year", "national"]], on="year", how="left")
    ui.table(tbl[["year", "entity_name", "score", "rank", "target", "target_rank", "national", "state",
                  "source"]].rename(
        columns={"year": "Năm", "entity_name": "Tỉnh", "score": "Điểm", "rank": "Xếp hạng", "target": "Mục tiêu điểm",
                 "target_rank": "Mục tiêu hạng", "national": "Trung bình cả nước", "state": "Tình trạng",
                 "source": "Nguồn"}),
        {"Năm": "text", "Điểm": "auto4", "Mục tiêu điểm": "auto4", "Trung bình cả nước": "auto4"},
        name=f"{short} {pname}",
        title=f"{name} — {pname}", source=src, key="cs_history_table")

# --- components -------------------------------------------------------------------------------------------------
st.subheader("Các lĩnh vực, chỉ số thành phần")
cy = cached.q(Q.component_years, index, fam_codes)
if cy.empty:
    ui.empty_state(f"Chưa có điểm thành phần {short} của {pname}.",
                   "Điểm từng lĩnh vực chỉ hiện khi nguồn công bố có số; nạp bảng thành phần ở trang Tải lên.",
                   upload=False)
else:
    years = list(dict.fromkeys(int(y) for y in cy["year"]))
    own = cy[cy["entity_code"] == province]  # the province chosen first, its predecessors' or successor's else
    cyear = ui.select("nam_tp", "Năm", years, default=int(own["year"].iloc[0]) if len(own) else years[0],
                      container=st.columns(4)[0])
    in_year = cy[cy["year"] == cyear]
    ent = (in_year[in_year["entity_code"] == province] if (in_year["entity_code"] == province).any() else in_year).iloc[0]
    comps = cached.q(Q.index_components, index, cyear, ent["entity_code"])
    comp_max = 10.0 if index in ("PAPI", "PCI") else scale_max
    src = theme.source_line(comps["source"])
    known = []
    if comps["national"].notna().any():
        known.append("trung bình cả nước")
    if comps["best"].notna().any():
        known.append("tỉnh cao nhất trong số liệu đã nạp")
    st.caption(f"{fmt.escape_md(ent['entity_name'])} {cyear}" + (f" so với {' và '.join(known)}." if known else
               ". Chưa có số của tỉnh khác hoặc trung bình cả nước cho năm này để so sánh."))
    ui.chart(figures.components_bars(comps, ent["entity_name"], comp_max, layout=ui.layout()), src, key="cs_components_chart")
    ui.table(comps[["component_name", "score", "national", "best", "best_name", "source"]].rename(
        columns={"component_name": "Thành phần", "score": ent["entity_name"], "national": "Trung bình cả nước",
                 "best": "Cao nhất", "best_name": "Tỉnh cao nhất", "source": "Nguồn"}),
        {ent["entity_name"]: "auto4", "Trung bình cả nước": "auto4", "Cao nhất": "auto4"},
        name=f"{short} thanh phan {cyear}", title=f"{short} — thành phần {cyear}", source=src,
        key="cs_components_table")

# --- peers ------------------------------------------------------------------------------------------------------
st.subheader(f"So sánh {pname} với các tỉnh")
if not peers:
    st.info("Chọn tỉnh để so sánh ở ô “So sánh với” phía trên.")
else:
    succ = dict(zip(provs["entity_code"], provs["successor"]))
    peer_codes = []
    for p in peers:
        peer_codes.append(p)
        if isinstance(succ.get(p), str) and succ[p] not in peer_codes and succ[p] not in fam_codes:
            peer_codes.append(succ[p])
    codes = tuple(dict.fromkeys(fam_codes + tuple(peer_codes)))
    comp = cached.q(Q.index_series, index, codes, None, (province,) + tuple(peers))
    drawn = set(comp["entity_code"])
    without = [prov_name[p] for p in peers if p in prov_name and not (comp[(comp["entity_code"] == p)]["state"] == "co").any()]
    if without:
        st.caption(f"Chưa có kết quả {short} nào của: {fmt.escape_md(', '.join(without))}.")
    src = theme.source_line(comp["source"])
    others = comp[comp["entity_code"].isin(peer_codes)]
    by = "score" if others["score"].notna().sum() >= others["rank"].notna().sum() else "rank"
    measure = ui.segmented("theo", "So sánh theo", ["score", "rank"], default=by,
                           format_func={"score": "Điểm", "rank": "Xếp hạng"}.get)
    label = "Điểm" if measure == "score" else "Xếp hạng"
    ui.chart(figures.peer_lines(comp, highlight=fam_codes, scale_max=scale_max, value=measure,
                                title=f"{label} {short} — {pname} và các tỉnh so sánh", layout=ui.layout()),
             src, key="cs_peers_chart")
    wide = comp[comp["state"] == "co"].pivot_table(index="entity_name", columns="year", values=measure, sort=False)
    wide.columns = [str(c) for c in wide.columns]
    wide = wide.reset_index().rename(columns={"entity_name": "Tỉnh"})
    ui.table(wide, {c: ("auto4" if measure == "score" else "int") for c in wide.columns if c != "Tỉnh"},
             name=f"{short} so sanh {label}",
             title=f"{short} — so sánh các tỉnh", source=src, key="cs_peers_table")

# --- units inside the province ----------------------------------------------------------------------------------
units = pd.concat([cached.q(Q.unit_index_ranking, index, p) for p in fam_codes], ignore_index=True)
if index == "DDCI" or not units.empty:
    st.subheader(f"{short} của các sở, ngành, địa phương thuộc {pname}")
    if units.empty:
        ui.empty_state(f"Chưa có kết quả {short} của các đơn vị thuộc {pname}.",
                       "DDCI do từng tỉnh tổ chức; nạp bảng kết quả (kèm nguồn) ở trang Tải lên.")
    else:
        uyears = sorted({int(y) for y in units["year"]}, reverse=True)
        uyear = ui.select("nam_dv", "Năm đánh giá", uyears, default=uyears[0], container=st.columns(4)[0])
        one = units[units["year"] == uyear].sort_values("score", ascending=False)
        src = theme.source_line(one["source"])
        fig = figures.score_bars(one, title=f"{short} {uyear}", layout=ui.layout())
        ui.chart(fig, src, key="cs_units_chart")
        ui.table(one[["entity_name", "score", "rank", "note", "source"]].rename(
            columns={"entity_name": "Đơn vị", "score": "Điểm", "rank": "Xếp hạng", "note": "Ghi chú",
                     "source": "Nguồn"}), {"Điểm": "auto4"}, name=f"{short} don vi {uyear}",
            title=f"{short} các đơn vị — {uyear}", source=src, key="cs_units_table")
