"""OCR repair against the shape of Vietnamese syllables and the words of plans.

A Vietnamese word is a syllable of a known shape: an onset ('ngh', 'tr', 'ph', 'b' …), a rhyme ('uong', 'ieu',
'anh' …). OCR breaks that shape: it takes a letter for another ('chủ lrì', 'tinb', 'c0ng'), or breaks a word in two
('t rung tâm', 'p hối hợp'). A word that is no syllable is repaired when exactly one change makes it one — one
letter OCR confuses for another, or the two halves put back together — preferring the words plans and the registry
use ('trì', 'tỉnh', 'trung'). Words that are syllables are left alone (a wrong tone mark is folded away when names
are compared), and so are numbers, acronyms in capitals (CCHC, UBND, QĐ-UBND) and foreign words that no single
change turns into Vietnamese (Zalo, Facebook).

`looks_ocr(text)` says whether a text has enough broken words to be an OCR reading; `repair(text)` returns the
repaired text. The words as read are kept by the caller (loaders.plans.reading keeps them beside each block).
"""
from __future__ import annotations

import functools
import re
import unicodedata

from core.text import fold, strip_diacritics

_ONSETS = ("ngh ng nh ch gh gi kh ph qu th tr b c d g h k l m n p r s t v x").split()
_RHYMES = frozenset("""
a ac ach ai am an ang anh ao ap at au ay e ec em en eng eo ep et eu i ia ich iec iem ien ieng iep iet ieu im in inh ip
it iu o oa oac oach oai oam oan oang oanh oao oap oat oay oc oe oem oen oeo oet oi om on ong ooc oong op ot u ua uan
uang uanh uat uau uay uc ue uech uen uenh uet ui um un ung uo uoc uoi uom uon uong uop uot up ut uu uy uya uych uyen
uyet uynh uyt uyu y yen yet yeu ach uach oac uat uyen oong ak ek ok uk ik
""".split())  # 'ak', 'ok' … are the rhymes of place names of the Central Highlands: Đắk Lắk, Krông Bông
# Letters OCR takes for others (read -> meant), on the folded word.
_CONFUSED = {"1": "il", "l": "it", "0": "o", "5": "s", "8": "b", "b": "h", "h": "b", "c": "e", "e": "co", "u": "n",
             "n": "u", "t": "l", "i": "l", "o": "a", "a": "o", "y": "v", "v": "y", "r": "t", "f": "t", "j": "i",
             "z": "x", "w": "u", "q": "g", "g": "q"}
# Words of plans (folded) that decide between two repairs: field labels, verbs, units and the calendar.
PLAN_WORDS = frozenset("""
co quan don vi chu tri phoi hop thoi gian thuc hien trien khai to chuc tuyen truyen cai cach hanh chinh ke hoach
nam quy thang tuan thuong xuyen hang dinh ky yeu cau khi so noi vu tu phap tai xay dung cong thuong khoa hoc nghe
giao duc dao tao y te van hoa the thao du lich dan toc ton tin truyen thong ngoai ban quan ly khu nghiep van phong
uy nhan dan tinh huyen xa phuong thi tran trung tam dai phat thanh truyen hinh bao dien tu cong cac nganh dia phuong
trach nhiem tham muu theo doi huong dan kiem tra bao cao tong hop chi dao de nghi nhiem giai phap hoat dong noi dung
hinh muc dich tieu doi tuong pham phong lanh truong giam doc thu chu tich mat tran to quoc viet doan thanh nien
cach cua va voi trong tren cho ve duoc lien quan cap kinh phi ngan sach dam bao thanh tra ngan hang cuc chi
""".split())


@functools.lru_cache(maxsize=65536)
def is_syllable(word: str) -> bool:
    """Whether a folded word has the shape of a Vietnamese syllable."""
    if not word.isalpha() or not word.isascii():
        return False
    for onset in _ONSETS:
        if word.startswith(onset) and word[len(onset):] in _RHYMES:
            return True
    return word in _RHYMES


# The commonest words of administrative text, commonest first: between two repairs, the commoner wins.
COMMON = ("cac va cua cong tac thuc hien hanh chinh cai cach tuyen truyen co quan don vi nam tinh so ke hoach trong "
          "ve nhiem vu to chuc de cho tren nguoi dan thong tin dia ban phong chu tri phoi hop voi theo nay duoc "
          "nhung ket qua trien khai cap huyen xa thi").split()
_RANK = {w: k for k, w in enumerate(COMMON)}


def _commonest(cands):
    ranked = sorted(cands, key=lambda c: _RANK.get(c[2], len(_RANK)))
    if ranked and ranked[0][2] in _RANK and (len(ranked) == 1 or ranked[1][2] not in _RANK
                                              or _RANK[ranked[0][2]] < _RANK[ranked[1][2]]):
        return ranked[0]
    return None


# Pairs of words plans write together: a word OCR turned into another real word ('vâu phòng', 'sở, bầu, ngành') is
# put back only when it then makes one of these pairs with its neighbour.
PLAN_PAIRS = frozenset(
    ("co quan", "don vi", "chu tri", "phoi hop", "thoi gian", "thuc hien", "trien khai", "to chuc", "tuyen truyen",
     "cai cach", "hanh chinh", "ke hoach", "thuong xuyen", "hang thang", "hang quy", "hang nam", "dinh ky",
     "van phong", "ban nganh", "so ban", "uy ban", "nhan dan", "thi xa", "thanh pho", "thi tran", "trach nhiem",
     "tham muu", "theo doi", "huong dan", "kiem tra", "bao cao", "tong hop", "chi dao", "de nghi", "lien quan",
     "trung tam", "phat thanh", "truyen hinh", "dia phuong", "noi vu", "tu phap", "tai chinh", "thu truong",
     "chu tich", "giam doc", "lanh dao", "nhiem vu", "giai phap", "hoat dong", "noi dung", "hinh thuc", "yeu cau",
     "muc dich", "muc tieu", "doi tuong", "kinh phi", "ngan sach", "dam bao", "bao dam", "quy dinh", "truc thuoc",
     "cong chuc", "vien chuc", "can bo", "nguoi lao dong", "tich cuc", "chu dong", "quy chu", "chi tieu",
     "ubnd tinh", "ubnd cac", "dan tinh", "tinh uy", "tinh doan", "tuyen giao", "dan van", "mat tran", "to quoc",
     "cac so", "cac huyen", "cac xa", "thi tran", "xa phuong", "huyen thi", "khu cong", "cong nghiep"))


def _vocabulary(extra: frozenset) -> frozenset:
    return PLAN_WORDS | extra


def _pairs(extra: frozenset) -> frozenset:
    return PLAN_PAIRS | extra


def _candidates(word: str) -> list[str]:
    """Folded words one confused letter away from `word` that are syllables."""
    out = []
    for k, ch in enumerate(word):
        for meant in _CONFUSED.get(ch, ""):
            cand = word[:k] + strip_diacritics(meant) + word[k + 1:]
            if is_syllable(cand):
                out.append((k, meant, cand))
    return out


_TOKEN = re.compile(r"[^\W_]+", re.UNICODE)


def _skip(token: str) -> bool:
    """Numbers, acronyms in capitals, and words too long to be two syllables (foreign words)."""
    f = fold(token)
    return (not f or f.isdigit() or (token.isupper() and 1 < len(token) <= 5) or len(f) > 14
            or (any(c.isdigit() for c in f) and sum(c.isdigit() for c in f) > len(f) / 2))


def _segments(word: str, vocab: frozenset) -> list[int] | None:
    """Where syllables run together split ('chutri' -> [3], 'thuongxuyentrong' -> [6, 11]): the one way of cutting
    the word into the fewest plan words (two to four), else None."""
    best: dict[int, list[list[int]]] = {0: [[]]}
    for end in range(1, len(word) + 1):
        ways = []
        for start in range(max(0, end - 7), end):
            piece = word[start:end]
            if start in best and piece in vocab and is_syllable(piece):
                ways += [w + [start] for w in best[start]]
        if ways:
            fewest = min(len(w) for w in ways)
            best[end] = [w for w in ways if len(w) == fewest][:2]
    found = best.get(len(word), [])
    if len(found) != 1 or not 2 <= len(found[0]) <= 4:
        return None
    return found[0][1:]


def _replace(token: str, k: int, meant: str) -> str:
    """`token` with its k-th letter (folded position) replaced, keeping case."""
    ch = token[k] if k < len(token) else ""
    new = meant.upper() if ch.isupper() else meant
    return token[:k] + new + token[k + 1:]


def repair(text: str, known: frozenset = frozenset(), pairs: frozenset = frozenset()) -> str:
    """The text with its broken words repaired (see the module docstring). `known`: more words, `pairs`: more
    pairs of words (folded, 'van phong') that decide a repair."""
    vocab = _vocabulary(known)
    pairs = _pairs(pairs)
    tokens = list(_TOKEN.finditer(text))
    out, pos, k = [], 0, 0
    while k < len(tokens):
        m = tokens[k]
        word = m.group(0)
        f = fold(word)
        glued = m.start() > 0 and not (text[m.start() - 1].isspace() or text[m.start() - 1] in "(“\"'-/")
        if _skip(word) or len(strip_diacritics(word)) != len(word) or glued or \
                (m.end() < len(text) and unicodedata.category(text[m.end()]) == "Mn"):
            k += 1
            continue
        if is_syllable(f):  # its letters make a word (a wrong tone or vowel mark is folded away when compared)
            # a neighbour counts only across a space or a comma: 'số/tháng' makes no pair
            before = tokens[k - 1] if k else None
            prev = fold(before.group(0)) if before and text[before.end():m.start()] in (" ", ", ") else ""
            after = tokens[k + 1] if k + 1 < len(tokens) else None
            nxt = fold(after.group(0)) if after and text[m.end():after.start()] in (" ", ", ") else ""
            if len(f) > 1 and f"{prev} {f}" not in pairs and f"{f} {nxt}" not in pairs:
                # a real word, maybe another one misread: put back only to make a pair plans write
                joined = f + nxt
                if after is not None and text[m.end():after.start()] == " " and f"{prev} {joined}" in pairs:
                    out.append(text[pos:m.start()] + word + after.group(0))  # 'Thủ trư ởng' -> 'Thủ trưởng'
                    pos = after.end()
                    k += 2
                    continue
                fits = [c for c in _candidates(f) if f"{prev} {c[2]}" in pairs or f"{c[2]} {nxt}" in pairs]
                if len(fits) == 1:
                    out.append(text[pos:m.start()] + _replace(word, fits[0][0], fits[0][1]))
                    pos = m.end()
            k += 1
            continue
        nxt = tokens[k + 1] if k + 1 < len(tokens) else None
        if nxt is not None and text[m.end():nxt.start()] == " " and not _skip(nxt.group(0)):
            joined = f + fold(nxt.group(0))
            if is_syllable(joined) and (not is_syllable(fold(nxt.group(0))) or len(f) <= 2):
                out.append(text[pos:m.start()] + word + nxt.group(0))
                pos = nxt.end()
                k += 2
                continue
        glued_acronym = re.match(r"^(UBND|HĐND|CCHC|TTHC|CBCCVC|MTTQ)(?=[^\W\d_A-ZĐ]{2,})", word)
        if glued_acronym and is_syllable(fold(word[glued_acronym.end():])):  # 'UBNDtỉnh' -> 'UBND tỉnh'
            out.append(text[pos:m.start()] + word[:glued_acronym.end()] + " " + word[glued_acronym.end():])
            pos = m.end()
            k += 1
            continue
        cuts = _segments(f, vocab)
        if cuts:  # words run together ('chủtrì', 'tíchcực', 'KẾHOẠCH', 'Thườngxuyêntrong')
            bounds = [0, *cuts, len(word)]
            out.append(text[pos:m.start()] + " ".join(word[a:b] for a, b in zip(bounds, bounds[1:])))
            pos = m.end()
            k += 1
            continue
        if nxt is not None and text[m.end():nxt.start()] == " ":
            # words run together whose last one OCR broke off: 'Thườngxuyêntr ong' -> 'Thường xuyên trong'
            for cut in (1, 2):
                head, tail = f[:-cut], f[-cut:] + fold(nxt.group(0))
                inner = _segments(head, vocab) if len(head) > 3 else None
                if (inner is not None or (head in vocab and is_syllable(head))) and tail in vocab and is_syllable(tail):
                    bounds = [0, *(inner or []), len(head)]
                    words = [word[a:b] for a, b in zip(bounds, bounds[1:])]
                    out.append(text[pos:m.start()] + " ".join(words) + " " + word[len(head):] + nxt.group(0))
                    pos = nxt.end()
                    k += 2
                    break
            else:
                cut = None
            if cut is not None and pos == nxt.end():
                continue
        cands = _candidates(f) if len(f) > 1 and not word.isupper() else []  # a lone letter: a marker ('c)')
        known_cands = [c for c in cands if c[2] in vocab]
        pick = known_cands[0] if len(known_cands) == 1 else (cands[0] if len(cands) == 1 else
                                                              _commonest(known_cands or cands))
        if pick is not None:
            out.append(text[pos:m.start()] + _replace(word, pick[0], pick[1]))
            pos = m.end()
        k += 1
    out.append(text[pos:])
    return "".join(out)


def broken_share(text: str) -> float:
    """The share of lower-case words that are no Vietnamese syllable."""
    words = [fold(w) for w in _TOKEN.findall(text) if not _skip(w) and w[:1].islower()]
    if not words:
        return 0.0
    return sum(not is_syllable(w) for w in words) / len(words)


def looks_ocr(text: str) -> bool:
    """More broken words than the foreign words of a clean plan account for (about 1 %)."""
    return broken_share(text) > 0.03


def _names(registry) -> list[str]:
    from loaders.plans.groups import groups

    names = [n for g in groups() for n in (g.name, *g.aliases)]
    for u in getattr(registry, "units", []) or []:
        names += [u.get("name") or "", *(u.get("aliases") or [])]
    for m in getattr(registry, "indicators", []) or []:
        names.append(m.get("name") or "")
    return names


def names_vocabulary(registry) -> tuple[frozenset, frozenset]:
    """(words, pairs of words) of the names of the registry's units, the groups and the indicators, folded: they
    decide between two repairs."""
    words: set[str] = set()
    pairs: set[str] = set()
    for name in _names(registry):
        toks = [w for w in fold(name).split() if is_syllable(w)]
        words.update(toks)
        pairs.update(f"{a} {b}" for a, b in zip(toks, toks[1:]))
    return frozenset(words), frozenset(pairs)


def repair_blocks(blocks, known: frozenset = frozenset(), pairs: frozenset = frozenset()) -> int:
    """Repair every block's text and cells in place, keeping what was read in `block.read`; the number changed."""
    changed = 0
    for b in blocks:
        text = repair(b.text, known, pairs)
        if text != b.text:
            b.read = b.read or b.text
            b.text = text
            changed += 1
        if b.cells:
            b.cells = [repair(c, known, pairs) for c in b.cells]
        if b.lines:
            b.lines = [repair(x, known, pairs) for x in b.lines]
    return changed
