"""Versioned JSON export for dashboards (format ``voicelens.report``, schema 1.0).

The layout is documented in ``docs/json_schema.md`` and checked by the JSON Schema
``docs/report.schema.json``. NaN becomes ``null``; dates are ISO 8601 strings. Minor
versions only add fields; a change that removes or renames one bumps the major version.

>>> import json, voicelens as vl
>>> res = vl.Analyzer(backend="fake").analyze(["my pain is gone"] * 5)
>>> doc = json.loads(to_json(res))
>>> doc["format"], doc["schema_version"], doc["counts"]["with_text"]
('voicelens.report', '1.0', 5)
"""

from __future__ import annotations

import datetime as dt
import json
import math
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .._version import __version__
from ..summary import DEFAULT_MIN_SIZE, check_min_size, flag_small_groups, group_keys
from .quotes import representative_quotes
from .tidy import OVERALL, group_label, tidy_summary

FORMAT = "voicelens.report"
SCHEMA_VERSION = "1.0"
INTERVAL_NOTE = "95% Wilson score interval"
COMPARISON_NOTE = "difference in positive-stance rate, group minus rest; 95% Newcombe hybrid score interval"


def _clean(value: Any) -> Any:
    """JSON-safe: NaN/NA -> None, numpy scalars -> Python, timestamps -> ISO dates."""
    if isinstance(value, dict):
        return {str(k): _clean(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_clean(v) for v in value]
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, (pd.Timestamp, dt.datetime, dt.date)):
        return value.isoformat()[:10] if isinstance(value, pd.Timestamp) and value == value.normalize() \
            else value.isoformat()
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def _tidy_records(table: pd.DataFrame, keys: list[str], time: str | None) -> list[dict[str, Any]]:
    records = []
    for r in table.to_dict("records"):
        records.append({
            "group": r["group"],
            "keys": {} if r["group"] == OVERALL and all(pd.isna(r[k]) for k in keys) else {k: r[k] for k in keys},
            "period": r[time] if time else None,
            **{c: r[c] for c in ("theme", "stance", "n", "count", "rate", "ci_low", "ci_high", "suppressed")},
        })
    return records


def build_payload(result, *, by: str | Sequence[str] | None = None, time: str | None = None,
                  freq: str = "M", min_size: int = DEFAULT_MIN_SIZE, n_quotes: int = 3, redact: bool = True) -> dict[str, Any]:
    """The export as a dict (before JSON encoding)."""
    min_size = check_min_size(min_size)
    responses, themes = result.responses, result.themes
    keys = group_keys(responses, by)
    meta = result.metadata or {}
    ok = responses["status"] == "ok"
    summary = _tidy_records(tidy_summary(responses, themes, min_size=min_size), [], None)
    groups: list[dict[str, Any]] = []
    comparisons: list[dict[str, Any]] = []
    if keys:
        summary += _tidy_records(tidy_summary(responses, themes, keys, min_size=min_size), keys, None)
        sizes = responses[keys].assign(n=1, n_text=ok.astype(int))
        sizes = sizes.groupby(keys, dropna=False, sort=True).sum().reset_index()
        for r in flag_small_groups(sizes, keys, min_size).to_dict("records"):
            groups.append({"group": group_label([r[k] for k in keys]), "keys": {k: r[k] for k in keys},
                           "n": r["n"], "n_text": r["n_text"], "suppressed": r["suppressed"],
                           "suppression": r["suppression"]})
        for r in result.compare(keys, min_size=min_size).to_dict("records"):
            comparisons.append({"group": group_label([r[k] for k in keys]), "keys": {k: r[k] for k in keys},
                                **{c: r[c] for c in ("theme", "n", "n_rest", "rate", "rate_rest", "diff",
                                                     "ci_low", "ci_high", "suppressed")}})
    trends: list[dict[str, Any]] = []
    if time:
        trends = _tidy_records(tidy_summary(responses, themes, keys or None, time=time, freq=freq,
                                            min_size=min_size, overall=True), keys, time)
    quotes = representative_quotes(responses, themes, n=n_quotes, by=keys or None, min_size=min_size,
                                   redact=redact)
    theme_info = {t.get("name"): t for t in meta.get("themes", []) if isinstance(t, dict)}
    payload = {
        "format": FORMAT,
        "schema_version": SCHEMA_VERSION,
        "generated_at": dt.datetime.now(dt.timezone.utc).replace(microsecond=0).isoformat(),
        "voicelens_version": __version__,
        "settings": {"by": keys, "time": time, "freq": freq if time else None, "min_size": min_size,
                     "n_quotes": n_quotes, "redacted": redact},
        "methods": {
            "backend": meta.get("backend"),
            "themes": [{"name": t, "description": theme_info.get(t, {}).get("description")} for t in themes],
            "text_column": meta.get("text_column"),
            "interval": INTERVAL_NOTE,
            "comparison": COMPARISON_NOTE,
            "suppression": f"groups with fewer than {min_size} responses with text are suppressed, "
                           "plus complementary suppression when a breakdown has exactly one",
            "rates": "over responses with text (status ok)",
        },
        "counts": {"responses": len(responses), "with_text": int(ok.sum()),
                   "by_status": {str(k): int(v) for k, v in responses["status"].value_counts().items()}},
        "groups": groups,
        "summary": summary,
        "comparisons": comparisons,
        "trends": trends,
        "quotes": [{"theme": q["theme"], "stance": q["stance"], "rank": q["rank"], "text": q["quote"],
                    "confidence": q["confidence"], "group": q["group"], "redactions": q["redactions"]}
                   for q in quotes.to_dict("records")],
        "redactions": quotes.attrs.get("redaction_counts", {}),
    }
    return _clean(payload)


def to_json(result, path: str | os.PathLike[str] | None = None, *, indent: int | None = 2, **kwargs: Any) -> str:
    """The export as JSON text (see :func:`build_payload` for ``kwargs``); also written to
    ``path`` (UTF-8) when given."""
    text = json.dumps(build_payload(result, **kwargs), indent=indent, ensure_ascii=False, allow_nan=False)
    if path is not None:
        Path(path).write_text(text + "\n", encoding="utf-8")
    return text
