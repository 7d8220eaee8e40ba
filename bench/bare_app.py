"""The floor: a bare Streamlit app that draws one Plotly chart (no database, no cache, no theme).

bench_browser.py opens it beside the dashboard's pages in the same run: Streamlit's own time, on this machine,
from opening a page to a chart drawn.
"""
import plotly.graph_objects as go
import streamlit as st

st.title("Bare app")
fig = go.Figure(go.Bar(x=["Quý I", "Quý II", "Quý III", "Quý IV"], y=[12, 18, 9, 15]))
st.plotly_chart(fig)
