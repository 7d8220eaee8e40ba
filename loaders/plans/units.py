"""Unit names in a plan -> what they stand for. An unknown name is kept as written and flagged, never dropped.

A name a plan gives as lead or partner is one of:
- a unit of the registry ('Sở Tư pháp', 'VP UBND tỉnh', OCR's 'So Tu phap'): kind 'unit';
- a group of units (data/unit_groups.csv: 'các sở, ban, ngành', 'UBND các xã, phường, thị trấn'): kind 'group';
- the issuing body's own office ('Văn phòng', 'Văn phòng Sở', 'Văn phòng Sở Xây dựng' in the Sở's own plan): kind
  'own_office' — not the Văn phòng UBND tỉnh of the registry, unless the plan is the province's own;
- the issuing body itself, when a task names its staff ('Công chức, viên chức tích cực viết tin bài…'): 'issuer';
- a plural or vague name ('các cơ quan, đơn vị có liên quan', 'các đơn vị truyền thông'): kind 'generic';
- anything else: kind 'unknown', kept as written with the matcher's note.

A person's title before a body ('Thủ trưởng các sở…', 'Chủ tịch UBND các huyện…', 'Giám đốc Sở Nội vụ') stands for
the body. Lists are split at ';', and at ',' / 'và' only between two names (a group name keeps its commas).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from rapidfuzz.distance import Levenshtein

from core.matching import MatchError
from core.text import fold
from loaders.plans.groups import groups
from loaders.plans.model import UnitRef
from loaders.plans.textutil import fview, tidy, view

# Words that begin the name of a body, as capitalised without diacritics ('Sở', 'Ủy ban', 'Văn phòng'…):
# a list of units is split before them ('Sở Tư pháp, Sở Tài chính'), issuers and assignees are found by them.
UNIT_HEADS = (r"So|Ban|Van phong|Phong|UBND|Uy ban|UBMTTQ|Trung tam|Dai|Bao|Cong an|Thanh tra|Cuc|Chi cuc|Tong cuc|"
              r"Hoi|Hiep hoi|Lien doan|Tinh doan|Doan|Mat tran|Kho bac|BHXH|Bao hiem|Ngan hang|Buu dien|Vien|"
              r"Tong cong ty|Cong ty|Truong|Benh vien|Bo Chi huy|Bo CHQS|Bo|Hoi dong|Tinh uy|Huyen uy|Dang uy|"
              r"Vien kiem sat|Toa an|VNPT|Viettel|Bo phan|To|Nhom")
_UNIT_HEAD = re.compile(rf"^(?:{UNIT_HEADS})\b")
# A person's title standing for the body: 'Thủ trưởng các sở', 'Chủ tịch UBND các xã', 'Giám đốc Sở Nội vụ'.
ROLE = re.compile(r"^(?:(?:pho\s+)?(?:thu truong|chu tich|giam doc|truong|chanh van phong|chanh thanh tra|"
                  r"lanh dao|nguoi dung dau|cuc truong|chi cuc truong|bi thu|tong giam doc))\s+(?=\S)")
# The staff of the issuing body as the subject of a task: the body itself does it.
STAFF = re.compile(r"^(?:toan the\s+)?(?:cac\s+)?(?:can bo,?\s*)?(?:cong chuc,?\s*)?(?:(?:va\s+)?vien chuc)?"
                   r"(?:,?\s*(?:va\s+)?nguoi lao dong)?\s*$|^cbccvc\b|^cbcc\b")
_PLURAL = re.compile(r"^(?:cac|nhung|toan the|moi|tat ca)\s")
_SPLIT = re.compile(r"\s*;\s*|\s*,\s*|\s+va\s+|\s*\n\s*|\s+-\s+")
_OWN_OFFICE = re.compile(r"^(?:van phong|vp)(?:\s+(?:so|ban|cuc|chi cuc|trung tam|ban quan ly))?(?P<rest>(?:\s+\S+)*)$")
_SUFFIX = re.compile(r"\s+(?:truc thuoc|thuoc|cua)\s+.*$|\s+tinh$|\s+tren dia ban(?:\s+tinh)?$")


# Two words that begin what a body does, not its name: 'thuộc Ban Quản lý | quan tâm chỉ đạo'.
_VERB_PAIRS = frozenset({"quan tam", "chu tri", "phoi hop", "to chuc", "thuc hien", "trien khai", "tham muu",
                         "chu dong", "tich cuc", "xay dung", "cap nhat", "theo doi", "huong dan", "chi dao"})


def _tokens(text: str) -> list[str]:
    return fold(text).split()


@dataclass
class _Phrases:
    """Folded word sequences -> (kind, code): group names and their aliases, matched whole, longest first."""

    entries: dict[tuple[str, ...], tuple[str, str]] = field(default_factory=dict)
    _starting: dict[str, list[tuple[str, ...]]] = field(default_factory=dict)  # first word read -> names it may begin

    def add(self, text: str, kind: str, code: str) -> None:
        toks = tuple(_tokens(text))
        if toks:
            self.entries.setdefault(toks, (kind, code))
            self._starting.clear()

    def _names_starting(self, word: str) -> list[tuple[str, ...]]:
        if word not in self._starting:
            self._starting[word] = [key for key in self.entries
                                    if key[0] == word or (min(len(key[0]), len(word)) >= 3
                                                          and Levenshtein.distance(key[0], word) <= 1)]
        return self._starting[word]

    def longest_at(self, toks: list[str], k: int) -> int:
        """How many words from toks[k] make the longest group name there (0: none); two words at least."""
        best = 0
        for key in self._names_starting(toks[k]):
            n = len(key)
            if n > best and n >= 2 and k + n <= len(toks) and _same_words(key, toks[k:k + n]):
                best = n
        return best

    def whole(self, text: str) -> tuple[str, str] | None:
        """The group a name is, allowing one slip per long word (OCR) and a trailing 'thuộc Sở…' / 'tỉnh'."""
        for candidate in (fold(text), _SUFFIX.sub("", fold(text))):
            toks = tuple(candidate.split())
            found = self.entries.get(toks)
            if found:
                return found
            for key, value in self.entries.items():
                if len(key) == len(toks) and _same_words(key, toks):
                    return value
        return None


def _same_words(key, toks) -> bool:
    """The same words, allowing OCR one wrong letter in every eight (none in a two-word name's short words)."""
    if tuple(key) == tuple(toks):
        return True
    slips = 0
    for a, b in zip(key, toks):
        if a != b:
            d = Levenshtein.distance(a, b)
            if d > 1 or min(len(a), len(b)) < 3:
                return False
            slips += d
    return slips <= max(1, sum(len(a) for a in key) // 8) and (len(key) > 2 or slips == 0 or min(map(len, key)) >= 4)


def _phrases() -> _Phrases:
    p = _Phrases()
    for g in groups():
        for name in (g.name, *g.aliases):
            p.add(name, "group", g.code)
    return p


@dataclass
class Resolver:
    """Names of one plan -> UnitRef, knowing the registry and who issued the plan."""

    registry: object
    issuer: str | None = None  # as the plan names it: 'Sở Xây dựng'
    issuer_code: str | None = None
    province_plan: bool = False  # issued by the UBND tỉnh: 'Văn phòng' is the Văn phòng UBND tỉnh
    _phrases: _Phrases = field(default_factory=_phrases, repr=False)
    _names: list[str] | None = field(default=None, repr=False)

    def unit_names(self) -> list[str]:
        """The registry's unit names and aliases that begin with a head word ('Sở …', 'Ban …'), folded: a verb
        inside one ('Ban Chỉ đạo') is part of the name."""
        if self._names is None:
            self._names = sorted({fview(name) for u in (getattr(self.registry, "units", None) or [])
                                  for name in [u.get("name") or "", *(u.get("aliases") or [])]
                                  if len(name) >= 6 and _UNIT_HEAD.match(view(name, lower=False))}, key=len)
        return self._names

    # --- splitting lists ----------------------------------------------------------------------------------------
    def group_spans(self, text: str) -> list[tuple[int, int]]:
        """Character spans of group names inside `text` (they hold commas that do not separate units), with the
        'thuộc Sở…' that may follow them."""
        words = [(m.start(), m.end(), fold(m.group(0))) for m in re.finditer(r"[^\s,;.:()/]+", view(text))]
        words = [(a, b, w) for a, b, w in words if w]
        toks = [w for _, _, w in words]
        issuer = set(fold(self.issuer or "").split())
        spans, k = [], 0
        while k < len(words):
            n = self._phrases.longest_at(toks, k)
            if not n:
                k += 1
                continue
            end = k + n
            tail = end + (toks[end:end + 1] == ["truc"])
            if toks[tail:tail + 1] == ["thuoc"] and tail + 1 < len(toks) and \
                    toks[tail + 1] in ("so", "ban", "cuc", "ubnd", "tinh", "trung", "chi", "vien"):
                end = tail + 2
                while end < len(toks) and toks[end] in issuer and " ".join(toks[end:end + 2]) not in _VERB_PAIRS:
                    end += 1
            spans.append((words[k][0], words[end - 1][1]))
            k = end
        return spans

    def split(self, text: str) -> list[str]:
        """'Sở Tư pháp, Sở Tài chính và UBND các xã' -> three names; 'Các sở, ban, ngành' stays one."""
        text = tidy(text)
        if not text:
            return []
        inside = self.group_spans(text)
        starts = {a for a, _ in inside}

        def starts_name(i: int) -> bool:
            return i in starts or is_head(text[i:])

        parts: list[str] = []
        pos = 0
        for m in _SPLIT.finditer(view(text)):  # on the folded view: OCR's 'vạ' is 'và'; offsets are the same
            if any(a <= m.start() < b for a, b in inside):
                continue
            hard = m.group(0).strip() == ";" or "\n" in m.group(0)
            if hard or (starts_name(pos) and starts_name(m.end())):
                parts.append(text[pos:m.start()])
                pos = m.end()
        parts.append(text[pos:])
        return [p for p in (tidy(x) for x in parts) if p]

    # --- one name ------------------------------------------------------------------------------------------------
    def resolve(self, text: str, as_lead: bool = False) -> UnitRef:
        name = tidy(text).rstrip(" .")
        bare = strip_role(name)
        f = fold(bare)
        found = self._phrases.whole(bare)
        if found:
            code = found[1]
            g = next(x for x in groups() if x.code == code)
            return UnitRef(name, code, g.name, None, "group")
        if STAFF.match(f) and f:
            if as_lead:
                return UnitRef(name, self.issuer_code, self.issuer, None, "issuer")
            return UnitRef(name, None, None, None, "generic")
        own = self._own_office(f)
        if own is not None:
            return UnitRef(name, own.code, own.name, own.note, "own_office")
        try:
            m = self.registry.unit_matcher.match(bare)
        except MatchError as exc:
            if "lien quan" in f or _PLURAL.match(f):
                return UnitRef(name, None, None, None, "generic")
            return UnitRef(name, None, None, exc.message("đơn vị"), "unknown")
        return UnitRef(name, m.code, m.name, None, "unit")

    def issuer_ref(self) -> UnitRef:
        """The issuing body as the lead of its own tasks."""
        return UnitRef(self.issuer or "Cơ quan ban hành kế hoạch", self.issuer_code, self.issuer, None, "issuer")

    def resolve_list(self, text: str, as_lead: bool = False) -> list[UnitRef]:
        out: list[UnitRef] = []
        for part in self.split(text):
            ref = self.resolve(part, as_lead)
            if not any(same_ref(ref, x) for x in out):
                out.append(ref)
        return out

    def _own_office(self, f: str) -> UnitRef | None:
        """The issuer's own office ('Văn phòng', 'Văn phòng Sở', 'Văn phòng Sở Xây dựng'), else None."""
        m = _OWN_OFFICE.match(f)
        if not m or self.province_plan:
            return None
        rest = m.group("rest").strip()
        issuer = fold(self.issuer or "")
        if rest and not (issuer and (issuer.endswith(rest) or rest.endswith(issuer.split(" ", 1)[-1]))):
            return None  # 'Văn phòng UBND tỉnh', 'Văn phòng Sở Y tế' in another body's plan
        name = f"Văn phòng {self.issuer}" if self.issuer else "Văn phòng"
        for u in self.registry.units:  # a department's registry may hold its own office as a unit
            if u.get("kind") == "van_phong" and self.issuer_code and u.get("parent") == self.issuer_code:
                return UnitRef(name, u["code"], u["name"], None)
        return UnitRef(name, None, name, "văn phòng của chính cơ quan ban hành kế hoạch (chưa có trong danh mục)")


def strip_role(name: str) -> str:
    """'Thủ trưởng các sở, ban, ngành' -> 'các sở, ban, ngành'; 'Trường Chính trị tỉnh' stays (a school)."""
    v = view(name)
    m = ROLE.match(v)
    if not m:
        return name
    word = name[:m.end()].strip()
    if fold(word) == "truong" and ("ờ" in word.lower() or (word.isascii() and not re.match(
            r"\s*(?:cac|phong|ban)\b", v[m.end():]))):
        return name  # 'Trường …' (a school), or 'truong' without diacritics not followed by 'các/phòng/ban'
    return name[m.end():]


# Words that begin a body's name but, followed by these, begin something else ('Báo cáo', 'Hội nghị', 'Tổ chức').
FALSE_HEAD = re.compile(r"^(?:bao (?:cao|chi)|hoi (?:nghi|thi|thao|cho|dien)|to (?:chuc|gap|roi)|phong (?:chong|ngua|trao)|"
                        r"dai (?:hoi|bieu)|doan (?:vien|ket)|ban (?:hanh|tin|do|sao|ve)|so (?:luong|lieu|hoa|sach)|"
                        r"bo (?:tri|sung|phan mem)|cong (?:tac|khai|bo)|truong hop|nhom (?:hop|noi dung)|"
                        r"vien chuc|hoi (?:dap))\b")


def is_head(text: str) -> bool:
    """Whether a text begins with a body's name ('Sở …', 'UBND …', 'các …'), not 'Báo cáo …', 'Bản tin …'."""
    t = strip_role(tidy(text))
    v = view(t)
    if FALSE_HEAD.match(v):
        return False
    return bool(_UNIT_HEAD.match(view(t, lower=False))) or bool(re.match(r"(?i)^c[aá]c\s", t))


def same_ref(a: UnitRef, b: UnitRef) -> bool:
    """Two mentions of one thing: the same code of the same kind, or the same words when neither is known."""
    if a.kind == b.kind and a.code and a.code == b.code:
        return True
    if a.kind == b.kind == "own_office":
        return True
    return not a.code and not b.code and a.kind == b.kind and fold(a.text) == fold(b.text)
