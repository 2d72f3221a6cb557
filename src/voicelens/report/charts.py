"""Static charts (matplotlib figures, PNG bytes) from the tidy summary.

Uses matplotlib's object API with the Agg canvas only — no pyplot, no global state,
no display needed. Needs the ``report`` extra.

>>> import voicelens as vl
>>> res = vl.Analyzer(backend="fake").analyze(["my pain is gone", "pain still bad"] * 3)
>>> png = to_png(prevalence_figure(res.tidy()))
>>> png[:8] == b"\\x89PNG\\r\\n\\x1a\\n"
True
"""

from __future__ import annotations

import io
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from ..summary import DEFAULT_MIN_SIZE
from . import views
from .views import SERIES_COLOURS, STANCE_COLOURS, pretty

if TYPE_CHECKING:
    from matplotlib.figure import Figure


def _figure(width: float, height: float) -> Figure:
    try:
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure
    except ImportError as exc:  # pragma: no cover - exercised without the extra
        raise ImportError("charts need matplotlib: pip install 'voicelens[report]'") from exc
    fig = Figure(figsize=(width, height), dpi=110, layout="constrained")
    FigureCanvasAgg(fig)
    return fig


def _empty(fig: Figure, message: str) -> Figure:
    fig.text(0.5, 0.5, message, ha="center", va="center", color="#555555")
    return fig


def to_png(fig: Figure) -> bytes:
    """The figure as PNG bytes."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", facecolor="white")
    return buf.getvalue()


def prevalence_figure(tidy: pd.DataFrame) -> Figure:
    """Positive-stance rate per theme (and group) with 95% interval error bars."""
    data = views.prevalence(tidy)
    themes = list(dict.fromkeys(data["theme"]))
    groups = list(dict.fromkeys(data["group"]))
    fig = _figure(7.5, 1.2 + 0.28 * max(1, len(themes)) * max(2, min(len(groups), 5)))
    if data.empty:
        return _empty(fig, "No group is large enough to show")
    ax = fig.add_subplot()
    step = 0.8 / max(1, len(groups))
    for g, group in enumerate(groups):
        sub = data[data["group"] == group].set_index("theme").reindex(themes)
        y = np.arange(len(themes)) + (g - (len(groups) - 1) / 2) * step
        err = np.clip(np.vstack([sub["rate"] - sub["ci_low"], sub["ci_high"] - sub["rate"]]), 0, None)
        ax.errorbar(sub["rate"], y, xerr=err, fmt="o", capsize=3, color=SERIES_COLOURS[g % len(SERIES_COLOURS)],
                    label=f"{group}")
    ax.set_yticks(np.arange(len(themes)), [pretty(t) for t in themes])
    ax.invert_yaxis()
    ax.set_xlim(0, 1)
    ax.xaxis.set_major_formatter(lambda v, _: f"{v:.0%}")
    ax.set_xlabel("responses reporting the outcome (95% interval)")
    ax.grid(axis="x", alpha=0.3)
    if len(groups) > 1:
        ax.legend(loc="lower right", fontsize="small", frameon=False)
    ax.set_title("Outcomes reported", loc="left")
    return fig


def stance_figure(tidy: pd.DataFrame) -> Figure:
    """Stacked bars: share of responses reporting the outcome, raising the topic without
    it, or not mentioning it, per theme (and group)."""
    data = views.stance_split(tidy)
    rows = list(dict.fromkeys(zip(data["theme"], data["group"])))
    fig = _figure(7.5, 1.0 + 0.4 * max(1, len(rows)))
    if data.empty:
        return _empty(fig, "No group is large enough to show")
    ax = fig.add_subplot()
    several = data["group"].nunique() > 1
    labels = [f"{pretty(t)} · {g}" if several else pretty(t) for t, g in rows]
    left = np.zeros(len(rows))
    for stance, name in (("positive", "outcome reported"), ("negative", "raised, not reported"),
                         ("absent", "not mentioned")):
        sub = data[data["stance"] == stance].set_index(["theme", "group"])["rate"]
        width = np.array([sub.get(r, np.nan) for r in rows], dtype=float)
        ax.barh(np.arange(len(rows)), width, left=left, color=STANCE_COLOURS[stance], label=name)
        left = left + np.nan_to_num(width)
    ax.set_yticks(np.arange(len(rows)), labels)
    ax.invert_yaxis()
    ax.set_xlim(0, 1)
    ax.xaxis.set_major_formatter(lambda v, _: f"{v:.0%}")
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.12), ncol=3, fontsize="small", frameon=False)
    ax.set_title("Stance per theme", loc="left")
    return fig


def sentiment_figure(tidy: pd.DataFrame) -> Figure:
    """Stacked bars of negative / neutral / positive sentiment per group."""
    data = views.sentiment_split(tidy)
    groups = list(dict.fromkeys(data["group"]))
    fig = _figure(7.5, 1.2 + 0.4 * max(1, len(groups)))
    if data.empty:
        return _empty(fig, "No group is large enough to show")
    ax = fig.add_subplot()
    left = np.zeros(len(groups))
    for stance in ("negative", "neutral", "positive"):
        sub = data[data["stance"] == stance].set_index("group")["rate"].reindex(groups)
        width = sub.to_numpy(dtype=float)
        ax.barh(np.arange(len(groups)), width, left=left, color=STANCE_COLOURS[stance], label=stance)
        left = left + np.nan_to_num(width)
    ax.set_yticks(np.arange(len(groups)), groups)
    ax.invert_yaxis()
    ax.set_xlim(0, 1)
    ax.xaxis.set_major_formatter(lambda v, _: f"{v:.0%}")
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.15), ncol=3, fontsize="small", frameon=False)
    ax.set_title("Sentiment", loc="left")
    return fig


def trend_figure(tidy_over_time: pd.DataFrame, time: str) -> Figure:
    """Positive-stance rate per theme over time, with 95% interval bands."""
    data = views.trend(tidy_over_time, time)
    data = data[data["group"] == data["group"].iloc[0]] if not data.empty else data
    fig = _figure(7.5, 3.6)
    if data.empty:
        return _empty(fig, "No period is large enough to show")
    ax = fig.add_subplot()
    for i, theme in enumerate(dict.fromkeys(data["theme"])):
        sub = data[data["theme"] == theme]
        colour = SERIES_COLOURS[i % len(SERIES_COLOURS)]
        x = pd.to_datetime(sub["period"])
        ax.plot(x, sub["rate"], marker="o", color=colour, label=pretty(theme))
        ax.fill_between(x, sub["ci_low"], sub["ci_high"], color=colour, alpha=0.12, linewidth=0)
    periods = sorted(pd.to_datetime(data["period"]).unique())
    if len(periods) <= 24:
        ax.set_xticks(periods, [pd.Timestamp(p).strftime("%b %Y") for p in periods])
    ax.set_ylim(0, 1)
    ax.yaxis.set_major_formatter(lambda v, _: f"{v:.0%}")
    ax.set_ylabel("outcome reported")
    ax.grid(alpha=0.3)
    ax.legend(fontsize="small", frameon=False)
    ax.set_title("Trend per theme (95% interval bands)", loc="left")
    return fig


def save_pngs(result, folder, *, by=None, time: str | None = None, freq: str = "M",
              min_size: int = DEFAULT_MIN_SIZE) -> list:
    """Write the report's charts as ``prevalence.png``, ``stance.png``, ``sentiment.png``
    (and ``trend.png`` with ``time``) into ``folder``; returns the paths."""
    from pathlib import Path

    from ..summary import group_keys
    from .tidy import tidy_summary

    keys = group_keys(result.responses, by)
    grouped = tidy_summary(result.responses, result.themes, keys or None, min_size=min_size, overall=bool(keys))
    overall = tidy_summary(result.responses, result.themes, min_size=min_size)
    figures = {"prevalence": prevalence_figure(grouped), "stance": stance_figure(overall),
               "sentiment": sentiment_figure(grouped)}
    if time:
        figures["trend"] = trend_figure(tidy_summary(result.responses, result.themes, time=time, freq=freq,
                                                     min_size=min_size), time)
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, fig in figures.items():
        path = folder / f"{name}.png"
        path.write_bytes(to_png(fig))
        paths.append(path)
    return paths
