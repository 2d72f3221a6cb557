"""Measure the shipped models and write ``models/heads/evaluation.md`` (and the model card).

    python scripts/evaluate_shipped.py            # dev held-out + NHS FFT test + Druglib test

Test parts are read here only to report; nothing is tuned on them.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd

import voicelens as vl
from voicelens.assets import asset_path
from voicelens.evaluation import evaluate_result, f1_scores, few_shot_sample, load_labeled, theme_report
from voicelens.train.export_labeled import druglib_labeled, nhs_labeled
from voicelens.train.model_card import write_model_card

ROOT = Path(__file__).resolve().parents[1]
RUNS = {
    "voicelens (embedded)": dict(backend="embedded"),
    "definitions only": dict(backend="embedded", backend_kwargs={"adapters": False}),
    "similarity baseline": dict(backend="similarity"),
    "VADER (lexicon)": dict(backend="lexicon"),
}


def md(frame: pd.DataFrame) -> str:
    """A DataFrame as a GitHub markdown table (3 decimals)."""
    frame = frame.round(3)
    head = "| " + " | ".join([""] + [str(c) for c in frame.columns]) + " |"
    rule = "|" + "---|" * (len(frame.columns) + 1)
    body = ["| " + " | ".join([str(i)] + ["" if pd.isna(v) else f"{v:g}" for v in row]) + " |"
            for i, row in zip(frame.index, frame.to_numpy())]
    return "\n".join([head, rule, *body])


def macro_table(labels: pd.DataFrame, themes=None, question_column=None, runs=RUNS) -> pd.DataFrame:
    out = {}
    for name, kwargs in runs.items():
        res = vl.Analyzer(themes=themes, show_progress_bar=False, **kwargs).analyze(
            labels, question_column=question_column)
        out[name] = {f: r["f1"]["macro"] for f, r in evaluate_result(res.responses, labels, res.themes).items()}
    return pd.DataFrame(out)


def nhs_section() -> str:
    test, train = nhs_labeled("test"), nhs_labeled("train")
    lines = [f"### NHS FFT test part (30% of rows, seed fixed; n={len(test)})", ""]
    sentiment_runs = {k: v for k, v in RUNS.items() if k != "definitions only"}
    rows = {}
    for name, kwargs in sentiment_runs.items():
        res = vl.Analyzer(show_progress_bar=False, **kwargs).analyze(test, question_column="question")
        mask = test["sentiment"].notna()
        pred = res.responses["sentiment"].astype(object).fillna("neutral")[mask]
        f1 = f1_scores(test.loc[mask, "sentiment"].tolist(), pred.tolist(), ["negative", "neutral", "positive"])
        rows[name] = {"sentiment macro-F1": f1["macro"], "F1 of 3 = mixed/neutral": f1["neutral"]}
    lines += [pd.DataFrame(rows).pipe(md), ""]
    pack = vl.ThemeSet.pack("patient_experience")
    tables = {}
    for name, kwargs in list(RUNS.items())[:3]:
        res = vl.Analyzer(themes=pack, show_progress_bar=False, **kwargs).analyze(test, question_column="question")
        tables[name] = theme_report(res.responses, test, pack.names)
    for k in (8, 32, 128):
        an = vl.Analyzer(themes=pack, backend_kwargs={"adapters": False}, show_progress_bar=False)
        an.fit(few_shot_sample(train, pack.names, k), question_column="question")
        res = an.analyze(test, question_column="question")
        tables[f"few-shot {k}/theme"] = theme_report(res.responses, test, pack.names)
    f1 = pd.concat({k: v["mention_f1"] for k, v in tables.items()}, axis=1)
    f1["support"] = tables["voicelens (embedded)"]["mention_support"].astype(float)
    big = f1[f1["support"] >= 20]
    f1.loc["**mean, themes with ≥20 answers**"] = big.mean()
    lines += ["Patient-experience pack, F1 of *mentioned vs not* per theme ('voicelens' = shipped pack "
              "adapters trained on the NHS FFT train part; 'definitions only' = what a brand-new theme "
              "gets; few-shot = `Analyzer.fit` from the definitions with k answers per theme from the "
              "train part):", "", f1.pipe(md), ""]
    stance = pd.concat({k: v["stance_macro_f1"] for k, v in tables.items() if "stance_macro_f1" in v}, axis=1)
    stance["support"] = f1["support"]
    lines += ["Stance (positive / negative / absent) macro-F1 per theme:", "", stance.pipe(md), ""]
    return "\n".join(lines)


def main() -> int:
    dev = load_labeled(ROOT / "tests" / "data" / "dev_testimonials.jsonl", "heldout")
    parts = ["### Dev set, held-out part (n=%d)" % len(dev), "",
             macro_table(dev, question_column="question").pipe(md), ""]
    parts.append(nhs_section())
    drug = druglib_labeled("test")
    runs = {k: v for k, v in RUNS.items() if k != "definitions only"}
    parts += ["### Druglib test file (n=%d; sentiment from rating ≤4 / 5–6 / ≥7)" % len(drug), "",
              macro_table(drug, themes=[vl.Theme("any", "any topic")], runs=runs)
              .loc[["sentiment"]].pipe(md), ""]
    text = "\n".join(parts)
    folder = asset_path("heads")
    (folder / "evaluation.md").write_text(text + "\nCommand: `python scripts/evaluate_shipped.py`.\n")
    report = (folder / "training_report.json").read_text()
    write_model_card(folder, "" if '"encoder": "base"' in report else
                     ", with voicelens' fine-tuned top layers (see models/encoder/README.md)")
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
