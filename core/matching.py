"""Match loosely typed names ("So Tu phap", "Số tin bài") to registry codes.

Case, diacritics (đ too), punctuation and filler words are ignored; aliases count as names.
When two candidates score close together the match is refused as ambiguous: a report must
never be loaded under a guessed indicator or unit.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from rapidfuzz import fuzz

from core.text import fold

# Words that say nothing about which unit or indicator is meant.
FILLER = frozenset(
    "cua ve cac nhung tren trong tai va voi cho duoc da so luong tong ket qua thuc hien cchc "
    "cai cach hanh chinh noi dung tuyen truyen ve viec nam quy thang dang phat hanh".split()
)
# "so" is both "sở" (department) and "số" (number): it is filler for indicators only.
INDICATOR_FILLER = FILLER | {"so"}


def unit_filler(province: str) -> frozenset:
    """Words that say nothing about which unit is meant: "UBND", "tỉnh", "của" and the home province's name
    ("Sở Tư pháp tỉnh Đắk Lắk" is the Sở Tư pháp of a Đắk Lắk deployment)."""
    return frozenset({"ubnd", "tinh", "cua"}) | frozenset(fold(province).split())

ACCEPT = 82.0  # a candidate scoring under this is only a suggestion
MARGIN = 6.0  # the best must lead the second by this much, else the match is ambiguous


class MatchError(ValueError):
    """No candidate, or more than one, fits a name. `suggestions` lists display names."""

    def __init__(self, name: str, suggestions: list[str], ambiguous: bool = False):
        self.name = name
        self.suggestions = suggestions
        self.ambiguous = ambiguous
        super().__init__(self.message())

    def message(self, what: str = "tên") -> str:
        if self.ambiguous:
            return f"“{self.name}” khớp với nhiều {what}: {' / '.join(self.suggestions)} — hãy ghi rõ hơn"
        hint = f"; gần nhất: {', '.join(self.suggestions)}" if self.suggestions else ""
        return f"không nhận ra {what} “{self.name}”{hint}"


def _every_word_found(words, cand_words) -> bool:
    """Each word has a counterpart: the same short word, or a long word with a small typo."""
    def found(w):
        if len(w) <= 3:
            return w in cand_words
        return any(fuzz.ratio(w, c) >= 80 for c in cand_words)
    return all(found(w) for w in words)


@dataclass(frozen=True)
class Match:
    code: str
    name: str
    score: float


@dataclass
class Matcher:
    """Names of one registry (units, indicators, index components) ready for matching."""

    what: str
    filler: frozenset = FILLER
    # Indicators arrive wrapped in extra words ("Tin bài đăng trên Trang TTĐT của Sở"); units do not:
    # "Phòng Tư pháp huyện" must not become "Sở Tư pháp".
    extra_words_ok: bool = True
    _names: dict[str, str] = field(default_factory=dict)  # code -> display name
    _keys: list[tuple[str, str]] = field(default_factory=list)  # (folded key, code)

    @classmethod
    def build(cls, entries, what: str = "tên", filler: frozenset = FILLER, extra_words_ok: bool = True) -> "Matcher":
        """entries: iterable of (code, display_name, [aliases])."""
        m = cls(what=what, filler=filler, extra_words_ok=extra_words_ok)
        seen = set()  # a set: a list membership test per key made building 4,000 units take 0.65 s
        for code, name, aliases in entries:
            m._names[code] = name
            for alias in [name, code.replace("_", " "), *(aliases or [])]:
                key = m.key(alias)
                if key and (key, code) not in seen:
                    seen.add((key, code))
                    m._keys.append((key, code))
        return m

    def key(self, text: str) -> str:
        words = [w for w in fold(text).split() if w not in self.filler]
        return " ".join(words) or fold(text)

    def scores(self, text: str) -> list[tuple[float, str]]:
        """Best score per code, highest first."""
        key = self.key(text)
        words = set(key.split())
        best: dict[str, float] = {}
        for cand, code in self._keys:
            if cand == key:
                s = 100.0
            else:
                s = fuzz.token_sort_ratio(key, cand)
                if self.extra_words_ok or words <= set(cand.split()):
                    s = max(s, 0.95 * fuzz.token_set_ratio(key, cand))
                elif not self.extra_words_ok and not _every_word_found(words, cand.split()):
                    # "Đông Lào" is not "Lâm Đồng": a name's every word must stand in the candidate
                    s = min(s, ACCEPT - 1)
            if s > best.get(code, -1):
                best[code] = s
        return sorted(((s, c) for c, s in best.items()), reverse=True)

    def match(self, text: str) -> Match:
        """The one code `text` names; MatchError when none or several fit."""
        if not fold(text):
            raise MatchError(str(text), [])
        ranked = self.scores(text)
        if not ranked:
            raise MatchError(str(text), [])
        top, code = ranked[0]
        exact = [c for s, c in ranked if s == 100.0]
        if len(exact) > 1:
            raise MatchError(str(text), [self._names[c] for c in exact], ambiguous=True)
        if top == 100.0:
            return Match(code, self._names[code], top)
        close = [c for s, c in ranked if s >= ACCEPT and s > top - MARGIN]
        if top >= ACCEPT and len(close) == 1:
            return Match(code, self._names[code], top)
        if len(close) > 1:
            raise MatchError(str(text), [self._names[c] for c in close[:3]], ambiguous=True)
        return self._unknown(text, ranked)

    def _unknown(self, text, ranked):
        raise MatchError(str(text), [self._names[c] for s, c in ranked[:3] if s >= 45])

    def find_in(self, text: str) -> Match | None:
        """A registry name standing whole inside a longer text (a letterhead line), else None."""
        folded = f" {fold(text)} "
        hits = {code for cand, code in self._keys if len(cand) >= 4 and f" {cand} " in folded}
        if len(hits) == 1:
            code = hits.pop()
            return Match(code, self._names[code], 100.0)
        return None

    def name_of(self, code: str) -> str:
        return self._names[code]

    def __contains__(self, code: str) -> bool:
        return code in self._names
