"""The floor: a bare Streamlit app that draws Plotly charts (no database, no cache, no theme).

bench_browser.py opens it beside the dashboard's pages in the same run: Streamlit's own time, on this machine,
from opening a page to its charts drawn. `?charts=N` draws N small bar charts (default 1), so a page with four
charts can also be set beside a bare page with four; `?table=N` adds an N-row st.dataframe.
"""
import plotly.graph_objects as go
import streamlit as st

st.title("Bare app")
try:
    n = max(1, min(12, int(st.query_params.get("charts", 1))))
except ValueError:
    n = 1
for i in range(n):
    fig = go.Figure(go.Bar(x=["Quý I", "Quý II", "Quý III", "Quý IV"], y=[12 + i, 18, 9, 15]))
    st.plotly_chart(fig, key=f"chart_{i}")
rows = int(st.query_params.get("table", 0) or 0)  # `?table=N`: also a table of N rows (the pages show 4,000)
if rows:
    import pandas as pd
    st.dataframe(pd.DataFrame({"Đơn vị": [f"Xã số {i}" for i in range(rows)], "Hoàn thành": [i % 130 / 100 for i in
                                                                                             range(rows)]}))
