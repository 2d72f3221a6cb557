"""Dashboard summaries: trends over time, group comparisons, the tidy table, small-group
suppression and rebuilding a result from a saved responses file."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import voicelens as vl
from voicelens.summary import flag_small_groups
from voicelens.summary import newcombe_interval

THEMES = ["pain_reduction", "daily_function", "hope"]


@pytest.fixture(scope="module")
def res():
    texts = ["My pain is gone", "pain still bad", "hope again", "great", None]
    rows = []
    for i in range(40):
        clinic = "A" if i < 20 else "B" if i < 37 else "C"      # C is a small group (3 rows)
        rows.append({"text": texts[i % 5], "clinic": clinic, "date": f"2026-{1 + i % 3:02d}-{1 + i % 27:02d}"})
    return vl.Analyzer(backend="fake", show_progress_bar=False).analyze(pd.DataFrame(rows))


def test_small_groups_are_suppressed_by_default(res):
    """One rule everywhere: the default summary withholds a group of 3 (issue 13)."""
    out = res.summary(by="clinic").set_index("clinic")
    assert list(out.index) == ["A", "B", "C"]
    assert out.loc["C", "suppressed"] and pd.isna(out.loc["C", "hope_positive_rate"])
    assert out.loc["C", "n"] == 3
    assert res.compare("clinic").query("clinic == 'C'")["suppressed"].all()
    assert not res.summary(by="clinic", min_size=0)["suppressed"].any()


def test_summary_over_time(res):
    out = res.summary(by="clinic", time="date", freq="M")
    assert list(out.columns[:2]) == ["clinic", "date"]
    assert out["date"].dt.day.eq(1).all()
    assert sorted(out["date"].dt.month.unique()) == [1, 2, 3]
    assert out["n"].sum() == 40
    quarterly = res.summary(time="date", freq="Q")
    assert len(quarterly) == 1 and quarterly.loc[0, "n"] == 40


def test_time_errors_name_the_problem(res):
    with pytest.raises(vl.ColumnNotFoundError, match="time 'when' not found"):
        res.summary(time="when")
    with pytest.raises(ValueError, match="freq 'fortnightly'"):
        res.summary(time="date", freq="fortnightly")
    with pytest.raises(ValueError, match="no values that read as dates"):
        res.summary(time="clinic")


def test_small_groups_are_flagged_and_blanked(res):
    out = res.summary(by="clinic", min_size=5).set_index("clinic")
    assert out.loc["C", "suppressed"] and out.loc["C", "suppression"] == "small_group"
    assert out.loc["C", "n"] == 3                                   # size stays visible
    assert out.loc[["C"], [c for c in out.columns if c.endswith("_rate")]].isna().all().all()
    # exactly one small group -> the next smallest (B) is suppressed too, or C could be
    # worked out from the overall row
    assert out.loc["B", "suppressed"] and out.loc["B", "suppression"] == "complementary"
    assert not out.loc["A", "suppressed"] and out.loc["A", "hope_positive_rate"] > 0
    off = res.summary(by="clinic", min_size=0)
    assert not off["suppressed"].any()


def test_complementary_suppression_in_two_way_tables():
    table = pd.DataFrame({"clinic": ["A", "A", "B", "B"], "month": [1, 2, 1, 2], "n_text": [2, 30, 40, 50]})
    flags = flag_small_groups(table, ["clinic", "month"], 5).set_index(["clinic", "month"])["suppression"]
    assert flags[("A", 1)] == "small_group"
    # A's other month and month 1's other clinic protect it within each row and column
    assert flags[("A", 2)] == "complementary" and flags[("B", 1)] == "complementary"
    with pytest.raises(ValueError, match="min_size must be a whole number"):
        flag_small_groups(table, ["clinic"], -1)


def test_newcombe_interval_matches_published_values():
    # Newcombe (1998) Stat Med 17:873, Table II, method 10
    cases = [((56, 70, 48, 80), (0.0524, 0.3339)), ((9, 10, 3, 10), (0.1705, 0.8090)),
             ((6, 7, 2, 7), (0.0582, 0.8062)), ((5, 56, 0, 29), (-0.0381, 0.1926)),
             ((0, 10, 0, 20), (-0.1611, 0.2775))]
    for (k1, n1, k2, n2), (low, high) in cases:
        lo, hi = newcombe_interval(k1, n1, k2, n2)
        assert (round(float(lo), 4), round(float(hi), 4)) == (low, high)
    lo, hi = newcombe_interval(1, 0, 1, 5)
    assert np.isnan(lo) and np.isnan(hi)


def test_compare_groups_against_the_rest(res):
    table = res.compare("clinic", min_size=0)
    assert set(table["theme"]) == set(THEMES) and len(table) == 9
    a = table[(table.clinic == "A") & (table.theme == "pain_reduction")].iloc[0]
    scored = res.responses[res.responses.status == "ok"]
    in_a = scored.clinic == "A"
    assert a["n"] == in_a.sum() and a["n_rest"] == (~in_a).sum()
    assert a["rate"] == pytest.approx((scored[in_a].pain_reduction == "positive").mean())
    assert a["rate_rest"] == pytest.approx((scored[~in_a].pain_reduction == "positive").mean())
    assert a["ci_low"] <= a["diff"] <= a["ci_high"]
    protected = res.compare("clinic", min_size=5)
    assert protected.loc[protected.clinic == "C", ["rate", "diff", "ci_low"]].isna().all().all()
    assert protected.loc[protected.clinic == "C", "suppressed"].all()


def test_tidy_long_format(res):
    tidy = res.tidy("clinic", overall=True)
    assert list(tidy.columns) == ["group", "clinic", "theme", "stance", "n", "count", "rate", "ci_low", "ci_high",
                                  "suppressed"]
    assert tidy["group"].iloc[0] == "All responses"
    a = tidy[(tidy.group == "A") & (tidy.theme == "hope")]
    assert list(a["stance"]) == ["positive", "negative", "absent"]
    assert a["rate"].sum() == pytest.approx(1) and a["count"].sum() == a["n"].iloc[0]
    assert (a["ci_low"] <= a["rate"]).all() and (a["rate"] <= a["ci_high"]).all()
    sentiment = tidy[(tidy.group == "All responses") & (tidy.theme == "sentiment")]
    assert set(sentiment["stance"]) == {"positive", "neutral", "negative"}
    c = tidy[tidy.group == "C"]
    assert c["suppressed"].all() and c["rate"].isna().all() and c["count"].isna().all()
    over_time = res.tidy(time="date")
    assert "date" in over_time.columns and over_time["group"].eq("All responses").all()


def test_from_responses_round_trip(res, tmp_path):
    from voicelens.io import write_table

    for name in ("responses.csv", "responses.parquet"):
        write_table(res.responses, tmp_path / name)
        back = vl.AnalysisResult.read(tmp_path / name)
        assert back.themes == THEMES
        pd.testing.assert_frame_equal(back.summary(by="clinic"), res.summary(by="clinic"), check_dtype=False)
    folder = vl.AnalysisResult.read(tmp_path)      # a folder: parquet is preferred
    assert folder.metadata["source"].endswith("responses.parquet")
    with pytest.raises(vl.ColumnNotFoundError, match="responses 'hope_score' not found"):
        vl.AnalysisResult.from_responses(res.responses.drop(columns="hope_score"), themes=["hope"])
    (tmp_path / "empty").mkdir()
    with pytest.raises(FileNotFoundError, match="no responses file"):
        vl.AnalysisResult.read(tmp_path / "empty")


def test_report_package_import_is_light():
    import subprocess
    import sys

    code = ("import sys, voicelens, voicelens.report; "
            "print([m for m in ('torch', 'transformers', 'nltk', 'matplotlib', 'plotly', 'jinja2') if m in sys.modules])")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
