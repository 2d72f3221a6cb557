"""Tests for voicelens.io.surveys, on small exports in tests/data/surveys."""

from __future__ import annotations

import csv
from pathlib import Path

import pandas as pd
import pytest

from voicelens.errors import InputFormatError
from voicelens.io import detect_survey_platform, read_survey

DATA = Path(__file__).parent / "data" / "surveys"
GOOD = "What was good about your care?"
BETTER = "What could we do better?"
CLINIC = "Which clinic did you visit?"
RATING = "Overall, how would you rate your care? (1 = very poor, 5 = excellent)"
CLINICS = ["North Clinic", "South Clinic", "North Clinic", "East Clinic", "South Clinic"]
RATINGS = [5, 2, 4, 3, 5]
ANSWERS = [  # (good, better) per respondent; None = left empty
    ("The nurses were kind and explained everything clearly.", "Nothing, keep it up."),
    ("n/a", "The waiting time was far too long, almost two hours."),
    ("Dr Patel listened to me and did not rush.", None),
    (None, "Parking is very hard to find near the entrance."),
    ("Reception staff were friendly and quick.", "Please call back when you say you will."),
]
PII = {"IP Address", "IPAddress", "Email Address", "First Name", "Last Name", "RecipientEmail",
       "RecipientFirstName", "RecipientLastName", "LocationLatitude", "LocationLongitude",
       "redcap_survey_identifier", "Survey Identifier"}  # fmt: skip

CASES = {  # file: (platform, respondent ids, questions, clinic column, rating column)
    "qualtrics.csv": (
        "qualtrics",
        ["R_1DhCxkN3pQe0aBc", "R_2VbNm8KqLs1XyZa", "R_3PqRsTuVwXyZ0aB", "R_4AbCdEfGhIjKlMn", "R_5OpQrStUvWxYzAb"],
        [GOOD, BETTER],
        "Q1",
        "Q2",
    ),
    "surveymonkey.csv": (
        "surveymonkey", [str(114200000001 + i) for i in range(5)], [GOOD, BETTER], CLINIC, RATING
    ),
    "google_forms.csv": ("google_forms", ["1", "2", "3", "4", "5"], [GOOD, BETTER], CLINIC, RATING),
    "redcap_raw.csv": (
        "redcap", ["1", "2", "3", "4", "5"], ["care_good", "care_better"], "clinic", "care_rating"
    ),
    "redcap_labels.csv": ("redcap", ["1", "2", "3", "4", "5"], [GOOD, BETTER], CLINIC, RATING),
}


def _expected(ids: list[str], questions: list[str]) -> pd.DataFrame:
    rows = [(rid, q, a) for rid, pair in zip(ids, ANSWERS) for q, a in zip(questions, pair)]
    return pd.DataFrame(rows, columns=["respondent_id", "question", "answer"], dtype="str")


def _check(df: pd.DataFrame, name: str) -> None:
    platform, ids, questions, clinic, rating = CASES[name]
    pd.testing.assert_frame_equal(df[["respondent_id", "question", "answer"]], _expected(ids, questions))
    assert df.attrs["voicelens_survey"] == {"platform": platform, "free_text_questions": questions}
    assert not PII & set(df.columns)
    per_respondent = df.iloc[::2]
    if name != "redcap_raw.csv":  # the raw export holds choice codes, not labels
        assert per_respondent[clinic].tolist() == CLINICS
    assert per_respondent[rating].tolist() == RATINGS


@pytest.mark.parametrize("name", sorted(CASES))
def test_layouts_give_tidy_frames(name):
    _check(read_survey(DATA / name), name)
    platform = CASES[name][0]
    assert detect_survey_platform(DATA / name) == platform
    _check(read_survey(DATA / name, platform=platform), name)


def test_metadata_kept_for_grouping():
    df = read_survey(DATA / "surveymonkey.csv")
    other = "How did you hear about us? - Other (please specify)"
    assert {"Collector ID", "Start Date", "Custom Data 1", other} <= set(df.columns)
    assert "Respondent ID" not in df.columns
    assert read_survey(DATA / "redcap_raw.csv").iloc[::2]["clinic"].tolist() == [1, 2, 1, 3, 2]


def test_surveymonkey_xlsx(tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    book = openpyxl.Workbook()
    with open(DATA / "surveymonkey.csv", newline="", encoding="utf-8") as f:
        for i, row in enumerate(csv.reader(f)):
            cells = [None if c == "" else c for c in row]
            if i >= 2:  # numbers are stored as numbers in SurveyMonkey's workbooks
                cells[0], cells[10] = int(row[0]), int(row[10])
            book.active.append(cells)
    book.save(tmp_path / "export.xlsx")
    _check(read_survey(tmp_path / "export.xlsx"), "surveymonkey.csv")


def test_unknown_layout(tmp_path):
    path = tmp_path / "plain.csv"
    path.write_text("id,comment\n1,The staff were lovely to me\n", encoding="utf-8")
    assert detect_survey_platform(path) is None
    with pytest.raises(InputFormatError, match=r"Qualtrics.*SurveyMonkey.*read_table.*text_column"):
        read_survey(path)


def test_wrong_explicit_platform():
    expected = r"not look like a surveymonkey export.*Respondent ID.*qualtrics"
    with pytest.raises(InputFormatError, match=expected):
        read_survey(DATA / "qualtrics.csv", platform="surveymonkey")


def test_no_free_text_columns(tmp_path):
    path = tmp_path / "closed.csv"
    rows = ["Timestamp,Rating", "2024/03/01 9:00:00 AM GMT,5", "2024/03/02 9:00:00 AM GMT,4"]
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    with pytest.raises(InputFormatError, match="no free-text question"):
        read_survey(path)


def test_undecodable_survey(tmp_path):
    path = tmp_path / "legacy.csv"
    path.write_bytes("Timestamp,What was good?\n2024/03/01,The café was open late\n".encode("cp1252"))
    with pytest.raises(InputFormatError, match="line 2"):
        read_survey(path)
    assert read_survey(path, encoding="cp1252").empty is False
