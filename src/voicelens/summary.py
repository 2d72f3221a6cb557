"""Aggregate per-response results into outcome summaries: by group, over time, with
95% intervals, group-versus-rest comparisons and small-group suppression.

Small-group protection, one rule everywhere (Python, CLI, Ray, JSON, tidy, report): a group
with fewer than ``min_size`` responses with text (default :data:`DEFAULT_MIN_SIZE`) is
*suppressed*: its rates, intervals and quotes are left out, only its size is shown. When
exactly one row of a breakdown is suppressed, its numbers could be worked out from the total
and the other rows, so the next-smallest row of that breakdown is suppressed too
("complementary" suppression, the usual rule for published tables). ``min_size=0`` turns
suppression off.

>>> sizes = pd.DataFrame({"clinic": ["A", "B", "C"], "n_text": [3, 40, 12]})
>>> flag_small_groups(sizes, ["clinic"], min_size=5)[["clinic", "suppressed", "suppression"]]
  clinic  suppressed    suppression
0      A        True    small_group
1      B       False           <NA>
2      C        True  complementary
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from .labels import SENTIMENT_LABELS
from .rates import ErrorRates, adjusted_rate
from .errors import ColumnNotFoundError
from .stats import Z95, wilson_interval

logger = logging.getLogger("voicelens")

#: Default minimum number of responses with text for a group to be shown.
DEFAULT_MIN_SIZE = 5


def _summarise(group: pd.DataFrame, themes: Sequence[str],
               error_rates: Mapping[str, ErrorRates]) -> dict[str, float]:
    scored = group[group["status"] == "ok"]
    n_text = len(scored)
    n_no_answer = int((group["status"] == "no_answer").sum())  # placeholders ("N/A"): not in n_text
    row: dict[str, float] = {"n": len(group), "n_text": n_text, "n_no_answer": n_no_answer}
    for label in SENTIMENT_LABELS:
        row[f"{label}_share"] = (scored["sentiment"] == label).sum() / n_text if n_text else np.nan
    row["sentiment_score_mean"] = scored["sentiment_score"].mean() if n_text else np.nan
    for name in themes:
        stance = scored[name]
        positives = int((stance == "positive").sum())
        raw = positives / n_text if n_text else np.nan
        if name in error_rates and error_rates[name].correctable:
            rate, low, high = adjusted_rate(positives, n_text, error_rates[name])
        else:
            (low, high), rate = wilson_interval(positives, n_text), raw
        row[f"{name}_mentioned_rate"] = (stance != "absent").sum() / n_text if n_text else np.nan
        row[f"{name}_positive_rate"] = float(rate)
        row[f"{name}_positive_ci_low"] = float(low)
        row[f"{name}_positive_ci_high"] = float(high)
        row[f"{name}_positive_count"] = positives
        row[f"{name}_positive_rate_raw"] = raw
        row[f"{name}_negative_rate"] = (stance == "negative").sum() / n_text if n_text else np.nan
    return row


def summarise(responses: pd.DataFrame, themes: Sequence[str], by: str | Sequence[str] | None = None,
              *, time: str | None = None, freq: str = "M", min_size: int = DEFAULT_MIN_SIZE,
              error_rates: Mapping[str, ErrorRates] | None = None) -> pd.DataFrame:
    """One row per group (or one overall row). Rates are over responses with text
    (``n_text``); ``n_no_answer`` counts the placeholder answers ("N/A", "Did not answer")
    left out of them. ``T_positive_count`` / ``T_positive_rate_raw`` count the responses
    called positive. Where the model's error rates for ``T`` are known (``error_rates``,
    measured on labelled text it never trained on), ``T_positive_rate`` is corrected for
    them and ``T_positive_ci_low/high`` is a 95% interval that includes the classifier's
    own uncertainty (:mod:`voicelens.rates`); otherwise it is the raw rate with 95% Wilson bounds.

    ``time``: a date column; rows are then also split by period of ``freq`` (``"D"``,
    ``"W"``, ``"M"``, ``"Q"``, ``"Y"``), the column holding each period's first day.
    ``min_size``: adds ``suppressed`` / ``suppression`` and blanks every rate of a group
    with fewer than ``min_size`` responses with text (default 5; ``0`` turns this off).

    >>> df = pd.DataFrame({"status": ["ok"], "sentiment": ["positive"], "sentiment_score": [0.9],
    ...                    "hope": ["positive"]})
    >>> summarise(df, ["hope"], min_size=0)[["n", "hope_positive_rate"]].to_dict("records")
    [{'n': 1, 'hope_positive_rate': 1.0}]
    """
    keys = group_keys(responses, by)
    if time is not None:
        responses = with_period(responses, time, freq)
        keys = keys + [time]
    if not keys:
        table = pd.DataFrame([_summarise(responses, themes, error_rates or {})])
    else:
        rows = []
        for values, group in responses.groupby(keys, sort=True, dropna=False):
            values = values if isinstance(values, tuple) else (values,)
            rows.append({**dict(zip(keys, values)), **_summarise(group, themes, error_rates or {})})
        table = pd.DataFrame(rows)
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
                   *, min_size: int = DEFAULT_MIN_SIZE) -> pd.DataFrame:
    """Each group against all other responses: per theme, the positive-stance rate in the
    group (``rate``) and in the rest (``rate_rest``), their difference ``diff`` and its 95%
    Newcombe interval (``ci_low``, ``ci_high``). Rates are over responses with text.
    A group (or rest) with fewer than ``min_size`` responses with text is suppressed.

    >>> df = pd.DataFrame({"status": ["ok"] * 4, "hope": ["positive", "positive", "absent", "absent"],
    ...                    "clinic": ["A", "A", "B", "B"]})
    >>> compare_groups(df, ["hope"], "clinic", min_size=0)[["clinic", "rate", "rate_rest", "diff"]]
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
        hidden = table["suppressed"].to_numpy(bool) | (n2 < min_size)
        part["suppressed"] = hidden
        part.loc[hidden, ["rate", "rate_rest", "diff", "ci_low", "ci_high"]] = np.nan
        parts.append(part)
    return pd.concat(parts, ignore_index=True)




def check_min_size(min_size: object) -> int:
    """``min_size`` as an int >= 0 (0 and 1 switch suppression off)."""
    if isinstance(min_size, bool) or not isinstance(min_size, (int, np.integer)) or min_size < 0:
        raise ValueError(f"min_size must be a whole number >= 0 (0 turns suppression off); got {min_size!r}")
    return min_size


def flag_small_groups(table: pd.DataFrame, keys: Sequence[str], min_size: int = DEFAULT_MIN_SIZE,
                      size_column: str = "n_text") -> pd.DataFrame:
    """A copy of ``table`` with ``suppressed`` (bool) and ``suppression`` (``small_group``,
    ``complementary`` or NA) columns. ``keys`` are the columns that make up a row's group."""
    min_size = check_min_size(min_size)
    out = table.copy()
    small = out[size_column] < min_size
    reason = pd.Series(pd.NA, index=out.index, dtype="string")
    reason[small] = "small_group"
    keys = list(keys)
    changed = bool(keys) and min_size > 1
    while changed:
        changed = False
        for key in keys:
            others = [k for k in keys if k != key]
            slices = out.groupby(others, dropna=False, sort=False).groups.values() if others else [out.index]
            for rows in slices:
                hidden = reason[rows].notna()
                if len(rows) > 1 and hidden.sum() == 1:
                    shown = out.loc[rows][~hidden.to_numpy()]
                    smallest = shown[size_column].idxmin()
                    reason[smallest] = "complementary"
                    changed = True
    out["suppressed"] = reason.notna().to_numpy()
    out["suppression"] = reason
    return out


def mask_suppressed(table: pd.DataFrame, keep: Sequence[str]) -> pd.DataFrame:
    """Blank (NaN/NA) every column not in ``keep`` on suppressed rows."""
    out = table.copy()
    shown = ~out["suppressed"].to_numpy(dtype=bool)
    for col in out.columns:
        if col not in keep and col not in ("suppressed", "suppression"):
            out[col] = out[col].where(shown)
    return out
