"""Stance readers for the shipped outcome themes, fitted on the labelled units.

One absent / negative / positive softmax head per theme on the (fine-tuned) sentence
embedding. The units the encoder and the heads never trained on (the validation part,
:func:`~voicelens.train.corpora.held_for_calibration`) then choose, per theme, the
temperature, the mention threshold (response-level stance macro-F1) and the Platt map
that makes ``T_score`` a probability, and measure the error rates that ``summary()``
corrects its rates for.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd

from ..backends.base import SentenceBatch
from ..backends.embedded import EmbeddedBackend, EmbeddedHeads, theme_key
from ..heads import LinearHead, fit_linear_head, fit_temperature
from ..labels import SENTIMENT_LABELS, STANCE_LABELS
from ..rates import ErrorRates
from ..responses import build_responses
from ..text import dedupe_sentences
from ..themes import ThemeSet
from .corpora import data_dir, held_for_calibration
from .units import attach_text

SEED_LABELS = "labels/druglib_pain_sentences.jsonl"
THRESHOLDS = np.round(np.arange(0.1, 0.81, 0.05), 2)


def labelled_units(labels_file: Path, split: str = "train") -> pd.DataFrame:
    """Adjudicated units of ``split`` with their text, question and ``held`` flag."""
    units = pd.read_csv(labels_file, dtype="string")
    units = units[units["split"] == split].reset_index(drop=True)
    for col in ("row", "sentence_index"):
        units[col] = units[col].astype(int)
    units = attach_text(units)
    units["held"] = [held_for_calibration(u) for u in units["unit"]]
    return units


def seed_pain_units() -> pd.DataFrame:
    """The 900 double-labelled Druglib pain sentences of ``shared/data/labels`` (train part)."""
    path = data_dir() / SEED_LABELS
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    frame = pd.DataFrame(rows)
    frame = frame[frame["pain_reduction"].notna()]
    return pd.DataFrame({"unit": [f"seed:{r}:{f}:{s}" for r, f, s in zip(frame["row"], frame["field"],
                                                                        frame["sentence_index"])],
                         "text": frame["sentence"].astype(str), "question": pd.NA,
                         "pain_reduction": frame["pain_reduction"].astype("string")})


def unit_scores(backend: EmbeddedBackend, units: pd.DataFrame, themes: ThemeSet):
    """Embeddings of ``units`` (one response each) and the batch they came from, memoised on
    the backend (so that fitting several heads embeds each unit set once per encoder)."""
    questions = [q if isinstance(q, str) else None for q in units["question"]]
    key = (tuple(units["text"]), tuple(questions))
    memo = backend.__dict__.setdefault("_unit_embeddings", {})
    if key not in memo:
        batch = dedupe_sentences(units["text"].tolist(), questions)
        memo[key] = (batch, backend.embed(batch, show_progress_bar=False))
    return memo[key]


def fit_theme_readers(backend: EmbeddedBackend, heads: EmbeddedHeads, units: pd.DataFrame,
                      themes: ThemeSet, extra: dict[str, pd.DataFrame] | None = None, l2: float = 1e-3) -> dict:
    """Fit, calibrate and measure one reader per theme of ``themes``; stores them in
    ``heads.themes`` and returns a report. ``extra``: more train units per theme (text, label)."""
    train, held = units[~units["held"]], units[units["held"]]
    _, train_emb = unit_scores(backend, train, themes)
    hb, hemb = unit_scores(backend, held, themes)
    report = {}
    for theme in themes:
        labels = train[theme.name].to_numpy(object)
        known = np.isin(labels, STANCE_LABELS)
        x, y = [train_emb.responses[known]], [labels[known]]
        if extra and theme.name in extra:
            more = extra[theme.name]
            x.append(unit_scores(backend, more, themes)[1].responses)
            y.append(more[theme.name].to_numpy(object))
        x, y = np.concatenate(x), np.concatenate(y)
        # natural class frequencies: a balanced fit inflates "mentioned" on real text, where most units are absent
        head = fit_linear_head(x, y, list(STANCE_LABELS), l2=l2, balanced=False)
        truth = held[theme.name].to_numpy(object)
        held_known = np.isin(truth, STANCE_LABELS)
        head.temperature = fit_temperature(head, hemb.responses[held_known], list(truth[held_known]))
        heads.themes[theme_key(theme)] = head
        heads.adapters.pop(theme_key(theme), None)  # a reader replaces any adapter of the theme
        report[theme.name] = calibrate_reader(backend, theme, themes, hb, hemb, truth, held_known)
        report[theme.name].update({"n_train": int(len(y)),
                                   "train_counts": {c: int((y == c).sum()) for c in STANCE_LABELS}})
        head.meta = {k: report[theme.name][k] for k in ("threshold", "score_calibration", "error_rates")}
    return report


def calibrate_reader(backend, theme, themes: ThemeSet, batch: SentenceBatch, emb, truth: np.ndarray,
                     known: np.ndarray) -> dict:
    """Choose the mention threshold, fit the score calibration, measure error rates (held units),
    for the reader of ``theme`` that ``backend.heads`` holds."""
    from ..evaluation import f1_scores

    scores = backend.score_embeddings(emb, themes)
    status = ["ok"] * len(batch.responses)
    index = pd.RangeIndex(len(status))
    best = (-1.0, 0.5)
    for t in THRESHOLDS:
        scores.mention_threshold = np.full(len(themes), t)
        pred = build_responses(batch, scores, themes, status, index)[theme.name].to_numpy(object)
        f1 = f1_scores(list(truth[known]), list(pred[known]), list(STANCE_LABELS))["macro"]
        best = max(best, (f1, float(t)))
    threshold = best[1]
    scores.mention_threshold = np.full(len(themes), threshold)
    scores.score_calibration = None
    out = build_responses(batch, scores, themes, status, index)
    pred, raw = out[theme.name].to_numpy(object)[known], out[f"{theme.name}_score"].to_numpy(float)[known]
    positive = truth[known] == "positive"
    platt = fit_platt(raw, positive)
    errors = ErrorRates.measure(pred == "positive", positive)
    return {"threshold": threshold, "validation_macro_f1": round(best[0], 4), "score_calibration": platt,
            "error_rates": errors.to_dict(), "n_validation": int(known.sum())}


def fit_platt(raw: np.ndarray, positive: np.ndarray) -> list[float]:
    """``(a, b)`` of ``sigmoid(a * logit(raw) + b)`` by maximum likelihood (identity if degenerate)."""
    import torch

    if positive.all() or not positive.any():
        return [1.0, 0.0]
    clipped = np.clip(raw, 1e-6, 1 - 1e-6)
    x = torch.tensor(np.log(clipped / (1 - clipped)), dtype=torch.float64)
    y = torch.tensor(positive, dtype=torch.float64)
    params = torch.tensor([1.0, 0.0], dtype=torch.float64, requires_grad=True)
    opt = torch.optim.LBFGS([params], max_iter=100, line_search_fn="strong_wolfe")

    def closure():
        opt.zero_grad()
        loss = torch.nn.functional.binary_cross_entropy_with_logits(params[0] * x + params[1], y)
        loss.backward()
        return loss

    opt.step(closure)
    return [float(v) for v in params.detach()]


def sentiment_reader(backend: EmbeddedBackend, units: pd.DataFrame) -> LinearHead:
    """A sentiment head on the units alone (non-held fit, held calibrate): for comparing encoders."""
    from ..backends.embedded import sentiment_features

    units = units[units["sentiment"].isin(SENTIMENT_LABELS)]
    _, emb = unit_scores(backend, units, ThemeSet.default())
    x = sentiment_features(emb.responses, emb.questions)
    held = units["held"].to_numpy(bool)
    y = units["sentiment"].to_numpy(object)
    head = fit_linear_head(x[~held], y[~held], list(SENTIMENT_LABELS), l2=1e-3)
    head.temperature = fit_temperature(head, x[held], list(y[held]))
    return head


def predict_units(backend: EmbeddedBackend, units: pd.DataFrame, themes: ThemeSet) -> pd.DataFrame:
    """Each unit scored as one response by ``backend`` (its current heads)."""
    batch, emb = unit_scores(backend, units, themes)
    scores = backend.score_embeddings(emb, themes)
    status = ["ok"] * len(units)
    return build_responses(batch, scores, themes, status, pd.RangeIndex(len(units)))
