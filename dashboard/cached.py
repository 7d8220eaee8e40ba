"""Cached queries for Streamlit pages: results are kept until the data version changes.

The cache key is (query name, database path, ``loaders.store.batches.data_version(con, scope)``, arguments), so a new
batch or a rollback is seen on the very next rerun, and an unchanged database costs one tiny version query.
Queries in ``queries.INDEX_SCOPE`` use the index scope: a unit's activity upload leaves them cached; those in
``queries.REGISTRY_SCOPE`` (unit and indicator lists) change only with the registries.

This is the one way pages reach data: ``q`` for what may be cached by the data version, ``fresh`` for what must
be read at this very moment (account lists, a batch about to be rolled back, a file's download). Pages never hold
a connection; writes go through the write door (loaders.api).

Public API
----------
- ``con()``                      a DuckDB cursor on the process-wide connection (dashboard.db), for the read side.
- ``version(con=None, scope="all") -> str``  the current data version (read once per script run of a session).
- ``q(fn, *args, **kwargs)``     ``fn(con, *args, **kwargs)`` for a function of a read module (dashboard.queries,
                                 admin_queries, plan_queries, deck_data), cached by the data version.
                                 Arguments must be hashable-friendly: numbers, strings, tuples, None.
- ``fresh(fn, *args, **kwargs)`` ``fn(con, *args, **kwargs)`` read now, not cached.
- ``sample() -> bool``           True while sample (demo) data is in use (loaders.store.batches.is_sample_data), cached.
- ``clear()``                    drop every cached result (tests, benchmarks).
"""
from __future__ import annotations

import importlib

import streamlit as st

from dashboard import queries
from dashboard.db import cursor
from loaders.store.batches import data_version, is_sample_data
from loaders.store.schema import db_path


def con():
    return cursor()


_RUN_MEMO: dict[tuple[str, str], tuple] = {}  # (session id, scope) -> (this run's marker, db path, version)


def version(c=None, scope: str = "all") -> str:
    """The data version, read once per script run (a run's marker is the per-run ``cursors`` dict)."""
    if c is not None:
        return data_version(c, scope)
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    ctx = get_script_run_ctx(suppress_warning=True)
    db = str(db_path())
    if ctx is None:
        return data_version(cursor(), scope)
    memo = _RUN_MEMO.get((ctx.session_id, scope))
    if memo is not None and memo[0] is ctx.cursors and memo[1] == db:
        return memo[2]
    ver = data_version(cursor(), scope)
    _RUN_MEMO[(ctx.session_id, scope)] = (ctx.cursors, db, ver)
    if len(_RUN_MEMO) > 1000:
        _RUN_MEMO.clear()
    return ver


@st.cache_data(show_spinner=False, max_entries=512)
def _run(module: str, name: str, db: str, data_ver: str, args: tuple, kwargs: tuple):
    return getattr(importlib.import_module(module), name)(cursor(), *args, **dict(kwargs))


def q(fn, *args, **kwargs):
    """Run ``fn`` (a function of a dashboard read module; a bare name means dashboard.queries) through the cache
    keyed by the data version."""
    module, name = ("dashboard.queries", fn) if isinstance(fn, str) else (fn.__module__, fn.__name__)
    if not module.startswith("dashboard."):
        raise ValueError(f"{module}.{name} is not a read-side query")
    args = tuple(tuple(a) if isinstance(a, list) else a for a in args)
    kw = tuple(sorted((k, tuple(v) if isinstance(v, list) else v) for k, v in kwargs.items()))
    scope = ("index" if name in queries.INDEX_SCOPE else "registry" if name in queries.REGISTRY_SCOPE else "all") \
        if module == "dashboard.queries" else "all"
    return _run(module, name, str(db_path()), version(scope=scope), args, kw)


def fresh(fn, *args, **kwargs):
    """``fn(con, *args, **kwargs)`` on this session's cursor, now, without the cache."""
    return fn(cursor(), *args, **kwargs)


@st.cache_data(show_spinner=False, max_entries=64)
def _sample(db: str, data_ver: str) -> bool:
    return is_sample_data(cursor())


def sample() -> bool:
    return _sample(str(db_path()), version())


def clear() -> None:
    _run.clear()
    _sample.clear()


def cache_key(scope: str = "all") -> tuple[str, str]:
    """(database path, data version): the key of a page's own st.cache_data entries built from the data."""
    return str(db_path()), version(scope=scope)
