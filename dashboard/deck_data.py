"""Small read-side helpers the giao ban deck needs and dashboard.queries does not have.

Built on the public views and registry tables, like dashboard.queries; no completion or status rule lives here
(those are dashboard.theme's and dashboard.queries').

- ``organisation(con) -> str``           the organisation named on the title slide: meta 'organisation', else
                                         $CCHC_ORG, else "UBND tỉnh <home province>".
- ``home_name(con) -> str``              the home province's plain name ("Đắk Lắk").
- ``index_years(con, index_code, entities, last_year)``  [year, entity_code, entity_name, score, rank, rank_of,
                                         target, target_rank, source, state] (as queries.index_series) one row per year (the lineage's entity of that year) up to
                                         ``last_year``, from the first published result; gaps stay empty.
- ``has_reports(con, year, quarter) -> bool``  whether any unit reported the quarter.
- ``report_quarters(con)``               [year, quarter, code, label] quarters with at least one report, newest
                                         first (the deck's quarter choices).
"""
from __future__ import annotations

import os
import re

import pandas as pd

from core.rules import HOME_PROVINCE
from dashboard import fmt, queries


def organisation(con) -> str:
    row = con.execute("SELECT value FROM meta WHERE key = 'organisation'").fetchone()
    if row and row[0]:
        return row[0]
    if os.environ.get("CCHC_ORG"):
        return os.environ["CCHC_ORG"]
    return f"UBND tỉnh {home_name(con)}"


def home_name(con) -> str:
    """The home province's plain name ('Đắk Lắk' for 'Đắk Lắk (từ 2025)'), as letterheads and dates write it."""
    chain = queries.home_chain(con)
    row = con.execute("SELECT name FROM entity WHERE code = ?", [chain[-1]]).fetchone()
    return re.sub(r"\s*\(.*\)\s*$", "", row[0]) if row and row[0] else HOME_PROVINCE


def index_years(con, index_code: str, entities, last_year: int) -> pd.DataFrame:
    df = queries.index_series(con, index_code, entities)
    cols = ["year", "entity_code", "entity_name", "score", "rank", "rank_of", "target", "target_rank", "source",
            "state"]
    if df.empty:
        return pd.DataFrame(columns=cols)
    # one row per year: the entity that has a result that year, else the one valid that year (the newest)
    df = df.assign(_has=df["state"].eq("co")).sort_values(["year", "_has"], kind="stable")
    df = df.groupby("year", as_index=False).last()
    first = df.loc[df["state"].eq("co"), "year"].min()
    if pd.isna(first):
        return pd.DataFrame(columns=cols)
    df = df[(df["year"] >= first) & (df["year"] <= int(last_year))]
    return df[cols].reset_index(drop=True)


def has_reports(con, year: int, quarter: int) -> bool:
    row = con.execute("SELECT count(*) FROM v_activity WHERE year = ? AND quarter = ? AND actual IS NOT NULL",
                      [int(year), int(quarter)]).fetchone()
    return bool(row[0])


def report_quarters(con) -> pd.DataFrame:
    df = con.execute("""
        SELECT DISTINCT year, quarter FROM v_activity WHERE actual IS NOT NULL
        ORDER BY year DESC, quarter DESC""").df()
    df["code"] = [f"{y}-Q{q}" for y, q in zip(df["year"], df["quarter"])]
    df["label"] = [fmt.quarter(y, q) for y, q in zip(df["year"], df["quarter"])]
    return df
