"""Labelled (answer, theme) pairs across many themes, for training and measuring the theme reader.

Each source of labels becomes one :class:`LabelledCorpus`: its answers (text, question,
split, group) and a label table with one column per theme (1 mentioned, 0 not, NaN not
labelled). The themes' definitions live in ``models/themes/`` (``source`` says which
column or code of which corpus a theme is); the team-written themes' labels live in
``models/labels/theme_labels.csv``, keyed by theme and unit, never with text.

``group`` is what leave-one-out transfer holds out: the NHS trust of a survey answer
(``NHFT``, ``Trust A`` ...), else the corpus (``druglib``, ``psytar``).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from ..assets import asset_path
from ..themes import Theme, ThemeSet
from .corpora import PSYTAR_CATEGORIES, data_dir, load_nhs_fft, load_phase1, load_psytar
from .units import attach_text, source_of

THEME_FILES = {"nhft": "framework_nhft.yaml", "phase1": "framework_phase1.yaml",
               "psytar": "psytar_categories.yaml", "outcomes": "outcomes.yaml", "team": "team_written.yaml"}
LABELS_DIR = Path(__file__).resolve().parents[3] / "models" / "labels"
TEAM_LABELS = LABELS_DIR / "theme_labels.csv"
OUTCOME_LABELS = LABELS_DIR / "outcome_labels.csv"
NHFT_GROUP = "NHFT"


@dataclass
class LabelledCorpus:
    """Answers of one label source and their theme labels (rows aligned)."""

    name: str
    answers: pd.DataFrame  # id, text, question, split, group
    labels: pd.DataFrame  # one float column per theme: 1, 0 or NaN

    def __post_init__(self) -> None:
        self.answers = self.answers.reset_index(drop=True)
        self.labels = self.labels.reset_index(drop=True).astype(float)


def theme_files(name: str) -> ThemeSet:
    """The themes of one label source (``nhft``, ``phase1``, ``psytar``, ``outcomes``, ``team``)."""
    return ThemeSet.from_yaml(asset_path("themes") / THEME_FILES[name])


def all_themes() -> ThemeSet:
    """Every theme that has labels, in a fixed order."""
    return ThemeSet([t for name in THEME_FILES for t in theme_files(name)])


def _by_code(themes: ThemeSet) -> dict[str, Theme]:
    return {str(t.extra["source"]["code"]): t for t in themes}


def _answers(frame: pd.DataFrame, prefix: str, group: pd.Series | str) -> pd.DataFrame:
    return pd.DataFrame({"id": [f"{prefix}:{i}" for i in frame.index], "text": frame["text"].astype(str),
                         "question": frame["question"].astype("string"), "split": frame["split"],
                         "group": group})


def nhft_corpus() -> LabelledCorpus:
    """NHFT answers with the framework's 48 theme columns (multi-label coding)."""
    frame = load_nhs_fft()
    frame = frame[frame["text"].notna() & (frame["text"].str.strip() != "")]
    themes = _by_code(theme_files("nhft"))
    labels = pd.DataFrame({t.name: (frame[code] > 0).astype(float) for code, t in themes.items()})
    return LabelledCorpus("nhft", _answers(frame, "nhft", NHFT_GROUP), labels)


def phase1_corpus() -> LabelledCorpus:
    """Phase-1 answers of three trusts, one sub-theme each (single-label coding: an answer
    coded with one sub-theme may still mention another, so 0 is a weaker label here)."""
    frame = load_phase1()
    themes = _by_code(theme_files("phase1"))
    frame = frame[frame["subcategory"].isin(list(themes)) & frame["text"].notna()]
    labels = pd.DataFrame({t.name: (frame["subcategory"] == code).astype(float) for code, t in themes.items()})
    return LabelledCorpus("phase1", _answers(frame, "phase1", frame["trust"]), labels)


def psytar_corpus() -> LabelledCorpus:
    """PsyTAR sentences with their categories (adverse reaction, withdrawal, symptom, indication)."""
    frame = load_psytar()
    themes = _by_code(theme_files("psytar"))
    labels = pd.DataFrame({themes[flag].name: (frame[flag] > 0).astype(float) for flag in PSYTAR_CATEGORIES})
    return LabelledCorpus("psytar", _answers(frame, "psytar", "psytar"), labels)


def _unit_answers(keys: pd.DataFrame, prefix: str) -> pd.DataFrame:
    texts = attach_text(keys)
    phase1 = keys["file"] == "nhs_fft/phase1_text_data.csv"
    group = np.where(keys["file"].str.startswith("nhs_fft/nhft"), NHFT_GROUP,
                     [source_of(f) for f in keys["file"]]).astype(object)
    if phase1.any():
        trusts = pd.read_csv(data_dir() / "nhs_fft" / "phase1_text_data.csv", usecols=["organization"])["organization"]
        group[phase1.to_numpy()] = trusts.iloc[keys.loc[phase1, "row"].astype(int)].to_numpy()
    ids = [f"{prefix}:{f}:{r}:{fd}:{s}" for f, r, fd, s in zip(keys["file"], keys["row"], keys["field"],
                                                                keys["sentence_index"])]
    return pd.DataFrame({"id": ids, "text": texts["text"], "question": texts["question"],
                         "split": keys["split"].to_numpy(), "group": group})


def _keys(frame: pd.DataFrame) -> pd.DataFrame:
    frame = frame.copy()
    for col in ("row", "sentence_index"):
        frame[col] = frame[col].astype(int)
    return frame


def outcome_corpus(path: Path = OUTCOME_LABELS) -> LabelledCorpus:
    """The adjudicated outcome units: a theme is mentioned when its stance is not ``absent``."""
    units = _keys(pd.read_csv(path, dtype="string"))
    names = theme_files("outcomes").names
    labels = pd.DataFrame({n: np.where(units[n].isna(), np.nan, (units[n] != "absent").astype(float))
                           for n in names})
    return LabelledCorpus("outcomes", _unit_answers(units, "unit"), labels)


def team_corpus(path: Path = TEAM_LABELS) -> LabelledCorpus:
    """Units labelled for the team-written themes (each unit for one or a few themes)."""
    pairs = _keys(pd.read_csv(path, dtype="string"))
    pairs = pairs[pairs["label"].isin(["yes", "no"])]
    key_cols = ["file", "row", "field", "sentence_index", "split"]
    units = pairs[key_cols].drop_duplicates().reset_index(drop=True)
    position = {tuple(k): i for i, k in enumerate(units.itertuples(index=False))}
    names = [t.name for t in theme_files("team")]
    labels = pd.DataFrame(np.nan, index=range(len(units)), columns=names)
    for row in pairs.itertuples(index=False):
        i = position[(row.file, row.row, row.field, row.sentence_index, row.split)]
        labels.loc[i, row.theme] = 1.0 if row.label == "yes" else 0.0
    return LabelledCorpus("team", _unit_answers(units, "team"), labels)


def load_corpora(include_team: bool = True) -> list[LabelledCorpus]:
    """Every label source that is present (the team labels only once they exist)."""
    corpora = [nhft_corpus(), phase1_corpus(), psytar_corpus(), outcome_corpus()]
    if include_team and TEAM_LABELS.is_file():
        corpora.append(team_corpus())
    return corpora
