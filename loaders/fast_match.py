"""The same name matching as `loaders.matching.Matcher`, fast enough for a national registry.

`Matcher.match` scores the text against every key of the registry in a Python loop, even when the text is
exactly a registered name: about 13 ms per name with 4,000 units (8,000 keys), so a 4,000-row roll-up spends
~50 s matching unit names; and `Matcher.build` is quadratic (a list membership test per key: 0.65 s).

`IndexedMatcher` gives the same answers:
- an exact hit on the folded key is answered from a dict, when it is certain that the full scoring would
  answer the same: no other code has a key with the same sorted words (token_sort_ratio reaches 100 only for
  equal sorted-word strings, and two codes at 100 are refused as ambiguous by `Matcher.match`);
- anything else (a typo, a loose short form, an unknown name) goes through `Matcher.match` unchanged.
- `build` deduplicates keys with a set (same keys, same order).

Use: `IndexedMatcher.build(...)` in place of `Matcher.build(...)` in loaders/registry.py (unit_matcher,
indicator_matcher, index_matcher, component_matcher). tests/test_fast_match.py checks both give the same answers.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from .matching import FILLER, Match, MatchError, Matcher
from .text import fold


@dataclass
class IndexedMatcher(Matcher):
    _exact: dict = field(default_factory=dict, repr=False)  # key -> set of codes
    _sorted: dict = field(default_factory=dict, repr=False)  # sorted words of a key -> set of codes

    @classmethod
    def build(cls, entries, what: str = "tên", filler: frozenset = FILLER,
              extra_words_ok: bool = True) -> "IndexedMatcher":
        m = cls(what=what, filler=filler, extra_words_ok=extra_words_ok)
        seen = set()
        for code, name, aliases in entries:
            m._names[code] = name
            for alias in [name, code.replace("_", " "), *(aliases or [])]:
                key = m.key(alias)
                if key and (key, code) not in seen:
                    seen.add((key, code))
                    m._keys.append((key, code))
                    m._exact.setdefault(key, set()).add(code)
                    m._sorted.setdefault(_sorted_words(key), set()).add(code)
        return m

    def match(self, text: str) -> Match:
        if fold(text):
            key = self.key(text)
            codes = self._exact.get(key)
            if codes is not None and len(codes) == 1:
                (code,) = codes
                if self._sorted.get(_sorted_words(key)) == codes:
                    return Match(code, self._names[code], 100.0)
        return super().match(text)


def _sorted_words(key: str) -> str:
    return " ".join(sorted(key.split()))


def disagreements(a: Matcher, b: Matcher, texts) -> list[tuple[str, object, object]]:
    """Texts on which two matchers answer differently (code, score or kind of error)."""
    def answer(m, t):
        try:
            r = m.match(t)
            return ("ok", r.code, r.score)
        except MatchError as exc:
            return ("ambiguous" if exc.ambiguous else "unknown", tuple(exc.suggestions))
    return [(t, x, y) for t in texts for x, y in [(answer(a, t), answer(b, t))] if x != y]
