"""Representative quotes: the most confident evidence sentences per theme and stance.

For each theme and each stance (``positive``, ``negative``) the evidence sentences of the
responses with that stance are ranked by confidence (``T_score`` for positive, ``1 −
T_score`` for negative), redacted (see :mod:`.redaction`), de-duplicated (case, spacing
and punctuation ignored, after redaction) and the top ``n`` kept. Responses in suppressed
groups (fewer than ``min_size`` responses with text) never give quotes.

>>> import voicelens as vl
>>> res = vl.Analyzer(backend="fake").analyze(["My pain is gone, thanks Dr Patel."] * 6)
>>> q = representative_quotes(res.responses, res.themes)
>>> q[["theme", "stance", "quote", "redactions"]].to_dict("records")
[{'theme': 'pain_reduction', 'stance': 'positive', 'quote': 'My pain is gone, thanks Dr [NAME].', 'redactions': 1}]
>>> q.attrs["redaction_counts"]["name"]
1
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import pandas as pd

from ..summary import group_keys
from .redaction import KINDS, Redactor
from ..summary import DEFAULT_MIN_SIZE, flag_small_groups
from .tidy import group_label

QUOTE_COLUMNS = ["theme", "stance", "rank", "quote", "confidence", "group", "row", "redactions"]


def _normalise(text: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"[^\w\s\[\]]", "", text.casefold())).strip()


def representative_quotes(responses: pd.DataFrame, themes: Sequence[str], *, n: int = 3,
                          by: str | Sequence[str] | None = None, min_size: int = DEFAULT_MIN_SIZE,
                          redact: bool = True, redactor: Redactor | None = None,
                          stances: Sequence[str] = ("positive", "negative")) -> pd.DataFrame:
    """Up to ``n`` quotes per theme and stance (columns :data:`QUOTE_COLUMNS`).

    ``by``: groups checked for suppression (and named in ``group``). ``redact=False``
    shows the sentences as written — only for people allowed to see the raw text.
    ``attrs["redaction_counts"]`` has how many e-mails, URLs, dates, phone numbers and
    names were removed from the quotes returned.
    """
    if n < 0:
        raise ValueError(f"n must be >= 0; got {n}")
    keys = group_keys(responses, by)
    ok = responses["status"] == "ok"
    allowed = ok.copy()
    labels = pd.Series("All responses", index=responses.index, dtype=object)
    if keys:
        sizes = pd.concat([responses[keys], ok.rename("n_text").astype(int)], axis=1)
        sizes = sizes.groupby(keys, dropna=False, sort=True).sum().reset_index()
        flags = flag_small_groups(sizes, keys, min_size)
        shown = {tuple(group_label([r[k]]) for k in keys) for _, r in flags.iterrows() if not r["suppressed"]}
        row_keys = [tuple(group_label([v]) for v in vals) for vals in responses[keys].itertuples(index=False)]
        allowed &= pd.Series([k in shown for k in row_keys], index=responses.index)
        labels = pd.Series([" / ".join(k) for k in row_keys], index=responses.index, dtype=object)
    elif int(ok.sum()) < min_size:
        allowed[:] = False
    redactor = redactor or Redactor()
    totals = {kind: 0 for kind in KINDS}
    rows = []
    for theme in themes:
        for stance in stances:
            pick = allowed & (responses[theme] == stance).fillna(False) & responses[f"{theme}_evidence"].notna()
            cand = responses.loc[pick]
            score = cand[f"{theme}_score"].astype(float)
            confidence = score if stance == "positive" else 1 - score
            order = confidence.reset_index(drop=True).sort_values(ascending=False, kind="stable").index
            seen: set[str] = set()
            for pos in order:
                if len(seen) >= n:
                    break
                text = str(cand[f"{theme}_evidence"].iloc[pos]).strip()
                counts: dict[str, int] = {}
                if redact:
                    result = redactor.redact(text)
                    text, counts = result.text, result.counts
                key = _normalise(text)
                if not key or key in seen:
                    continue
                seen.add(key)
                for kind, c in counts.items():
                    totals[kind] = totals.get(kind, 0) + c
                rows.append({"theme": theme, "stance": stance, "rank": len(seen), "quote": text,
                             "confidence": float(confidence.iloc[pos]), "group": labels[pick].iloc[pos],
                             "row": cand.index[pos], "redactions": sum(counts.values())})
    out = pd.DataFrame(rows, columns=QUOTE_COLUMNS)
    out.attrs["redaction_counts"] = totals if redact else {}
    return out
