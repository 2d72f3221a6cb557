"""The real default model: offline, outcome-aware, adaptable. Marked slow (loads MiniLM)."""

from __future__ import annotations

import pandas as pd
import pytest

import voicelens as vl

pytestmark = pytest.mark.slow


def test_default_analysis_makes_no_network_call(no_network):
    res = vl.Analyzer(show_progress_bar=False).analyze(["My pain is gone and I sleep again.", None])
    assert list(res.responses["status"]) == ["ok", "missing"]
    assert no_network == []


@pytest.mark.parametrize("text", [
    "I no longer have pain.",
    "The pain has completely gone since the operation.",
    pytest.param("My headaches have stopped and I'm back at work.", marks=pytest.mark.xfail(
        reason="known miss of the shipped heads: a symptom word plus 'stopped' still reads "
               "negative (README, Accuracy: what the models still get wrong)", strict=False)),
])
def test_relief_is_not_read_as_negative(embedded_analyzer, text):
    r = embedded_analyzer.analyze([text]).responses.iloc[0]
    assert r["sentiment"] != "negative"
    assert r["pain_reduction"] == "positive"


@pytest.mark.parametrize("text", [
    "My back still hurts every day.",
    "Nothing changed, my back still hurts.",
    "The pain came back after two weeks.",
])
def test_ongoing_pain_is_not_pain_reduction(embedded_analyzer, text):
    r = embedded_analyzer.analyze([text]).responses.iloc[0]
    assert r["pain_reduction"] != "positive"
    assert r["pain_reduction_score"] < 0.5


def test_lexicon_baseline_gets_the_same_sentence_wrong():
    r = vl.Analyzer(backend="lexicon").analyze(["I no longer have pain."]).responses.iloc[0]
    assert r["sentiment"] == "negative"


def test_evidence_is_the_supporting_sentence(embedded_analyzer):
    text = "The receptionist was lovely. Since the injections I can walk to the shops again."
    r = embedded_analyzer.analyze([text]).responses.iloc[0]
    assert r["daily_function"] == "positive"
    assert r["daily_function_evidence"] == "Since the injections I can walk to the shops again."


def test_scores_are_probabilities_and_long_text_is_not_truncated(embedded_analyzer):
    long_text = "I can walk again. " * 400 + "My pain is gone."
    res = embedded_analyzer.analyze([long_text, "ok"]).responses
    for theme in ["pain_reduction", "daily_function", "hope"]:
        assert res[f"{theme}_score"].between(0, 1).all()
    assert res.loc[0, "pain_reduction_evidence"] == "My pain is gone."


def test_fit_save_load_roundtrip(tmp_path):
    train = pd.DataFrame({
        "text": ["Quicker appointments", "The food was cold", "Lovely staff", "Nothing, all good",
                 "More staff on the ward", "Everything was great"] * 3,
        "sentiment": ["negative", "negative", "positive", "positive", "negative", "positive"] * 3,
    })
    an = vl.Analyzer(show_progress_bar=False).fit(train, question="What could we do better?")
    assert an.fitted_on_ == {"sentiment": 18}
    before = an.analyze(["Quicker appointments"], question="What could we do better?").responses
    an.save(tmp_path / "model")
    again = vl.Analyzer.load(tmp_path / "model", show_progress_bar=False)
    after = again.analyze(["Quicker appointments"], question="What could we do better?").responses
    assert after.loc[0, "sentiment_score"] == pytest.approx(before.loc[0, "sentiment_score"], abs=1e-5)
    assert after.loc[0, "sentiment"] == "negative"
    assert again.backend_kwargs["top_layers"] == "shipped"  # the encoder the heads were fitted on


@pytest.mark.parametrize("answer, question, expected", [
    ("Nothing, all good", "What could we do better?", "positive"),
    ("nothing", "What could we do better?", "positive"),
    ("Quicker", "What could we do better?", "negative"),
    ("nothing", "What was good?", "negative"),
])
def test_the_question_changes_how_an_answer_reads(embedded_analyzer, answer, question, expected):
    r = embedded_analyzer.analyze([answer], question=question).responses.iloc[0]
    assert r["sentiment"] == expected
