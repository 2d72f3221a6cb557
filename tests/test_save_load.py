"""Saving and loading: Analyzer.save/load round-trips, AnalysisResult.save/read, parameters.

Fast: the embedded backend is built but its encoder never loads (fit's adaptation is
replaced by a stub that changes one head, which is what a real fit leaves behind).
"""

from __future__ import annotations

import dataclasses
import inspect
import json
import warnings

import numpy as np
import pandas as pd
import pytest

import voicelens as vl
from voicelens._version import __version__
from voicelens.analyzer import Analyzer
from voicelens.result import AnalysisResult


@pytest.fixture
def stub_adapt(monkeypatch):
    """``fit()`` without the encoder: the 'adapted' heads have the sentiment bias moved by 1."""
    calls = []

    def adapt_heads(backend, batch, labels, themes):
        calls.append((batch, labels))
        heads = backend.heads
        sentiment = dataclasses.replace(heads.sentiment, bias=heads.sentiment.bias + 1)
        return dataclasses.replace(heads, sentiment=sentiment), {"sentiment": int(labels["sentiment"].notna().sum())}

    monkeypatch.setattr("voicelens.train.adapt.adapt_heads", adapt_heads)
    return calls


@pytest.fixture
def labelled() -> pd.DataFrame:
    return pd.DataFrame({"answer": ["Quicker appointments", "Lovely staff", "The food was cold"],
                         "sentiment": ["negative", "positive", "negative"]})


def _fitted(labelled, tmp_path, **params) -> tuple[Analyzer, np.ndarray]:
    an = Analyzer(**params).fit(labelled, "answer")
    an.save(tmp_path / "model")
    return an, an.backend_.heads.sentiment.bias.copy()


# -- fit: the argument order of analyze -------------------------------------------
def test_fit_takes_text_column_second_like_analyze(stub_adapt, labelled):
    an = Analyzer().fit(labelled, "answer")
    batch, labels = stub_adapt[0]
    assert batch.sentences == ["Quicker appointments", "Lovely staff", "The food was cold"]
    assert list(labels["sentiment"]) == ["negative", "positive", "negative"]
    assert an.fitted_on_ == {"sentiment": 3}


def test_fit_takes_labels_by_keyword_only(stub_adapt, labelled):
    texts = list(labelled["answer"])
    Analyzer().fit(texts, labels={"sentiment": list(labelled["sentiment"])})
    assert list(stub_adapt[0][1]["sentiment"]) == ["negative", "positive", "negative"]
    with pytest.raises(TypeError):
        Analyzer().fit(texts, "text", labelled[["sentiment"]])  # type: ignore[misc]
    assert list(inspect.signature(Analyzer.fit).parameters)[:3] == ["self", "data", "text_column"]


# -- Analyzer.save / load ----------------------------------------------------------
def test_load_merges_backend_kwargs_and_keeps_the_fitted_heads(stub_adapt, labelled, tmp_path):
    _, fitted_bias = _fitted(labelled, tmp_path, backend_kwargs={"quantize": False})
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # same version: no warning
        again = Analyzer.load(tmp_path / "model", backend_kwargs={"device": "cpu"}, batch_size=7)
    kwargs = again.backend_kwargs
    assert kwargs["heads_path"] == str(tmp_path / "model" / "heads")
    assert kwargs["top_layers"] == "shipped"  # the encoder the heads were fitted on
    assert kwargs["quantize"] is False and kwargs["device"] == "cpu"
    assert again.batch_size == 7
    np.testing.assert_allclose(again.backend_.heads.sentiment.bias, fitted_bias)
    assert again.fitted_on_ == {"sentiment": 3}


def test_load_override_beats_a_saved_backend_kwarg(stub_adapt, labelled, tmp_path):
    _fitted(labelled, tmp_path, backend_kwargs={"quantize": False})
    again = Analyzer.load(tmp_path / "model", backend_kwargs={"quantize": True})
    assert again.backend_kwargs["quantize"] is True
    assert again.backend_kwargs["heads_path"] == str(tmp_path / "model" / "heads")


def test_load_rejects_unknown_overrides(stub_adapt, labelled, tmp_path):
    _fitted(labelled, tmp_path)
    with pytest.raises(ValueError, match=r"unknown parameter\(s\) \['batchsize'\]; valid parameters: .*batch_size"):
        Analyzer.load(tmp_path / "model", batchsize=8)


@pytest.mark.parametrize("languages", ["auto", None, ("en", "fr"), "en"])
def test_languages_are_saved_and_restored(stub_adapt, labelled, tmp_path, languages):
    _fitted(labelled, tmp_path, languages=languages)
    assert Analyzer.load(tmp_path / "model").languages == languages


def test_themes_and_settings_round_trip(stub_adapt, labelled, tmp_path):
    _fitted(labelled, tmp_path, themes="patient_experience", chunk_size=100)
    again = Analyzer.load(tmp_path / "model")
    assert again.theme_set_.names == vl.Analyzer(themes="patient_experience").theme_set_.names
    assert again.chunk_size == 100


def test_another_version_warns_naming_both(stub_adapt, labelled, tmp_path):
    _fitted(labelled, tmp_path)
    config = tmp_path / "model" / "analyzer.json"
    settings = json.loads(config.read_text())
    assert settings["voicelens_version"] == __version__
    config.write_text(json.dumps({**settings, "voicelens_version": "0.0.1"}))
    with pytest.warns(UserWarning, match=rf"saved by voicelens 0\.0\.1 and is loaded by voicelens {__version__}"):
        Analyzer.load(tmp_path / "model")


def test_a_folder_of_the_older_format_still_loads(tmp_path):
    Analyzer().backend_.heads.save(tmp_path / "model" / "heads")
    (tmp_path / "model" / "analyzer.json").write_text(json.dumps(
        {"backend": "embedded", "batch_size": 16, "chunk_size": 4096, "voicelens_version": __version__,
         "encoder": {"encoder_path": None, "top_layers": "shipped"}, "fitted_on": {}}))
    again = Analyzer.load(tmp_path / "model")
    assert again.backend_kwargs["top_layers"] == "shipped" and again.batch_size == 16
    assert again.languages == "auto"


def test_saving_an_unfitted_analyzer_says_what_it_saves(tmp_path):
    with pytest.warns(UserWarning, match=r"never fitted.*shipped heads.*no adapters fitted"):
        Analyzer().save(tmp_path / "model")
    assert json.loads((tmp_path / "model" / "analyzer.json").read_text())["fitted_on"] == {}
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a loaded folder's heads are not the shipped ones: no warning
        Analyzer.load(tmp_path / "model").save(tmp_path / "again")


def test_a_fitted_analyzer_saves_without_warning(stub_adapt, labelled, tmp_path):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        _fitted(labelled, tmp_path)


# -- parameters and caches ---------------------------------------------------------
def test_get_params_follows_the_init_signature():
    names = [p for p in inspect.signature(Analyzer.__init__).parameters if p != "self"]
    assert list(Analyzer().get_params()) == names


def test_set_params_sets_and_returns_self():
    an = Analyzer()
    assert an.set_params(batch_size=8, languages=None) is an
    assert an.get_params()["batch_size"] == 8 and an.languages is None


def test_set_params_rejects_unknown_names_listing_the_valid_ones():
    valid = r"unknown parameter\(s\) \['theme'\]; valid parameters: \['backend', 'themes'"
    with pytest.raises(ValueError, match=valid):
        Analyzer().set_params(theme="patient_experience")


def test_changing_themes_rebuilds_the_theme_set():
    an = Analyzer(backend="fake")
    assert an.theme_set_.names == ["pain_reduction", "daily_function", "hope"]
    an.themes = [vl.Theme("food", "The food served")]
    assert an.theme_set_.names == ["food"]
    an.themes.append(vl.Theme("staff", "The staff"))  # edited in place
    assert an.theme_set_.names == ["food", "staff"]
    assert an.analyze(["The food was good"]).themes == ["food", "staff"]
    an.set_params(themes=None)
    assert an.theme_set_.names == ["pain_reduction", "daily_function", "hope"]


def test_unchanged_parameters_keep_the_cached_parts():
    an = Analyzer(backend_kwargs={"device": "cpu"})
    backend, themes = an.backend_, an.theme_set_
    an.set_params(batch_size=8, backend_kwargs={"device": "cpu"})  # equal, not the same dict
    assert an.backend_ is backend and an.theme_set_ is themes


def test_changing_backend_or_its_kwargs_rebuilds_the_backend():
    an = Analyzer(backend_kwargs={"device": "cpu"})
    first = an.backend_
    an.backend_kwargs["quantize"] = True  # edited in place
    assert an.backend_ is not first and an.backend_.quantize is True
    an.set_params(backend="fake", backend_kwargs=None)
    assert an.backend_.name == "fake"
    mine = an.backend_.__class__()
    an.backend = mine
    assert an.backend_ is mine


def test_changing_the_backend_after_fit_warns_that_the_fitted_heads_are_not_used(stub_adapt, labelled):
    an = Analyzer().fit(labelled, "answer")
    an.set_params(backend_kwargs={"quantize": True})
    with pytest.warns(UserWarning, match="after fit"):
        an.backend_
    assert not hasattr(an, "fitted_on_")


# -- AnalysisResult.save / read ----------------------------------------------------
@pytest.fixture
def result() -> AnalysisResult:
    data = pd.DataFrame({"text": ["The food was good", "Rude staff", None],
                         "clinic": [1, "north", 2.5]},  # mixed types, as Excel gives them
                        index=pd.Index(["r1", "r2", "r3"], name="id"))
    themes = [vl.Theme("food", "The food served"), vl.Theme("staff", "The staff")]
    return Analyzer(backend="fake", themes=themes).analyze(data, "text", question="How was your stay?")


def test_result_save_writes_responses_and_metadata(result, tmp_path):
    folder = result.save(tmp_path / "out")
    assert sorted(p.name for p in folder.iterdir()) == ["metadata.json", "responses.parquet"]
    meta = json.loads((folder / "metadata.json").read_text())
    assert meta["backend"] == {"backend": "fake", "models": "keyword rules (tests only)"}
    assert [t["name"] for t in meta["themes"]] == ["food", "staff"]
    assert meta["themes"][0]["description"] == "The food served"
    assert meta["text_column"] == "text" and meta["question"] == "How was your stay?"
    assert {"voicelens", "pandas", "numpy"} <= set(meta["versions"])
    assert meta["versions"]["voicelens"] == __version__ and meta["versions"]["pandas"] == pd.__version__


def test_result_read_gives_back_what_was_saved(result, tmp_path):
    again = AnalysisResult.read(result.save(tmp_path / "out"))
    assert again.themes == result.themes
    assert list(again.responses.index) == ["r1", "r2", "r3"] and again.responses.index.name == "id"
    expected = result.responses.assign(clinic=["1", "north", "2.5"])
    pd.testing.assert_frame_equal(again.responses, expected, check_dtype=False)
    assert again.metadata["backend"] == result.metadata["backend"]
    assert again.metadata["source"] == str(tmp_path / "out" / "responses.parquet")
    pd.testing.assert_frame_equal(again.summary(), result.summary())


def test_result_save_then_read_then_save_again(result, tmp_path):
    again = AnalysisResult.read(result.save(tmp_path / "one"))
    third = AnalysisResult.read(again.save(tmp_path / "two"))
    pd.testing.assert_frame_equal(third.responses, again.responses)
    assert "source" not in json.loads((tmp_path / "two" / "metadata.json").read_text())


def test_report_load_reads_the_same_folder(result, tmp_path):
    from voicelens.report.load import read_results

    folder = result.save(tmp_path / "out")
    pd.testing.assert_frame_equal(read_results(folder).responses, AnalysisResult.read(folder).responses)


def test_describe_states_exactly_what_scores_the_text():
    """The report's methods note comes from describe(): encoder delta, precision, heads."""
    from voicelens.backends.embedded import EmbeddedBackend, EmbeddedHeads

    plain = EmbeddedBackend(top_layers=None, precision="fp32").describe()
    assert plain["encoder"].endswith("no fine-tuning") and plain["precision"] == "fp32"
    shipped = EmbeddedBackend().describe()
    assert "voicelens outcome reader (LoRA delta, sha1 " in shipped["encoder"]
    assert shipped["heads"] == "shipped" and shipped["precision"] in ("fp32", "bf16")  # "auto" resolved
    backend = EmbeddedBackend()
    backend.heads = EmbeddedHeads.load()  # what Analyzer.fit does with adapted heads
    assert "fitted in this session" in backend.describe()["heads"]
    methods = backend.theme_methods(vl.ThemeSet.default())
    assert set(methods.values()) == {"trained reader, calibrated score, corrected rates"}
    custom = vl.ThemeSet([vl.Theme("side_effects", "Unwanted effects of the treatment")])
    custom_method = backend.theme_methods(custom)["side_effects"]
    assert custom_method.startswith("zero-shot") and "theme matcher" in custom_method
