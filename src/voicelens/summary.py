"""Aggregate per-response results into outcome summaries: by group, over time, with
95% intervals, group-versus-rest comparisons and small-group suppression."""

from __future__ import annotations

import logging
from collections.abc import Sequence

import numpy as np
import pandas as pd

from .backends.base import SENTIMENT_CLASSES
from .errors import ColumnNotFoundError
from .stats import Z95, wilson_interval

logger = logging.getLogger("voicelens")


def _summarise(group: pd.DataFrame, themes: Sequence[str]) -> dict[str, float]:
    scored = group[group["status"] == "ok"]
    n_text = len(scored)
    n_no_answer = int((group["status"] == "no_answer").sum())  # placeholders ("N/A"): not in n_text
    row: dict[str, float] = {"n": len(group), "n_text": n_text, "n_no_answer": n_no_answer}
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


def summarise(responses: pd.DataFrame, themes: Sequence[str], by: str | Sequence[str] | None = None,
              *, time: str | None = None, freq: str = "M", min_size: int | None = None) -> pd.DataFrame:
    """One row per group (or one overall row). Rates are over responses with text
    (``n_text``); ``n_no_answer`` counts the placeholder answers ("N/A", "Did not answer")
    left out of them; ``T_positive_ci_low/high`` are 95% Wilson bounds of ``T_positive_rate``.

    ``time``: a date column; rows are then also split by period of ``freq`` (``"D"``,
    ``"W"``, ``"M"``, ``"Q"``, ``"Y"``), the column holding each period's first day.
    ``min_size``: when given, adds ``suppressed`` / ``suppression`` and blanks every rate
    of a group with fewer than ``min_size`` responses with text (see ``report.suppression``).

    >>> df = pd.DataFrame({"status": ["ok"], "sentiment": ["positive"], "sentiment_score": [0.9],
    ...                    "hope": ["positive"]})
    >>> summarise(df, ["hope"])[["n", "hope_positive_rate"]].to_dict("records")
    [{'n': 1, 'hope_positive_rate': 1.0}]
    """
    keys = group_keys(responses, by)
    if time is not None:
        responses = with_period(responses, time, freq)
        keys = keys + [time]
    if not keys:
        table = pd.DataFrame([_summarise(responses, themes)])
    else:
        rows = []
        for values, group in responses.groupby(keys, sort=True, dropna=False):
            values = values if isinstance(values, tuple) else (values,)
            rows.append({**dict(zip(keys, values)), **_summarise(group, themes)})
        table = pd.DataFrame(rows)
    if min_size is None:
        return table
    from .report.suppression import flag_small_groups, mask_suppressed

    flagged = flag_small_groups(table, keys, min_size)
    return mask_suppressed(flagged, keep=[*keys, "n", "n_text", "n_no_answer"])


def group_keys(responses: pd.DataFrame, by: str | Sequence[str] | None) -> list[str]:
    """``by`` as a list of existing column names."""
    if by is None:
        return []
    keys = [by] if isinstance(by, str) else list(by)
    for key in keys:
        if key not in responses.columns:
            raise ColumnNotFoundError("by", key, responses.columns)
    return keys


def with_period(responses: pd.DataFrame, time: str, freq: str = "M") -> pd.DataFrame:
    """A copy whose ``time`` column holds the first day of each row's period.

    >>> with_period(pd.DataFrame({"month": ["2026-07", "2026-07-19"]}), "month")["month"].tolist()
    [Timestamp('2026-07-01 00:00:00'), Timestamp('2026-07-01 00:00:00')]
    """
    if time not in responses.columns:
        raise ColumnNotFoundError("time", time, responses.columns)
    try:
        pd.Period("2000-01-01", freq=freq)
    except (ValueError, TypeError) as exc:
        raise ValueError(f"freq {freq!r} is not a period frequency; use e.g. 'D', 'W', 'M', 'Q' or 'Y'") from exc
    raw = responses[time]
    if isinstance(raw.dtype, pd.DatetimeTZDtype):
        raw = raw.dt.tz_localize(None)
    dates = raw if pd.api.types.is_datetime64_any_dtype(raw) else pd.to_datetime(raw, errors="coerce", format="mixed")
    bad = dates.isna() & raw.notna()
    if raw.notna().any() and bad.all():
        example = raw[raw.notna()].iloc[0]
        raise ValueError(f"time column {time!r} has no values that read as dates (e.g. {example!r})")
    if bad.any():
        logger.warning("time column %r: %d value(s) are not dates and are grouped as NaT", time, int(bad.sum()))
    out = responses.copy()
    out[time] = dates.dt.to_period(freq).dt.start_time
    return out


def newcombe_interval(k1, n1, k2, n2, z: float = Z95) -> tuple[np.ndarray, np.ndarray]:
    """95% interval of ``k1/n1 - k2/n2`` by Newcombe's hybrid score method (his method 10),
    built from the two Wilson intervals; NaN where either ``n`` is 0.

    >>> low, high = newcombe_interval(56, 70, 48, 80)   # Newcombe (1998), example (a)
    >>> round(float(low), 4), round(float(high), 4)
    (0.0524, 0.3339)
    """
    k1, n1, k2, n2 = (np.asarray(v, dtype=float) for v in (k1, n1, k2, n2))
    l1, u1 = wilson_interval(k1, n1, z)
    l2, u2 = wilson_interval(k2, n2, z)
    with np.errstate(invalid="ignore", divide="ignore"):
        p1, p2 = k1 / n1, k2 / n2
        d = p1 - p2
        low = d - np.sqrt((p1 - l1) ** 2 + (u2 - p2) ** 2)
        high = d + np.sqrt((u1 - p1) ** 2 + (p2 - l2) ** 2)
    ok = (n1 > 0) & (n2 > 0)
    return np.where(ok, low, np.nan), np.where(ok, high, np.nan)


def compare_groups(responses: pd.DataFrame, themes: Sequence[str], by: str | Sequence[str],
                   *, min_size: int | None = 5) -> pd.DataFrame:
    """Each group against all other responses: per theme, the positive-stance rate in the
    group (``rate``) and in the rest (``rate_rest``), their difference ``diff`` and its 95%
    Newcombe interval (``ci_low``, ``ci_high``). Rates are over responses with text.
    A group (or rest) with fewer than ``min_size`` responses with text is suppressed.

    >>> df = pd.DataFrame({"status": ["ok"] * 4, "hope": ["positive", "positive", "absent", "absent"],
    ...                    "clinic": ["A", "A", "B", "B"]})
    >>> compare_groups(df, ["hope"], "clinic", min_size=None)[["clinic", "rate", "rate_rest", "diff"]]
      clinic  rate  rate_rest  diff
    0      A   1.0        0.0   1.0
    1      B   0.0        1.0  -1.0
    """
    keys = group_keys(responses, by)
    if not keys:
        raise ValueError("compare_groups needs by= (one or more grouping columns)")
    ok = (responses["status"] == "ok").to_numpy()
    counts = pd.DataFrame({"n_text": ok.astype(int)}, index=responses.index)
    for theme in themes:
        counts[theme] = (ok & (responses[theme] == "positive").to_numpy()).astype(int)
    table = pd.concat([responses[keys], counts], axis=1).groupby(keys, sort=True, dropna=False).sum()
    table = table.reset_index()
    if min_size is not None:
        from .report.suppression import flag_small_groups

        table = flag_small_groups(table, keys, min_size)
    total = int(ok.sum())
    parts = []
    for theme in themes:
        k1, n1 = table[theme].to_numpy(float), table["n_text"].to_numpy(float)
        k2, n2 = table[theme].sum() - k1, total - n1
        low, high = newcombe_interval(k1, n1, k2, n2)
        with np.errstate(invalid="ignore", divide="ignore"):
            part = table[keys].assign(theme=theme, n=n1.astype(int), n_rest=n2.astype(int),
                                      rate=k1 / n1, rate_rest=k2 / n2, diff=k1 / n1 - k2 / n2,
                                      ci_low=low, ci_high=high)
        if min_size is not None:
            hidden = table["suppressed"].to_numpy(bool) | (n2 < min_size)
            part["suppressed"] = hidden
            part.loc[hidden, ["rate", "rate_rest", "diff", "ci_low", "ci_high"]] = np.nan
        parts.append(part)
    return pd.concat(parts, ignore_index=True)
