"""Labelled units: keys into ``shared/data`` (never the text), and the text rebuilt from them.

A unit is one sentence of a Druglib review field, one PsyTAR sentence, or one NHS survey
answer (a sentence of it when the answer is long). It is identified by
``(file, row, field, sentence_index)``: ``row`` is the 0-based data row of ``file``,
``sentence_index`` the sentence number after line breaks are turned into spaces, or ``-1``
for the whole text. The guideline the labels follow is ``docs/annotation.md``.

    >>> key = UnitKey("druglib/drugLibTrain_raw.tsv", 12, "benefitsReview", 0)
    >>> key.unit_id
    'druglib/drugLibTrain_raw.tsv:12:benefitsReview:0'
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import pandas as pd

from ..text import split_sentences
from .corpora import PHASE1_QUESTIONS, data_dir

#: Where each file's answer text and question live.
TEXT_FIELDS = {
    "psytar/psytar_sentences.csv": ("sentence", None),
    "nhs_fft/nhft_comments.csv": ("FFT answer", "FFT question"),
}
DRUGLIB_FIELDS = ("benefitsReview", "sideEffectsReview", "commentsReview")
WHOLE = -1


@dataclass(frozen=True)
class UnitKey:
    file: str
    row: int
    field: str
    sentence_index: int

    @property
    def unit_id(self) -> str:
        return f"{self.file}:{self.row}:{self.field}:{self.sentence_index}"


@lru_cache(maxsize=8)
def read_source(file: str, root: str | None = None) -> pd.DataFrame:
    """One raw file of ``shared/data`` (cached); rows are numbered 0.. as read."""
    path = Path(root) if root else data_dir()
    sep = "\t" if file.endswith(".tsv") else ","
    return pd.read_csv(path / file, sep=sep)


def field_sentences(value: object) -> list[str]:
    """Sentences of one text field, line breaks turned into spaces first."""
    if not isinstance(value, str):
        return []
    return split_sentences(" ".join(value.split()))


def source_of(file: str) -> str:
    """Corpus name of a file: ``druglib``, ``psytar`` or ``nhs_fft``.

    >>> source_of("nhs_fft/phase1_text_data.csv")
    'nhs_fft'
    """
    return file.split("/", 1)[0]


def unit_text(key: UnitKey, root: str | None = None) -> tuple[str, str | None]:
    """``(text, question)`` of a unit, read from ``shared/data``."""
    frame = read_source(key.file, root)
    record = frame.iloc[key.row]
    if key.file.startswith("druglib/"):
        field, question = key.field, None
    elif key.file == "nhs_fft/phase1_text_data.csv":
        field, question = "feedback", PHASE1_QUESTIONS.get(record["question"])
    else:
        field, question_column = TEXT_FIELDS[key.file]
        question = record[question_column] if question_column else None
    value = record[field]
    if key.sentence_index == WHOLE:
        text = " ".join(str(value).split())
    else:
        text = field_sentences(value)[key.sentence_index]
    return text, (question if isinstance(question, str) else None)


def attach_text(keys: pd.DataFrame, root: str | None = None) -> pd.DataFrame:
    """Add ``text`` and ``question`` columns to a frame of unit keys.

    ``keys`` needs ``file``, ``row``, ``field`` and ``sentence_index`` columns.
    """
    pairs = [unit_text(UnitKey(f, int(r), str(fd), int(s)), root)
             for f, r, fd, s in zip(keys["file"], keys["row"], keys["field"], keys["sentence_index"])]
    out = keys.copy()
    out["text"] = [t for t, _ in pairs]
    out["question"] = pd.array([q for _, q in pairs], dtype="string")
    return out
