"""Choose the adapters' prior strengths by cross-validation on train parts only.

    python scripts/tune_adapters.py            # ~15 minutes on 2 cores

Three experiments, none reading a test part:

* few-shot themes (``Analyzer.fit``): NHS FFT train part split in halves; k answers per
  theme from one half, mean mention F1 and stance macro-F1 on the other (themes with
  >= 20 answers there);
* few-shot sentiment: 50 and 200 NHS train answers, macro-F1 on the other half;
* default-theme adapters: 2-fold cross-validation on the dev set's tune part.

The winners are ``SENTIMENT_PRIOR_STRENGTH`` / ``THEME_PRIOR_STRENGTH`` in
``voicelens/train/adapt.py`` and the strengths in ``train_heads.train_theme_adapters``.
"""

from __future__ import annotations

import sys

import numpy as np
import pandas as pd

import voicelens as vl
from voicelens.text import dedupe_sentences
from voicelens.evaluation import evaluate_result, f1_scores, few_shot_sample, theme_report
from voicelens.train.adapt import adapt_heads
from voicelens.train.export_labeled import nhs_labeled
from voicelens.train.train_heads import load_dev

STRENGTHS = [3e-2, 3e-3, 1e-3, 3e-4, 1e-4, 3e-5]


def _questions(frame: pd.DataFrame) -> list[str | None]:
    return [q if isinstance(q, str) and q else None for q in frame["question"]]


class Harness:
    """One Analyzer whose heads are swapped for adapted ones and back."""

    def __init__(self, themes: vl.ThemeSet):
        self.analyzer = vl.Analyzer(themes=themes, backend_kwargs={"adapters": False}, show_progress_bar=False)
        self.analyzer.analyze(["warm up"])
        self.backend = self.analyzer.backend_
        self.base = self.backend.heads

    def score(self, fit: pd.DataFrame, labels: pd.DataFrame, val: pd.DataFrame, **strengths) -> pd.DataFrame:
        heads, _ = adapt_heads(self.backend, dedupe_sentences(fit["text"].tolist(), _questions(fit)),
                               labels.reset_index(drop=True), self.analyzer.theme_set_, base=self.base, **strengths)
        self.backend.heads, self.backend.adapters = heads, True
        try:
            return self.analyzer.analyze(val, question_column="question").responses
        finally:
            self.backend.heads, self.backend.adapters = self.base, False


def halves(frame: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    half = np.random.default_rng(7).random(len(frame)) < 0.5
    return frame[half].reset_index(drop=True), frame[~half].reset_index(drop=True)


def few_shot_themes() -> None:
    pack = vl.ThemeSet.pack("patient_experience")
    pool, val = halves(nhs_labeled("train"))
    harness = Harness(pack)
    print("few-shot themes (NHS train halves): k, strength, mean mention F1, mean stance macro-F1")
    for k in (8, 32, 128):
        for strength in STRENGTHS:
            scores = []
            for seed in (0, 1):
                fit = few_shot_sample(pool, pack.names, k, seed=seed)
                report = theme_report(harness.score(fit, fit[pack.names], val, theme_strength=strength),
                                      val, pack.names)
                big = report["mention_support"] >= 20
                scores.append([report.loc[big, "mention_f1"].mean(), report.loc[big, "stance_macro_f1"].mean()])
            print(f"  {k:4d} {strength:8.0e} " + " ".join(f"{v:.3f}" for v in np.mean(scores, axis=0)), flush=True)


def few_shot_sentiment() -> None:
    train = nhs_labeled("train")
    pool, val = halves(train[train["sentiment"].notna()])
    harness = Harness(vl.ThemeSet.default())
    print("few-shot sentiment (NHS train halves): n, strength, macro-F1")
    for n in (50, 200):
        for strength in STRENGTHS:
            scores = []
            for seed in (0, 1):
                fit = pool.sample(n=n, random_state=seed)
                pred = harness.score(fit, fit[["sentiment"]], val, sentiment_strength=strength)["sentiment"]
                scores.append(f1_scores(val["sentiment"].tolist(), pred.astype(object).fillna("neutral").tolist(),
                                        ["negative", "neutral", "positive"])["macro"])
            print(f"  {n:4d} {strength:8.0e} {np.mean(scores):.3f}", flush=True)


def default_theme_adapters() -> None:
    dev = load_dev()
    themes = vl.ThemeSet.default()
    harness = Harness(themes)
    print("default-theme adapters (dev tune part, 2-fold x 3): strength, stance macro-F1 per theme, mean")
    for strength in STRENGTHS:
        scores = []
        for seed in range(3):
            fold = np.random.default_rng(seed).random(len(dev)) < 0.5
            for a, b in ((fold, ~fold), (~fold, fold)):
                fit, val = dev[a].reset_index(drop=True), dev[b].reset_index(drop=True)
                report = evaluate_result(harness.score(fit, fit[themes.names], val, theme_strength=strength),
                                         val, themes.names)
                scores.append([report[t]["f1"]["macro"] for t in themes.names])
        mean = np.mean(scores, axis=0)
        print(f"  {strength:8.0e} " + " ".join(f"{v:.3f}" for v in mean) + f"  {mean.mean():.3f}", flush=True)


def main() -> int:
    few_shot_themes()
    few_shot_sentiment()
    default_theme_adapters()
    return 0


if __name__ == "__main__":
    sys.exit(main())
