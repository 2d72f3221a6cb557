"""The front door: :class:`Analyzer` wires rows → sentences → backend → responses."""

from __future__ import annotations

import inspect
import json
import warnings
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
from .text import dedupe_sentences
from .themes import ThemesLike, ThemeSet, resolve_themes


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
    no_answer: survey placeholders ("Did not answer", "N/A", "-", ...) that get
        ``status == "no_answer"``: not scored, left out of ``n_text`` and the rates, counted in
        ``n_no_answer``. ``None`` uses :data:`voicelens.rows.NO_ANSWER_TEXTS`; extend it with
        ``no_answer=(*vl.rows.NO_ANSWER_TEXTS, "nothing to add")``; ``()`` turns it off.
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
        no_answer: tuple[str, ...] | None = None,
    ):
        self.backend = backend
        self.themes = themes
        self.backend_kwargs = backend_kwargs
        self.batch_size = batch_size
        self.chunk_size = chunk_size
        self.show_progress_bar = show_progress_bar
        self.languages = languages
        self.no_answer = no_answer

    # -- lazily built parts: rebuilt when the parameters they come from change --
    @property
    def theme_set_(self) -> ThemeSet:
        """The resolved ``themes``; resolved again after ``themes`` changes."""
        key = _snapshot(self.themes)
        if getattr(self, "_theme_set", None) is None or not _unchanged(self._theme_key, key):
            self._theme_set = resolve_themes(self.themes)
            self._theme_key = key
        return self._theme_set

    @property
    def backend_(self) -> Backend:
        """The backend; built again after ``backend`` or ``backend_kwargs`` change."""
        key = (self.backend, _snapshot(self.backend_kwargs)) if isinstance(self.backend, str) else self.backend
        if getattr(self, "_backend", None) is None or not _unchanged(self._backend_key, key):
            if getattr(self, "_fitted_in_memory", False):
                warnings.warn("backend/backend_kwargs changed after fit(): the heads fitted in memory belong "
                              "to the previous backend and are not used; call fit() again (save() first to "
                              "keep them)", UserWarning, stacklevel=3)
                self._fitted_in_memory = False
                self.__dict__.pop("fitted_on_", None)
            if isinstance(self.backend, str):
                self._backend = create_backend(self.backend, **(self.backend_kwargs or {}))
            else:
                self._backend = self.backend
            self._backend_key = key
        return self._backend

    @classmethod
    def _param_names(cls) -> list[str]:
        return [p.name for p in inspect.signature(cls.__init__).parameters.values()
                if p.name != "self" and p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)]

    @classmethod
    def _check_param_names(cls, params: dict[str, Any], caller: str) -> None:
        unknown = sorted(set(params) - set(cls._param_names()))
        if unknown:
            raise ValueError(f"{caller}: unknown parameter(s) {unknown}; valid parameters: {cls._param_names()}")

    def get_params(self, deep: bool = True) -> dict[str, Any]:
        """The ``__init__`` parameters as they are now (scikit-learn style).

        >>> Analyzer(batch_size=32).get_params()["batch_size"]
        32
        """
        return {name: getattr(self, name) for name in self._param_names()}

    def set_params(self, **params: Any) -> Analyzer:
        """Change parameters and return ``self``; themes and backend are rebuilt on next use.

        >>> an = Analyzer().set_params(themes="patient_experience", batch_size=32)
        >>> an.get_params()["batch_size"]
        32
        >>> Analyzer().set_params(batchsize=32)   # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        ValueError: set_params(): unknown parameter(s) ['batchsize']; valid parameters: [...]
        """
        self._check_param_names(params, "set_params()")
        for name, value in params.items():
            setattr(self, name, value)
        return self

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
        rows = prepare_rows(data, text_column, no_answer=self.no_answer)
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
                batch = dedupe_sentences([rows.texts[i] for i in chunk], [questions[i] for i in chunk])
                scores = self._score(batch, themes)
                parts.append((chunk, batch, scores))
                bar.update(len(chunk))
        responses = self._assemble(parts, rows.status, rows.index, themes, languages)
        if rows.frame is not None:
            responses = self._with_input_columns(rows.frame, responses)
        described = dict(self.backend_.describe()) if ok else {"backend": str(self.backend)}
        if ok and hasattr(self.backend_, "theme_methods"):
            described["themes"] = "; ".join(f"{k}: {v}" for k, v in self.backend_.theme_methods(themes).items())
        meta = {"backend": described,
                "themes": [t.to_dict() for t in themes], "text_column": text_column,
                "question_column": question_column, "question": question,
                "error_rates": self.error_rates() if ok else {}}
        return AnalysisResult(responses, themes.names, meta)

    # -- few-shot adaptation ---------------------------------------------------
    def fit(
        self,
        data: Any,
        text_column: str = "text",
        *,
        labels: pd.DataFrame | dict | None = None,
        question_column: str | None = None,
        question: str | None = None,
    ) -> Analyzer:
        """Adapt the heads to your own labelled answers (~50 are enough to help).

        ``labels`` has a ``sentiment`` column (negative/neutral/positive) and/or one
        column per theme (positive/negative/absent), row-aligned with ``data``; when
        ``data`` is a DataFrame holding those columns, ``labels`` may be omitted.
        Unlabelled cells (NA) are ignored. Needs the ``embedded`` backend. Arguments
        come in the order of :meth:`analyze`; ``labels`` only by keyword.

        >>> an = Analyzer().fit(train_df, "answer")                   # doctest: +SKIP
        >>> an = Analyzer().fit(texts, labels={"sentiment": sentiments})   # doctest: +SKIP
        >>> an.save("my_model"); Analyzer.load("my_model")            # doctest: +SKIP
        """
        from .train.adapt import adapt_heads

        rows = prepare_rows(data, text_column, no_answer=self.no_answer)
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
        batch = dedupe_sentences([rows.texts[i] for i in ok], [questions[i] for i in ok])
        heads, used = adapt_heads(backend, batch, labels.iloc[ok].reset_index(drop=True), themes)
        if not used:
            raise ValueError("no usable labels: give a 'sentiment' column and/or theme columns "
                             f"{themes.names} with at least two labelled rows")
        backend.heads = heads
        backend.adapters = True  # the adapters just fitted are the user's own
        self.fitted_on_ = used
        self._fitted_in_memory = True
        return self

    def error_rates(self) -> dict[str, dict]:
        """Per theme, the backend's measured error rates that summaries correct rates for
        (empty for backends and themes without them).

        >>> Analyzer(backend="fake").error_rates()
        {}
        """
        backend = self.backend_
        return backend.error_rates(self.theme_set_) if hasattr(backend, "error_rates") else {}

    def save(self, folder: str | Path) -> Path:
        """Save heads (with any fitted adapters), themes and settings to ``folder``
        (safetensors, YAML, JSON; no pickle). An Analyzer never fitted saves the shipped
        heads and its settings, and warns so.

        >>> Analyzer(themes="patient_experience").fit(train_df, "answer").save("my_model")   # doctest: +SKIP
        """
        folder = Path(folder)
        backend = self.backend_
        if not hasattr(backend, "heads"):
            raise NotImplementedError("save() needs the embedded backend")
        fitted = getattr(self, "fitted_on_", None) or {}
        if not fitted and getattr(backend, "heads_path", None) is None:
            warnings.warn(f"this Analyzer was never fitted: {folder} holds the shipped heads and its settings "
                          "only (no adapters fitted); call fit() before save() to keep adapted heads",
                          UserWarning, stacklevel=2)
        given = (self.backend_kwargs or {}) if isinstance(self.backend, str) else {}
        backend_kwargs = {}
        for name, value in given.items():
            value = str(value) if isinstance(value, Path) else value
            try:
                json.dumps(value)
            except (TypeError, ValueError):
                warnings.warn(f"backend_kwargs[{name!r}] cannot be saved as JSON and is left out; "
                              "give it again to Analyzer.load()", UserWarning, stacklevel=2)
                continue
            if name != "heads_path":  # load() points it at the saved heads
                backend_kwargs[name] = value
        for name in ("encoder_path", "top_layers"):  # the encoder the heads were fitted on
            value = getattr(backend, name, None)
            backend_kwargs[name] = None if value is None else str(value)
        languages = list(self.languages) if isinstance(self.languages, (list, tuple)) else self.languages
        settings = {"backend": "embedded", "backend_kwargs": backend_kwargs, "batch_size": self.batch_size,
                    "chunk_size": self.chunk_size, "languages": languages, "fitted_on": fitted,
                    "no_answer": None if self.no_answer is None else list(self.no_answer),
                    "voicelens_version": __version__}
        backend.heads.save(folder / "heads")
        self.theme_set_.to_yaml(folder / "themes.yaml")
        (folder / "analyzer.json").write_text(json.dumps(settings, indent=2) + "\n", encoding="utf-8")
        return folder

    @classmethod
    def load(cls, folder: str | Path, **overrides: Any) -> Analyzer:
        """Load an Analyzer written by :meth:`save`; ``overrides`` change its settings.

        ``backend_kwargs`` given here are merged into the saved ones, so the fitted heads
        and the encoder they were fitted on stay; other parameters replace the saved value.
        A folder saved by another voicelens version loads with a ``UserWarning``.

        >>> an = Analyzer.load("my_model", backend_kwargs={"device": "cuda"}, batch_size=128)   # doctest: +SKIP
        """
        folder = Path(folder)
        config = folder / "analyzer.json"
        if not config.is_file():
            raise ModelNotFoundError(f"{config} not found; is {folder} a folder written by Analyzer.save()?")
        cls._check_param_names(overrides, "Analyzer.load()")
        settings = json.loads(config.read_text(encoding="utf-8"))
        saved_version = settings.get("voicelens_version")
        if saved_version != __version__:
            warnings.warn(f"{folder} was saved by voicelens {saved_version or '(unknown version)'} and is "
                          f"loaded by voicelens {__version__}; scores may differ from those seen when it was "
                          "saved: check them, then save() it again", UserWarning, stacklevel=2)
        saved_kwargs = {**settings.get("encoder", {}), **settings.get("backend_kwargs", {}),
                        "heads_path": str(folder / "heads")}
        languages = settings.get("languages", "auto")
        params: dict[str, Any] = {
            "backend": settings.get("backend", "embedded"), "themes": folder / "themes.yaml",
            "backend_kwargs": saved_kwargs, "batch_size": settings.get("batch_size", 64),
            "chunk_size": settings.get("chunk_size", 4096),
            "languages": tuple(languages) if isinstance(languages, list) else languages,
            "no_answer": None if settings.get("no_answer") is None else tuple(settings["no_answer"])}
        same_backend = overrides.get("backend", params["backend"]) == params["backend"]
        extra_kwargs = overrides.pop("backend_kwargs", None) or {}
        params["backend_kwargs"] = {**saved_kwargs, **extra_kwargs} if same_backend else dict(extra_kwargs)
        params.update(overrides)
        analyzer = cls(**params)
        if same_backend and settings.get("fitted_on"):
            analyzer.fitted_on_ = settings["fitted_on"]
        return analyzer

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


def _snapshot(value: Any) -> Any:
    """A copy of plain containers, so that editing a parameter in place shows as a change."""
    if type(value) is dict:
        return {k: _snapshot(v) for k, v in value.items()}
    if type(value) in (list, tuple):
        return type(value)(_snapshot(v) for v in value)
    return value


def _unchanged(before: Any, now: Any) -> bool:
    if before is now:
        return True
    try:
        return type(before) is type(now) and bool(before == now)
    except Exception:  # e.g. an array-valued comparison
        return False
