"""Few-shot adaptation of the embedded heads to a user's own labelled answers.

Used by :meth:`voicelens.Analyzer.fit`. Each adapted head starts from the
shipped one and is pulled back towards it, so 30-50 labels shift the model
without forgetting what it knew.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..backends.base import SentenceBatch
from ..backends.embedded import (
    EmbeddedBackend,
    EmbeddedHeads,
    sentiment_features,
    theme_key,
)
from ..backends.theme_features import ThemePrototypes
from ..backends.theme_matcher import ThemeMatcher, matcher_inputs
from ..heads import LinearHead, fit_linear_head
from ..labels import SENTIMENT_LABELS
from ..themes import ThemeSet
from .features import theme_pair_features

STANCES = {"positive", "negative", "absent", "mentioned"}
#: Pull towards the shipped heads (L2); larger keeps closer to the shipped behaviour. Chosen by
#: cross-validation on train parts only (``scripts/tune_adapters.py``): the shipped sentiment head
#: is already good on survey answers and is best kept close; a theme's mention/stance adapter
#: starts from definitions only and learns most from its examples when left free.
SENTIMENT_PRIOR_STRENGTH = 3e-2
THEME_PRIOR_STRENGTH = 1e-4
#: Pull of a theme's mention adapter towards the theme matcher it starts from, and the
#: adapter's mention threshold: chosen by ``scripts/train_theme_matcher.py --few-shot`` on
#: train-part themes the matcher never saw (8 / 32 / 128 answers per theme, 5 draws). The
#: threshold is high because the adapter is fitted class-balanced, as if half of all answers
#: mentioned the theme, far more than real text holds, so its probabilities run high.
MATCHER_PRIOR_STRENGTH = 1e-3
ADAPTER_THRESHOLD = 0.7


def fit_mention_adapter(matcher: ThemeMatcher, proto: ThemePrototypes, answers: list[np.ndarray],
                        mentioned: np.ndarray, strength: float = MATCHER_PRIOR_STRENGTH) -> LinearHead:
    """A theme's few-shot mention head on ``[match logit, embedding]`` of each labelled answer's
    best-matching sentence, starting from (and pulled towards) the matcher alone.

    ``answers``: each labelled answer's sentence embeddings; ``mentioned``: ``yes``/``no`` each.
    """
    best = [a[int(np.argmax(matcher.logits(a, proto)))][None] for a in answers]
    x = np.concatenate([matcher_inputs(matcher, b, proto) for b in best])
    start = np.zeros((2, x.shape[1]), np.float32)
    start[1, 0] = 1.0  # p(yes) = sigmoid(match logit): the matcher itself
    prior = LinearHead(start, np.zeros(2, np.float32), ["no", "yes"])
    # class-balanced, so the threshold means the same whatever share of the answers a user coded with the theme
    head = fit_linear_head(x, mentioned, ["no", "yes"], l2=strength, prior=prior, balanced=True)
    head.meta = {"features": "matcher", "threshold": ADAPTER_THRESHOLD}
    return head


def _padded(head: LinearHead, extra: int) -> LinearHead:
    """The zero-shot combiner as a prior for an adapter that also sees the embedding."""
    weight = np.concatenate([head.weight, np.zeros((head.weight.shape[0], extra), np.float32)], axis=1)
    return LinearHead(weight, head.bias, head.classes, head.temperature)


def adapt_heads(backend: EmbeddedBackend, batch: SentenceBatch, labels: pd.DataFrame, themes: ThemeSet,
                base: EmbeddedHeads | None = None, sentiment_strength: float = SENTIMENT_PRIOR_STRENGTH,
                theme_strength: float = THEME_PRIOR_STRENGTH, matcher_strength: float = MATCHER_PRIOR_STRENGTH,
                ) -> tuple[EmbeddedHeads, dict[str, int]]:
    """Return new heads adapted to ``labels`` (columns ``sentiment`` and/or theme names;
    theme cells ``positive``/``negative``/``absent``, or ``mentioned`` when the stance is unknown)."""
    emb = backend.embed(batch, show_progress_bar=False)
    base = base or backend.heads
    used: dict[str, int] = {}
    sentiment = base.sentiment
    if "sentiment" in labels.columns:
        mask = labels["sentiment"].isin(SENTIMENT_LABELS).to_numpy()
        if mask.sum() >= 2:
            x = sentiment_features(emb.responses, emb.questions)[mask]
            sentiment = fit_linear_head(x, labels["sentiment"].to_numpy(object)[mask], list(SENTIMENT_LABELS),
                                        l2=sentiment_strength, prior=base.sentiment)
            used["sentiment"] = int(mask.sum())
    adapters = {k: dict(v) for k, v in base.adapters.items()} if backend.adapters else {}
    sentence_embs = [emb.sentences[idx] for idx in batch.responses]
    for theme in themes:
        if theme.name not in labels.columns:
            continue
        stance = labels[theme.name].to_numpy(object)
        known = np.isin(stance, list(STANCES))
        if known.sum() < 2:
            continue
        proto = backend.prototypes(theme)
        m, s, e = theme_pair_features([sentence_embs[i] for i in np.flatnonzero(known)], proto, base)
        y_m = np.where(stance[known] == "absent", "no", "yes")
        new: dict[str, LinearHead] = {}
        if len(set(y_m)) == 2 and base.matcher is not None:
            answers = [sentence_embs[i] for i in np.flatnonzero(known)]
            new["mention"] = fit_mention_adapter(base.matcher, proto, answers, y_m, matcher_strength)
        elif len(set(y_m)) == 2:
            new["mention"] = fit_linear_head(np.concatenate([m, e], 1), y_m, ["no", "yes"], l2=theme_strength,
                                             prior=_padded(base.mention, e.shape[1]), balanced=False)
            new["mention"].meta = dict(base.mention.meta)
        said = np.isin(stance[known], ["positive", "negative"])
        if len(set(stance[known][said])) == 2:
            new["stance"] = fit_linear_head(np.concatenate([s, e], 1)[said], stance[known][said],
                                            ["negative", "positive"], l2=theme_strength,
                                            prior=_padded(base.stance, e.shape[1]))
        if new:
            key = theme_key(theme)
            adapters[key] = {**adapters.get(key, {}), **new}
            used[theme.name] = int(known.sum())
    heads = EmbeddedHeads(sentiment, base.outcome, base.mention, base.stance, adapters, dict(base.themes),
                          base.matcher)
    return heads, used
