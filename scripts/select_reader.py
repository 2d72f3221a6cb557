"""Choose the reader delta on the validation units, and measure leave-one-source-out transfer.

Validation: for each candidate delta, heads are fitted on the train units it trained on
and scored on the validation units (the fixed ~15% that neither the encoder nor the heads
fit). Leave-one-source-out: the delta fine-tuned without source S, heads fitted on the
other sources' units, scored on every train-split unit of S (text neither saw). Test
units are never read here.

    python scripts/select_reader.py --runs cache/runs_gpu/runs --out models/encoder/selection.json
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np
import pandas as pd

from voicelens.backends.embedded import EmbeddedBackend, EmbeddedHeads
from voicelens.evaluation import f1_scores
from voicelens.labels import SENTIMENT_LABELS, STANCE_LABELS
from voicelens.rates import ErrorRates, adjusted_rate
from voicelens.themes import ThemeSet
from voicelens.train.theme_readers import fit_theme_readers, labelled_units, predict_units, sentiment_reader
from voicelens.train.units import source_of

ROOT = Path(__file__).resolve().parents[1]


def evaluate(delta: Path, fit_units: pd.DataFrame, eval_units: pd.DataFrame) -> dict:
    """Fit sentiment and theme readers on ``fit_units`` (its ``held`` rows calibrate), score ``eval_units``."""
    themes = ThemeSet.default()
    backend = EmbeddedBackend(top_layers=delta)
    heads = EmbeddedHeads.load()
    heads.themes = {}
    heads.sentiment = sentiment_reader(backend, fit_units)
    backend.heads = heads
    readers = fit_theme_readers(backend, heads, fit_units, themes)
    pred = predict_units(backend, eval_units, themes)
    out = {"n": int(len(eval_units))}
    truth = eval_units["sentiment"].to_numpy(object)
    known = pd.notna(truth)
    out["sentiment_macro_f1"] = f1_scores(list(truth[known]), list(pred["sentiment"][known]), SENTIMENT_LABELS)["macro"]
    for theme in themes.names:
        t = eval_units[theme].to_numpy(object)
        k = pd.notna(t)
        p = pred[theme].to_numpy(object)
        f1 = f1_scores(list(t[k]), list(p[k]), list(STANCE_LABELS))["macro"]
        errors = ErrorRates.from_dict(readers[theme]["error_rates"])
        raw = float((p[k] == "positive").mean())
        corrected = float(adjusted_rate((p[k] == "positive").sum(), k.sum(), errors)[0]) \
            if errors.correctable else raw
        out[theme] = {"macro_f1": round(f1, 4), "labelled_rate": round(float((t[k] == "positive").mean()), 4),
                      "raw_rate": round(raw, 4), "corrected_rate": round(corrected, 4),
                      "threshold": readers[theme]["threshold"], "tpr": round(errors.tpr, 3),
                      "fpr": round(errors.fpr, 3)}
    out["stance_macro_f1_mean"] = round(float(np.mean([out[t]["macro_f1"] for t in themes.names])), 4)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=Path, default=ROOT / "cache" / "runs_gpu" / "runs")
    parser.add_argument("--out", type=Path, default=ROOT / "models" / "encoder" / "selection.json")
    parser.add_argument("--only", nargs="*", default=None)
    args = parser.parse_args()
    units = labelled_units(ROOT / "models" / "labels" / "outcome_labels.csv")
    units["source"] = [source_of(f) for f in units["file"]]
    report = json.loads(args.out.read_text()) if args.out.is_file() else {}
    for run in sorted(p.name for p in args.runs.iterdir()):
        if args.only and run not in args.only:
            continue
        delta = args.runs / run / "minilm_lora.safetensors"
        if run.startswith("loso_"):
            source = run.removeprefix("loso_")
            fit, held_out = units[units["source"] != source], units[units["source"] == source]
            report[run] = {"held_out_source": source, **evaluate(delta, fit, held_out)}
        else:
            report[run] = {"part": "validation", **evaluate(delta, units, units[units["held"]])}
        print(run, json.dumps(report[run]), flush=True)
        args.out.write_text(json.dumps(report, indent=2) + "\n")


if __name__ == "__main__":
    main()
