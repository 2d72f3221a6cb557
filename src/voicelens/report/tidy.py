"""The tidy long table behind charts, dashboards and the JSON export.

One row per group (× period) × theme × stance: ``group`` (a label made of the ``by``
values, ``"All responses"`` without ``by``), the grouping columns (and the ``time``
column, holding each period's first day), ``theme``,
``stance``, ``n`` (responses with text in the group), ``count``, ``rate`` = count / n and
its 95% Wilson interval ``ci_low`` / ``ci_high``, and ``suppressed``. Themes have the
stances ``positive``, ``negative`` and ``absent``; sentiment appears as the theme
``"sentiment"`` with ``positive``, ``neutral`` and ``negative``. Suppressed groups keep
``n`` and have NA everywhere else.

>>> import voicelens as vl
>>> res = vl.Analyzer(backend="fake").analyze(["my pain is gone", "pain still bad"] * 3)
>>> t = tidy_summary(res.responses, res.themes)
>>> t[t.theme == "pain_reduction"][["group", "stance", "n", "count", "rate"]].to_string(index=False)
'        group   stance  n  count  rate\\nAll responses positive  6      3   0.5\\nAll responses negative  6      3   0.5\\nAll responses   absent  6      0   0.0'
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from ..labels import SENTIMENT_LABELS, STANCE_LABELS
from ..stats import wilson_interval
from ..summary import DEFAULT_MIN_SIZE, flag_small_groups, group_keys, summarise

OVERALL = "All responses"
TIDY_COLUMNS = ["group", "theme", "stance", "n", "count", "rate", "ci_low", "ci_high", "suppressed"]
THEME_STANCES = tuple(reversed(STANCE_LABELS))  # display order: positive, negative, absent


def group_label(values: Sequence[object]) -> str:
    """'Northgate / physiotherapy'; '(missing)' for NA; dates as YYYY-MM-DD."""
    parts = []
    for v in values:
        if v is None or (not isinstance(v, str) and pd.isna(v)):
            parts.append("(missing)")
        elif isinstance(v, pd.Timestamp):
            parts.append(v.strftime("%Y-%m-%d"))
        else:
            parts.append(str(v))
    return " / ".join(parts) if parts else OVERALL


def tidy_summary(responses: pd.DataFrame, themes: Sequence[str], by: str | Sequence[str] | None = None,
                 *, time: str | None = None, freq: str = "M", min_size: int = DEFAULT_MIN_SIZE,
                 overall: bool = False) -> pd.DataFrame:
    """Long table (see the module docstring); ``overall=True`` puts the all-responses rows
    (per period, with ``time``) first when ``by`` splits the data."""
    by_keys = group_keys(responses, by)
    keys = by_keys + ([time] if time else [])
    wide = summarise(responses, themes, by=by, time=time, freq=freq, min_size=0)
    wide = flag_small_groups(wide, keys, min_size)
    parts = [_long(wide, themes, keys, by_keys)]
    if overall and by_keys:
        top_keys = [time] if time else []
        top = flag_small_groups(summarise(responses, themes, time=time, freq=freq, min_size=0), top_keys, min_size)
        parts.insert(0, _long(top, themes, top_keys, []))
    out = pd.concat(parts, ignore_index=True)
    return out[["group", *keys, *TIDY_COLUMNS[1:]]]


def _long(wide: pd.DataFrame, themes: Sequence[str], keys: list[str], label_keys: list[str]) -> pd.DataFrame:
    rows = []
    for _, r in wide.iterrows():
        n = int(r["n_text"])
        base = {"group": group_label([r[k] for k in label_keys]), **{k: r[k] for k in keys}}
        counts: list[tuple[str, str, float]] = []
        for label in SENTIMENT_LABELS:
            counts.append(("sentiment", label, r[f"{label}_share"]))
        for theme in themes:
            mentioned = r[f"{theme}_mentioned_rate"]
            counts += [(theme, "positive", r[f"{theme}_positive_rate_raw"]),
                       (theme, "negative", r[f"{theme}_negative_rate"]),
                       (theme, "absent", 1 - mentioned if n else np.nan)]
        for theme, stance, share in counts:
            k = int(round(share * n)) if n else 0
            rows.append({**base, "theme": theme, "stance": stance, "n": n, "count": k,
                         "suppressed": bool(r["suppressed"])})
    out = pd.DataFrame(rows)
    if out.empty:
        return pd.DataFrame(columns=["group", *keys, *TIDY_COLUMNS[1:]])
    n = out["n"].to_numpy(float)
    k = out["count"].to_numpy(float)
    low, high = wilson_interval(k, n)
    with np.errstate(invalid="ignore", divide="ignore"):
        out["rate"] = np.where(n > 0, k / n, np.nan)
    out["ci_low"], out["ci_high"] = low, high
    out["count"] = out["count"].astype("Int64")
    hidden = out["suppressed"].to_numpy(bool)
    out.loc[hidden, "count"] = pd.NA
    out.loc[hidden, ["rate", "ci_low", "ci_high"]] = np.nan
    return out
