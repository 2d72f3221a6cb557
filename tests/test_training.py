"""Shipped artifacts load; a quick retrain on a small subset runs (needs ../shared/data)."""

from __future__ import annotations

import json

import numpy as np
import pytest

from voicelens.assets import asset_path
from voicelens.backends.embedded import HEAD_FILES, EmbeddedHeads
from voicelens.heads import LinearHead, fit_linear_head
from voicelens.train.corpora import data_dir


def test_shipped_heads_load_and_are_safetensors():
    folder = asset_path("heads")
    heads = EmbeddedHeads.load(folder)
    assert heads.sentiment.classes == ["negative", "neutral", "positive"]
    assert heads.outcome.classes == ["improved", "not_improved"]
    assert 0 < float(heads.mention.meta["threshold"]) < 1
    for name in HEAD_FILES:
        assert (folder / f"{name}.safetensors").read_bytes()[8:9] == b"{"  # safetensors JSON header
    assert not list(folder.glob("*.pkl")) and not list(folder.glob("*.bin"))
    assert heads.adapters, "per-theme adapters for the patient-experience pack are missing"
    assert len(heads.themes) == 3, "trained readers for the three default themes are missing"
    for reader in heads.themes.values():
        assert reader.classes == ["absent", "negative", "positive"]
        rates = reader.meta["error_rates"]
        assert rates["tpr"] - rates["fpr"] > 0.3 and rates["n_positive"] >= 20


def test_model_card_names_data_licences_and_citations():
    card = asset_path("heads", "MODEL_CARD.md").read_text(encoding="utf-8")
    for needle in ["CC BY 4.0", "Gräßer", "Zolnoori", "pxtextmining", "macro-F1"]:
        assert needle in card


def test_prior_keeps_few_shot_heads_close_to_the_shipped_one():
    rng = np.random.default_rng(0)
    prior = LinearHead(np.array([[1.0, 0.0], [-1.0, 0.0]], np.float32), np.zeros(2, np.float32), ["a", "b"])
    x = rng.normal(size=(4, 2))
    head = fit_linear_head(x, ["a", "b", "a", "b"], ["a", "b"], l2=10.0, prior=prior)
    assert np.allclose(head.weight, prior.weight, atol=0.2)


@pytest.mark.slow
@pytest.mark.skipif(not (data_dir() / "druglib").is_dir(), reason="../shared/data is not available here")
def test_quick_retrain_on_a_small_subset_runs(tmp_path):
    from voicelens.train.train_heads import train

    report = train(tmp_path / "heads", tmp_path / "cache", limit=40, top_layers=None)
    heads = EmbeddedHeads.load(tmp_path / "heads")
    assert heads.sentiment.weight.shape[1] == 768
    assert json.loads((tmp_path / "heads" / "training_report.json").read_text())["limit"] == 40
    assert 0 <= report["sentiment"]["calibration_ece"] <= 1


@pytest.mark.slow
def test_quick_reader_finetune_runs_and_its_delta_merges(tmp_path):
    """A one-epoch LoRA fine-tune on a few items runs on CPU and its delta loads offline."""
    from voicelens.backends.minilm import MiniLMEncoder
    from voicelens.train.reader import LORA_FILE, ReaderConfig, finetune
    from voicelens.train.train_heads import DEV_FILE

    rows = [json.loads(line) for line in DEV_FILE.read_text(encoding="utf-8").splitlines()[:8]]
    items = [{"sentences": [r["text"]], "question": r["question"], "sentiment": ["negative", "neutral", "positive"]
              .index(r["sentiment"]), "themes": [["absent", "negative", "positive"].index(r[t])
                                                 for t in ("pain_reduction", "daily_function", "hope")],
              "weight": 1.0, "source": "dev", "kind": "unit", "held": False} for r in rows]
    report = finetune(items, tmp_path / "enc", ReaderConfig(epochs=1, batch_items=4))
    assert report["n_items"] == 8 and report["config"]["lora_r"] == 16
    delta = tmp_path / "enc" / LORA_FILE
    tuned = MiniLMEncoder(top_layers=delta).encode(["My pain is gone"])
    base = MiniLMEncoder(top_layers=None).encode(["My pain is gone"])
    assert tuned.shape == base.shape == (1, 384)
    assert not np.allclose(tuned, base) and float((tuned @ base.T)[0, 0]) > 0.5


@pytest.mark.slow
@pytest.mark.skipif(not (data_dir() / "nhs_fft").is_dir(), reason="../shared/data is not available here")
def test_a_quick_theme_matcher_retrain_runs():
    from voicelens.backends.minilm import MiniLMEncoder
    from voicelens.train.theme_matcher import MatcherConfig, corpus_arrays, fit_matcher, theme_prototypes
    from voicelens.train.theme_pairs import nhft_corpus, theme_files

    encoder = MiniLMEncoder()
    embed = lambda texts: encoder.encode(list(texts), show_progress_bar=False)  # noqa: E731
    protos = theme_prototypes(theme_files("nhft"), embed)
    corpus = nhft_corpus()
    corpus.answers, corpus.labels = corpus.answers.iloc[:200], corpus.labels.iloc[:200]
    arrays = corpus_arrays(corpus, protos, embed)
    mask = np.ones_like(arrays.labels, dtype=bool)
    matcher = fit_matcher([arrays], protos, [mask], MatcherConfig(steps=5, rank=4))
    p = matcher.probability(arrays.sentences, protos[arrays.themes[0]])
    assert p.shape == (len(arrays.sentences),) and np.isfinite(p).all()
