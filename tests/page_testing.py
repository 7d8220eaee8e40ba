"""Helpers for AppTest page tests: open a page file on a database, read its Plotly charts."""
from __future__ import annotations

import base64
import json
import os

import numpy as np
from streamlit.testing.v1 import AppTest

PAGES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "pages")


def page_path(name: str) -> str:
    return os.path.abspath(os.path.join(PAGES, name))


def open_page(page: str, db, monkeypatch, **params) -> AppTest:
    """Run `page` (a file in pages/) on database `db` with the given query parameters; no exception allowed."""
    monkeypatch.setenv("CCHC_DB", str(db))
    at = AppTest.from_file(page_path(page), default_timeout=30)
    for k, v in params.items():
        at.query_params[k] = v
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def arr(v):
    """A Plotly array from the chart's JSON (Plotly 7 sends numbers as base64 typed arrays); NaN -> None."""
    if isinstance(v, dict) and "bdata" in v:
        a = np.frombuffer(base64.b64decode(v["bdata"]), dtype=np.dtype(v["dtype"]))
        return [None if (a.dtype.kind == "f" and np.isnan(x)) else x.item() for x in a]
    return list(v) if v is not None else []


def specs(at) -> list[dict]:
    return [json.loads(c.proto.spec) for c in at.get("plotly_chart")]
