"""loaders.fast_match.IndexedMatcher answers exactly as loaders.matching.Matcher, only faster."""
from __future__ import annotations

import random

import pytest

from loaders.fast_match import IndexedMatcher, disagreements
from loaders.matching import INDICATOR_FILLER, UNIT_FILLER, Matcher
from loaders.registry import Registry
from loaders.text import strip_diacritics


@pytest.fixture(scope="module")
def registry():
    return Registry.from_data_dir()


def _pair(entries, **kw):
    return Matcher.build(entries, **kw), IndexedMatcher.build(entries, **kw)


def _typo(rng, s):
    i = rng.randrange(len(s))
    return s[:i] + s[i + 1:]


def test_same_keys_and_answers_for_units(registry):
    entries = [(u["code"], u["name"], u["aliases"]) for u in registry.units]
    # a registry with near neighbours: the same commune name in two provinces, and word-order twins
    entries += [("x1", "Xã Tân Lập (Gia Lai)", []), ("x2", "Xã Tân Lập (Lâm Đồng)", []),
                ("x3", "Phường Lập Tân", []), ("x4", "Phường Tân Lập", []), ("x5", "Xã Hòa Thắng", [])]
    slow, fast = _pair(entries, what="đơn vị", filler=UNIT_FILLER, extra_words_ok=False)
    assert slow._keys == fast._keys
    rng = random.Random(7)
    names = [e[1] for e in entries]
    texts = names + [strip_diacritics(n).upper() for n in names] + [_typo(rng, n) for n in names for _ in range(2)]
    texts += ["So Tu phap", "VP UBND tỉnh", "Sở Xây Dựng", "Phòng Tư pháp huyện", "Tân Lập", "Lập Tân",
              "Xã Tân Lập", "", "   ", "xyz", "Sở", "Tổng cộng", "(1)", "Xa Hoa Thang"]
    assert disagreements(slow, fast, texts) == []


def test_same_answers_for_indicators(registry):
    entries = [(m["code"], m["name"], m["aliases"]) for m in registry.indicators]
    slow, fast = _pair(entries, what="chỉ tiêu", filler=INDICATOR_FILLER)
    texts = [e[1] for e in entries] + [a for e in entries for a in e[2]] + [
        "Tin, bài đăng trên Trang TTĐT của Sở", "Số tin bài", "tin bai", "Phóng sự, video clip", "To roi",
        "Tỷ lệ hồ sơ giải quyết đúng hạn (%)", "Truyền thông", "Kết quả thực hiện", "Ghi chú"]
    assert disagreements(slow, fast, texts) == []


def test_exact_names_are_answered_without_scoring(registry, monkeypatch):
    entries = [(f"u{i}", f"Xã Số {i} (Tỉnh {i % 34})", []) for i in range(2000)]
    fast = IndexedMatcher.build(entries, what="đơn vị", filler=UNIT_FILLER, extra_words_ok=False)
    monkeypatch.setattr(IndexedMatcher, "scores", lambda self, text: pytest.fail("scored an exact name"))
    assert fast.match("Xã Số 1234 (Tỉnh 10)").code == "u1234"
    assert fast.match("xa so 1234 (tinh 10)").score == 100.0
