"""A plan's paragraphs as a tree of numbered items, the way Nghị định 30/2020/NĐ-CP lays documents out.

Parts: a document may hold several (a Quyết định and the Kế hoạch it issues, a Phụ lục); a line in capitals such as
'QUYẾT ĐỊNH', 'KẾ HOẠCH', 'PHỤ LỤC' starts one. Inside a part, items nest by their markers: 'Điều 2.', 'II.', '1.',
'1.1.', 'a)' … 'đ)', '(1)', '-', '+'. A marker of a kind already open closes the items opened after it (the next
'b)' is a sibling of 'a)' and closes a)'s dash bullets); a kind not yet open nests under the last item. Paragraphs
without a marker are the text of the item they follow (of the nearest item that is not a bullet). The recipients
after 'Nơi nhận:' and the signature are no items; the closing formula ('Trên đây là Kế hoạch…') ends the body.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from core.text import fold
from loaders.plans.layout import Block
from loaders.plans.textutil import is_upper_heading, marker, marker_label, view

_PART_TITLE = re.compile(r"^(?:ke hoach|quyet dinh|phu luc|chi thi|chuong trinh|bao cao|cong van|thong bao|"
                         r"huong dan|de an|quy che)\b")
_RECIPIENTS = re.compile(r"^(?:noi nhan|kinh gui)\b")
_CLOSING = re.compile(r"^(?:tren day la|trong qua trinh (?:to chuc )?(?:thuc hien|trien khai)|qua trinh thuc hien)")
_SIGNATURE = re.compile(r"^(?:kt|tm|tl|q|tuq)\s*\.|^(?:giam doc|chu tich|pho chu tich|truong ban|pho truong ban|"
                        r"pho giam doc|chanh van phong)$")
_BULLET_KEYS = {"-": "dash", "–": "dash", "—": "dash", "+": "plus", "•": "dot", "·": "dot", "*": "dot", "▪": "square",
                "►": "arrow", "○": "circle", "●": "dot"}


@dataclass
class Item:
    kind: str  # 'root' | 'part' | 'dieu' | 'roman' | 'number' | 'letter' | 'paren' | 'bullet'
    label: str  # 'III', '2', '1.2', 'b', 'Điều 2', '-'
    head: str  # the paragraph after its marker
    raw: str  # the paragraph as written
    key: str = ""  # what closes it: the next item of the same key is its sibling
    index: int = 0  # of its block in the document (tasks keep document order)
    read: str = ""  # the paragraph as read, when OCR repair changed it
    body: list[str] = field(default_factory=list)
    children: list["Item"] = field(default_factory=list)
    parent: "Item | None" = field(default=None, repr=False)

    @property
    def text(self) -> str:
        """Its own words: the head and the paragraphs that follow it (not its sub-items)."""
        return " ".join([self.head, *self.body]).strip()

    def ancestors(self):
        p = self.parent
        while p is not None and p.kind != "root":
            yield p
            p = p.parent

    def path(self) -> str:
        """'III.2.b', 'IV.1.a.3' (bullets counted in order), 'Điều 2'."""
        parts = []
        node = self
        while node is not None and node.kind not in ("root", "part"):
            if node.kind == "bullet":
                siblings = [c for c in node.parent.children if c.kind == "bullet"] if node.parent else [node]
                parts.append(str(siblings.index(node) + 1))
            else:
                parts.append(node.label)
            node = node.parent
        return ".".join(reversed(parts))

    def walk(self):
        for c in self.children:
            yield c
            yield from c.walk()


def _key(kind: str, label: str) -> str:
    if kind == "number":
        return f"number{label.count('.')}"
    if kind == "bullet":
        return "bullet-" + _BULLET_KEYS.get(label[:1], "other")
    return kind


def outline(blocks: list[Block]) -> Item:
    """The tree of a document's paragraphs (table rows are not in it)."""
    paras = [(k, b) for k, b in enumerate(blocks) if b.kind == "para"]
    marked = [(k, b, *marker(b.text)) for k, b in paras]
    has_roman = any(k == "roman" for _, _, k, _, _ in marked)
    root = Item("root", "", "", "")
    part = Item("part", "", "", "", parent=root)
    root.children.append(part)
    stack: list[Item] = [part]
    skipping = False
    for index, block, kind, _level, rest in marked:
        text = block.text
        v = fold(text)
        label = marker_label(text)
        if kind == "number" and has_roman and set(label) <= {"1"} and is_upper_heading(rest):
            kind, label = "roman", "I" * len(label)  # OCR read 'I.', 'II.' as '1.', '11.'
        if kind is None:
            if _RECIPIENTS.match(v):
                skipping = True
                stack = [part]
                continue
            if is_upper_heading(text) and (_PART_TITLE.match(v) or not any(c.isdigit() for c in text[:3])) \
                    and len(text.split()) <= 16 and not _SIGNATURE.match(view(text).strip()):
                if _PART_TITLE.match(v) or skipping or stack[-1] is part:
                    part = Item("part", "", text, text, parent=root)
                    root.children.append(part)
                    stack, skipping = [part], False
                    continue
            if skipping or _SIGNATURE.match(view(text).strip()):
                continue
            if _CLOSING.match(v):
                stack = [part]
                part.body.append(text)
                continue
            target = next((s for s in reversed(stack) if s.kind != "bullet"), stack[0])
            target.body.append(text)
            continue
        if skipping:
            continue
        key = _key(kind, label)
        same = [k for k, s in enumerate(stack) if s.key == key]
        if same:
            stack = stack[:same[-1]]
        elif kind in ("roman", "dieu"):
            stack = [part]
        parent = stack[-1]
        item = Item(kind, label, rest, text, key, index=index, read=block.read, parent=parent)
        parent.children.append(item)
        stack.append(item)
    return root
