"""Baseline: plain embedding similarity, no trained heads.

Sentiment by the nearest of three anchor descriptions; a theme is mentioned when
a sentence is close to its description or examples; stance by whichever example
set is closer. Kept to show what the trained heads add (``voicelens evaluate``).
"""

from __future__ import annotations

import numpy as np

from ..heads import softmax
from ..themes import ThemeSet
from .base import BatchScores, SentenceBatch
from .embedded import EmbeddedBackend

ANCHORS = ("This is a negative, unhappy comment.", "This is a neutral comment.",
           "This is a positive, happy comment.")
#: Cosine similarity above which a sentence counts as about a theme.
SIMILARITY_THRESHOLD = 0.45


class SimilarityBackend(EmbeddedBackend):
    """Zero-shot by cosine similarity only (the embedded encoder, no heads)."""

    name = "similarity"

    def score(self, batch: SentenceBatch, themes: ThemeSet, *, batch_size: int = 64,
              show_progress_bar: bool | None = None) -> BatchScores:
        emb = self.embed(batch, batch_size=batch_size, show_progress_bar=show_progress_bar)
        anchors = self.encoder.encode(list(ANCHORS), show_progress_bar=False)
        sentence_sentiment = softmax(emb.sentences @ anchors.T * 20)
        sentiment = softmax(emb.responses @ anchors.T * 20)
        n = len(emb.sentences)
        mention = np.zeros((n, len(themes)))
        positive = np.zeros((n, len(themes)))
        for k, theme in enumerate(themes):
            proto = self.prototypes(theme)
            pos = emb.sentences @ proto.positive.T if len(proto.positive) else np.zeros((n, 1))
            neg = emb.sentences @ proto.negative.T if len(proto.negative) else np.zeros((n, 1))
            best = np.maximum(np.maximum(pos.max(1), neg.max(1)), emb.sentences @ proto.description)
            mention[:, k] = (best >= SIMILARITY_THRESHOLD).astype(float)
            positive[:, k] = 1 / (1 + np.exp(-20 * (pos.max(1) - neg.max(1))))
        return BatchScores(sentiment, sentence_sentiment, mention, positive)

    def describe(self) -> dict[str, str]:
        return {"backend": "similarity", "models": "all-MiniLM-L6-v2 cosine similarity, no trained heads"}
