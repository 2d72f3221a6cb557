"""Example dashboard: the report's views with group and date filters, in Streamlit.

    pip install 'voicelens[dashboard]'
    voicelens analyze examples/testimonials.csv --text-column text --out voicelens_out
    streamlit run examples/dashboard_streamlit.py --browser.gatherUsageStats false -- voicelens_out

The results path (a responses file or the output folder of ``voicelens analyze``) comes
after ``--``, or from the environment variable ``VOICELENS_RESULTS``. Small groups are
suppressed and quotes redacted exactly as in ``voicelens report``. Everything is served
from this machine; ``--browser.gatherUsageStats false`` stops Streamlit's own telemetry.
"""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path

import pandas as pd
import streamlit as st

from voicelens import AnalysisResult
from voicelens.report import interactive
from voicelens.report.views import pretty

st.set_page_config(page_title="voicelens dashboard", layout="wide")


def results_path() -> Path:
    args = [a for a in sys.argv[1:] if not a.startswith("-")]
    return Path(args[0] if args else os.environ.get("VOICELENS_RESULTS", "voicelens_out"))


@st.cache_data(show_spinner="Loading results…")
def load(path: str, mtime: float) -> tuple[pd.DataFrame, list[str], dict]:
    result = AnalysisResult.read(path)
    return result.responses, result.themes, result.metadata


def group_columns(responses: pd.DataFrame, themes: list[str]) -> list[str]:
    """Input columns with a handful of repeated values (clinic, treatment, ...)."""
    produced = {"sentiment", "sentiment_score", "status", *themes}
    produced |= {f"{t}_{s}" for t in themes for s in ("score", "evidence")}
    out = []
    for col in responses.columns:
        if col in produced or pd.api.types.is_float_dtype(responses[col]):
            continue
        k = responses[col].nunique(dropna=True)
        if 1 < k <= 50 and k < 0.8 * len(responses):
            out.append(col)
    return out


def date_columns(responses: pd.DataFrame) -> list[str]:
    """Columns whose values (nearly) all read as dates."""
    out = []
    for col in responses.columns:
        values = responses[col].dropna()
        if values.empty or pd.api.types.is_float_dtype(values) or pd.api.types.is_integer_dtype(values):
            continue
        parsed = pd.to_datetime(values.astype(str), errors="coerce", format="mixed")
        if parsed.notna().mean() > 0.9:
            out.append(col)
    return out


def plain(text: str) -> str:
    """Patient text shown as written: Markdown characters escaped, no links or images."""
    return re.sub(r"([\\`*_{}\[\]()#+\-.!<>|~])", r"\\\1", str(text).replace("\n", " "))


path = results_path()
if not path.exists():
    st.title("voicelens dashboard")
    st.info(f"No results at `{path}`. Run `voicelens analyze FILE --text-column COL --out voicelens_out`, "
            "then `streamlit run examples/dashboard_streamlit.py -- voicelens_out`.")
    st.stop()

responses, themes, metadata = load(str(path), path.stat().st_mtime)

# -- filters ----------------------------------------------------------------
st.sidebar.header("Filters")
groups = group_columns(responses, themes)
by = st.sidebar.selectbox("Compare groups by", ["(none)", *groups], index=1 if groups else 0)
by = None if by == "(none)" else by
data = responses
if by:
    values = sorted(data[by].dropna().astype(str).unique())
    chosen = st.sidebar.multiselect(f"{pretty(by)} values", values, default=values)
    data = data[data[by].astype(str).isin(chosen)]
dates = date_columns(responses)
time = st.sidebar.selectbox("Date column", ["(none)", *dates], index=1 if dates else 0)
time = None if time == "(none)" else time
freq = "M"
if time:
    parsed = pd.to_datetime(data[time].astype(str), errors="coerce", format="mixed")
    if parsed.notna().any():
        low, high = parsed.min().date(), parsed.max().date()
        start, end = st.sidebar.slider("Dates", min_value=low, max_value=high, value=(low, high)) \
            if low < high else (low, high)
        data = data[(parsed.dt.date >= start) & (parsed.dt.date <= end)]
    freq = st.sidebar.selectbox("Trend period", ["W", "M", "Q", "Y"], index=1)
min_size = int(st.sidebar.number_input("Minimum group size", min_value=0, value=5, step=1,
                                       help="Groups with fewer responses with text are suppressed"))

result = AnalysisResult(data, themes, metadata)

# -- headline ----------------------------------------------------------------
st.title("Patient outcomes")
ok = int((data["status"] == "ok").sum())
overall = result.tidy(min_size=min_size)
cols = st.columns(1 + len(themes))
cols[0].metric("Responses with text", ok)
for col, theme in zip(cols[1:], themes):
    row = overall[(overall["theme"] == theme) & (overall["stance"] == "positive")].iloc[0]
    col.metric(f"Report {pretty(theme).lower()}", "suppressed" if row["suppressed"] else f"{row['rate']:.0%}",
               help="95% CI " + ("–" if row["suppressed"] else f"{row['ci_low']:.0%}–{row['ci_high']:.0%}"))

grouped = result.tidy(by, min_size=min_size, overall=bool(by))
tabs = st.tabs(["Overview", "Trends", "Compare groups", "Quotes", "Data"])
with tabs[0]:
    st.plotly_chart(interactive.prevalence_figure(grouped))
    left, right = st.columns(2)
    left.plotly_chart(interactive.stance_figure(overall))
    right.plotly_chart(interactive.sentiment_figure(grouped))
with tabs[1]:
    if time:
        st.plotly_chart(interactive.trend_figure(result.tidy(time=time, freq=freq, min_size=min_size), time))
    else:
        st.info("Pick a date column in the sidebar to see trends.")
with tabs[2]:
    if by:
        table = result.compare(by, min_size=min_size)
        table["theme"] = table["theme"].map(pretty)
        st.dataframe(table, hide_index=True)
        st.caption("Group minus the rest, positive-stance rate; 95% Newcombe interval. Blank rows are suppressed.")
    else:
        st.info("Pick a grouping column in the sidebar to compare groups.")
with tabs[3]:
    quotes = result.quotes(n=3, by=by, min_size=min_size)
    st.caption(f"Personal details removed: {sum(quotes.attrs.get('redaction_counts', {}).values())} redactions.")
    for theme in themes:
        st.subheader(pretty(theme))
        left, right = st.columns(2)
        for column, stance, label in ((left, "positive", "Outcome reported"), (right, "negative", "Raised, not reported")):
            column.markdown(f"**{label}**")
            for q in quotes[(quotes["theme"] == theme) & (quotes["stance"] == stance)].itertuples():
                column.markdown("> " + plain(q.quote))
                column.caption(f"{plain(q.group)} · confidence {q.confidence:.2f}")
with tabs[4]:
    st.dataframe(grouped, hide_index=True)
    st.download_button("Download tidy table (CSV)", grouped.to_csv(index=False), "voicelens_tidy.csv", "text/csv")
    st.download_button("Download JSON export", result.to_json(by=by, time=time, freq=freq, min_size=min_size),
                       "voicelens_report.json", "application/json")
