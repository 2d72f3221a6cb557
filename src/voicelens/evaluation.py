"""Compare predictions with human labels: macro-F1 and confusion matrices."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from .io import read_table
from .labels import SENTIMENT_LABELS, STANCE_LABELS


def cohen_kappa(a: Sequence[str], b: Sequence[str]) -> float:
    """Cohen's kappa of two annotators' labels for the same units.

    >>> round(cohen_kappa(["x", "x", "y", "y"], ["x", "x", "y", "x"]), 3)
    0.5
    """
    a, b = np.asarray(a, dtype=object), np.asarray(b, dtype=object)
    labels = sorted(set(a) | set(b))
    observed = float((a == b).mean())
    expected = sum(float((a == lab).mean()) * float((b == lab).mean()) for lab in labels)
    return 1.0 if expected == 1 else (observed - expected) / (1 - expected)


def _codes(truth: Sequence[str], pred: Sequence[str], labels: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """Label indices of the pairs whose truth and prediction are both in ``labels``."""
    index = {label: i for i, label in enumerate(labels)}
    t = np.array([index.get(v, -1) for v in truth], dtype=np.int64)
    p = np.array([index.get(v, -1) for v in pred], dtype=np.int64)
    keep = (t >= 0) & (p >= 0)
    return t[keep], p[keep]


def _confusion_counts(t: np.ndarray, p: np.ndarray, k: int) -> np.ndarray:
    return np.bincount(t * k + p, minlength=k * k).reshape(k, k)


def confusion(truth: Sequence[str], pred: Sequence[str], labels: Sequence[str]) -> pd.DataFrame:
    """Rows: true label; columns: predicted label (pairs outside ``labels`` are left out).

    >>> confusion(["a", "b"], ["a", "a"], ["a", "b"]).to_numpy().tolist()
    [[1, 0], [1, 0]]
    """
    t, p = _codes(truth, pred, labels)
    return pd.DataFrame(_confusion_counts(t, p, len(labels)), index=pd.Index(labels, name="true"),
                        columns=pd.Index(labels, name="pred"))


def _f1_from_counts(cm: np.ndarray) -> np.ndarray:
    """Per-label F1 (NaN for a label absent from truth and predictions)."""
    tp = np.diag(cm).astype(float)
    denom = 2 * tp + (cm.sum(0) - tp) + (cm.sum(1) - tp)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(denom > 0, 2 * tp / denom, np.nan)


def f1_scores(truth: Sequence[str], pred: Sequence[str], labels: Sequence[str]) -> dict[str, float]:
    """Per-label F1 plus ``macro`` (mean over labels present in truth or predictions).

    >>> f1_scores(["a", "b"], ["a", "a"], ["a", "b"])["macro"]
    0.3333333333333333
    """
    t, p = _codes(truth, pred, labels)
    f1 = _f1_from_counts(_confusion_counts(t, p, len(labels)))
    out = {label: float(v) for label, v in zip(labels, f1) if not np.isnan(v)}
    out["macro"] = float(np.nanmean(f1)) if not np.isnan(f1).all() else float("nan")
    return out


def load_labeled(path: str | Path, split: str | None = None) -> pd.DataFrame:
    """A labelled file (JSONL/CSV/...): ``text``, optional ``question`` and ``split``."""
    path = Path(path)
    if path.suffix in {".jsonl", ".ndjson"}:
        frame = pd.DataFrame([json.loads(x) for x in path.read_text(encoding="utf-8").splitlines() if x.strip()])
    else:
        frame = read_table(path)
    if split is not None:
        if "split" not in frame.columns:
            raise ValueError(f"--split {split!r} given but {path} has no 'split' column")
        frame = frame[frame["split"] == split]
    return frame.reset_index(drop=True)


def evaluate_result(responses: pd.DataFrame, labels: pd.DataFrame, themes: Sequence[str]) -> dict:
    """Macro-F1 and confusion matrices of sentiment and of each theme's stance."""
    report: dict[str, dict] = {}
    fields = [("sentiment", SENTIMENT_LABELS)] + [(t, STANCE_LABELS) for t in themes]
    for field, classes in fields:
        if field not in labels.columns:
            continue
        mask = labels[field].isin(classes).to_numpy()
        truth = labels.loc[mask, field].tolist()
        pred = responses[field].astype(object).where(responses[field].notna(), "neutral").to_numpy()[mask]
        if field == "sentiment":
            pred = np.where(pd.isna(pred), "neutral", pred)
        report[field] = {"f1": f1_scores(truth, list(pred), classes),
                         "confusion": confusion(truth, list(pred), classes), "n": int(mask.sum())}
    return report


def mention_scores(truth_mentioned: Sequence[bool], pred_mentioned: Sequence[bool]) -> dict[str, float]:
    """Precision, recall and F1 of "theme mentioned" (any stance) versus not."""
    t = np.asarray(truth_mentioned, bool)
    p = np.asarray(pred_mentioned, bool)
    tp, fp, fn = int((t & p).sum()), int((~t & p).sum()), int((t & ~p).sum())
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": precision, "recall": recall, "f1": f1, "support": int(t.sum())}


def theme_report(responses: pd.DataFrame, labels: pd.DataFrame, themes: Sequence[str]) -> pd.DataFrame:
    """Per theme: mention precision/recall/F1 and stance macro-F1.

    Theme label columns hold ``positive`` / ``negative`` / ``absent``, or
    ``mentioned`` (stance unknown), or one-hot 0/1 (mention only).
    """
    rows = []
    for theme in themes:
        if theme not in labels.columns:
            continue
        raw = labels[theme]
        if pd.api.types.is_numeric_dtype(raw):
            truth = np.where(raw.fillna(0).to_numpy() > 0, "mentioned", "absent")
        else:
            truth = raw.astype(object).where(raw.notna(), "absent").to_numpy()
        pred = responses[theme].astype(object).to_numpy()
        row = {"theme": theme, **{f"mention_{k}": v for k, v in
                                  mention_scores(truth != "absent", pred != "absent").items()}}
        known = np.isin(truth, STANCE_LABELS)
        if known.any() and (truth[known] != "absent").any():
            row["stance_macro_f1"] = f1_scores(list(truth[known]), list(pred[known]), STANCE_LABELS)["macro"]
        rows.append(row)
    return pd.DataFrame(rows).set_index("theme") if rows else pd.DataFrame()


def few_shot_sample(labels: pd.DataFrame, themes: Sequence[str], shots: int, seed: int = 0) -> pd.DataFrame:
    """Up to ``shots`` rows mentioning each theme plus as many rows mentioning none of them."""
    rng = np.random.default_rng(seed)
    chosen: set[int] = set()
    mentioned_any = np.zeros(len(labels), bool)
    for theme in themes:
        if theme not in labels.columns:
            continue
        col = labels[theme]
        hit = (col.fillna(0).to_numpy() > 0) if pd.api.types.is_numeric_dtype(col) else \
            col.isin(["positive", "negative", "mentioned"]).to_numpy()
        mentioned_any |= hit
        idx = np.flatnonzero(hit)
        chosen.update(rng.choice(idx, size=min(shots, len(idx)), replace=False).tolist())
    others = np.flatnonzero(~mentioned_any)
    chosen.update(rng.choice(others, size=min(len(chosen), len(others)), replace=False).tolist())
    return labels.iloc[sorted(chosen)]


def bootstrap_macro_f1(truth: Sequence[str], pred: Sequence[str], labels: Sequence[str], *, n_boot: int = 1000,
                       seed: int = 0) -> tuple[float, float, float]:
    """Macro-F1 and its 95% percentile bootstrap interval (units resampled with replacement).

    >>> f1, low, high = bootstrap_macro_f1(["a", "b"] * 20, ["a", "b"] * 20, ["a", "b"])
    >>> (f1, low, high)
    (1.0, 1.0, 1.0)
    """
    t, p = _codes(truth, pred, labels)
    k = len(labels)
    point = f1_scores(truth, pred, labels)["macro"]
    rng = np.random.default_rng(seed)
    draws = []
    for _ in range(n_boot):
        idx = rng.integers(0, len(t), len(t))
        draws.append(np.nanmean(_f1_from_counts(_confusion_counts(t[idx], p[idx], k))))
    low, high = np.percentile(draws, [2.5, 97.5])
    return float(point), float(low), float(high)


def binary_ece(probability: Sequence[float], truth: Sequence[bool], bins: int = 10) -> float:
    """Expected calibration error of probabilities for a yes/no outcome (equal-width bins);
    rows whose probability is NaN are left out.

    >>> round(binary_ece([0.9, 0.9, 0.1, 0.1], [True, True, False, False]), 3)
    0.1
    """
    p, t = np.asarray(probability, float), np.asarray(truth, float)
    p, t = p[~np.isnan(p)], t[~np.isnan(p)]  # rows without a score (not scored) are left out
    edges = np.linspace(0, 1, bins + 1)
    which = np.clip(np.digitize(p, edges[1:-1]), 0, bins - 1)
    return float(sum((which == b).mean() * abs(p[which == b].mean() - t[which == b].mean())
                     for b in range(bins) if (which == b).any()))


def markdown_table(frame: pd.DataFrame) -> str:
    """A DataFrame as a GitHub markdown table (numbers to 3 decimals; strings as they are).

    >>> print(markdown_table(pd.DataFrame({"f1": [0.81234]}, index=["food"])))
    |  | f1 |
    |---|---|
    | food | 0.812 |
    """
    head = "| " + " | ".join([""] + [str(c) for c in frame.columns]) + " |"
    rule = "|" + "---|" * (len(frame.columns) + 1)

    def cell(v):
        if isinstance(v, str):
            return v
        return "" if pd.isna(v) else f"{round(float(v), 3):g}"

    body = ["| " + " | ".join([str(i)] + [cell(v) for v in row]) + " |" for i, row in zip(frame.index, frame.to_numpy())]
    return "\n".join([head, rule, *body])
