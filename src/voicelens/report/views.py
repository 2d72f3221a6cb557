"""What each chart shows, as small tables cut from the tidy summary; shared by the
matplotlib charts, the Plotly charts and the Streamlit dashboard. Suppressed groups
are left out.

>>> import voicelens as vl
>>> res = vl.Analyzer(backend="fake").analyze(["my pain is gone"] * 5)
>>> prevalence(res.tidy())[["group", "theme", "rate"]].to_dict("records")[0]
{'group': 'All responses', 'theme': 'pain_reduction', 'rate': 1.0}
"""

from __future__ import annotations

import pandas as pd

#: Colours (Okabe–Ito, readable with colour-blindness) for stances and sentiment.
STANCE_COLOURS = {"positive": "#009E73", "negative": "#D55E00", "absent": "#C8C8C8", "neutral": "#9AA5B1"}
#: Colours for groups and themes, in order.
SERIES_COLOURS = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000"]


def pretty(name: str) -> str:
    """'pain_reduction' -> 'Pain reduction'."""
    text = str(name).replace("_", " ").strip()
    return text[:1].upper() + text[1:]


def _shown(tidy: pd.DataFrame) -> pd.DataFrame:
    return tidy[~tidy["suppressed"].astype(bool)]


def prevalence(tidy: pd.DataFrame) -> pd.DataFrame:
    """Positive-stance rate with 95% interval per group and theme."""
    t = _shown(tidy)
    t = t[(t["theme"] != "sentiment") & (t["stance"] == "positive")]
    return t[["group", "theme", "n", "rate", "ci_low", "ci_high"]].reset_index(drop=True)


def stance_split(tidy: pd.DataFrame) -> pd.DataFrame:
    """Share of positive / negative / absent per group and theme."""
    t = _shown(tidy)
    return t[t["theme"] != "sentiment"][["group", "theme", "stance", "n", "rate"]].reset_index(drop=True)


def sentiment_split(tidy: pd.DataFrame) -> pd.DataFrame:
    """Share of negative / neutral / positive sentiment per group."""
    t = _shown(tidy)
    return t[t["theme"] == "sentiment"][["group", "stance", "n", "rate"]].reset_index(drop=True)


def trend(tidy_over_time: pd.DataFrame, time: str) -> pd.DataFrame:
    """Positive-stance rate with 95% interval per period and theme."""
    t = _shown(tidy_over_time)
    t = t[(t["theme"] != "sentiment") & (t["stance"] == "positive")]
    out = t[[time, "group", "theme", "n", "rate", "ci_low", "ci_high"]].rename(columns={time: "period"})
    order = {theme: i for i, theme in enumerate(dict.fromkeys(out["theme"]))}
    return out.sort_values(["theme", "period"], key=lambda c: c.map(order) if c.name == "theme" else c,
                           kind="stable").reset_index(drop=True)


def suppressed_groups(tidy: pd.DataFrame) -> list[str]:
    """Labels of the groups left out."""
    return sorted(set(tidy.loc[tidy["suppressed"].astype(bool), "group"].astype(str)))
