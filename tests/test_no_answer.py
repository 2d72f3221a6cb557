"""Survey placeholders ("N/A", "Did not answer") get status no_answer; short real answers do not."""

from __future__ import annotations

import pandas as pd
import pytest

import voicelens as vl
from voicelens.rows import NO_ANSWER_TEXTS, STATUS_MEANINGS, prepare_rows

PLACEHOLDERS = ["Did not answer", "N/A", "n/a", "-", "--", ".", "No comment", "no comments",
                "Prefer not to say", "Not applicable", "None given", "Nil",
                "  did NOT answer. ", "N.A.", "#N/A", "\u2013", "No comment!"]
SHORT_ANSWERS = ["Nothing", "No", "None", "Nothing to improve", "All good", "?!", ":)", "\U0001f600",
                 "nan", "x"]


@pytest.mark.parametrize("text", PLACEHOLDERS)
def test_placeholder_is_no_answer(text):
    assert prepare_rows([text]).status == ["no_answer"]
    assert prepare_rows([text]).texts == [None]


@pytest.mark.parametrize("text", SHORT_ANSWERS)
def test_short_real_answer_stays_an_answer(text):
    assert prepare_rows([text]).status == ["ok"]


def test_the_list_is_documented_and_extendable():
    assert "no_answer" in STATUS_MEANINGS
    assert "N/A" in NO_ANSWER_TEXTS and "Nothing" not in NO_ANSWER_TEXTS
    texts = ["Nothing to add", "N/A", "great"]
    assert prepare_rows(texts).status == ["ok", "no_answer", "ok"]
    wider = prepare_rows(texts, no_answer=(*NO_ANSWER_TEXTS, "Nothing to add"))
    assert wider.status == ["no_answer", "no_answer", "ok"]
    assert prepare_rows(texts, no_answer=()).status == ["ok", "ok", "ok"]
    with pytest.raises(TypeError, match="no_answer"):
        prepare_rows(texts, no_answer="N/A")


def test_analyze_keeps_rows_and_counts_no_answers():
    df = pd.DataFrame({
        "answer": ["Did not answer", "The staff were great", "N/A", "Nothing", None, "-",
                   "Still in pain, no better", "No", "Prefer not to say", "All good"],
        "clinic": ["A", "A", "A", "A", "A", "B", "B", "B", "B", "B"],
    }, index=[10, 3, 7, 1, 99, 5, 6, 2, 8, 4])
    res = vl.Analyzer(backend="fake", show_progress_bar=False).analyze(df, "answer")
    out = res.responses
    assert list(out.index) == list(df.index)
    assert list(out["answer"]) == list(df["answer"])
    assert list(out["status"]) == ["no_answer", "ok", "no_answer", "ok", "missing", "no_answer",
                                   "ok", "ok", "no_answer", "ok"]
    no_answer = out["status"] == "no_answer"
    assert out.loc[no_answer, "sentiment"].isna().all()
    assert out.loc[no_answer, "sentiment_score"].isna().all()
    assert out.loc[no_answer, "hope_score"].isna().all()
    assert out.loc[~no_answer & (out["status"] == "ok"), "sentiment"].notna().all()

    overall = res.summary(min_size=0).iloc[0]
    assert (overall["n"], overall["n_text"], overall["n_no_answer"]) == (10, 5, 4)
    ok = out[out["status"] == "ok"]
    assert overall["positive_share"] == pytest.approx((ok["sentiment"] == "positive").mean())
    assert overall["hope_mentioned_rate"] == pytest.approx((ok["hope"] != "absent").mean())

    by = res.summary(by="clinic", min_size=0).set_index("clinic")
    assert by.loc["A", ["n", "n_text", "n_no_answer"]].tolist() == [5, 2, 2]
    assert by.loc["B", ["n", "n_text", "n_no_answer"]].tolist() == [5, 3, 2]
    hidden = res.summary(by="clinic", min_size=5).set_index("clinic")
    assert hidden["suppressed"].all() and hidden["n_no_answer"].tolist() == [2, 2]
