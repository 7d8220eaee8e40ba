"""The dashboard's database connection: one per process, a cursor per session (DuckDB's rule)."""
from __future__ import annotations

import streamlit as st

from loaders import api
from loaders.init_db import init_database
from loaders.store.schema import MIGRATIONS, connect, db_path, migrate, schema_version


@st.cache_resource(show_spinner=False)
def _connection(path: str):
    con = connect(path)
    if schema_version(con) < len(MIGRATIONS):
        init_database(con)  # a new or older database: create or upgrade it in place
    else:
        migrate(con)  # recreates the views, so a database keeps up with the code that reads it
    return con


def cursor():
    """A cursor on the process-wide connection; cheap, and safe to use from this session's thread."""
    return _connection(str(db_path())).cursor()


api.use_database(cursor)  # the write door opens its cursors on this process's connection
