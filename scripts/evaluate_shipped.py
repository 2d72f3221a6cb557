"""Measure the shipped models and write ``models/heads/evaluation.md`` (and the model card).

    python scripts/evaluate_shipped.py            # labelled test set, transfer, Druglib, NHS FFT, validation

Sections, each naming its part and size, with a 95% interval beside every score:
1. the labelled **test** units (``models/labels``, split ``test``: Druglib test file,
   PsyTAR Effexor XR, NHFT test part, phase-1 Trust A — parts no model and no choice saw);
2. leave-one-source-out transfer (``models/encoder/selection.json``, from
   ``scripts/select_reader.py``: reader and heads trained without the source, scored on it);
3. Druglib's test file (review-level sentiment from the rating);
4. NHS FFT test part (de-duplicated against train), sentiment and the patient-experience pack,
   few-shot curves averaged over 5 draws;
5. the hand-written dev set's **validation** part (it chose what shipped in 0.1).

Test parts are read here only to report; nothing is tuned on them.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
import pandas as pd

import voicelens as vl
from voicelens.assets import asset_path
from voicelens.evaluation import (
    binary_ece,
    bootstrap_macro_f1,
    evaluate_result,
    f1_scores,
    few_shot_sample,
    markdown_table as md,
    load_labeled,
    theme_report,
)
from voicelens.labels import SENTIMENT_LABELS, STANCE_LABELS
from voicelens.train.export_labeled import druglib_labeled, nhs_labeled
from voicelens.train.model_card import write_model_card
from voicelens.train.theme_readers import labelled_units
from voicelens.train.units import source_of

ROOT = Path(__file__).resolve().parents[1]
THEMES = ("pain_reduction", "daily_function", "hope")
RUNS = {
    "voicelens (embedded)": dict(backend="embedded"),
    "without trained readers": dict(backend="embedded", backend_kwargs={"theme_readers": False}),
    "similarity baseline": dict(backend="similarity"),
    "VADER (lexicon)": dict(backend="lexicon"),
}


def ci(point: float, low: float, high: float) -> str:
    return f"{point:.3f} [{low:.3f}, {high:.3f}]"


def test_units_section() -> str:
    units = labelled_units(ROOT / "models" / "labels" / "outcome_labels.csv", split="test")
    units["source"] = [source_of(f) for f in units["file"]]
    lines = [f"### Labelled test units (n={len(units)}; double-labelled, adjudicated; scored once)", ""]
    scores, rates, ece = {}, {}, {}
    for name, kwargs in RUNS.items():
        res = vl.Analyzer(show_progress_bar=False, languages=None, **kwargs).analyze(
            units, question_column="question")
        out = res.responses
        for group, mask in [("all", np.ones(len(units), bool)),
                            *((s, (units["source"] == s).to_numpy()) for s in sorted(units["source"].unique()))]:
            row = {}
            truth = units.loc[mask, "sentiment"]
            known = truth.notna().to_numpy()
            pred = out["sentiment"].astype(object).fillna("neutral").to_numpy()[mask][known]
            row["sentiment"] = ci(*bootstrap_macro_f1(truth[known].tolist(), list(pred), SENTIMENT_LABELS))
            f1s = []
            for theme in THEMES:
                t = units.loc[mask, theme].to_numpy(object)
                k = pd.notna(t)
                p = out[theme].astype(object).to_numpy()[mask][k]
                f1 = bootstrap_macro_f1(list(t[k]), list(p), STANCE_LABELS)
                f1s.append(f1[0])
                row[theme] = ci(*f1)
            row["stance mean"] = f"{np.mean(f1s):.3f}"
            scores[(name, group)] = row
            if name == "voicelens (embedded)":
                summary = vl.AnalysisResult(out[mask].reset_index(drop=True), res.themes, res.metadata).summary(min_size=0)
                for theme in THEMES:
                    t = units.loc[mask, theme].to_numpy(object)
                    rates[(group, theme)] = {
                        "labelled": float((t == "positive").mean()),
                        "reported (corrected)": summary.loc[0, f"{theme}_positive_rate"],
                        "95% interval": f"[{summary.loc[0, f'{theme}_positive_ci_low']:.3f}, "
                                        f"{summary.loc[0, f'{theme}_positive_ci_high']:.3f}]",
                        "raw classify-and-count": summary.loc[0, f"{theme}_positive_rate_raw"]}
                    if group == "all":
                        ece[theme] = binary_ece(out[f"{theme}_score"].to_numpy(float), t == "positive")
    table = pd.DataFrame(scores).T
    table.index = [f"{n} — {g}" for n, g in table.index]
    lines += ["Macro-F1 with 95% bootstrap intervals (sentiment: 3 classes; each theme: stance "
              "positive / negative / absent):", "", md(table), ""]
    rate_table = pd.DataFrame(rates).T
    rate_table.index = [f"{g} — {t}" for g, t in rate_table.index]
    rate_table["error (points)"] = 100 * (rate_table["reported (corrected)"].astype(float) - rate_table["labelled"])
    lines += ["Positive rate (share of units reporting the outcome), labelled vs what `summary()` reports:",
              "", md(rate_table), ""]
    lines += ["Calibration error (ECE, 10 bins) of `T_score` as the probability that the outcome is reported: "
              + ", ".join(f"{t} {v:.3f}" for t, v in ece.items()), ""]
    return "\n".join(lines)


def transfer_section() -> str:
    path = asset_path("encoder") / "selection.json"
    if not path.is_file():
        return ""
    report = json.loads(path.read_text())
    rows = {}
    for run, r in report.items():
        if not run.startswith("loso_"):
            continue
        row = {"n": r["n"], "sentiment": r["sentiment_macro_f1"], "stance mean": r["stance_macro_f1_mean"]}
        for theme in THEMES:
            row[f"{theme} F1"] = r[theme]["macro_f1"]
            row[f"{theme} rate error (points)"] = 100 * (r[theme]["corrected_rate"] - r[theme]["labelled_rate"])
        rows[f"without {r['held_out_source']}"] = row
    return "\n".join([
        "### Leave one source out (train-split units of the held-out source; reader fine-tuned and heads "
        "fitted without it)", "", md(pd.DataFrame(rows).T), "",
        "Command: `python scripts/select_reader.py` (after `scripts/train_reader_runs.py`).", ""])


def nhs_section(draws: int = 5) -> str:
    test, train = nhs_labeled("test"), nhs_labeled("train")
    lines = [f"### NHS FFT test part (30% of rows, seed fixed, de-duplicated against train; n={len(test)})", ""]
    rows = {}
    for name, kwargs in RUNS.items():
        if name == "without trained readers":
            continue
        res = vl.Analyzer(show_progress_bar=False, **kwargs).analyze(test, question_column="question")
        mask = test["sentiment"].notna()
        pred = res.responses["sentiment"].astype(object).fillna("neutral")[mask]
        f1 = f1_scores(test.loc[mask, "sentiment"].tolist(), pred.tolist(), SENTIMENT_LABELS)
        point, low, high = bootstrap_macro_f1(test.loc[mask, "sentiment"].tolist(), pred.tolist(), SENTIMENT_LABELS)
        rows[name] = {"sentiment macro-F1": ci(point, low, high), "F1 of 3 = mixed/neutral": f"{f1['neutral']:.3f}"}
    lines += [md(pd.DataFrame(rows).T), ""]
    pack = vl.ThemeSet.pack("patient_experience")
    tables = {}
    for name in ("voicelens (embedded)", "similarity baseline"):
        res = vl.Analyzer(themes=pack, show_progress_bar=False, **RUNS[name]).analyze(test, question_column="question")
        tables[name] = theme_report(res.responses, test, pack.names)["mention_f1"]
    res = vl.Analyzer(themes=pack, backend_kwargs={"adapters": False}, show_progress_bar=False).analyze(
        test, question_column="question")
    tables["definitions only"] = theme_report(res.responses, test, pack.names)["mention_f1"]
    support = theme_report(res.responses, test, pack.names)["mention_support"].astype(float)
    big = support[support >= 20].index
    curve = {}
    for k in (8, 32, 128):
        means = []
        for seed in range(draws):
            an = vl.Analyzer(themes=pack, backend_kwargs={"adapters": False}, show_progress_bar=False)
            an.fit(few_shot_sample(train, pack.names, k, seed=seed), question_column="question")
            res = an.analyze(test, question_column="question")
            means.append(theme_report(res.responses, test, pack.names)["mention_f1"].loc[big].mean())
        curve[f"{k}/theme"] = {"mean": float(np.mean(means)), "sd": float(np.std(means, ddof=1)),
                               "min": float(np.min(means)), "max": float(np.max(means))}
    mention = pd.DataFrame(tables)
    mention["support"] = support
    mention.loc["**mean, themes with ≥20 answers**"] = mention.loc[big].mean()
    lines += ["Patient-experience pack, F1 of *mentioned vs not* per theme:", "", md(mention), "",
              f"Few-shot (`Analyzer.fit` from the definitions, k answers per theme from the train part), "
              f"mean mention F1 over the themes with ≥20 answers, {draws} draws each:", "",
              md(pd.DataFrame(curve).T), ""]
    return "\n".join(lines)


def main() -> int:
    parts = [test_units_section(), transfer_section()]
    drug = druglib_labeled("test")
    rows = {}
    for name, kwargs in RUNS.items():
        if name == "without trained readers":
            continue
        res = vl.Analyzer(themes=[vl.Theme("any", "any topic")], show_progress_bar=False, **kwargs).analyze(drug)
        pred = res.responses["sentiment"].astype(object).fillna("neutral")
        rows[name] = {"sentiment macro-F1": ci(*bootstrap_macro_f1(drug["sentiment"].tolist(), pred.tolist(),
                                                                   SENTIMENT_LABELS))}
    parts += [f"### Druglib test file (n={len(drug)} reviews; sentiment from rating ≤4 / 5–6 / ≥7)", "",
              md(pd.DataFrame(rows).T), ""]
    parts.append(nhs_section())
    dev = load_labeled(ROOT / "tests" / "data" / "dev_testimonials.jsonl", "validation")
    table = {}
    for name, kwargs in RUNS.items():
        res = vl.Analyzer(show_progress_bar=False, **kwargs).analyze(dev, question_column="question")
        table[name] = {f: r["f1"]["macro"] for f, r in evaluate_result(res.responses, dev, res.themes).items()}
    parts += [f"### Hand-written dev set, validation part (n={len(dev)}; written here, so a weak check)", "",
              md(pd.DataFrame(table)), ""]
    text = "\n".join(parts)
    folder = asset_path("heads")
    (folder / "evaluation.md").write_text(text + "\nCommand: `python scripts/evaluate_shipped.py`.\n")
    write_model_card(folder, ", with voicelens' fine-tuned reader (LoRA on every layer; see models/encoder/README.md)")
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
