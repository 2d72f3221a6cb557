"""One self-contained HTML report: charts, summary table, comparisons, quotes and a
methods note, in a single file that opens offline (plotly.js inlined, PNGs as data URIs,
system fonts, and a Content-Security-Policy that forbids any network fetch).
Needs the ``report`` extra (matplotlib, plotly, jinja2).

>>> import voicelens as vl                                                  # doctest: +SKIP
>>> res = vl.Analyzer().analyze(df, text_column="text")                     # doctest: +SKIP
>>> write_report(res, "report.html", by="clinic", time="month")             # doctest: +SKIP
"""

from __future__ import annotations

import base64
import datetime as dt
import os
from collections.abc import Sequence
from importlib import resources
from pathlib import Path
from typing import Any, Literal

import pandas as pd

from .._version import __version__
from ..summary import DEFAULT_MIN_SIZE, check_min_size, group_keys
from .quotes import representative_quotes
from .redaction import KINDS
from .tidy import OVERALL, tidy_summary
from .views import pretty, suppressed_groups

Charts = Literal["both", "interactive", "static"]
CHART_MODES = ("both", "interactive", "static")


def _pct(value: float | None) -> str:
    return "–" if value is None or pd.isna(value) else f"{value:.0%}"


def _rate_ci(rate, low, high) -> str:
    return "–" if pd.isna(rate) else f"{rate:.0%} ({low:.0%}–{high:.0%})"


def _model_note(meta: dict[str, Any]) -> str:
    backend = meta.get("backend")
    if isinstance(backend, dict) and backend:
        name = backend.get("backend", "?")
        rest = ", ".join(f"{k}: {v}" for k, v in backend.items() if k != "backend")
        return f"{name} backend" + (f" ({rest})" if rest else "")
    if backend:
        return str(backend)
    return "not recorded with these responses (keep metadata.json beside responses.csv to show it)"


def _charts(result, by_keys: list[str], time: str | None, freq: str, min_size: int,
            mode: Charts) -> tuple[list[dict[str, Any]], list[str], str | None]:
    from . import charts as static
    from . import interactive

    responses, themes = result.responses, result.themes
    grouped = tidy_summary(responses, themes, by_keys or None, min_size=min_size, overall=bool(by_keys))
    overall = tidy_summary(responses, themes, min_size=min_size)
    specs = [
        ("prevalence", "Share of responses reporting each outcome, with 95% intervals", grouped,
         static.prevalence_figure, interactive.prevalence_figure, ()),
        ("stance", "Stance per theme: outcome reported, raised without it, not mentioned", overall,
         static.stance_figure, interactive.stance_figure, ()),
        ("sentiment", "Sentiment per group", grouped, static.sentiment_figure, interactive.sentiment_figure, ()),
    ]
    over_time = None
    if time:
        over_time = tidy_summary(responses, themes, time=time, freq=freq, min_size=min_size)
        specs.append(("trend", "Share reporting each outcome over time", over_time,
                      static.trend_figure, interactive.trend_figure, (time,)))
    out = []
    plotly_js = None
    for name, alt, data, make_static, make_interactive, extra in specs:
        chart: dict[str, Any] = {"name": name, "alt": alt, "html": None, "png": None}
        if mode in ("both", "interactive"):
            fig = make_interactive(data, *extra)
            chart["html"] = fig.to_html(full_html=False, include_plotlyjs=False, div_id=f"plot-{name}",
                                        config={"displaylogo": False, "responsive": True})
        if mode in ("both", "static"):
            chart["png"] = base64.b64encode(static.to_png(make_static(data, *extra))).decode("ascii")
        out.append(chart)
    if mode in ("both", "interactive"):
        from plotly.offline import get_plotlyjs

        plotly_js = get_plotlyjs().replace("</script", "<\\/script")
    hidden = suppressed_groups(grouped) + (suppressed_groups(over_time) if over_time is not None else [])
    return out, sorted(set(hidden)), plotly_js


def _summary_rows(result, by_keys: list[str], min_size: int) -> list[dict[str, Any]]:
    tables = [result.summary(min_size=min_size).assign(group=OVERALL)]
    if by_keys:
        by = result.summary(by=by_keys, min_size=min_size)
        from .tidy import group_label

        by["group"] = [group_label(vals) for vals in by[by_keys].itertuples(index=False)]
        tables.append(by)
    rows = []
    for table in tables:
        for r in table.to_dict("records"):
            rows.append({"group": r["group"], "n": int(r["n"]), "n_text": int(r["n_text"]),
                         "suppressed": bool(r["suppressed"]), "sentiment": _pct(r["positive_share"]),
                         "cells": [_rate_ci(r[f"{t}_positive_rate"], r[f"{t}_positive_ci_low"],
                                            r[f"{t}_positive_ci_high"]) for t in result.themes]})
    return rows


def _comparisons(result, by_keys: list[str], min_size: int) -> list[dict[str, Any]]:
    if not by_keys:
        return []
    from .tidy import group_label

    rows = []
    for r in result.compare(by_keys, min_size=min_size).to_dict("records"):
        css = ""
        if not r["suppressed"] and not pd.isna(r["ci_low"]):
            css = "up" if r["ci_low"] > 0 else "down" if r["ci_high"] < 0 else ""
        rows.append({"group": group_label([r[k] for k in by_keys]), "theme": pretty(r["theme"]),
                     "suppressed": bool(r["suppressed"]), "rate": _pct(r["rate"]), "rest": _pct(r["rate_rest"]),
                     "diff": "–" if pd.isna(r["diff"]) else
                     f"{r['diff'] * 100:+.0f} points ({r['ci_low'] * 100:+.0f} to {r['ci_high'] * 100:+.0f})",
                     "css": css})
    return rows


def _cards(result, min_size: int) -> list[dict[str, str]]:
    ok = result.responses["status"] == "ok"
    n_text = int(ok.sum())
    cards = [{"value": str(n_text), "label": "responses with text", "ci": f"of {len(result.responses)} rows"}]
    if n_text < min_size:
        return cards
    tidy = tidy_summary(result.responses, result.themes, min_size=min_size)
    pos = tidy[(tidy["theme"] == "sentiment") & (tidy["stance"] == "positive")].iloc[0]
    cards.append({"value": _pct(pos["rate"]), "label": "positive sentiment",
                  "ci": f"95% CI {_pct(pos['ci_low'])}–{_pct(pos['ci_high'])}"})
    for t in result.themes:
        r = tidy[(tidy["theme"] == t) & (tidy["stance"] == "positive")].iloc[0]
        cards.append({"value": _pct(r["rate"]), "label": f"report {pretty(t).lower()}",
                      "ci": f"95% CI {_pct(r['ci_low'])}–{_pct(r['ci_high'])}"})
    return cards


def render_report(result, *, by: str | Sequence[str] | None = None, time: str | None = None, freq: str = "M",
                  min_size: int = DEFAULT_MIN_SIZE, n_quotes: int = 3, title: str | None = None, charts: Charts = "both",
                  generated: dt.datetime | None = None) -> str:
    """The report as an HTML string (see :func:`write_report`)."""
    from jinja2 import Environment

    if charts not in CHART_MODES:
        raise ValueError(f"charts must be one of {list(CHART_MODES)}; got {charts!r}")
    min_size = check_min_size(min_size)
    by_keys = group_keys(result.responses, by)
    meta = result.metadata or {}
    chart_list, hidden, plotly_js = _charts(result, by_keys, time, freq, min_size, charts)
    quotes = representative_quotes(result.responses, result.themes, n=n_quotes, by=by_keys or None,
                                   min_size=min_size)
    counts = quotes.attrs.get("redaction_counts", {})
    total = sum(counts.values())
    removed = ", ".join(f"{counts[k]} {k if counts[k] == 1 else k + 's'}" for k in KINDS if counts.get(k))
    redaction_note = ("Personal details were removed before display (e-mail addresses, URLs, dates, phone "
                      f"numbers and names): {total} redaction{'s' if total != 1 else ''}"
                      + (f" ({removed})." if removed else "."))
    theme_info = {t.get("name"): t for t in meta.get("themes", []) if isinstance(t, dict)}
    themes = [{"name": t, "label": pretty(t), "description": theme_info.get(t, {}).get("description")}
              for t in result.themes]
    blocks = []
    for t in result.themes:
        block: dict[str, Any] = {"label": pretty(t)}
        for stance in ("positive", "negative"):
            sub = quotes[(quotes["theme"] == t) & (quotes["stance"] == stance)]
            block[stance] = [{"text": q["quote"], "group": q["group"], "confidence": f"{q['confidence']:.2f}"}
                             for q in sub.to_dict("records")]
        blocks.append(block)
    ok = int((result.responses["status"] == "ok").sum())
    status = result.responses["status"].value_counts()
    status_note = ", ".join(f"{int(v)} {k}" for k, v in status.items() if k != "ok")
    generated = (generated or dt.datetime.now()).strftime("%Y-%m-%d %H:%M")
    template = resources.files("voicelens.report").joinpath("templates", "report.html").read_text(encoding="utf-8")
    env = Environment(autoescape=True, trim_blocks=True, lstrip_blocks=True)
    return env.from_string(template).render(
        title=title or "Patient outcomes report", version=__version__, generated=generated,
        n=len(result.responses), n_text=ok, by=by_keys, time=time, min_size=min_size,
        cards=_cards(result, min_size), charts=chart_list, suppressed_groups=hidden, plotly_js=plotly_js,
        themes=themes, summary_rows=_summary_rows(result, by_keys, min_size),
        comparisons=_comparisons(result, by_keys, min_size), quote_blocks=blocks,
        quotes_note=None if len(quotes) else "No quotes: no group is large enough to quote safely.",
        redaction_note=redaction_note, model=_model_note(meta), status_note=status_note,
        source=meta.get("source") or "analysed in this Python session",
    )


def write_report(result, path: str | os.PathLike[str], **kwargs: Any) -> Path:
    """Render the report (keywords as :func:`render_report`) and write it to ``path``."""
    path = Path(path)
    html = render_report(result, **kwargs)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(html, encoding="utf-8")
    return path
