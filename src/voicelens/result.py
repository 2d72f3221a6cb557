"""The object ``Analyzer.analyze`` returns."""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import pandas as pd

from .errors import ColumnNotFoundError
from .summary import compare_groups, summarise


@dataclass
class AnalysisResult:
    """Per-response results plus what is needed to summarise them.

    ``responses`` has one row per input row, in input order and with the input
    index; grouping columns of a DataFrame input are kept beside the results.
    """

    responses: pd.DataFrame
    themes: list[str]
    metadata: dict[str, Any] = field(default_factory=dict)

    def summary(self, by: str | Sequence[str] | None = None, *, time: str | None = None,
                freq: str = "M", min_size: int | None = None) -> pd.DataFrame:
        """Outcome summary: one row overall, or one per value of ``by``.

        ``time`` (a date column) adds one row per period of ``freq`` (``"W"``, ``"M"``,
        ``"Q"``, ``"Y"``) for trends; ``min_size`` flags groups with fewer responses with
        text (``suppressed``) and blanks their rates.

        >>> import voicelens as vl                                # doctest: +SKIP
        >>> vl.Analyzer().analyze(["My pain is gone"]).summary()  # doctest: +SKIP
        >>> res.summary(by="clinic", time="month", freq="M", min_size=5)   # doctest: +SKIP
        """
        return summarise(self.responses, self.themes, by=by, time=time, freq=freq, min_size=min_size)

    def compare(self, by: str | Sequence[str], *, min_size: int | None = 5) -> pd.DataFrame:
        """Each group against the rest: positive-stance rate per theme, difference and its
        95% Newcombe interval (see :func:`voicelens.summary.compare_groups`).

        >>> res.compare(by="clinic")   # doctest: +SKIP
        """
        return compare_groups(self.responses, self.themes, by, min_size=min_size)

    def tidy(self, by: str | Sequence[str] | None = None, *, time: str | None = None, freq: str = "M",
             min_size: int = 5, overall: bool = False) -> pd.DataFrame:
        """Long table ``group, theme, stance, n, count, rate, ci_low, ci_high, suppressed``
        (see :mod:`voicelens.report.tidy`), for dashboards and charts.

        >>> res.tidy(by="clinic")   # doctest: +SKIP
        """
        from .report.tidy import tidy_summary

        return tidy_summary(self.responses, self.themes, by, time=time, freq=freq, min_size=min_size,
                            overall=overall)

    def quotes(self, n: int = 3, *, by: str | Sequence[str] | None = None, min_size: int = 5,
               redact: bool = True) -> pd.DataFrame:
        """Up to ``n`` representative quotes per theme and stance, personal details
        redacted, none from suppressed groups (see :mod:`voicelens.report.quotes`).

        >>> res.quotes(n=2, by="clinic")   # doctest: +SKIP
        """
        from .report.quotes import representative_quotes

        return representative_quotes(self.responses, self.themes, n=n, by=by, min_size=min_size, redact=redact)

    def to_json(self, path: str | os.PathLike[str] | None = None, *, by: str | Sequence[str] | None = None,
                time: str | None = None, freq: str = "M", min_size: int = 5, n_quotes: int = 3,
                redact: bool = True, indent: int | None = 2) -> str:
        """Versioned JSON export (schema: ``docs/json_schema.md``); written to ``path`` if given.

        >>> payload = res.to_json(by="clinic", time="month")   # doctest: +SKIP
        """
        from .report.json_export import to_json

        return to_json(self, path, by=by, time=time, freq=freq, min_size=min_size, n_quotes=n_quotes,
                       redact=redact, indent=indent)

    def report(self, path: str | os.PathLike[str], *, by: str | Sequence[str] | None = None,
               time: str | None = None, freq: str = "M", min_size: int = 5, n_quotes: int = 3,
               title: str | None = None, charts: Literal["both", "interactive", "static"] = "both") -> Path:
        """Write a self-contained HTML report (charts, tables, quotes, methods); needs the
        ``report`` extra (matplotlib, plotly, jinja2).

        >>> res.report("report.html", by="clinic", time="month")   # doctest: +SKIP
        """
        from .report.html import write_report

        return write_report(self, path, by=by, time=time, freq=freq, min_size=min_size,
                            n_quotes=n_quotes, title=title, charts=charts)

    @classmethod
    def from_responses(cls, responses: pd.DataFrame, themes: Sequence[str] | None = None,
                       metadata: dict[str, Any] | None = None) -> AnalysisResult:
        """Rebuild a result from a saved ``responses`` table (e.g. ``responses.csv`` of
        ``voicelens analyze``). ``themes`` default to every ``T`` with ``T``, ``T_score``
        and ``T_evidence`` columns.

        >>> df = pd.DataFrame({"sentiment": ["positive"], "sentiment_score": [0.8], "status": ["ok"],
        ...                    "hope": ["positive"], "hope_score": [0.9], "hope_evidence": ["I feel hopeful"]})
        >>> AnalysisResult.from_responses(df).themes
        ['hope']
        """
        cols = list(responses.columns)
        if themes is None:
            themes = [c[: -len("_evidence")] for c in cols
                      if c.endswith("_evidence") and c[: -len("_evidence")] in cols and f"{c[:-9]}_score" in cols]
        themes = list(themes)
        required = ["sentiment", "sentiment_score", "status"] + [c for t in themes for c in (t, f"{t}_score", f"{t}_evidence")]
        for col in required:
            if col not in responses.columns:
                raise ColumnNotFoundError("responses", col, cols)
        out = responses.copy()
        for col in ["sentiment", "status", *themes, *(f"{t}_evidence" for t in themes)]:
            out[col] = out[col].astype("string")
        for t in themes:
            out[t] = out[t].fillna("absent")
        for col in ["sentiment_score", *(f"{t}_score" for t in themes)]:
            out[col] = pd.to_numeric(out[col], errors="coerce")
        return cls(out, themes, dict(metadata or {}))

    @classmethod
    def read(cls, path: str | os.PathLike[str]) -> AnalysisResult:
        """Load the responses file written by ``voicelens analyze`` (CSV/Parquet/...), or its
        output folder (``responses.*`` plus ``metadata.json`` when present).

        >>> res = AnalysisResult.read("voicelens_out")   # doctest: +SKIP
        """
        from .report.load import read_results

        return read_results(path)

    def __len__(self) -> int:
        return len(self.responses)

    def __repr__(self) -> str:
        counts = self.responses["status"].value_counts().to_dict()
        return f"AnalysisResult(n={len(self.responses)}, themes={self.themes}, status={counts})"
