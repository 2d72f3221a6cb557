"""The theme matcher: reads any theme from its definition; trained across themes; few-shot on top."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from voicelens.assets import asset_path
from voicelens.backends.embedded import MATCHER_FILE, EmbeddedHeads
from voicelens.backends.theme_features import ThemePrototypes
from voicelens.backends.theme_matcher import ThemeMatcher, matcher_inputs
from voicelens.errors import ModelLoadError
from voicelens.themes import Theme, ThemeSet
from voicelens.train.adapt import fit_mention_adapter
from voicelens.train.theme_matcher import (
    CorpusArrays,
    MatcherConfig,
    answer_scores,
    best_threshold,
    fit_matcher,
    per_theme_f1,
    theme_folds,
)

DIM = 16


def unit(v: np.ndarray) -> np.ndarray:
    return (v / np.linalg.norm(v, axis=-1, keepdims=True)).astype(np.float32)


def proto(direction: np.ndarray) -> ThemePrototypes:
    return ThemePrototypes(unit(direction), unit(direction)[None], np.zeros((0, DIM), np.float32))


def synthetic(rng, n_themes: int, n_answers: int = 200, name: str = "synthetic"):
    """Themes are random directions, but a sentence mentions a theme only when it is close to
    the theme's direction *in the first 4 dimensions*: plain similarity over all dimensions
    is a weak reader; a model trained across themes can learn which dimensions matter."""
    dirs = rng.normal(size=(n_themes, DIM))
    protos = {f"t{j}": proto(dirs[j]) for j in range(n_themes)}
    sentences = unit(rng.normal(size=(n_answers, DIM)))
    close = unit(sentences[:, :4]) @ unit(dirs[:, :4]).T
    labels = (close > 0.8).astype(float)
    members = np.arange(n_answers)[:, None]
    sims = np.stack([np.stack([sentences @ p.description] * 5, axis=1) for p in protos.values()], axis=1)
    answers = pd.DataFrame({"id": range(n_answers), "split": "train", "group": "g"})
    return CorpusArrays(name, sentences, members, labels, list(protos), sims, answers), protos


def test_identity_matcher_is_description_similarity():
    rng = np.random.default_rng(0)
    emb = unit(rng.normal(size=(5, DIM)))
    p = proto(rng.normal(size=DIM))
    np.testing.assert_allclose(ThemeMatcher.identity(DIM).logits(emb, p), emb @ p.description, rtol=1e-5)


def test_matcher_round_trips_and_refuses_other_files(tmp_path):
    rng = np.random.default_rng(1)
    m = ThemeMatcher.identity(DIM, rank=2)
    m.low_a, m.low_b = rng.normal(size=(2, DIM)).astype(np.float32), rng.normal(size=(2, DIM)).astype(np.float32)
    m.meta["threshold"] = 0.3
    m.save(tmp_path / "m.safetensors")
    back = ThemeMatcher.load(tmp_path / "m.safetensors")
    p, emb = proto(rng.normal(size=DIM)), unit(rng.normal(size=(3, DIM)))
    np.testing.assert_allclose(back.logits(emb, p), m.logits(emb, p), rtol=1e-6)
    assert back.threshold == 0.3
    (tmp_path / "bad.safetensors").write_bytes(b"not a model")
    with pytest.raises(ModelLoadError, match="retrain"):
        ThemeMatcher.load(tmp_path / "bad.safetensors")


def test_training_across_themes_beats_similarity_on_themes_it_never_saw():
    rng = np.random.default_rng(2)
    arrays, protos = synthetic(rng, n_themes=30, n_answers=400)
    seen = np.array([j < 20 for j in range(30)])
    train_mask = np.broadcast_to(seen, arrays.labels.shape).copy()
    matcher = fit_matcher([arrays], protos, [train_mask], MatcherConfig(rank=4, steps=200, learning_rate=0.05))
    trained = answer_scores(matcher, arrays, protos)
    baseline = answer_scores(None, arrays, protos)
    t_ours = best_threshold([trained], [arrays.labels], [train_mask])
    t_base = best_threshold([baseline], [arrays.labels], [train_mask])
    held = ~train_mask
    ours = np.nanmean(per_theme_f1(trained, arrays.labels, held, t_ours))
    theirs = np.nanmean(per_theme_f1(baseline, arrays.labels, held, t_base))
    assert ours > theirs + 0.05, (ours, theirs)


def test_near_duplicate_themes_share_a_fold():
    a = proto(np.r_[1.0, np.zeros(DIM - 1)])
    near = proto(np.r_[1.0, 0.1, np.zeros(DIM - 2)])
    themes = ThemeSet([Theme(f"t{i}", "x") for i in range(12)] + [Theme("twin_a", "a"), Theme("twin_b", "b")])
    rng = np.random.default_rng(3)
    protos = {t.name: proto(rng.normal(size=DIM)) for t in themes}
    protos["twin_a"], protos["twin_b"] = a, near
    folds = theme_folds(themes, protos, k=5)
    assert folds["twin_a"] == folds["twin_b"]
    assert len(set(folds.values())) > 1


def test_few_shot_adapter_starts_from_the_matcher_and_learns():
    rng = np.random.default_rng(4)
    m = ThemeMatcher.identity(DIM)
    p = proto(np.r_[1.0, np.zeros(DIM - 1)])
    answers = [unit(rng.normal(size=(2, DIM))) for _ in range(60)]
    # the labels follow dimension 2, which the definition says nothing about
    y = np.array(["yes" if a[:, 2].max() > 0.3 else "no" for a in answers])
    strong = fit_mention_adapter(m, p, answers, y, strength=1e6)
    start = np.r_[1.0, np.zeros(DIM)]  # weight 1 on the match logit: the matcher itself (intercept is free)
    np.testing.assert_allclose(strong.weight[1] - strong.weight[0], start, atol=1e-2)
    learnt = fit_mention_adapter(m, p, answers, y, strength=1e-3)
    assert learnt.meta["features"] == "matcher"
    hits = [learnt.predict_proba(matcher_inputs(m, a, p))[:, 1].max() > 0.5 for a in answers]
    alone = [m.probability(a, p).max() > 0.5 for a in answers]
    accuracy = lambda pred: np.mean(np.array(pred) == (y == "yes"))  # noqa: E731
    assert accuracy(hits) > accuracy(alone) + 0.15, (accuracy(hits), accuracy(alone))


def test_shipped_matcher_loads_with_its_threshold():
    folder = asset_path("heads")
    assert (folder / MATCHER_FILE).read_bytes()[8:9] == b"{"  # safetensors JSON header
    heads = EmbeddedHeads.load(folder)
    assert heads.matcher is not None
    assert 0 < heads.matcher.threshold < 1
    assert heads.matcher.meta["themes"] >= 200
