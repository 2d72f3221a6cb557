"""The theme reader for themes a user defines: "does this sentence match this definition?".

One small model, trained across some 250 themes (frameworks, corpus categories, outcome
themes and team-written themes), so it has learnt what matching a definition means rather
than a few themes. For a theme it builds one vector from the theme's description and
examples; a sentence's logit is then a dot product with that vector plus a few
similarities to the theme's texts::

    logit(s, t) = s · u(t) + w · sims(s, t) + b(t)
    u(t) = w_d ⊙ d + w_e ⊙ ē + Aᵀ B d + w_s    (d: description, ē: mean example)
    b(t) = c · d + bias

(``w_s`` learns which sentences tend to mention anything specific at all), so adding a theme costs a matrix-vector product, not an encoder pass. Weights are stored
as safetensors; the mention threshold and training facts are in its header.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import ModelLoadError
from .theme_features import ThemePrototypes, mention_features

PARAMETERS = ("w_desc", "w_examples", "low_a", "low_b", "w_sentence", "prior", "w_sims", "bias")


def mean_example(proto: ThemePrototypes) -> np.ndarray:
    """Unit mean of a theme's examples (its description when it has none)."""
    examples = np.concatenate([proto.positive, proto.negative], axis=0)
    if not len(examples):
        return proto.description
    mean = examples.mean(axis=0)
    return mean / max(float(np.linalg.norm(mean)), 1e-9)


@dataclass
class ThemeMatcher:
    """Sentence-theme match logits for any theme, from its definition alone.

    >>> dim = 4
    >>> m = ThemeMatcher.identity(dim)
    >>> proto = ThemePrototypes(np.eye(dim, dtype=np.float32)[0], np.eye(dim, dtype=np.float32)[:1],
    ...                         np.zeros((0, dim), np.float32))
    >>> m.logits(np.eye(dim, dtype=np.float32)[:2], proto).round(2).tolist()
    [1.0, 0.0]
    """

    w_desc: np.ndarray  # (d,)
    w_examples: np.ndarray  # (d,)
    low_a: np.ndarray  # (r, d)
    low_b: np.ndarray  # (r, d)
    w_sentence: np.ndarray  # (d,)
    prior: np.ndarray  # (d,)
    w_sims: np.ndarray  # (len(MENTION_FEATURES),)
    bias: np.ndarray  # (1,)
    meta: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def identity(cls, dim: int, rank: int = 1) -> ThemeMatcher:
        """Plain description similarity: ``logit = s · d`` (the untrained starting point)."""
        zeros = np.zeros(dim, np.float32)
        return cls(np.ones(dim, np.float32), zeros.copy(), np.zeros((rank, dim), np.float32),
                   np.zeros((rank, dim), np.float32), zeros.copy(), zeros.copy(), np.zeros(5, np.float32),
                   np.zeros(1, np.float32))

    @property
    def threshold(self) -> float:
        """Match probability above which a sentence mentions the theme."""
        return float(self.meta.get("threshold", 0.5))

    def theme_vector(self, proto: ThemePrototypes) -> tuple[np.ndarray, float]:
        """``(u, b)`` of one theme: its logits are ``emb @ u + b`` plus the similarity term."""
        d, e = proto.description, mean_example(proto)
        u = self.w_desc * d + self.w_examples * e + self.low_a.T @ (self.low_b @ d) + self.w_sentence
        return u.astype(np.float32), float(self.prior @ d + self.bias[0])

    def logits(self, emb: np.ndarray, proto: ThemePrototypes) -> np.ndarray:
        """Match logit of each sentence embedding (rows of ``emb``) with the theme."""
        u, b = self.theme_vector(proto)
        return emb @ u + mention_features(emb, proto) @ self.w_sims + b

    def probability(self, emb: np.ndarray, proto: ThemePrototypes) -> np.ndarray:
        return 1 / (1 + np.exp(-self.logits(emb, proto)))

    def save(self, path: str | Path) -> None:
        from safetensors.numpy import save_file

        save_file({name: np.asarray(getattr(self, name), np.float32) for name in PARAMETERS}, str(path),
                  metadata={"meta": json.dumps(self.meta)})

    @classmethod
    def load(cls, path: str | Path) -> ThemeMatcher:
        """Read a matcher written by :meth:`save` (safetensors only; nothing is unpickled)."""
        from safetensors import safe_open

        try:
            with safe_open(str(path), framework="numpy") as f:
                tensors = {name: f.get_tensor(name) for name in PARAMETERS}
                meta = json.loads((f.metadata() or {}).get("meta", "{}"))
        except Exception as exc:
            raise ModelLoadError(f"theme matcher {path} is missing, corrupt or not one voicelens wrote "
                                 f"({exc}); reinstall voicelens or retrain it with "
                                 f"`python scripts/train_theme_matcher.py`") from exc
        return cls(**tensors, meta=meta)


def matcher_inputs(matcher: ThemeMatcher, sentences: np.ndarray, proto: ThemePrototypes) -> np.ndarray:
    """``[match logit, embedding]`` per sentence: the input of a theme's few-shot adapter, whose
    starting point (weight 1 on the logit, 0 elsewhere) is the matcher itself."""
    return np.concatenate([matcher.logits(sentences, proto)[:, None], sentences], axis=1).astype(np.float32)
