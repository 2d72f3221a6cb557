"""Train the theme matcher across many themes and measure it on themes it never saw.

An answer mentions a theme when its best sentence does (the same max-over-sentences rule
``analyze()`` applies), so training scores every sentence and takes the maximum per answer
(multiple-instance learning). Fitting is full-batch on cached embeddings: seconds to a
minute on two cores.
"""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd

from ..backends.theme_features import ThemePrototypes, mention_features
from ..backends.theme_matcher import ThemeMatcher, mean_example
from ..text import split_sentences
from ..themes import ThemeSet
from .theme_pairs import LabelledCorpus

THRESHOLDS = np.round(np.arange(0.05, 0.951, 0.025), 3)
#: Label sources whose units were drawn for labelling by similarity to the theme (not at
#: random): they teach what matching means, but their share of mentions is not the natural
#: one, so they get their own intercept in training and no say in the threshold.
DRAWN_BY_SIMILARITY = frozenset({"team"})


@dataclass
class MatcherConfig:
    """Settings of one matcher fit (written into the reports)."""

    rank: int = 32
    l2: float = 1e-3
    steps: int = 150
    learning_rate: float = 0.02
    seed: int = 0
    #: Weight of a theme from a source drawn by similarity, against one from natural text.
    drawn_weight: float = 0.2


@dataclass
class CorpusArrays:
    """One label source as arrays: its sentences, answers and labels for its themes."""

    name: str
    sentences: np.ndarray  # (n_sentences, dim)
    members: np.ndarray  # (n_answers, max_sentences) sentence rows, -1 padding
    labels: np.ndarray  # (n_answers, k) 1 / 0 / NaN
    themes: list[str]  # the k theme names
    sims: np.ndarray  # (n_sentences, k, n_features) similarities to each theme's texts
    answers: pd.DataFrame  # id, split, group


def theme_prototypes(themes: ThemeSet, embed) -> dict[str, ThemePrototypes]:
    """Embeddings of every theme's description and examples."""
    out = {}
    for t in themes:
        emb = embed([t.description, *t.positive_examples, *t.negative_examples])
        n = len(t.positive_examples)
        out[t.name] = ThemePrototypes(emb[0], emb[1:1 + n], emb[1 + n:])
    return out


def corpus_arrays(corpus: LabelledCorpus, protos: dict[str, ThemePrototypes], embed) -> CorpusArrays:
    """Split answers into sentences (as ``analyze()`` does), embed them and lay out the labels."""
    per_answer = [split_sentences(t) or [t] for t in corpus.answers["text"]]
    unique = sorted({s for ss in per_answer for s in ss})
    row = {s: i for i, s in enumerate(unique)}
    width = max(len(ss) for ss in per_answer)
    members = np.full((len(per_answer), width), -1, dtype=np.int64)
    for a, ss in enumerate(per_answer):
        members[a, :len(ss)] = [row[s] for s in ss]
    sentences = embed(unique)
    themes = [n for n in corpus.labels.columns if n in protos]
    sims = np.stack([mention_features(sentences, protos[n]) for n in themes], axis=1)
    return CorpusArrays(corpus.name, sentences, members, corpus.labels[themes].to_numpy(float), themes, sims,
                        corpus.answers[["id", "split", "group"]].reset_index(drop=True))


def _answer_max(sentence_logits, members):
    """Max over each answer's sentences: ``(n_sentences, k)`` -> ``(n_answers, k)``."""
    import torch

    idx = torch.as_tensor(np.where(members < 0, 0, members))
    gathered = sentence_logits[idx]  # (n_answers, width, k)
    pad = torch.as_tensor(members < 0)[:, :, None]
    return gathered.masked_fill(pad, float("-inf")).amax(dim=1)


def fit_matcher(arrays: list[CorpusArrays], protos: dict[str, ThemePrototypes], masks: list[np.ndarray],
                config: MatcherConfig = MatcherConfig()) -> ThemeMatcher:
    """Fit on the labels of ``arrays`` where ``masks`` (one ``(n_answers, k)`` bool per corpus) is True."""
    import torch

    torch.manual_seed(config.seed)
    dim = arrays[0].sentences.shape[1]
    p = {
        "w_desc": torch.full((dim,), 1.0), "w_examples": torch.zeros(dim),
        "low_a": torch.randn(config.rank, dim) * 0.01, "low_b": torch.randn(config.rank, dim) * 0.01,
        "w_sentence": torch.zeros(dim), "prior": torch.zeros(dim), "w_sims": torch.zeros(arrays[0].sims.shape[2]), "bias": torch.full((1,), -3.0),
    }
    offset = torch.zeros(1, requires_grad=True)  # intercept of the sources drawn by similarity
    for v in p.values():
        v.requires_grad_(True)
    batches = []
    for a, mask in zip(arrays, masks):
        labelled = mask & ~np.isnan(a.labels)
        if not labelled.any():
            continue
        d = torch.as_tensor(np.stack([protos[n].description for n in a.themes]))
        e = torch.as_tensor(np.stack([mean_example(protos[n]) for n in a.themes]))
        per_theme = np.maximum(labelled.sum(axis=0), 1)
        weight = labelled / per_theme  # every theme weighs the same, whatever its number of answers
        if a.name in DRAWN_BY_SIMILARITY:
            weight = weight * config.drawn_weight
        batches.append((torch.as_tensor(a.sentences), torch.as_tensor(a.sims), a.members, d, e,
                        torch.as_tensor(np.nan_to_num(a.labels), dtype=torch.float32),
                        torch.as_tensor(weight, dtype=torch.float32), a.name in DRAWN_BY_SIMILARITY))
    n_themes = sum(int((b[6].sum(0) > 0).sum()) for b in batches)
    optimizer = torch.optim.Adam([*p.values(), offset], lr=config.learning_rate)
    for _ in range(config.steps):
        optimizer.zero_grad()
        loss = torch.zeros(())
        for s, sims, members, d, e, y, w, drawn in batches:
            u = p["w_desc"] * d + p["w_examples"] * e + (d @ p["low_b"].T) @ p["low_a"] + p["w_sentence"]
            logits = s @ u.T + sims @ p["w_sims"] + (d @ p["prior"] + p["bias"])
            answer = _answer_max(logits, members) + (offset if drawn else 0.0)
            bce = torch.nn.functional.binary_cross_entropy_with_logits(answer, y, reduction="none")
            loss = loss + (bce * w).sum() / n_themes
        reg = (p["w_desc"] - 1).pow(2).sum() + p["w_examples"].pow(2).sum() + p["low_a"].pow(2).sum() \
            + p["low_b"].pow(2).sum() + p["w_sentence"].pow(2).sum() + p["prior"].pow(2).sum()
        (loss + config.l2 * reg).backward()
        optimizer.step()
    return ThemeMatcher(**{k: v.detach().numpy().astype(np.float32) for k, v in p.items()},
                        meta={"config": asdict(config)})


def answer_scores(matcher: ThemeMatcher | None, a: CorpusArrays, protos: dict[str, ThemePrototypes]) -> np.ndarray:
    """``(n_answers, k)`` match probabilities (``matcher=None``: the description-similarity baseline)."""
    cols = []
    for j, name in enumerate(a.themes):
        sentence = a.sims[:, j, 0] if matcher is None else matcher.probability(a.sentences, protos[name])
        padded = np.where(a.members < 0, -np.inf, sentence[np.where(a.members < 0, 0, a.members)])
        cols.append(padded.max(axis=1))
    return np.stack(cols, axis=1)


def f1(pred: np.ndarray, truth: np.ndarray) -> float:
    tp = float((pred & truth).sum())
    denom = float(pred.sum() + truth.sum())
    return 2 * tp / denom if denom else float("nan")


def per_theme_f1(scores: np.ndarray, labels: np.ndarray, mask: np.ndarray, threshold: float) -> np.ndarray:
    """Mention F1 of each column over the rows ``mask`` selects (NaN where no positive label)."""
    out = np.full(scores.shape[1], np.nan)
    for j in range(scores.shape[1]):
        keep = mask[:, j] & ~np.isnan(labels[:, j])
        truth = labels[keep, j] > 0
        if truth.any():
            out[j] = f1(scores[keep, j] >= threshold, truth)
    return out


def best_threshold(scores: list[np.ndarray], labels: list[np.ndarray], masks: list[np.ndarray],
                   grid: np.ndarray = THRESHOLDS) -> float:
    """The one threshold that maximises the mean per-theme F1 over the given (training) themes."""
    def mean_f1(t):
        values = np.concatenate([per_theme_f1(s, y, m, t) for s, y, m in zip(scores, labels, masks)]
                                or [np.array([np.nan])])
        return np.nanmean(values) if np.isfinite(values).any() else -1.0
    return float(max(grid, key=mean_f1))


def theme_folds(themes: ThemeSet, protos: dict[str, ThemePrototypes], k: int = 5,
                same_theme: float = 0.75) -> dict[str, int]:
    """Assign themes to ``k`` folds; themes whose descriptions are near-duplicates (cosine
    ≥ ``same_theme``, e.g. the same topic in two frameworks) share a fold, so a held-out
    theme's twin is never in training."""
    names = themes.names
    d = np.stack([protos[n].description for n in names])
    parent = list(range(len(names)))

    def root(i):
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i
    for i, j in zip(*np.nonzero(np.triu(d @ d.T, 1) >= same_theme)):
        parent[root(int(i))] = root(int(j))
    return {n: int(hashlib.sha1(names[root(i)].encode()).hexdigest(), 16) % k for i, n in enumerate(names)}
