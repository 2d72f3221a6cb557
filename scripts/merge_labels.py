"""Merge the two independent label passes, report agreement, and apply the third reading.

    python scripts/merge_labels.py                     # writes disagreements for the third reading
    python scripts/merge_labels.py --adjudicated cache/annotation/out/adjudication*.tsv

Reads the keys in ``models/labels/units.csv`` and the passes in ``cache/annotation/out``
(``slice<k>_A.tsv`` / ``slice<k>_B.tsv``: id plus one code per field); writes
``models/labels/outcome_labels.csv`` (keys, both passes, final label; no text) and
``models/labels/agreement.json`` (percentage agreement and Cohen's kappa per field).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pandas as pd

from voicelens.evaluation import cohen_kappa

ROOT = Path(__file__).resolve().parents[1]
FIELDS = ("sentiment", "pain_reduction", "daily_function", "hope")
CODES = {"pos": "positive", "neg": "negative", "neu": "neutral", "abs": "absent"}


def read_pass(folder: Path, who: str) -> pd.DataFrame:
    parts = [pd.read_csv(f, sep="\t", dtype=str, keep_default_na=False) for f in sorted(folder.glob(f"*slice*_{who}.tsv"))]
    frame = pd.concat(parts, ignore_index=True).drop_duplicates("id", keep="last").set_index("id")
    return frame.apply(lambda col: col.str.strip().map(CODES))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--work", type=Path, default=ROOT / "cache" / "annotation")
    parser.add_argument("--adjudicated", type=Path, nargs="*", default=[],
                        help="third readings: TSV id, field, label (codes as in the passes)")
    args = parser.parse_args()
    units = pd.read_csv(ROOT / "models" / "labels" / "units.csv")
    a, b = read_pass(args.work / "out", "A"), read_pass(args.work / "out", "B")
    missing = [u for u in units["unit"] if u not in a.index or u not in b.index]
    if missing:
        raise SystemExit(f"{len(missing)} units lack a label from one pass, e.g. {missing[:5]}")
    out = units.drop(columns=["slice"]).copy()
    agreement = {}
    third = {}
    for path in args.adjudicated:
        adj = pd.read_csv(path, sep="\t", dtype=str, keep_default_na=False)
        third.update({(r.id, r.field): CODES[r.label.strip()] for r in adj.itertuples()})
    rows = []
    for field in FIELDS:
        la, lb = a.loc[units["unit"], field].to_numpy(), b.loc[units["unit"], field].to_numpy()
        if pd.isna(la).any() or pd.isna(lb).any():
            raise SystemExit(f"{field}: unknown codes in a pass")
        out[f"{field}_a"], out[f"{field}_b"] = la, lb
        agree = la == lb
        final = [x if same else third.get((u, field)) for u, x, same in zip(units["unit"], la, agree)]
        out[field] = final
        agreement[field] = {"units": int(len(la)), "agreement": round(float(agree.mean()), 4),
                            "cohen_kappa": round(cohen_kappa(list(la), list(lb)), 4),
                            "disagreements": int((~agree).sum()),
                            "adjudicated": int(sum(f is not None for f, s in zip(final, agree) if not s))}
        for split in ("train", "test"):
            m = (units["split"] == split).to_numpy()
            agreement[field][f"cohen_kappa_{split}"] = round(cohen_kappa(list(la[m]), list(lb[m])), 4)
        rows += [(u, field) for u, same in zip(units["unit"], agree) if not same and (u, field) not in third]
    out.to_csv(ROOT / "models" / "labels" / "outcome_labels.csv", index=False)
    (ROOT / "models" / "labels" / "agreement.json").write_text(json.dumps(agreement, indent=2) + "\n")
    print(json.dumps(agreement, indent=2))
    if rows:
        from voicelens.train.units import attach_text

        text = attach_text(units.set_index("unit")).loc[:, ["text", "question"]]
        with open(args.work / "disagreements.tsv", "w", encoding="utf-8") as f:
            f.write("id\tfield\tquestion\ttext\n")
            for unit, field in sorted(rows):
                q = text.at[unit, "question"]
                f.write(f"{unit}\t{field}\t{'' if pd.isna(q) else q}\t{text.at[unit, 'text'].replace(chr(9), ' ')}\n")
        print(f"{len(rows)} disagreements -> {args.work / 'disagreements.tsv'}")


if __name__ == "__main__":
    main()
