"""The dashboard's database connection: one per process, a cursor per session (DuckDB's rule)."""
from __future__ import annotations

import logging

import streamlit as st

from loaders import api
from loaders.init_db import init_database
from loaders.store.schema import MIGRATIONS, connect, database_fault, db_path, migrate, schema_version


@st.cache_resource(show_spinner=False)
def _connection(path: str):
    con = connect(path)
    if schema_version(con) < len(MIGRATIONS):
        init_database(con)  # a new or older database: create or upgrade it in place
    else:
        migrate(con)  # recreates the views, so a database keeps up with the code that reads it
    return con


def cursor():
    """A cursor on the process-wide connection; cheap, and safe to use from this session's thread. A database
    file the engine cannot read stops the page with a Vietnamese message (the detail goes to the server log)."""
    try:
        return _connection(str(db_path())).cursor()
    except Exception as exc:
        fault = database_fault(db_path(), exc)
        if fault is None:
            raise
        logging.getLogger("cchc.db").error("database unusable: %s", exc)
        st.error(f"Không mở được cơ sở dữ liệu của dashboard: {fault}.", icon="🛑")
        st.stop()


api.use_database(cursor)  # the write door opens its cursors on this process's connection
