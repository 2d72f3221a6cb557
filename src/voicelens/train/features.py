"""Response-level training features for the embedded heads.

Shared by the shipped-model training script and by ``Analyzer.fit``.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from ..backends.embedded import EmbeddedHeads, logit_of, sentiment_features
from ..backends.theme_features import ThemePrototypes, mention_features, stance_features
from ..text import split_sentences

Embed = Callable[[list[str]], np.ndarray]


def sentence_lists(texts: list[str]) -> list[list[str]]:
    return [split_sentences(t) or [t] for t in texts]


def embed_responses(texts: list[str], embed: Embed) -> tuple[list[np.ndarray], np.ndarray]:
    """Per response: its sentence embeddings, and the normalised mean embedding."""
    sents = sentence_lists(texts)
    flat = [s for ss in sents for s in ss]
    vectors = embed(flat) if flat else np.zeros((0, 384), dtype=np.float32)
    per_response, start = [], 0
    for ss in sents:
        per_response.append(vectors[start : start + len(ss)])
        start += len(ss)
    means = np.stack([v.mean(0) / max(np.linalg.norm(v.mean(0)), 1e-9) for v in per_response])
    return per_response, means


def theme_pair_features(
    sentence_embs: list[np.ndarray], proto: ThemePrototypes, heads: EmbeddedHeads
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """For each response and one theme: mention features (max over sentences),
    stance features and embedding of the sentence most similar to the theme."""
    m_rows, s_rows, e_rows = [], [], []
    for emb in sentence_embs:
        m = mention_features(emb, proto)
        best = int(np.argmax(m[:, 3]))
        no_q = np.zeros_like(emb)
        sent_logit = logit_of(heads.sentiment, sentiment_features(emb, no_q), "positive", "negative")
        out_logit = logit_of(heads.outcome, emb, "improved", "not_improved")
        s = stance_features(emb, proto, out_logit, sent_logit)
        m_rows.append(m.max(axis=0))
        s_rows.append(s[best])
        e_rows.append(emb[best])
    return np.array(m_rows), np.array(s_rows), np.array(e_rows)
