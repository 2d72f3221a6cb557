"""The transformers backend, on tiny random BERT models the tests build themselves."""

from __future__ import annotations

import shutil

import pytest

import voicelens as vl


def _analyzer(models, **extra):
    return vl.Analyzer(backend="transformers", show_progress_bar=False, backend_kwargs={
        "sentiment_model": str(models["sentiment"]), "theme_model": str(models["nli"]), **extra})


def test_scores_every_row_with_local_models(tiny_models, no_network):
    texts = ["My pain is gone.", None, "I still cannot work. I feel hopeless.", "n/a"]
    res = _analyzer(tiny_models).analyze(texts)
    r = res.responses
    assert list(r["status"]) == ["ok", "missing", "ok", "no_answer"]
    assert r.loc[[0, 2], "sentiment"].isin(["positive", "neutral", "negative"]).all()
    assert r.loc[[0, 2], "pain_reduction_score"].between(0, 1).all()
    assert set(r["hope"]) <= {"positive", "negative", "absent"}
    assert no_network == []


def test_results_do_not_depend_on_batch_size(tiny_models):
    texts = ["short", "a much longer sentence about my back pain and sleep", "ok then. fine."]
    a = _analyzer(tiny_models).analyze(texts).responses
    b = vl.Analyzer(backend="transformers", batch_size=1, show_progress_bar=False, backend_kwargs={
        "sentiment_model": str(tiny_models["sentiment"]), "theme_model": str(tiny_models["nli"])}
    ).analyze(texts).responses
    assert (a["sentiment_score"] - b["sentiment_score"]).abs().max() < 1e-4


def test_hub_id_without_allow_download_is_refused(no_network):
    an = vl.Analyzer(backend="transformers", backend_kwargs={
        "sentiment_model": "someone/some-model", "theme_model": "facebook/bart-large-mnli"})
    with pytest.raises(vl.ModelNotFoundError, match="allow_download=True"):
        an.analyze(["hello"])
    assert no_network == []


def test_pickle_only_model_is_refused(tiny_models, tmp_path):
    folder = tmp_path / "pickled"
    shutil.copytree(tiny_models["sentiment"], folder)
    (folder / "model.safetensors").rename(folder / "pytorch_model.bin")
    an = vl.Analyzer(backend="transformers", backend_kwargs={
        "sentiment_model": str(folder), "theme_model": str(tiny_models["nli"])})
    with pytest.raises(vl.UnsafeModelError, match="safetensors"):
        an.analyze(["hello"])


def test_corrupt_weights_name_the_file(tiny_models, tmp_path):
    folder = tmp_path / "corrupt"
    shutil.copytree(tiny_models["sentiment"], folder)
    (folder / "model.safetensors").write_bytes(b"not a safetensors file")
    an = vl.Analyzer(backend="transformers", backend_kwargs={
        "sentiment_model": str(folder), "theme_model": str(tiny_models["nli"])})
    with pytest.raises(vl.ModelLoadError, match="corrupt"):
        an.analyze(["hello"])


def test_nli_model_without_entailment_label_is_explained(tiny_models):
    an = vl.Analyzer(backend="transformers", backend_kwargs={
        "sentiment_model": str(tiny_models["sentiment"]), "theme_model": str(tiny_models["sentiment"])})
    with pytest.raises(vl.ModelLoadError, match="entailment"):
        an.analyze(["hello"])


def test_label_mapping_handles_common_conventions():
    from voicelens.backends.hf_transformers import sentiment_label_map

    stars = sentiment_label_map({i: f"{i + 1} stars" for i in range(5)})
    assert stars.argmax(1).tolist() == [0, 0, 1, 2, 2]
    assert sentiment_label_map({0: "LABEL_0", 1: "LABEL_1", 2: "LABEL_2"}).argmax(1).tolist() == [0, 1, 2]
    with pytest.raises(vl.ModelLoadError):
        sentiment_label_map({0: "joy", 1: "anger"})
