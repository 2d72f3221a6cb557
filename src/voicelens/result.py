"""The object ``Analyzer.analyze`` returns, and its folder on disk.

A results folder holds ``responses.parquet`` (or the ``responses.*`` of ``voicelens
analyze``) and ``metadata.json``: model, themes, settings and library versions.
"""

from __future__ import annotations

import json
import os
import platform
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import pandas as pd

from ._version import __version__
from .errors import ColumnNotFoundError, InputFormatError
from .rates import ErrorRates
from .summary import DEFAULT_MIN_SIZE, compare_groups, summarise

#: Names looked for in a results folder, in this order.
RESPONSE_FILES = ("responses.parquet", "responses.csv", "responses.tsv", "responses.jsonl", "responses.xlsx")
METADATA_FILE = "metadata.json"
#: Written by ``voicelens analyze`` (resumable runs); its fingerprint names backend and themes.
MANIFEST_FILE = "manifest.json"


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
                freq: str = "M", min_size: int = DEFAULT_MIN_SIZE) -> pd.DataFrame:
        """Outcome summary: one row overall, or one per value of ``by``.

        ``time`` (a date column) adds one row per period of ``freq`` (``"W"``, ``"M"``,
        ``"Q"``, ``"Y"``) for trends; ``min_size`` flags groups with fewer responses with
        text (``suppressed``) and blanks their rates.

        >>> res = vl.Analyzer(backend="fake").analyze(df)     # df: text, clinic, month
        >>> res.summary(by="clinic")[["clinic", "n", "n_text", "pain_reduction_positive_rate"]]
          clinic  n  n_text  pain_reduction_positive_rate
        0  North  6       6                      0.333333
        1  South  6       6                      0.333333
        >>> len(res.summary(by="clinic", time="month", freq="M", min_size=0))
        6
        """
        return summarise(self.responses, self.themes, by=by, time=time, freq=freq, min_size=min_size,
                         error_rates=self.error_rates)

    @property
    def error_rates(self) -> dict[str, ErrorRates]:
        """Per theme, the model's measured error rates that ``summary()`` corrects for."""
        return {t: ErrorRates.from_dict(d) for t, d in self.metadata.get("error_rates", {}).items()
                if t in self.themes}

    def compare(self, by: str | Sequence[str], *, min_size: int = DEFAULT_MIN_SIZE) -> pd.DataFrame:
        """Each group against the rest: positive-stance rate per theme, difference and its
        95% Newcombe interval (see :func:`voicelens.summary.compare_groups`).

        >>> res.compare(by="clinic", min_size=0)[["clinic", "theme", "rate", "rate_rest"]].head(2)
          clinic           theme      rate  rate_rest
        0  North  pain_reduction  0.333333   0.333333
        1  South  pain_reduction  0.333333   0.333333
        """
        return compare_groups(self.responses, self.themes, by, min_size=min_size)

    def tidy(self, by: str | Sequence[str] | None = None, *, time: str | None = None, freq: str = "M",
             min_size: int = DEFAULT_MIN_SIZE, overall: bool = False) -> pd.DataFrame:
        """Long table ``group, theme, stance, n, count, rate, ci_low, ci_high, suppressed``
        (see :mod:`voicelens.report.tidy`), for dashboards and charts.

        >>> res.tidy(by="clinic")[["group", "theme", "stance", "n", "count"]].head(3)
           group      theme    stance  n  count
        0  North  sentiment  negative  6      2
        1  North  sentiment   neutral  6      0
        2  North  sentiment  positive  6      4
        """
        from .report.tidy import tidy_summary

        return tidy_summary(self.responses, self.themes, by, time=time, freq=freq, min_size=min_size,
                            overall=overall)

    def quotes(self, n: int = 3, *, by: str | Sequence[str] | None = None, min_size: int = DEFAULT_MIN_SIZE,
               redact: bool = True) -> pd.DataFrame:
        """Up to ``n`` representative quotes per theme and stance, personal details
        redacted, none from suppressed groups (see :mod:`voicelens.report.quotes`).

        >>> res.quotes(n=1, by="clinic")[["theme", "stance", "quote"]].head(1)   # doctest: +ELLIPSIS
                    theme    stance ...
        """
        from .report.quotes import representative_quotes

        return representative_quotes(self.responses, self.themes, n=n, by=by, min_size=min_size, redact=redact)

    def to_json(self, path: str | os.PathLike[str] | None = None, *, by: str | Sequence[str] | None = None,
                time: str | None = None, freq: str = "M", min_size: int = DEFAULT_MIN_SIZE, n_quotes: int = 3,
                redact: bool = True, indent: int | None = 2) -> str:
        """Versioned JSON export (schema: ``docs/json_schema.md``); written to ``path`` if given.

        >>> import json
        >>> json.loads(res.to_json(by="clinic", time="month"))["format"]
        'voicelens.report'
        """
        from .report.json_export import to_json

        return to_json(self, path, by=by, time=time, freq=freq, min_size=min_size, n_quotes=n_quotes,
                       redact=redact, indent=indent)

    def report(self, path: str | os.PathLike[str], *, by: str | Sequence[str] | None = None,
               time: str | None = None, freq: str = "M", min_size: int = DEFAULT_MIN_SIZE, n_quotes: int = 3,
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

    def save(self, folder: str | os.PathLike[str]) -> Path:
        """Write ``responses.parquet`` and ``metadata.json`` (model, themes, settings,
        library versions) to ``folder``; :meth:`read` reads both back.

        >>> import tempfile
        >>> df = pd.DataFrame({"sentiment": ["positive"], "sentiment_score": [0.8], "status": ["ok"],
        ...                    "hope": ["positive"], "hope_score": [0.9], "hope_evidence": ["I feel hopeful"]})
        >>> folder = AnalysisResult.from_responses(df).save(tempfile.mkdtemp())
        >>> sorted(p.name for p in folder.iterdir())
        ['metadata.json', 'responses.parquet']
        >>> AnalysisResult.read(folder).metadata["versions"]["voicelens"] == __version__
        True
        """
        import pyarrow as pa

        from .io import write_table
        from .io.writers import atomic_file, stringify_mixed

        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        metadata = {k: v for k, v in self.metadata.items() if k not in ("source", "index")}
        saved = {d["name"]: d for d in metadata.get("themes") or [] if isinstance(d, dict) and "name" in d}
        metadata["themes"] = [saved.get(t, {"name": t}) for t in self.themes]
        metadata["versions"] = library_versions()
        frame = self.responses
        if not (frame.index.equals(pd.RangeIndex(len(frame))) and frame.index.name is None):
            names = list(frame.index.names)
            frame = frame.reset_index()
            metadata["index"] = {"columns": list(frame.columns[: len(names)]), "names": names}
        with atomic_file(folder / METADATA_FILE) as tmp:
            tmp.write_text(json.dumps(metadata, indent=2, default=_jsonable) + "\n", encoding="utf-8")
        try:
            write_table(frame, folder / "responses.parquet")
        except pa.ArrowException:  # an input column mixing types, e.g. numbers and "n/a" from Excel
            write_table(stringify_mixed(frame), folder / "responses.parquet")
        return folder

    @classmethod
    def read(cls, path: str | os.PathLike[str]) -> AnalysisResult:
        """Read a folder written by :meth:`save` or ``voicelens analyze`` (``responses.*``
        plus ``metadata.json`` or ``manifest.json`` when present), or a responses file.

        >>> res = AnalysisResult.read("voicelens_out")   # doctest: +SKIP
        """
        from .io import read_table

        file = find_responses(path)
        frame = read_table(file)
        metadata: dict = {}
        if (file.parent / METADATA_FILE).is_file():
            metadata = _read_json(file.parent / METADATA_FILE)
        elif (file.parent / MANIFEST_FILE).is_file():
            metadata = _from_manifest(_read_json(file.parent / MANIFEST_FILE))
        index = metadata.get("index")
        if isinstance(index, dict) and set(index.get("columns", [])) <= set(frame.columns):
            frame = frame.set_index(index["columns"])
            frame.index.names = index.get("names") or frame.index.names
        themes = [t["name"] for t in metadata.get("themes", []) if isinstance(t, dict) and "name" in t] or None
        result = cls.from_responses(frame, themes=themes, metadata=metadata)
        result.metadata.setdefault("source", str(file))
        return result

    def __len__(self) -> int:
        return len(self.responses)

    def __repr__(self) -> str:
        counts = self.responses["status"].value_counts().to_dict()
        return f"AnalysisResult(n={len(self.responses)}, themes={self.themes}, status={counts})"


def find_responses(path: str | os.PathLike[str]) -> Path:
    """``path`` itself if it is a file, else the responses file inside the folder."""
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"results {str(path)!r} do not exist")
    if path.is_file():
        return path
    for name in RESPONSE_FILES:
        if (path / name).is_file():
            return path / name
    raise FileNotFoundError(f"no responses file in folder {str(path)!r}; expected one of {list(RESPONSE_FILES)} "
                            "(written by AnalysisResult.save() or 'voicelens analyze')")


def library_versions() -> dict[str, str]:
    """Versions of voicelens, Python and the libraries that shape the scores (torch
    only when installed; it is not imported)."""
    from importlib import metadata

    import numpy as np

    versions = {"voicelens": __version__, "python": platform.python_version(),
                "pandas": pd.__version__, "numpy": np.__version__}
    for name in ("torch", "transformers", "pyarrow"):
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            pass
    return versions


def _read_json(path: Path) -> dict:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise InputFormatError(f"{path} is not valid JSON: {exc}") from exc
    return data if isinstance(data, dict) else {}


def _from_manifest(manifest: dict) -> dict:
    """Backend, themes and text column from an analyze manifest's fingerprint."""
    fp = manifest.get("fingerprint") or {}
    backend = fp.get("backend")
    if isinstance(backend, dict):
        backend = backend.get("describe") or {"backend": backend.get("class")}
    columns = fp.get("columns") or {}
    return {"backend": backend, "themes": fp.get("themes") or [], "text_column": columns.get("text_column")}


def _jsonable(value: Any) -> Any:
    """numpy numbers and arrays as JSON numbers and lists; anything else as its text."""
    if hasattr(value, "tolist"):
        return value.tolist()
    return str(value)


