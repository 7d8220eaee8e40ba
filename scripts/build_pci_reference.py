"""Build data/reference/pci_vcci_workbooks.csv from VCCI's published PCI results workbooks, through the loader.

    python scripts/build_pci_reference.py ../shared/corpus/indices/PCI_*.xls*   [--out data/reference/...csv]

Each workbook is read exactly as a user's upload is (`loaders.load.read_file`, kind indices, index PCI): the same
column reading, the same structural checks. A workbook the loader refuses stops the build: nothing is written.
Every row of the CSV names its source: VCCI's workbook, the sheet and the cell, and the repository it was taken
from (the corpus README: mdtrinh/vietnamdata, data-raw/PCI/, CC0 package of data published by VCCI).
"""
from __future__ import annotations

import argparse
import csv
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from loaders.load import read_file  # noqa: E402 - after the path is set: the script runs from anywhere
from loaders.registry.reference import REFERENCE_DIR, province_entities  # noqa: E402
from loaders.registry.registries import Registry, read_csv  # noqa: E402

OUT = REFERENCE_DIR / "pci_vcci_workbooks.csv"
REPOSITORY = "github.com/mdtrinh/vietnamdata, data-raw/PCI/{file} (commit be581b8d; data published by VCCI, pcivietnam.vn)"
FIELDS = ["index", "year", "province", "score", "rank", "component", "source_url_or_citation"]


def number(x: float | None) -> str:
    """As the workbook stores it, without binary noise (8.054103999999999 is 8.054104): 12 significant digits."""
    return "" if x is None else f"{x:.12g}"


def rows_of(path: Path, registry: Registry, names: dict[str, str]) -> list[dict]:
    parsed = read_file(registry, path.name, path.read_bytes(), kind="indices", index="PCI")
    if parsed.errors:
        raise SystemExit(f"{path.name}: the loader refuses this workbook, nothing written:\n"
                         + "\n".join(f"  {e.text()}" for e in parsed.errors[:10]))
    components = {c["code"]: c for c in registry.components if c["index_code"] == "PCI"}
    out = []
    for r in sorted(parsed.batch.indices, key=lambda r: (r.year, names[r.entity_code], r.component_code or "")):
        comp = components.get(r.component_code)
        out.append({
            "index": "PCI", "year": r.year, "province": names[r.entity_code], "score": number(r.score),
            "rank": "" if r.rank is None else r.rank,
            "component": f"{comp['name']} / {comp['name_en']}" if comp else "",
            "source_url_or_citation": f"VCCI, kết quả PCI {r.year}, trang “{r.sheet}”, ô {r.col}{r.row} của tệp "
                                      f"{path.name}" + (f" ({r.note})" if r.note else "")
                                      + f"; {REPOSITORY.format(file=path.name)}",
        })
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("workbooks", nargs="+", type=Path)
    ap.add_argument("--out", type=Path, default=OUT)
    args = ap.parse_args(argv)
    registry = Registry.from_data_dir()
    provinces, _ = province_entities(read_csv(REFERENCE_DIR / "province_mapping_2025.csv"))
    names = {e.code: e.name for e in provinces}
    rows = []
    for path in sorted(args.workbooks):
        found = rows_of(path, registry, names)
        print(f"{path.name}: {len(found)} rows")
        rows += found
    with open(args.out, "w", encoding="utf-8", newline="") as f:
        w = csv.DictWriter(f, fieldnames=FIELDS, lineterminator="\n")
        w.writeheader()
        w.writerows(rows)
    print(f"{args.out}: {len(rows)} rows")
    return 0


if __name__ == "__main__":
    sys.exit(main())
