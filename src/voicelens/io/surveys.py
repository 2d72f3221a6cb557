"""Read survey-platform exports into one tidy row per respondent per free-text question.

Recognised layouts (CSV, or Excel where the platform offers it):

* Qualtrics: three header rows: column ids (``StartDate`` ... ``ResponseId``,
  ``Q1``), question text, then ``{"ImportId":"QID1_TEXT"}`` cells.
* SurveyMonkey: two header rows: question text (blank where a question spans
  several columns), then ``Response`` / ``Open-Ended Response`` / option labels.
* Google Forms: one header row whose first column is ``Timestamp``.
* REDCap: raw export (``record_id`` first, variable names) or labelled export
  (``Record ID`` first, field labels, ``Complete?`` columns).
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import pandas as pd

from voicelens.errors import InputFormatError
from voicelens.io.readers import read_grid

Platform = Literal["auto", "qualtrics", "surveymonkey", "google_forms", "redcap"]

_EXPECTED = {
    "qualtrics": "Qualtrics (3 header rows: column ids with ResponseId, question text, "
    '{"ImportId": ...})',
    "surveymonkey": "SurveyMonkey (2 header rows; first row has 'Respondent ID' and 'Collector ID')",
    "redcap": "REDCap (first column 'record_id' in a raw export or 'Record ID' in a labelled one)",
    "google_forms": "Google Forms (first column 'Timestamp')",
}

# Platform columns, compared after lower-casing and removing everything but letters and digits.
_PII = {
    "ipaddress", "emailaddress", "email", "firstname", "lastname", "recipientfirstname",
    "recipientlastname", "recipientemail", "locationlatitude", "locationlongitude",
    "redcapsurveyidentifier", "surveyidentifier",
}  # fmt: skip
_METADATA = {
    "startdate", "enddate", "status", "responsetype", "progress", "durationinseconds", "finished",
    "recordeddate", "responseid", "externalreference", "externaldatareference",
    "distributionchannel", "userlanguage", "respondentid", "collectorid", "timestamp", "score",
    "recordid", "redcapeventname", "eventname", "redcaprepeatinstrument", "repeatinstrument",
    "redcaprepeatinstance", "repeatinstance", "redcapdataaccessgroup", "dataaccessgroup",
    "surveytimestamp", "complete",
}  # fmt: skip
_TIDY = ("respondent_id", "question", "answer")
_NUMBER = re.compile(r"^[-+]?\d+(?:[.,]\d+)?%?$")
_DATE = re.compile(r"^\d{1,4}[-/.]\d{1,2}[-/.]\d{1,4}\b")
_QUALTRICS_TEXT_ENTRY = re.compile(r"^QID\d+_TEXT$")


@dataclass
class _Layout:
    """Where a platform puts its header rows, ids and question text."""

    names: list[str]  # one column name per column
    labels: list[str]  # question text per column (same as names when the file has none)
    first_data_row: int
    id_column: str | None
    text_hints: set[str] = field(default_factory=set)  # columns the platform marks as free text


def _norm(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", name.lower())


def _row(grid: pd.DataFrame, i: int) -> list[str]:
    if i >= len(grid):
        return []
    return ["" if pd.isna(v) else str(v).strip() for v in grid.iloc[i]]


def _import_id(cell: str) -> str:
    try:
        value = json.loads(cell)
    except ValueError:
        return ""
    return str(value.get("ImportId", "")) if isinstance(value, dict) else ""


def _matches(platform: str, grid: pd.DataFrame) -> bool:
    first = _row(grid, 0)
    if not first:
        return False
    norms = {_norm(c) for c in first}
    if platform == "qualtrics":
        return "responseid" in norms and any(c.startswith('{"ImportId"') for c in _row(grid, 2))
    if platform == "surveymonkey":
        return {"respondentid", "collectorid"} <= norms
    if platform == "redcap":
        return first[0] in ("record_id", "Record ID") or "Complete?" in first or any(
            c.startswith("redcap_") for c in first
        )
    return _norm(first[0]) == "timestamp"  # google_forms


def _layout(platform: str, grid: pd.DataFrame) -> _Layout:
    first = _row(grid, 0)
    if platform == "qualtrics":
        labels = [lab or name for name, lab in zip(first, _row(grid, 1))]
        hints = {n for n, c in zip(first, _row(grid, 2)) if _QUALTRICS_TEXT_ENTRY.match(_import_id(c))}
        id_column = next((c for c in first if _norm(c) == "responseid"), None)
        return _Layout(first, labels, 3, id_column, hints)
    if platform == "surveymonkey":
        subs = _row(grid, 1)
        two_rows = any(s in ("Response", "Open-Ended Response") for s in subs)
        names, hints, question = [], set(), ""
        for i, top in enumerate(first):
            question = top or question  # a blank top cell continues the question on its left
            sub = subs[i] if two_rows else ""
            name = question if sub in ("", "Response", "Open-Ended Response") else f"{question} - {sub}"
            names.append(name)
            if sub == "Open-Ended Response":
                hints.add(name)
        id_column = next((c for c in first if _norm(c) == "respondentid"), None)
        return _Layout(names, names, 2 if two_rows else 1, id_column, hints)
    if platform == "redcap":
        return _Layout(first, first, 1, first[0])
    return _Layout(first, first, 1, None)  # google_forms: respondents numbered from 1


def _unique(names: list[str]) -> list[str]:
    seen: dict[str, int] = {}
    out = []
    for i, name in enumerate(names):
        name = name or f"Unnamed: {i}"
        seen[name] = seen.get(name, 0) + 1
        out.append(name if seen[name] == 1 else f"{name} ({seen[name]})")
    return out


def _mostly(values: pd.Series, pattern: re.Pattern[str]) -> bool:
    return bool(values.str.match(pattern).mean() > 0.5)


def _answers(values: pd.Series) -> pd.Series:
    values = values.dropna().astype(str).str.strip()
    return values[values != ""].head(1000)


def looks_like_free_text(values: pd.Series) -> bool:
    """Whether a column holds free-text answers rather than ids, numbers, dates or choices.

    Free text: at least two answers (and a quarter of them) have three words or
    more, and those answers rarely repeat (closed-choice labels do).

    >>> looks_like_free_text(pd.Series(["Kind nurses on the ward", "Parking was hard", "n/a"]))
    True
    >>> looks_like_free_text(pd.Series(["North Clinic", "South Clinic", "North Clinic"]))
    False
    """
    s = _answers(values)
    if s.empty or _mostly(s, _NUMBER) or _mostly(s, _DATE):
        return False
    long = s[s.str.split().str.len() >= 3].str.lower()
    return len(long) >= max(min(2, len(values)), 0.25 * len(s)) and long.nunique() >= 0.6 * len(long)


def _detect(grid: pd.DataFrame) -> str | None:
    return next((p for p in _EXPECTED if _matches(p, grid)), None)


def detect_survey_platform(path: str | os.PathLike[str], *, encoding: str | None = None) -> str | None:
    """The platform whose export layout ``path`` has, or ``None``.

    >>> detect_survey_platform("tests/data/surveys/qualtrics.csv")
    'qualtrics'
    """
    return _detect(read_grid(path, encoding=encoding, nrows=3))


def read_survey(
    path: str | os.PathLike[str],
    *,
    platform: Platform = "auto",
    encoding: str | None = None,
) -> pd.DataFrame:
    """One row per respondent per free-text question: ``respondent_id``, ``question``, ``answer``.

    Other columns (closed questions such as a rating or clinic, and platform
    metadata) follow, for grouping; names, e-mail and IP addresses and
    locations are dropped. Empty answers are kept as missing values.
    ``df.attrs["voicelens_survey"]`` holds the platform and the questions.

    >>> df = read_survey("tests/data/surveys/google_forms.csv")
    >>> df.attrs["voicelens_survey"]["platform"]
    'google_forms'
    """
    grid = read_grid(path, encoding=encoding)
    if platform == "auto":
        detected = _detect(grid)
        if detected is None:
            raise InputFormatError(
                f"{path} is not a recognised survey export; supported layouts: "
                f"{'; '.join(_EXPECTED.values())}. For any other table use "
                "vl.read_table(path) and name the answers with text_column=."
            )
        platform = detected
    elif platform not in _EXPECTED:
        raise ValueError(f"platform {platform!r} is not known; choose 'auto' or one of {list(_EXPECTED)}")
    elif not _matches(platform, grid):
        found = _detect(grid)
        raise InputFormatError(
            f"{path} does not look like a {platform} export: expected {_EXPECTED[platform]}"
            + (f"; it looks like a {found} export (use platform='auto')" if found else "")
        )
    return _tidy(grid, _layout(platform, grid), platform, str(path))


def _tidy(grid: pd.DataFrame, layout: _Layout, platform: str, path: str) -> pd.DataFrame:
    names = _unique(layout.names)
    labels = dict(zip(names, layout.labels))
    hints = {n for n, raw in zip(names, layout.names) if raw in layout.text_hints}
    data = grid.iloc[layout.first_data_row :].reset_index(drop=True)
    data.columns = names
    data = data.loc[:, [not (n.startswith("Unnamed: ") and data[n].isna().all()) for n in names]]

    free, kept = [], []
    for name in data.columns:
        keys = {_norm(name), _norm(labels[name])}
        if name == layout.id_column or keys & _PII:
            continue
        metadata = bool(keys & _METADATA) or name.endswith(("_timestamp", "_complete")) or any(
            k.startswith("customdata") for k in keys
        )
        if not metadata and (
            (name in hints and not _mostly(_answers(data[name]), _NUMBER)) or looks_like_free_text(data[name])
        ):
            free.append(name)
        else:
            kept.append(name)
    if not free:
        raise InputFormatError(
            f"{path}: no free-text question columns found in this {platform} export; "
            "use vl.read_table(path) and name the answers with text_column=."
        )

    n = len(data)
    rows = np.repeat(np.arange(n), len(free))
    if layout.id_column is None:
        ids = pd.Series([str(i) for i in range(1, n + 1)], dtype="str")
    else:
        ids = data[layout.id_column]
    answers = data[free].apply(lambda s: s.where(s.str.strip() != ""))
    out = pd.DataFrame(
        {
            "respondent_id": pd.Series(ids.to_numpy()[rows], dtype="str"),
            "question": pd.Series(np.tile([labels[q] for q in free], n), dtype="str"),
            "answer": pd.Series(answers.to_numpy().ravel(), dtype="str"),
        }
    )
    extra = data[kept].iloc[rows].reset_index(drop=True).apply(_maybe_numeric)
    extra.columns = [f"survey_{c}" if c in _TIDY else c for c in kept]
    out = pd.concat([out, extra], axis=1)
    out.attrs["voicelens_survey"] = {"platform": platform, "free_text_questions": [labels[q] for q in free]}
    return out


def _maybe_numeric(values: pd.Series) -> pd.Series:
    try:
        return pd.to_numeric(values)
    except (ValueError, TypeError):
        return values
