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


# Sentences written for these tests; none is a theme example (checked below), so a
# similarity lookup of the theme file cannot pass them.
RELIEF = ["Since starting the patches my knee pain has mostly settled.",
          "The pain has completely gone since the operation.",
          "My headaches have stopped and I'm back at work."]
KNOWN_MISS = "known miss of the shipped reader (README, Accuracy: known misses)"
NOT_RELIEF = ["Six weeks in and my shoulder hurts as much as ever.",
              "It gave me the worst stomach cramps of my life.",
              pytest.param("The tablets worked for a month, then the aching returned.",
                           marks=pytest.mark.xfail(reason=KNOWN_MISS + ": relief that wore off reads as absent",
                                                   strict=False))]
NOT_AN_OUTCOME = [("My son loves the Tuesday group.", "daily_function"),
                  ("Staff interact really well with the children.", "daily_function"),
                  ("Thank you for everything, keep up the good work.", "hope"),
                  pytest.param("I hope the service keeps running next year.", "hope", marks=pytest.mark.xfail(
                      reason=KNOWN_MISS + ": 'I hope' about a service can read as hope", strict=False))]


def test_behaviour_sentences_are_not_theme_examples():
    examples = {e.lower().strip(".") for t in vl.ThemeSet.default() for e in t.positive_examples + t.negative_examples}
    plain = [p.values if hasattr(p, "values") else p for p in NOT_RELIEF + NOT_AN_OUTCOME]
    written = RELIEF + [p[0] if isinstance(p, tuple) else p for p in plain]
    assert not {t.lower().strip(".") for t in written} & examples


@pytest.mark.parametrize("text", RELIEF)
def test_relief_is_not_read_as_negative(embedded_analyzer, text):
    r = embedded_analyzer.analyze([text]).responses.iloc[0]
    assert r["sentiment"] != "negative"
    assert r["pain_reduction"] == "positive"


@pytest.mark.parametrize("text", NOT_RELIEF)
def test_ongoing_or_caused_pain_is_not_pain_reduction(embedded_analyzer, text):
    r = embedded_analyzer.analyze([text]).responses.iloc[0]
    assert r["pain_reduction"] == "negative"
    assert r["pain_reduction_score"] < 0.5


@pytest.mark.parametrize("text, theme", NOT_AN_OUTCOME)
def test_services_and_gratitude_are_not_outcomes(embedded_analyzer, text, theme):
    r = embedded_analyzer.analyze([text]).responses.iloc[0]
    assert r[theme] != "positive"


def test_lexicon_baseline_gets_the_same_sentence_wrong():
    r = vl.Analyzer(backend="lexicon").analyze(["I no longer have pain."]).responses.iloc[0]
    assert r["sentiment"] == "negative"


@pytest.mark.xfail(reason=KNOWN_MISS + ": 'Since the injections I can walk to the shops again.' reads as "
                          "absent while 'I can walk to the shops again.' reads positive", strict=False)
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
