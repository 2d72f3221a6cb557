"""Interactive charts (Plotly figures) from the tidy summary: the same four views as
:mod:`.charts`. Needs the ``report`` extra.

>>> import voicelens as vl
>>> res = vl.Analyzer(backend="fake").analyze(["my pain is gone", "pain still bad"] * 3)
>>> prevalence_figure(res.tidy()).data[0].type
'scatter'
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from . import views
from .views import SERIES_COLOURS, STANCE_COLOURS, pretty

if TYPE_CHECKING:
    import plotly.graph_objects as go

_LAYOUT = dict(template="plotly_white", margin=dict(l=10, r=10, t=50, b=10), font=dict(size=13),
               legend=dict(orientation="h", yanchor="top", y=-0.15, x=0, traceorder="normal"))


def _go():
    try:
        import plotly.graph_objects as go
    except ImportError as exc:  # pragma: no cover - exercised without the extra
        raise ImportError("interactive charts need plotly: pip install 'voicelens[report]'") from exc
    return go


def _empty(title: str, message: str) -> go.Figure:
    go = _go()
    fig = go.Figure()
    fig.add_annotation(text=message, showarrow=False, x=0.5, y=0.5, xref="paper", yref="paper")
    fig.update_layout(title=title, xaxis_visible=False, yaxis_visible=False, height=200, **_LAYOUT)
    return fig


def prevalence_figure(tidy: pd.DataFrame) -> go.Figure:
    """Positive-stance rate per theme (and group) with 95% interval error bars."""
    go = _go()
    data = views.prevalence(tidy)
    title = "Outcomes reported (95% interval)"
    if data.empty:
        return _empty(title, "No group is large enough to show")
    fig = go.Figure()
    for g, (group, sub) in enumerate(data.groupby("group", sort=False)):
        fig.add_trace(go.Scatter(
            x=sub["rate"], y=[pretty(t) for t in sub["theme"]], mode="markers", name=str(group),
            orientation="h", offsetgroup=str(g), alignmentgroup="prevalence",
            marker=dict(size=11, color=SERIES_COLOURS[g % len(SERIES_COLOURS)]),
            error_x=dict(type="data", symmetric=False, array=sub["ci_high"] - sub["rate"],
                         arrayminus=sub["rate"] - sub["ci_low"]),
            customdata=sub[["n", "ci_low", "ci_high"]].to_numpy(),
            hovertemplate="%{y}: %{x:.0%} (95% CI %{customdata[1]:.0%}–%{customdata[2]:.0%}), "
                          "n=%{customdata[0]}<extra>%{fullData.name}</extra>"))
    n_themes = data["theme"].nunique()
    fig.update_layout(title=title, xaxis=dict(range=[0, 1], tickformat=".0%"),
                      yaxis=dict(autorange="reversed"), scattermode="group",
                      height=170 + 28 * n_themes * max(2, min(data["group"].nunique(), 6)), **_LAYOUT)
    return fig


def stance_figure(tidy: pd.DataFrame) -> go.Figure:
    """Stacked bars of outcome reported / raised, not reported / not mentioned."""
    go = _go()
    data = views.stance_split(tidy)
    title = "Stance per theme"
    if data.empty:
        return _empty(title, "No group is large enough to show")
    several = data["group"].nunique() > 1
    data = data.assign(label=[f"{pretty(t)} · {g}" if several else pretty(t)
                              for t, g in zip(data["theme"], data["group"])])
    fig = go.Figure()
    for stance, name in (("positive", "outcome reported"), ("negative", "raised, not reported"),
                         ("absent", "not mentioned")):
        sub = data[data["stance"] == stance]
        fig.add_trace(go.Bar(x=sub["rate"], y=sub["label"], orientation="h", name=name,
                             marker_color=STANCE_COLOURS[stance], customdata=sub[["n"]].to_numpy(),
                             hovertemplate="%{y}: %{x:.0%} of %{customdata[0]}<extra>" + name + "</extra>"))
    fig.update_layout(title=title, barmode="stack", xaxis=dict(range=[0, 1], tickformat=".0%"),
                      yaxis=dict(autorange="reversed"), height=160 + 32 * data["label"].nunique(), **_LAYOUT)
    return fig


def sentiment_figure(tidy: pd.DataFrame) -> go.Figure:
    """Stacked bars of negative / neutral / positive sentiment per group."""
    go = _go()
    data = views.sentiment_split(tidy)
    title = "Sentiment"
    if data.empty:
        return _empty(title, "No group is large enough to show")
    fig = go.Figure()
    for stance in ("negative", "neutral", "positive"):
        sub = data[data["stance"] == stance]
        fig.add_trace(go.Bar(x=sub["rate"], y=sub["group"].astype(str), orientation="h", name=stance,
                             marker_color=STANCE_COLOURS[stance], customdata=sub[["n"]].to_numpy(),
                             hovertemplate="%{y}: %{x:.0%} of %{customdata[0]}<extra>" + stance + "</extra>"))
    fig.update_layout(title=title, barmode="stack", xaxis=dict(range=[0, 1], tickformat=".0%"),
                      yaxis=dict(autorange="reversed"), height=170 + 34 * data["group"].nunique(), **_LAYOUT)
    return fig


def trend_figure(tidy_over_time: pd.DataFrame, time: str) -> go.Figure:
    """Positive-stance rate per theme over time with 95% interval bands."""
    go = _go()
    data = views.trend(tidy_over_time, time)
    title = "Trend per theme (95% interval bands)"
    if data.empty:
        return _empty(title, "No period is large enough to show")
    data = data[data["group"] == data["group"].iloc[0]]
    fig = go.Figure()
    for i, (theme, sub) in enumerate(data.groupby("theme", sort=False)):
        colour = SERIES_COLOURS[i % len(SERIES_COLOURS)]
        x = pd.to_datetime(sub["period"])
        band_x = list(x) + list(x[::-1])
        band_y = list(sub["ci_high"]) + list(sub["ci_low"][::-1])
        fig.add_trace(go.Scatter(x=band_x, y=band_y, mode="lines", fill="toself", fillcolor=colour, opacity=0.15,
                                 line=dict(width=0), hoverinfo="skip", showlegend=False, legendgroup=theme))
        fig.add_trace(go.Scatter(x=x, y=sub["rate"], mode="lines+markers", name=pretty(theme),
                                 line=dict(color=colour), legendgroup=theme,
                                 customdata=sub[["n", "ci_low", "ci_high"]].to_numpy(),
                                 hovertemplate="%{x|%b %Y}: %{y:.0%} (95% CI %{customdata[1]:.0%}–"
                                               "%{customdata[2]:.0%}), n=%{customdata[0]}<extra>%{fullData.name}</extra>"))
    periods = sorted(pd.to_datetime(data["period"]).unique())
    xaxis = dict(tickvals=periods, ticktext=[pd.Timestamp(p).strftime("%b %Y") for p in periods]) \
        if len(periods) <= 24 else {}
    fig.update_layout(title=title, yaxis=dict(range=[0, 1], tickformat=".0%"), xaxis=xaxis, height=380, **_LAYOUT)
    return fig
