"""The same plan from two copies (the clean .docx and a scan read by OCR) is recognised as one plan by its content.

A fingerprint keeps what a copy cannot change: the plan's first year, its issuer and number (folded), and the words
of its tasks and targets (folded, three letters or more, OCR-repaired words included). Two fingerprints are the same
plan when the years agree, the issuers agree (or one is unknown), the numbers do not contradict each other, and
most of the words are shared (Jaccard index of the two word sets at least SAME_WORDS): an OCR copy loses a few words
to misreadings; another plan of the same body and year shares its vocabulary but not most of its words.
"""
from __future__ import annotations

import json

from rapidfuzz import fuzz

from core.text import fold
from loaders.plans.model import Plan

SAME_WORDS = 0.6


def _words(plan: Plan) -> set[str]:
    texts = [t.content for t in plan.tasks] + [t.text for t in plan.targets] + [t.text for t in plan.unrecognised]
    return {w for text in texts for w in fold(text).split() if len(w) >= 3 and not w.isdigit()}


def fingerprint(plan: Plan) -> str:
    return json.dumps({"year": plan.year, "issuer": fold(plan.organisation or ""),
                       "number": fold(f"{plan.number or ''} {plan.symbol or ''}").strip() if plan.number else "",
                       "words": sorted(_words(plan))}, ensure_ascii=False)


def similarity(a: str, b: str) -> float:
    """The share of words two fingerprints have in common (0 when they cannot be the same plan)."""
    fa, fb = json.loads(a), json.loads(b)
    if fa.get("year") != fb.get("year"):
        return 0.0
    if fa.get("issuer") and fb.get("issuer") and fuzz.ratio(fa["issuer"], fb["issuer"]) < 85:
        return 0.0
    if fa.get("number") and fb.get("number") and fa["number"] != fb["number"]:
        return 0.0
    wa, wb = set(fa.get("words") or ()), set(fb.get("words") or ())
    if not wa or not wb:
        return 0.0
    return len(wa & wb) / len(wa | wb)


def same_plan(a: str, b: str) -> bool:
    return similarity(a, b) >= SAME_WORDS
