"""Write a corpus as a labelled file for ``voicelens evaluate`` (outside the repo).

Druglib: the three review fields joined, sentiment from the rating. NHS FFT theme columns follow the patient-experience pack's ``nhs_fft_columns`` mapping:
``positive`` / ``negative`` when the comment's human sentiment is positive /
negative, ``mentioned`` when it is mixed or missing, ``absent`` otherwise.

    python -m voicelens.train.export_labeled --corpus nhs_fft --split test --out /tmp/nhs_test.csv
    python -m voicelens.train.export_labeled --corpus druglib --split test --out /tmp/druglib_test.csv
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import pandas as pd

from ..themes import ThemeSet
from .corpora import load_druglib, load_nhs_fft


def nhs_labeled(split: str, pack: str = "patient_experience") -> pd.DataFrame:
    raw = load_nhs_fft()
    raw = raw[(raw["split"] == split) & raw["text"].notna()].reset_index(drop=True)
    out = raw[["text", "question", "sentiment"]].copy()
    stance = raw["sentiment"].map({"positive": "positive", "negative": "negative"}).fillna("mentioned")
    for theme in ThemeSet.pack(pack):
        columns = theme.extra.get("nhs_fft_columns", [])
        mentioned = raw[columns].sum(axis=1).to_numpy() > 0
        out[theme.name] = np.where(mentioned, stance, "absent")
    return out


def druglib_labeled(split: str) -> pd.DataFrame:
    raw = load_druglib()
    return raw.loc[raw["split"] == split, ["text", "sentiment"]].reset_index(drop=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", choices=["nhs_fft", "druglib"], required=True)
    parser.add_argument("--split", choices=["train", "test"], required=True)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(argv)
    frame = nhs_labeled(args.split) if args.corpus == "nhs_fft" else druglib_labeled(args.split)
    frame.to_csv(args.out, index=False)
    print(f"wrote {len(frame)} rows to {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
