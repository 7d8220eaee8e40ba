"""The audit trail records who did what and when; entries are only added."""
from __future__ import annotations

import pytest

from loaders.accounts.audit import ACTIONS, action_label, entries, record
from loaders.store.schema import connect


def test_record_and_read(fresh_db):
    with connect(fresh_db) as con:
        a = record(con, "admin", "sign_in")
        b = record(con, "cb", "upload", "lô 7: bao_cao.xlsx")
        record(con, None, "sign_in_failed", "tên đăng nhập: ai-do")
        rows = entries(con)
        assert [r[0] for r in rows][:2] == [b + 1, b] and a < b
        assert rows[1][2:] == ("cb", "upload", "lô 7: bao_cao.xlsx")
        assert rows[1][1] is not None  # when
        assert [r[3] for r in entries(con, username="admin")] == ["sign_in"]
        assert [r[2] for r in entries(con, action="upload")] == ["cb"]


def test_unknown_action_and_long_detail(fresh_db):
    with connect(fresh_db) as con:
        with pytest.raises(ValueError):
            record(con, "x", "drop_table")
        record(con, "x", "registry_edit", "a" * 5000)
        assert len(entries(con)[0][4]) == 2000


def test_labels_are_vietnamese():
    assert action_label("rollback") == "Hoàn tác lô"
    assert all(label[0].isupper() for label in ACTIONS.values())
