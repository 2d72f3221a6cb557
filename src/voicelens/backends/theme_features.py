"""Theme-relative features: how a sentence relates to a theme's definition.

The features do not depend on which theme it is (similarity to its description,
to its positive and to its negative examples), so one small combiner trained
across many themes scores themes it never saw: user themes work zero-shot.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

MENTION_FEATURES = ("desc_sim", "max_pos_sim", "max_neg_sim", "max_sim", "top3_sim")
STANCE_FEATURES = ("max_contrast", "top2_contrast", "outcome_logit", "sentiment_logit")


@dataclass
class ThemePrototypes:
    """Embeddings of one theme's description and example phrases (unit vectors)."""

    description: np.ndarray  # (d,)
    positive: np.ndarray  # (m, d)
    negative: np.ndarray  # (m, d)


def _top_mean(sims: np.ndarray, k: int) -> np.ndarray:
    if sims.shape[1] == 0:
        return np.zeros(sims.shape[0], dtype=np.float32)
    k = min(k, sims.shape[1])
    return np.sort(sims, axis=1)[:, -k:].mean(axis=1)


def _max(sims: np.ndarray) -> np.ndarray:
    return sims.max(axis=1) if sims.shape[1] else np.zeros(sims.shape[0], dtype=np.float32)


def mention_features(emb: np.ndarray, proto: ThemePrototypes) -> np.ndarray:
    """``(n, len(MENTION_FEATURES))`` features of ``emb`` against one theme."""
    desc = emb @ proto.description
    pos, neg = emb @ proto.positive.T, emb @ proto.negative.T
    both = np.concatenate([pos, neg, desc[:, None]], axis=1)
    return np.stack([desc, _max(pos), _max(neg), both.max(axis=1), _top_mean(both, 3)], axis=1)


def stance_features(
    emb: np.ndarray, proto: ThemePrototypes, outcome_logit: np.ndarray, sentiment_logit: np.ndarray
) -> np.ndarray:
    """``(n, len(STANCE_FEATURES))``: example contrast plus the generic outcome/sentiment logits."""
    pos, neg = emb @ proto.positive.T, emb @ proto.negative.T
    return np.stack([
        _max(pos) - _max(neg),
        _top_mean(pos, 2) - _top_mean(neg, 2),
        outcome_logit,
        sentiment_logit,
    ], axis=1)
