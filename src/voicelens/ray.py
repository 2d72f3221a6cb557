"""Analyse a Ray Dataset across cores or machines: one Analyzer per actor, loaded once.

Needs the ``ray`` extra: ``pip install "voicelens[ray]"``.

>>> import ray                                                            # doctest: +SKIP
>>> import voicelens as vl
>>> from voicelens.ray import analyze_dataset, summarise_dataset           # doctest: +SKIP
>>> ds = ray.data.read_csv("s3://bucket/answers/")                        # doctest: +SKIP
>>> scored = analyze_dataset(ds, vl.Analyzer(), text_column="comment",
...                          actors=(2, 16))                             # doctest: +SKIP
>>> scored.write_parquet("s3://bucket/scored/")                           # doctest: +SKIP
>>> summarise_dataset(scored, vl.Analyzer(), by="clinic")                 # doctest: +SKIP

Every row comes back with the same columns as ``Analyzer.analyze(df).responses``
(the input columns, then the results). Ray does not keep row order unless
``ray.data.DataContext.get_current().execution_options.preserve_order = True``;
keep an id column to join on.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import pandas as pd

from .analyzer import Analyzer

if TYPE_CHECKING:  # pragma: no cover
    import ray.data

__all__ = ["analyze_dataset", "summarise_dataset"]


class AnalyzerActor:
    """A Ray actor holding one Analyzer; its model loads once, when the actor starts."""

    def __init__(self, analyzer: Analyzer, text_column: str, question_column: str | None,
                 question: str | None):
        self.analyzer = copy.copy(analyzer)
        self.analyzer.show_progress_bar = False
        self.text_column = text_column
        self.question_column = question_column
        self.question = question
        self.analyzer.analyze(["warm-up: load the model"])  # load once per actor, not per batch

    def __call__(self, batch: pd.DataFrame) -> pd.DataFrame:
        result = self.analyzer.analyze(batch, self.text_column, question_column=self.question_column,
                                       question=self.question)
        return result.responses.reset_index(drop=True)


def analyze_dataset(
    ds: ray.data.Dataset,
    analyzer: Analyzer | None = None,
    *,
    text_column: str = "text",
    question_column: str | None = None,
    question: str | None = None,
    batch_rows: int = 1024,
    actors: int | tuple[int, int] = 1,
    num_cpus_per_actor: float = 1,
    **map_batches_kwargs: Any,
) -> ray.data.Dataset:
    """Score every row of ``ds`` with ``map_batches`` over a pool of :class:`AnalyzerActor`.

    ``actors`` is a pool size or ``(min, max)`` for an autoscaling pool;
    ``batch_rows`` rows go to an actor at a time. Torch in each actor uses
    ``num_cpus_per_actor`` threads (Ray sets ``OMP_NUM_THREADS``). Other keyword
    arguments go to ``Dataset.map_batches`` (e.g. ``num_gpus=1``). The result is lazy,
    like every Ray Dataset.

    >>> scored = analyze_dataset(ray.data.from_pandas(df), vl.Analyzer(backend="fake"))  # doctest: +SKIP
    >>> scored.to_pandas().columns[-3:].tolist()                                         # doctest: +SKIP
    ['hope', 'hope_score', 'hope_evidence']
    """
    import ray.data

    analyzer = analyzer if analyzer is not None else Analyzer()
    if question_column is not None and question is not None:
        raise ValueError("pass question_column= or question=, not both")
    missing = [c for c in (text_column, question_column) if c is not None and c not in ds.columns()]
    if missing:
        from .errors import ColumnNotFoundError

        name = "text_column" if missing[0] == text_column else "question_column"
        raise ColumnNotFoundError(name, missing[0], ds.columns())
    low, high = (actors, actors) if isinstance(actors, int) else actors
    return ds.map_batches(
        AnalyzerActor,
        fn_constructor_kwargs={"analyzer": analyzer, "text_column": text_column,
                               "question_column": question_column, "question": question},
        batch_size=batch_rows,
        batch_format="pandas",
        compute=ray.data.ActorPoolStrategy(min_size=low, max_size=high),
        num_cpus=num_cpus_per_actor,
        **map_batches_kwargs,
    )


def summarise_dataset(
    scored: ray.data.Dataset,
    analyzer: Analyzer | None = None,
    *,
    by: str | Sequence[str] | None = None,
) -> pd.DataFrame:
    """The outcome summary of a scored Dataset, as ``AnalysisResult.summary(by=...)``.

    Only the result label columns and ``by`` travel to the driver (a few bytes per row).

    >>> summarise_dataset(scored, vl.Analyzer(), by="clinic")   # doctest: +SKIP
    """
    from .result import AnalysisResult

    analyzer = analyzer if analyzer is not None else Analyzer()
    themes = analyzer.theme_set_.names
    keys = [by] if isinstance(by, str) else list(by or [])
    columns = list(dict.fromkeys(["status", "sentiment", "sentiment_score", *themes, *keys]))
    frame = scored.select_columns(columns).to_pandas()
    return AnalysisResult(frame, themes, {"error_rates": analyzer.error_rates()}).summary(by=keys or None)
