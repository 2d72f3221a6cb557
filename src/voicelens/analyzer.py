"""The front door: :class:`Analyzer` wires rows → sentences → backend → responses."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .backends.base import Backend, BatchScores, SentenceBatch
from .backends.registry import create_backend
from ._version import __version__
from .errors import ColumnNotFoundError, ModelNotFoundError
from .language import ENGLISH, flag_languages
from .progress import progress_bar
from .responses import build_responses, response_columns
from .result import AnalysisResult
from .rows import prepare_rows
from .text import split_sentences
from .themes import ThemesLike, ThemeSet, resolve_themes


def build_batch(texts: list[str], questions: list[str | None]) -> SentenceBatch:
    """Split texts into sentences, de-duplicating identical sentences across the batch."""
    position: dict[str, int] = {}
    responses = []
    for text in texts:
        idx = [position.setdefault(s, len(position)) for s in split_sentences(text)]
        responses.append(idx or [position.setdefault(text, len(position))])
    return SentenceBatch(list(position), responses, questions)


class Analyzer:
    """Score responses for sentiment and outcome themes, then summarise them.

    Parameters are stored unchanged; models load on first use.

    >>> import voicelens as vl
    >>> an = vl.Analyzer()                                   # instant: nothing loaded yet
    >>> res = an.analyze(["I no longer have pain", None])    # doctest: +SKIP
    >>> res.responses[["sentiment", "pain_reduction", "status"]]   # doctest: +SKIP

    backend: ``"embedded"`` (default, offline MiniLM + trained heads), ``"transformers"``
        (any Hugging Face sentiment + NLI model; see ``backend_kwargs``), ``"lexicon"``
        (VADER baseline), or a :class:`~voicelens.backends.base.Backend` instance.
    themes: ``None`` (pain_reduction, daily_function, hope), a YAML path, a shipped
        pack name (``"patient_experience"``), or a list of :class:`~voicelens.Theme`.
    backend_kwargs: passed to the backend, e.g. ``{"sentiment_model": "path/or/id",
        "theme_model": "path/or/id", "device": "cpu", "allow_download": False}``.
    batch_size: sentences per encoder batch. chunk_size: responses scored together.
    show_progress_bar: ``None`` shows one when the ``voicelens`` logger is at INFO.
    languages: languages the models read (ISO 639-1 codes). Rows detected as another
        language get ``status == "non_english"`` and no scores; every row's detected
        language is in the ``language`` column. ``"auto"`` (default) takes the backend's
        ``languages`` attribute (``("en",)`` when it has none; a multilingual backend
        sets ``languages = None``); ``None`` scores every row whatever its language.
    """

    def __init__(
        self,
        backend: str | Backend = "embedded",
        themes: ThemesLike = None,
        *,
        backend_kwargs: dict[str, Any] | None = None,
        batch_size: int = 64,
        chunk_size: int = 4096,
        show_progress_bar: bool | None = None,
        languages: str | tuple[str, ...] | None = "auto",
    ):
        self.backend = backend
        self.themes = themes
        self.backend_kwargs = backend_kwargs
        self.batch_size = batch_size
        self.chunk_size = chunk_size
        self.show_progress_bar = show_progress_bar
        self.languages = languages

    # -- lazily built parts -------------------------------------------------
    @property
    def theme_set_(self) -> ThemeSet:
        if getattr(self, "_theme_set", None) is None:
            self._theme_set = resolve_themes(self.themes)
        return self._theme_set

    @property
    def backend_(self) -> Backend:
        if getattr(self, "_backend", None) is None:
            if isinstance(self.backend, str):
                self._backend = create_backend(self.backend, **(self.backend_kwargs or {}))
            else:
                self._backend = self.backend
        return self._backend

    def get_params(self) -> dict[str, Any]:
        return {k: getattr(self, k) for k in ("backend", "themes", "backend_kwargs", "batch_size",
                                              "chunk_size", "show_progress_bar", "languages")}

    # -- the main job -------------------------------------------------------
    def analyze(
        self,
        data: Any,
        text_column: str = "text",
        *,
        question_column: str | None = None,
        question: str | None = None,
    ) -> AnalysisResult:
        """Score every row of ``data`` (list of str, Series or DataFrame).

        Every input row comes back, in order, with the input index; rows without
        usable text get ``status`` saying why and NA results.
        """
        self._check_sizes()
        rows = prepare_rows(data, text_column)
        questions = self._questions(rows.frame, len(rows.status), question_column, question)
        themes = self.theme_set_
        allowed = self._allowed_languages() if "ok" in rows.status else None
        languages = flag_languages(rows.texts, rows.status, allowed)
        ok = [i for i, s in enumerate(rows.status) if s == "ok"]
        parts = []
        with progress_bar(self.show_progress_bar, total=len(rows.status), desc="analysing", unit="row") as bar:
            bar.update(len(rows.status) - len(ok))
            for start in range(0, max(len(ok), 1), self.chunk_size):
                chunk = ok[start : start + self.chunk_size]
                if not chunk and start:
                    break
                batch = build_batch([rows.texts[i] for i in chunk], [questions[i] for i in chunk])
                scores = self._score(batch, themes)
                parts.append((chunk, batch, scores))
                bar.update(len(chunk))
        responses = self._assemble(parts, rows.status, rows.index, themes, languages)
        if rows.frame is not None:
            responses = self._with_input_columns(rows.frame, responses)
        meta = {"backend": self.backend_.describe() if ok else {"backend": str(self.backend)},
                "themes": [t.to_dict() for t in themes], "text_column": text_column,
                "question_column": question_column, "question": question}
        return AnalysisResult(responses, themes.names, meta)

    # -- few-shot adaptation ---------------------------------------------------
    def fit(
        self,
        data: Any,
        labels: pd.DataFrame | dict | None = None,
        text_column: str = "text",
        *,
        question_column: str | None = None,
        question: str | None = None,
    ) -> Analyzer:
        """Adapt the heads to your own labelled answers (~50 are enough to help).

        ``labels`` has a ``sentiment`` column (negative/neutral/positive) and/or one
        column per theme (positive/negative/absent), row-aligned with ``data``; when
        ``data`` is a DataFrame holding those columns, ``labels`` may be omitted.
        Unlabelled cells (NA) are ignored. Needs the ``embedded`` backend.

        >>> an = vl.Analyzer().fit(train_df, text_column="answer")   # doctest: +SKIP
        >>> an.save("my_model"); vl.Analyzer.load("my_model")        # doctest: +SKIP
        """
        from .train.adapt import adapt_heads

        rows = prepare_rows(data, text_column)
        if labels is None:
            if rows.frame is None:
                raise ValueError("fit() needs labels= when data is not a DataFrame with label columns")
            labels = rows.frame
        labels = pd.DataFrame(labels).reset_index(drop=True)
        if len(labels) != len(rows.status):
            raise ValueError(f"labels has {len(labels)} rows but data has {len(rows.status)}")
        backend = self.backend_
        if not hasattr(backend, "embed") or not hasattr(backend, "heads"):
            raise NotImplementedError(f"fit() needs the embedded backend; this Analyzer uses {self.backend!r}")
        themes = self.theme_set_
        questions = self._questions(rows.frame, len(rows.status), question_column, question)
        ok = [i for i, s in enumerate(rows.status) if s == "ok"]
        batch = build_batch([rows.texts[i] for i in ok], [questions[i] for i in ok])
        heads, used = adapt_heads(backend, batch, labels.iloc[ok].reset_index(drop=True), themes)
        if not used:
            raise ValueError("no usable labels: give a 'sentiment' column and/or theme columns "
                             f"{themes.names} with at least two labelled rows")
        backend.heads = heads
        backend.adapters = True  # the adapters just fitted are the user's own
        self.fitted_on_ = used
        return self

    def save(self, folder: str | Path) -> Path:
        """Save adapted heads, themes and settings to ``folder`` (safetensors, YAML, JSON)."""
        folder = Path(folder)
        backend = self.backend_
        if not hasattr(backend, "heads"):
            raise NotImplementedError("save() needs the embedded backend")
        backend.heads.save(folder / "heads")
        self.theme_set_.to_yaml(folder / "themes.yaml")
        encoder = {k: None if v is None else str(v) for k, v in
                   (("encoder_path", backend.encoder_path), ("top_layers", backend.top_layers))}
        settings = {"backend": "embedded", "batch_size": self.batch_size, "chunk_size": self.chunk_size,
                    "encoder": encoder, "fitted_on": getattr(self, "fitted_on_", {}),
                    "voicelens_version": __version__}
        (folder / "analyzer.json").write_text(json.dumps(settings, indent=2) + "\n", encoding="utf-8")
        return folder

    @classmethod
    def load(cls, folder: str | Path, **overrides: Any) -> Analyzer:
        """Load an Analyzer written by :meth:`save`."""
        folder = Path(folder)
        config = folder / "analyzer.json"
        if not config.is_file():
            raise ModelNotFoundError(f"{config} not found; is {folder} a folder written by Analyzer.save()?")
        settings = json.loads(config.read_text(encoding="utf-8"))
        params = {"backend": "embedded", "themes": folder / "themes.yaml",
                  "backend_kwargs": {"heads_path": str(folder / "heads"),  # the encoder the heads were fitted on
                                     **settings.get("encoder", {})},
                  "batch_size": settings.get("batch_size", 64), "chunk_size": settings.get("chunk_size", 4096)}
        params.update(overrides)
        return cls(**params)

    def _check_sizes(self) -> None:
        for name in ("batch_size", "chunk_size"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
                raise ValueError(f"{name} must be a positive integer; got {value!r}")

    def _allowed_languages(self) -> tuple[str, ...] | None:
        languages = self.languages
        if isinstance(languages, str) and languages == "auto":
            languages = getattr(self.backend_, "languages", (ENGLISH,))
        if languages is None:
            return None
        if isinstance(languages, str):
            return (languages,)
        try:
            codes = tuple(languages)
        except TypeError:
            codes = ()
        if not codes or not all(isinstance(c, str) for c in codes):
            raise ValueError("languages must be 'auto', None, or language codes such as ('en',); "
                             f"got {languages!r}")
        return codes

    def _score(self, batch: SentenceBatch, themes: ThemeSet) -> BatchScores:
        if not batch.responses:
            k = len(themes)
            return BatchScores(np.zeros((0, 3)), np.zeros((0, 3)), np.zeros((0, k)), np.zeros((0, k)))
        return self.backend_.score(batch, themes, batch_size=self.batch_size, show_progress_bar=False)

    @staticmethod
    def _questions(frame, n, question_column, question) -> list[str | None]:
        if question_column is not None and question is not None:
            raise ValueError("pass question_column= or question=, not both")
        if question_column is None:
            return [question] * n
        if frame is None:
            raise ValueError("question_column= needs a DataFrame; for a list use question='...'")
        if question_column not in frame.columns:
            raise ColumnNotFoundError("question_column", question_column, frame.columns)
        return [q.strip() if isinstance(q, str) and q.strip() else None for q in frame[question_column]]

    @staticmethod
    def _assemble(parts, status, index, themes, languages) -> pd.DataFrame:
        pieces = []
        for chunk, batch, scores in parts:
            if not chunk:
                continue
            sub_status = ["ok"] * len(chunk)
            pieces.append(build_responses(batch, scores, themes, sub_status, pd.RangeIndex(len(chunk)))
                          .set_axis(chunk))
        empty_rows = [i for i, s in enumerate(status) if s != "ok"]
        if empty_rows or not pieces:
            empty = build_responses(SentenceBatch([], [], []), None, themes,  # type: ignore[arg-type]
                                    [status[i] for i in empty_rows], pd.RangeIndex(len(empty_rows)))
            pieces.append(empty.set_axis(empty_rows))
        out = pd.concat(pieces).sort_index()
        out["language"] = pd.array(languages, dtype="string")
        out = out[response_columns(themes)]
        out.index = index
        return out

    @staticmethod
    def _with_input_columns(frame: pd.DataFrame, responses: pd.DataFrame) -> pd.DataFrame:
        clashes = [c for c in frame.columns if c in responses.columns]
        inputs = frame.rename(columns={c: f"{c}_input" for c in clashes})
        return pd.concat([inputs, responses], axis=1)
