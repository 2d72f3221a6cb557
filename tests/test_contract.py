"""The public result contract, exercised with the dependency-free fake backend."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import voicelens as vl

THEMES = ["pain_reduction", "daily_function", "hope"]


@pytest.fixture
def analyzer():
    return vl.Analyzer(backend="fake", show_progress_bar=False)


def test_response_columns_and_types(analyzer):
    res = analyzer.analyze(["My pain is gone. I can walk again", "still rude"])
    expected = ["sentiment", "sentiment_score", "status", "language"]
    for t in THEMES:
        expected += [t, f"{t}_score", f"{t}_evidence"]
    assert list(res.responses.columns) == expected
    assert set(res.responses["sentiment"]) <= {"positive", "neutral", "negative"}
    assert res.responses["sentiment_score"].between(-1, 1).all()
    for t in THEMES:
        assert set(res.responses[t]) <= {"positive", "negative", "absent"}
        assert res.responses[f"{t}_score"].between(0, 1).all()
    assert res.responses.loc[0, "pain_reduction"] == "positive"
    assert res.responses.loc[0, "pain_reduction_evidence"] == "My pain is gone."
    assert res.responses.loc[1, "pain_reduction"] == "absent"
    assert pd.isna(res.responses.loc[1, "pain_reduction_evidence"])


def test_every_row_back_in_order_with_status(analyzer):
    data = ["great", None, float("nan"), pd.NA, "", "   \n\t", 42, b"bytes", ["a"], "\u200b", "bad"]
    res = analyzer.analyze(data)
    assert list(res.responses.index) == list(range(len(data)))
    assert list(res.responses["status"]) == [
        "ok", "missing", "missing", "missing", "empty", "whitespace", "not_text", "not_text", "not_text",
        "whitespace", "ok",
    ]
    no_text = res.responses["status"] != "ok"
    assert res.responses.loc[no_text, "sentiment"].isna().all()
    assert res.responses.loc[no_text, "sentiment_score"].isna().all()
    assert (res.responses.loc[no_text, THEMES] == "absent").all().all()
    assert res.responses.loc[0, "sentiment"] == "positive"
    assert res.responses.loc[10, "sentiment"] == "negative"


def test_series_index_is_kept_even_when_duplicated(analyzer):
    series = pd.Series(["good", None, "bad", "good"], index=[10, 10, "x", 3])
    res = analyzer.analyze(series)
    assert list(res.responses.index) == [10, 10, "x", 3]
    assert list(res.responses["status"]) == ["ok", "missing", "ok", "ok"]


def test_dataframe_keeps_input_columns_and_renames_clashes(analyzer):
    df = pd.DataFrame({"text": ["good", "bad", None], "clinic": ["A", "B", "A"], "sentiment": [1, 2, 3]},
                      index=pd.Index([7, 8, 9], name="rid"))
    res = analyzer.analyze(df)
    assert list(res.responses.index) == [7, 8, 9]
    assert res.responses.index.name == "rid"
    assert list(res.responses["clinic"]) == ["A", "B", "A"]
    assert list(res.responses["sentiment_input"]) == [1, 2, 3]
    assert list(res.responses["sentiment"].astype(object).fillna("NA")) == ["positive", "negative", "NA"]


def test_missing_text_column_names_available_columns(analyzer):
    df = pd.DataFrame({"comment": ["x"], "clinic": ["A"]})
    with pytest.raises(vl.ColumnNotFoundError) as info:
        analyzer.analyze(df, text_column="coment")
    assert str(info.value) == "text_column 'coment' not found; available columns: ['comment', 'clinic']"
    assert isinstance(info.value, KeyError)
    assert info.value.available == ["comment", "clinic"]


def test_single_string_is_refused_with_a_hint(analyzer):
    with pytest.raises(TypeError, match="wrap it"):
        analyzer.analyze("my pain is gone")


def test_all_rows_without_text(analyzer):
    res = analyzer.analyze([None, ""])
    assert list(res.responses["status"]) == ["missing", "empty"]
    summary = res.summary()
    assert summary.loc[0, "n"] == 2 and summary.loc[0, "n_text"] == 0
    assert np.isnan(summary.loc[0, "hope_positive_rate"])


def test_empty_input(analyzer):
    res = analyzer.analyze([])
    assert len(res.responses) == 0
    assert res.summary().loc[0, "n"] == 0


def test_summary_overall_and_by_group(analyzer):
    df = pd.DataFrame({
        "text": ["My pain is gone", "pain still bad", "pain is better", None, "hope again"],
        "clinic": ["A", "A", "B", "B", "B"],
    })
    res = analyzer.analyze(df)
    assert res.summary()[["pain_reduction_positive_rate"]].isna().all().all()  # 4 answers: withheld by default
    overall = res.summary(min_size=0)
    assert len(overall) == 1
    for col in ["n", "n_text", "positive_share", "neutral_share", "negative_share", "sentiment_score_mean"]:
        assert col in overall.columns
    for t in THEMES:
        for suffix in ["mentioned_rate", "positive_rate", "positive_ci_low", "positive_ci_high", "negative_rate"]:
            assert f"{t}_{suffix}" in overall.columns
    assert overall.loc[0, "n"] == 5 and overall.loc[0, "n_text"] == 4
    assert overall.loc[0, "pain_reduction_mentioned_rate"] == pytest.approx(3 / 4)
    assert overall.loc[0, "pain_reduction_positive_rate"] == pytest.approx(2 / 4)
    assert overall.loc[0, "pain_reduction_negative_rate"] == pytest.approx(1 / 4)
    low, high = overall.loc[0, ["pain_reduction_positive_ci_low", "pain_reduction_positive_ci_high"]]
    assert low < 0.5 < high
    by = res.summary(by="clinic", min_size=0)
    assert list(by["clinic"]) == ["A", "B"]
    assert list(by["n"]) == [2, 3] and list(by["n_text"]) == [2, 2]
    with pytest.raises(vl.ColumnNotFoundError, match="by 'ward' not found"):
        res.summary(by="ward")


def test_wilson_interval_matches_known_values():
    from voicelens.stats import wilson_interval

    low, high = wilson_interval(np.array([0, 5, 10]), np.array([10, 10, 10]))
    assert low[0] == 0 and high[0] == pytest.approx(0.2775, abs=1e-4)
    assert low[1] == pytest.approx(0.2366, abs=1e-4) and high[1] == pytest.approx(0.7634, abs=1e-4)
    assert high[2] == pytest.approx(1) and low[2] == pytest.approx(0.7225, abs=1e-4)


def test_analyzer_init_stores_parameters_only():
    an = vl.Analyzer(backend="no-such-backend", themes="no-such-file.yaml")
    assert an.get_params()["themes"] == "no-such-file.yaml"
    with pytest.raises(vl.ThemeError, match="no-such-file.yaml does not exist"):
        an.analyze(["x"])
    an = vl.Analyzer(backend="no-such-backend")
    with pytest.raises(vl.BackendNotFoundError, match="choose one of"):
        an.analyze(["x"])


def test_identical_sentences_are_encoded_once():
    from voicelens.text import dedupe_sentences

    batch = dedupe_sentences(["n/a", "great. n/a", "n/a"], [None] * 3)
    assert batch.sentences == ["n/a", "great.", "n/a"] or batch.sentences.count("n/a") == 1
    assert batch.responses[0] == batch.responses[2]


def test_question_arguments(analyzer):
    df = pd.DataFrame({"a": ["good"], "q": ["What was good?"]})
    assert analyzer.analyze(df, text_column="a", question_column="q").metadata["question_column"] == "q"
    with pytest.raises(ValueError, match="not both"):
        analyzer.analyze(df, text_column="a", question_column="q", question="x")
    with pytest.raises(vl.ColumnNotFoundError):
        analyzer.analyze(df, text_column="a", question_column="question")
