"""Turn sentence scores into one result row per response."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .backends.base import BatchScores, SentenceBatch
from .labels import SENTIMENT_LABELS
from .themes import ThemeSet


def theme_columns(name: str) -> list[str]:
    return [name, f"{name}_score", f"{name}_evidence"]


def response_columns(themes: ThemeSet) -> list[str]:
    cols = ["sentiment", "sentiment_score", "status", "language"]
    for name in themes.names:
        cols += theme_columns(name)
    return cols


def calibrate_score(raw: np.ndarray, platt: np.ndarray) -> np.ndarray:
    """``sigmoid(a * logit(raw) + b)``; the raw score where ``(a, b)`` is NaN.

    >>> calibrate_score(np.array([0.5]), np.array([1.0, 0.0]))
    array([0.5])
    """
    a, b = (float(v) for v in platt)
    if np.isnan(a) or np.isnan(b):
        return raw
    clipped = np.clip(raw, 1e-6, 1 - 1e-6)
    return 1 / (1 + np.exp(-(a * np.log(clipped / (1 - clipped)) + b)))


def _theme_result(idx: list[int], mention: np.ndarray, positive: np.ndarray, sentences: list[str],
                  threshold: float):
    """Stance, score and evidence of one theme in one response."""
    m, p = mention[idx], positive[idx]
    relevant = m >= threshold
    if not relevant.any():
        best = int(np.argmax(m))
        return "absent", float(m[best] * p[best]), None
    # Later sentences count more: "it helped at first, but the pain came back".
    recency = np.linspace(1.0, 1.5, len(idx))
    weight = m * relevant * recency
    p_pos = float((weight * p).sum() / weight.sum())
    stance = "positive" if p_pos >= 0.5 else "negative"
    agreeing = p if stance == "positive" else 1 - p
    evidence_at = int(np.argmax(np.where(relevant, m * agreeing, -1)))
    return stance, float(m.max() * p_pos), sentences[idx[evidence_at]]


def build_responses(batch: SentenceBatch, scores: BatchScores, themes: ThemeSet,
                    status: list[str], index: pd.Index) -> pd.DataFrame:
    """One row per input row (``status != "ok"`` rows get NA/absent)."""
    n = len(status)
    ok_rows = [i for i, s in enumerate(status) if s == "ok"]
    sentiment = pd.array([pd.NA] * n, dtype="string")
    sentiment_score = np.full(n, np.nan)
    if ok_rows:
        probs = scores.sentiment
        labels = np.array(SENTIMENT_LABELS)[probs.argmax(axis=1)]
        sentiment[ok_rows] = labels
        sentiment_score[ok_rows] = probs[:, 2] - probs[:, 0]
    out: dict[str, object] = {"sentiment": sentiment, "sentiment_score": sentiment_score,
                              "status": pd.array(status, dtype="string")}
    for k, name in enumerate(themes.names):
        stance = ["absent"] * n
        score = np.full(n, np.nan)
        evidence: list[object] = [pd.NA] * n
        for r, row in enumerate(ok_rows):
            idx = batch.responses[r]
            s, sc, ev = _theme_result(idx, scores.mention[:, k], scores.positive[:, k], batch.sentences,
                                      scores.threshold(k))
            stance[row], score[row] = s, sc
            evidence[row] = pd.NA if ev is None else ev
        if scores is not None and scores.score_calibration is not None:
            score = calibrate_score(score, scores.score_calibration[k])
        out[name] = pd.array(stance, dtype="string")
        out[f"{name}_score"] = score
        out[f"{name}_evidence"] = pd.array(evidence, dtype="string")
    return pd.DataFrame(out, index=index)
