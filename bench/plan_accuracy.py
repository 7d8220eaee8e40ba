"""How well plans are read: every task with its right lead(s), no heading taken for a task, and the document's
identity (organisation, number, date, period), checked against answer keys written by reading each document.

    python bench/plan_accuracy.py            # the four real plans of ../shared/plans, three copies of each
    python bench/plan_accuracy.py --readme   # also write the table into README.md (between its markers)

Keys: bench/plan_keys/<plan>.json. A task of the key is found when a task read from the plan holds the key's words
(compared folded, allowing OCR slips), and right when its leads are exactly the key's. Precision = right tasks /
tasks read; recall = right tasks / tasks in the key. Each plan is read as published (clean), without diacritics
(stripped) and as an OCR engine gives it (noisy: wrong or lost tone marks, letters taken for others, broken words;
the same noise every run).
"""
from __future__ import annotations

import argparse
import json
import random
import re
import sys
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from rapidfuzz import fuzz  # noqa: E402

from core.text import fold, strip_diacritics  # noqa: E402

KEYS = ROOT / "bench" / "plan_keys"
PLANS = ROOT.parent / "shared" / "plans"
if not PLANS.is_dir():
    PLANS = Path("/work/shared/plans")
VARIANTS = ("clean", "stripped", "noisy")
MARKERS = ("<!-- plan-accuracy:start -->", "<!-- plan-accuracy:end -->")


# --- copies ------------------------------------------------------------------------------------------------------
def stripped_copy(text: str) -> str:
    """The plan without diacritics (lines and tab-separated cells kept)."""
    return "\n".join("\t".join(strip_diacritics(c) for c in line.split("\t")) for line in text.splitlines())


_TONES = ["\u0300", "\u0301", "\u0303", "\u0309", "\u0323"]  # huyền, sắc, ngã, hỏi, nặng
_CONFUSE = {"l": "1", "i": "l", "o": "0", "e": "c", "n": "u", "u": "n", "h": "b", "đ": "d", "Đ": "D", "ư": "u",
            "ơ": "o", "ă": "a", "â": "a", "ê": "e", "ô": "o", "t": "l", "c": "e"}


def noisy_copy(text: str, seed: int = 13, tone: float = 0.3, confuse: float = 0.02, breaks: float = 0.01) -> str:
    """The plan as OCR reads a scan: a tone mark lost or changed on `tone` of the marked letters, `confuse` of the
    letters taken for another ('l' for '1', 'o' for '0', 'ư' for 'u'), `breaks` of the words broken in two. Item
    markers and numbers stay (they are checked elsewhere)."""
    rng = random.Random(seed)
    out_lines = []
    for line in text.splitlines():
        m = re.match(r"^\s*(?:[IVX]+\.|\d+(?:\.\d+)*\.|[a-zđ]\)|\(\d+\)|[-+•*])\s*", line)
        keep, body = (line[:m.end()], line[m.end():]) if m else ("", line)
        chars = []
        for ch in unicodedata.normalize("NFD", body):
            if ch in _TONES and rng.random() < tone:
                choice = rng.choice(["", *[t for t in _TONES if t != ch]])
                chars.append(choice)
                continue
            chars.append(ch)
        # a letter takes one tone mark: a combination Unicode cannot compose (OCR never writes one) loses its
        # vowel mark instead ('ệ' read with a hook above becomes 'ẻ')
        body = "".join(ch for ch in unicodedata.normalize("NFC", "".join(chars)) if unicodedata.category(ch) != "Mn")
        noisy = []
        for ch in body:
            if ch.isalpha() and rng.random() < confuse:
                noisy.append(_CONFUSE.get(ch, ch))
            elif ch == " " and rng.random() < breaks:
                noisy.append("")
            else:
                noisy.append(ch)
        body = "".join(noisy)
        body = re.sub(r"(?<=[a-zà-ỹ])(?=[a-zà-ỹ]{3})", lambda _: " " if rng.random() < breaks / 4 else "", body)
        out_lines.append(keep + body)
    return "\n".join(out_lines)


def copy_of(text: str, variant: str) -> str:
    if variant == "stripped":
        return stripped_copy(text)
    if variant == "noisy":
        return noisy_copy(text)
    return text


# --- scoring -------------------------------------------------------------------------------------------------------
def load_keys() -> dict[str, dict]:
    return {p.stem: json.loads(p.read_text(encoding="utf-8")) for p in sorted(KEYS.glob("*.json"))}


def lead_id(ref) -> str:
    """How a lead is named in the keys: a unit code, 'group:<code>', 'own_office', or 'text:<name>'."""
    if ref.kind == "group":
        return f"group:{ref.code}"
    if ref.kind == "own_office":
        return "own_office"
    if ref.kind in ("unit", "issuer") and ref.code:
        return ref.code
    return f"text:{fold(ref.text)}"


def key_lead(k: str) -> str:
    return f"text:{fold(k[5:])}" if k.startswith("text:") else k


def same_leads(leads, key_leads: list[str]) -> bool:
    """The leads read are the key's: the same codes, groups and own office; a body outside the registry by its
    name as read, allowing OCR a slip or two (ratio 90)."""
    got = sorted({lead_id(u) for u in leads})
    want = sorted({key_lead(x) for x in key_leads})
    if len(got) != len(want):
        return False
    free = list(want)
    for g in got:
        hit = next((w for w in free if w == g or (g.startswith("text:") and w.startswith("text:")
                                                  and fuzz.ratio(g, w) >= 90)), None)
        if hit is None:
            return False
        free.remove(hit)
    return True


@dataclass
class Score:
    plan: str
    variant: str
    key_tasks: int = 0
    read_tasks: int = 0
    found: int = 0
    right: int = 0
    headings_as_tasks: int = 0
    identity: dict = field(default_factory=dict)
    misses: list[str] = field(default_factory=list)

    @property
    def precision(self) -> float:
        return self.right / self.read_tasks if self.read_tasks else 0.0

    @property
    def recall(self) -> float:
        return self.right / self.key_tasks if self.key_tasks else 0.0

    @property
    def identity_ok(self) -> int:
        return sum(self.identity.values())


def _task_words(t) -> str:
    return fold(f"{t.content} {t.text}")


def match_tasks(plan, key: dict) -> list[tuple[dict, object | None]]:
    """Each task of the key with the task read that holds its words (None when none does)."""
    free = list(plan.tasks)
    out = []
    for k in key["tasks"]:
        words = fold(k["text"])
        best, best_score = None, 0.0
        for t in free:
            s = fuzz.partial_ratio(words, _task_words(t))
            if s > best_score:
                best, best_score = t, s
        if best is not None and best_score >= 88:
            free.remove(best)
            out.append((k, best))
        else:
            out.append((k, None))
    return out


def identity_checks(plan, key: dict) -> dict[str, bool]:
    return {
        "organisation": fold(plan.organisation or "") == fold(key["organisation"] or ""),
        "organisation_code": plan.organisation_code == key["organisation_code"],
        "number": (plan.number or None) == key["number"],
        "symbol": (plan.symbol or None) == key["symbol"],
        "issued": (plan.issued.iso if plan.issued else None) == key["issued"],
        "period": (plan.year_start, plan.year_end, plan.year) == (key["year_start"], key["year_end"],
                                                                  key["year_start"]),
    }


def score(plan, key: dict, name: str, variant: str) -> Score:
    s = Score(name, variant, len(key["tasks"]), len(plan.tasks))
    for k, t in match_tasks(plan, key):
        if t is None:
            s.misses.append(f"{k['item']}: not found")
            continue
        s.found += 1
        if same_leads(t.leads, k["leads"]):
            s.right += 1
        else:
            got = sorted({lead_id(u) for u in t.leads})
            s.misses.append(f"{k['item']}: leads {got} (key {sorted(key_lead(x) for x in k['leads'])})")
    for words in key.get("not_tasks", []):
        head = fold(words)[:60]
        if any(fuzz.ratio(head, fold(t.content)[:len(head)]) >= 92 for t in plan.tasks):
            s.headings_as_tasks += 1
            s.misses.append(f"taken for a task: {words[:60]}")
    s.identity = identity_checks(plan, key)
    return s


def run(variants=VARIANTS, registry=None) -> list[Score]:
    from loaders.plans import extract_plan
    from loaders.registry.registries import Registry

    registry = registry or Registry.from_data_dir()
    scores = []
    for name, key in load_keys().items():
        text = (PLANS / key["file"]).read_text(encoding="utf-8")
        for variant in variants:
            plan = extract_plan(copy_of(text, variant).encode("utf-8"), key["file"], registry)
            scores.append(score(plan, key, name, variant))
    return scores


def other_readings(seeds=range(1, 9), registry=None) -> tuple[float, float, float, float]:
    """(mean precision, mean recall, worst precision, worst recall) over OCR readings with other noise."""
    from loaders.plans import extract_plan
    from loaders.registry.registries import Registry

    registry = registry or Registry.from_data_dir()
    ps, rs = [], []
    for seed in seeds:
        part = []
        for name, key in load_keys().items():
            text = noisy_copy((PLANS / key["file"]).read_text(encoding="utf-8"), seed=seed)
            part.append(score(extract_plan(text.encode("utf-8"), key["file"], registry), key, name, "noisy"))
        p, r, *_ = totals(part, "noisy")
        ps.append(p)
        rs.append(r)
    return sum(ps) / len(ps), sum(rs) / len(rs), min(ps), min(rs)


def totals(scores: list[Score], variant: str) -> tuple[float, float, int, int, int, int]:
    part = [s for s in scores if s.variant == variant]
    read = sum(s.read_tasks for s in part)
    right = sum(s.right for s in part)
    keyed = sum(s.key_tasks for s in part)
    return (right / read if read else 0.0, right / keyed if keyed else 0.0, right, read, keyed,
            sum(s.headings_as_tasks for s in part))


def table(scores: list[Score]) -> str:
    lines = ["| plan | copy | tasks in key | tasks read | right (leads exact) | precision | recall | headings as tasks "
             "| identity (6 checks) |", "|---|---|---:|---:|---:|---:|---:|---:|---:|"]
    for s in scores:
        lines.append(f"| {s.plan} | {s.variant} | {s.key_tasks} | {s.read_tasks} | {s.right} | {s.precision:.2f} | "
                     f"{s.recall:.2f} | {s.headings_as_tasks} | {s.identity_ok}/6 |")
    for v in VARIANTS:
        if any(s.variant == v for s in scores):
            p, r, right, read, keyed, heads = totals(scores, v)
            lines.append(f"| **all four** | {v} | {keyed} | {read} | {right} | **{p:.2f}** | **{r:.2f}** | {heads} | "
                         f"{sum(s.identity_ok for s in scores if s.variant == v)}/"
                         f"{6 * sum(1 for s in scores if s.variant == v)} |")
    return "\n".join(lines)


def write_readme(text: str) -> None:
    readme = ROOT / "README.md"
    body = readme.read_text(encoding="utf-8")
    a, b = body.index(MARKERS[0]), body.index(MARKERS[1])
    readme.write_text(body[:a + len(MARKERS[0])] + "\n" + text + "\n" + body[b:], encoding="utf-8")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--readme", action="store_true", help="write the table into README.md")
    ap.add_argument("--misses", action="store_true", help="list every task missed or wrongly led")
    args = ap.parse_args(argv)
    scores = run()
    out = table(scores)
    mp, mr, wp, wr = other_readings()
    out += (f"\n\nNoisy copies made with 8 other random seeds: precision {mp:.2f} on average (worst {wp:.2f}), recall "
            f"{mr:.2f} (worst {wr:.2f}).")
    print(out)
    if args.misses:
        for s in scores:
            for m in s.misses:
                print(f"{s.plan} [{s.variant}] {m}")
            bad = [k for k, v in s.identity.items() if not v]
            if bad:
                print(f"{s.plan} [{s.variant}] identity wrong: {', '.join(bad)}")
    if args.readme:
        write_readme(out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
