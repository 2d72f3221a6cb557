"""Validate input rows: every row keeps its place and gets a ``status``."""

from __future__ import annotations

import decimal
import math
import unicodedata
from collections.abc import Collection, Mapping, Sequence, Set
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd

from .errors import ColumnNotFoundError

Status = Literal["ok", "missing", "empty", "whitespace", "not_text", "no_answer", "non_english"]

#: What each ``status`` value means, for docs and reports.
STATUS_MEANINGS: dict[str, str] = {
    "ok": "scored",
    "missing": "no value (None, NaN, pd.NA)",
    "empty": "empty string",
    "whitespace": "only whitespace or invisible characters",
    "not_text": "a value that is not a string (number, bytes, list, ...)",
    "no_answer": "a survey placeholder such as 'N/A' or 'Did not answer' (see NO_ANSWER_TEXTS); not scored",
    "non_english": "written in a language the models do not read (see the language column); not scored",
}

#: Whole answers that are survey placeholders, not answers: rows holding one of these get
#: ``status == "no_answer"``, no scores, and are left out of ``n_text`` and every rate.
#: Matching ignores case, spaces and punctuation ("N/A", "n.a.", " NA " are one entry);
#: entries made only of punctuation ("-", "...") match that punctuation exactly, so
#: "?!" or ":)" stay answers. A short real answer ("Nothing", "No", "None", "All good")
#: is not listed and is scored. To extend the list, pass a larger collection to
#: :func:`prepare_rows`: ``prepare_rows(df, "answer", no_answer=(*NO_ANSWER_TEXTS,
#: "Nothing to add"))``; ``no_answer=()`` scores every text.
NO_ANSWER_TEXTS: tuple[str, ...] = (
    "Did not answer", "No answer", "Not answered", "No response",
    "N/A", "Not applicable", "No comment", "No comments", "Prefer not to say",
    "None given", "Nil",
    "-", "--", "---", ".", "..", "...",
)

_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\x00"), " ")
# Line breaks that text.split_sentences reads as sentence ends: kept, not blanked.
_KEEP = "\n\t\r\u2028\u2029"
# Characters that draw nothing although str.isprintable() calls them printable.
_BLANK = set("\u2800\u3164\u115f\u1160\uffa0")


@dataclass
class Rows:
    """Input rows as the analysis sees them."""

    texts: list[str | None]  # cleaned text for rows with status "ok", else None
    status: list[str]
    index: pd.Index
    frame: pd.DataFrame | None  # the input frame (for grouping columns), if one was given


def is_missing(value: Any) -> bool:
    """None, pd.NA, NaT, or a NaN of any float or Decimal type."""
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    if isinstance(value, (float, np.floating)):  # np.float32 is not a float subclass
        return math.isnan(value)
    return isinstance(value, decimal.Decimal) and value.is_nan()


def classify(value: Any) -> tuple[str, str | None]:
    """Return ``(status, cleaned_text)`` for one input value.

    >>> classify("  My pain is gone  ")
    ('ok', 'My pain is gone')
    >>> classify(float("nan"))
    ('missing', None)
    """
    if is_missing(value):
        return "missing", None
    if not isinstance(value, str):
        return "not_text", None
    if value == "":
        return "empty", None
    cleaned = value.translate(_INVISIBLE)
    cleaned = "".join(ch if ch.isprintable() or ch in _KEEP else " " for ch in cleaned).strip()
    if not any(ch not in _BLANK and unicodedata.category(ch)[0] not in "MZ" for ch in cleaned):
        return "whitespace", None  # nothing left, or only combining marks and blank glyphs
    return "ok", cleaned


def no_answer_key(text: str) -> str:
    """The form in which answers are compared with :data:`NO_ANSWER_TEXTS`: casefolded, without
    spaces and punctuation; an answer made only of punctuation keeps it (dashes as ``-``).

    >>> no_answer_key(" N/A "), no_answer_key("Prefer not to say."), no_answer_key("\u2013 ")
    ('na', 'prefernottosay', '-')
    """
    kept = "".join(ch for ch in text.casefold() if not ch.isspace())
    words = "".join(ch for ch in kept if unicodedata.category(ch)[0] != "P")
    if words:
        return words
    return "".join("-" if unicodedata.category(ch) == "Pd" else ch for ch in kept)


def prepare_rows(data: Any, text_column: str | None = "text", *,
                 no_answer: Collection[str] | None = None) -> Rows:
    """Turn a list, Series or DataFrame into :class:`Rows`.

    ``no_answer``: placeholder answers that get ``status == "no_answer"`` (default
    :data:`NO_ANSWER_TEXTS`; pass a larger collection to extend it, ``()`` to keep them all).

    >>> prepare_rows(["great", None, " ", "N/A", "Nothing"]).status
    ['ok', 'missing', 'whitespace', 'no_answer', 'ok']
    """
    if isinstance(no_answer, str):
        raise TypeError(f"no_answer must be a collection of texts such as ('N/A', 'Did not answer'), "
                        f"not one string; got {no_answer!r}")
    placeholders = {no_answer_key(t) for t in (NO_ANSWER_TEXTS if no_answer is None else no_answer)}
    frame = None
    if isinstance(data, pd.DataFrame):
        if text_column not in data.columns:
            raise ColumnNotFoundError("text_column", text_column, data.columns)
        if not data.columns.is_unique and (data.columns == text_column).sum() > 1:
            raise ValueError(f"text_column {text_column!r} names {(data.columns == text_column).sum()} "
                             "columns; rename the duplicates so that one column holds the text")
        frame = data
        values: Sequence[Any] = data[text_column].tolist()
        index = data.index
    elif isinstance(data, pd.Series):
        values, index = data.tolist(), data.index
    elif isinstance(data, (str, bytes, bytearray)):
        raise TypeError("data must be a list of texts, a pd.Series or a pd.DataFrame, not a single "
                        f"{type(data).__name__}; wrap it: analyze([text])")
    elif isinstance(data, (Mapping, Set)):
        raise TypeError(f"data must be a list of texts, a pd.Series or a pd.DataFrame, not a "
                        f"{type(data).__name__} (its order or index is ambiguous); for a dict use "
                        "pd.Series(data)")
    elif isinstance(data, Sequence) or hasattr(data, "__iter__"):
        values = list(data)
        index = pd.RangeIndex(len(values))
    else:
        raise TypeError(f"data must be a list of texts, a pd.Series or a pd.DataFrame; got {type(data).__name__}")
    status, texts = [], []
    for value in values:
        s, t = classify(value)
        if s == "ok" and no_answer_key(t) in placeholders:
            s, t = "no_answer", None
        status.append(s)
        texts.append(t)
    return Rows(texts, status, index, frame)
