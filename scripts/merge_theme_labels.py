"""Merge the two independent passes over the team-written themes' units; apply the third reading.

    python scripts/merge_theme_labels.py                          # writes disagreements.tsv
    python scripts/merge_theme_labels.py --adjudicated cache/theme_annotation/out/third_*.tsv

Reads the keys in ``models/labels/theme_units.csv`` and the passes in ``--work``/out
(``a_slice<k>.tsv`` / ``b_slice<k>.tsv``: pair, label yes/no). Writes
``models/labels/theme_labels.csv`` (keys, both passes, final label; no text) and adds
``theme_mention`` (agreement, Cohen's kappa) to ``models/labels/agreement.json``.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pandas as pd

from voicelens.evaluation import cohen_kappa

ROOT = Path(__file__).resolve().parents[1]
LABELS = ROOT / "models" / "labels"


def read_pass(folder: Path, who: str) -> pd.Series:
    parts = [pd.read_csv(f, sep="\t", dtype=str) for f in sorted(folder.glob(f"{who}_slice*.tsv"))]
    frame = pd.concat(parts, ignore_index=True)
    if frame["pair"].duplicated().any() or not frame["label"].isin(["yes", "no"]).all():
        raise SystemExit(f"pass {who}: duplicate pairs or labels other than yes/no")
    return frame.set_index("pair")["label"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--work", type=Path, default=ROOT / "cache" / "theme_annotation")
    parser.add_argument("--adjudicated", type=Path, nargs="*", default=[],
                        help="third readings: TSV pair, label")
    args = parser.parse_args(argv)
    units = pd.read_csv(LABELS / "theme_units.csv", dtype=str)
    a, b = read_pass(args.work / "out", "a"), read_pass(args.work / "out", "b")
    units["label_a"], units["label_b"] = units["pair"].map(a), units["pair"].map(b)
    if units[["label_a", "label_b"]].isna().any().any():
        raise SystemExit("some pairs lack a label in one of the passes")
    agree = units["label_a"] == units["label_b"]
    units["label"] = units["label_a"].where(agree).astype(object)
    third = pd.concat([pd.read_csv(f, sep="\t", dtype=str) for f in args.adjudicated], ignore_index=True) \
        if args.adjudicated else pd.DataFrame(columns=["pair", "label"])
    units.loc[~agree, "label"] = units.loc[~agree, "pair"].map(third.set_index("pair")["label"]).astype(object)
    if args.adjudicated and units["label"].isna().any():
        raise SystemExit(f"{int(units['label'].isna().sum())} disagreements lack a third reading")
    if not args.adjudicated:
        slices = pd.concat([pd.read_csv(f, sep="\t", dtype=str) for f in sorted(args.work.glob("slice?.tsv"))])
        units.loc[~agree, ["pair", "theme"]].merge(slices[["pair", "text"]], on="pair").to_csv(
            args.work / "disagreements.tsv", sep="\t", index=False)
        print(f"{int((~agree).sum())} disagreements written to {args.work / 'disagreements.tsv'}")
    units.to_csv(LABELS / "theme_labels.csv", index=False)
    agreement = json.loads((LABELS / "agreement.json").read_text())
    agreement["theme_mention"] = {
        "pairs": len(units), "themes": int(units["theme"].nunique()), "agreement": round(float(agree.mean()), 4),
        "cohen_kappa": round(cohen_kappa(units["label_a"].tolist(), units["label_b"].tolist()), 4),
        "disagreements": int((~agree).sum()), "adjudicated": int(units.loc[~agree, "label"].notna().sum()),
        "yes": int((units["label"] == "yes").sum()),
    }
    (LABELS / "agreement.json").write_text(json.dumps(agreement, indent=2) + "\n")
    print(json.dumps(agreement["theme_mention"]))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
