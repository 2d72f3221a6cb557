"""The small protocol every scoring backend follows."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol, runtime_checkable

import numpy as np

from ..themes import ThemeSet



@dataclass
class SentenceBatch:
    """Unique sentences of a batch of responses, and which response uses which.

    ``responses[r]`` lists indices into ``sentences`` (in reading order);
    ``questions[r]`` is the survey question answered by response ``r`` or None.
    """

    sentences: list[str]
    responses: list[list[int]]
    questions: list[str | None]


@dataclass
class BatchScores:
    """What a backend returns for a :class:`SentenceBatch` and a :class:`ThemeSet`.

    - ``sentiment``: ``(n_responses, 3)`` probabilities in :data:`voicelens.labels.SENTIMENT_LABELS` order;
    - ``sentence_sentiment``: ``(n_sentences, 3)``, same order;
    - ``mention``: ``(n_sentences, n_themes)`` probability that a sentence is about a theme;
    - ``positive``: ``(n_sentences, n_themes)`` probability that, if it is, the outcome is
      reported (positive stance) rather than absent or reversed;
    - ``mention_threshold``: a sentence counts as mentioning a theme from this
      probability on (chosen when the heads were trained; 0.5 by default); one value,
      or one per theme;
    - ``score_calibration``: optional ``(n_themes, 2)`` Platt parameters ``(a, b)`` that
      turn a response's raw positive score ``s`` into a calibrated probability
      ``sigmoid(a * logit(s) + b)``; NaN rows leave a theme's score raw.
    """

    sentiment: np.ndarray
    sentence_sentiment: np.ndarray
    mention: np.ndarray
    positive: np.ndarray
    mention_threshold: float | np.ndarray = 0.5
    score_calibration: np.ndarray | None = None

    def threshold(self, k: int) -> float:
        """Mention threshold of theme ``k``."""
        return float(np.broadcast_to(np.asarray(self.mention_threshold, dtype=float), (self.mention.shape[1],))[k])


@runtime_checkable
class Backend(Protocol):
    """Scores sentences for sentiment and theme stance.

    Implementations load their models lazily in :meth:`score` (or a helper),
    never at construction.
    """

    name: str

    def score(
        self,
        batch: SentenceBatch,
        themes: ThemeSet,
        *,
        batch_size: int = 64,
        show_progress_bar: bool | None = None,
    ) -> BatchScores: ...

    def describe(self) -> dict[str, str]:
        """Models and versions used, for the methods note of reports."""
        ...
