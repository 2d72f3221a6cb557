"""Aggregate per-response results into outcome summaries."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from .backends.base import SENTIMENT_CLASSES
from .errors import ColumnNotFoundError
from .stats import wilson_interval


def _summarise(group: pd.DataFrame, themes: Sequence[str]) -> dict[str, float]:
    scored = group[group["status"] == "ok"]
    n_text = len(scored)
    row: dict[str, float] = {"n": len(group), "n_text": n_text}
    for label in SENTIMENT_CLASSES:
        row[f"{label}_share"] = (scored["sentiment"] == label).sum() / n_text if n_text else np.nan
    row["sentiment_score_mean"] = scored["sentiment_score"].mean() if n_text else np.nan
    for name in themes:
        stance = scored[name]
        positives = int((stance == "positive").sum())
        low, high = wilson_interval(positives, n_text)
        row[f"{name}_mentioned_rate"] = (stance != "absent").sum() / n_text if n_text else np.nan
        row[f"{name}_positive_rate"] = positives / n_text if n_text else np.nan
        row[f"{name}_positive_ci_low"] = float(low)
        row[f"{name}_positive_ci_high"] = float(high)
        row[f"{name}_negative_rate"] = (stance == "negative").sum() / n_text if n_text else np.nan
    return row


def summarise(responses: pd.DataFrame, themes: Sequence[str], by: str | Sequence[str] | None = None) -> pd.DataFrame:
    """One row per group (or one overall row). Rates are over responses with text
    (``n_text``); ``T_positive_ci_low/high`` are 95% Wilson bounds of ``T_positive_rate``.

    >>> df = pd.DataFrame({"status": ["ok"], "sentiment": ["positive"], "sentiment_score": [0.9],
    ...                    "hope": ["positive"]})
    >>> summarise(df, ["hope"])[["n", "hope_positive_rate"]].to_dict("records")
    [{'n': 1, 'hope_positive_rate': 1.0}]
    """
    if by is None:
        return pd.DataFrame([_summarise(responses, themes)])
    keys = [by] if isinstance(by, str) else list(by)
    for key in keys:
        if key not in responses.columns:
            raise ColumnNotFoundError("by", key, responses.columns)
    rows = []
    for values, group in responses.groupby(keys, sort=True, dropna=False):
        values = values if isinstance(values, tuple) else (values,)
        rows.append({**dict(zip(keys, values)), **_summarise(group, themes)})
    return pd.DataFrame(rows)
