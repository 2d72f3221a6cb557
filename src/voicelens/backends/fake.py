"""A deterministic keyword backend for tests: no model, no dependencies."""

from __future__ import annotations

import numpy as np

from ..themes import ThemeSet
from .base import BatchScores, SentenceBatch

_GOOD = ("good", "great", "better", "gone", "helped", "kind", "thank", "hope", "again")
_BAD = ("bad", "worse", "still", "rude", "can't", "cannot", "hopeless", "never", "no ")


class FakeBackend:
    """Scores by counting a few keywords; a theme is mentioned if its name's first
    word (or an example word) appears. Only for tests and demos of the plumbing."""

    name = "fake"

    def _polarity(self, sentence: str) -> float:
        s = sentence.lower() + " "
        return float(sum(w in s for w in _GOOD) - sum(w in s for w in _BAD))

    def score(self, batch: SentenceBatch, themes: ThemeSet, *, batch_size: int = 64,
              show_progress_bar: bool | None = None) -> BatchScores:
        polarity = np.array([self._polarity(s) for s in batch.sentences])
        sent = np.stack([np.where(polarity < 0, 0.8, 0.1), np.where(polarity == 0, 0.8, 0.1),
                         np.where(polarity > 0, 0.8, 0.1)], axis=1)
        sent = sent / sent.sum(1, keepdims=True)
        keys = [{t.name.split("_")[0]} | {w for ex in t.positive_examples + t.negative_examples
                                           for w in ex.lower().split() if len(w) > 5} for t in themes]
        mention = np.array([[float(any(k in s.lower() for k in ks)) for ks in keys]
                            for s in batch.sentences]).reshape(len(batch.sentences), len(themes))
        positive = np.repeat((1 / (1 + np.exp(-2 * polarity)))[:, None], len(themes), axis=1)
        response = np.stack([sent[idx].mean(0) for idx in batch.responses]) if batch.responses \
            else np.zeros((0, 3))
        return BatchScores(response, sent, mention, positive)

    def describe(self) -> dict[str, str]:
        return {"backend": "fake", "models": "keyword rules (tests only)"}
