"""Quotes are safe to show: planted e-mails, phone numbers, URLs, dates of birth and names
are removed and counted; ordinary words stay; quotes are de-duplicated and never come
from suppressed groups."""

from __future__ import annotations

import pandas as pd
import pytest

import voicelens as vl
from voicelens.report import Redactor, redact, representative_quotes

PLANTED = [
    ("Email me at jane.doe+nhs@example.co.uk please", "jane.doe", "email"),
    ("write to thecrook at yahoo.com", "thecrook", "email"),
    ("Ring 07700 900123 anytime", "900123", "phone"),
    ("call +44 (0)20 7946 0958 or (555) 123-4567", "7946", "phone"),
    ("my NHS number is 943 476 5919", "5919", "phone"),
    ("see https://www.example.org/my-story?id=7.", "example.org", "url"),
    ("blog at www.mystory.net/pain", "mystory", "url"),
    ("DOB 12/03/1965, all good", "1965", "date"),
    ("I was born on 3rd May 1961 in Leeds", "1961", "date"),
    ("date of birth: March 1970", "1970", "date"),
    ("Dr Patel was brilliant", "Patel", "name"),
    ("Dr. A. Okonkwo explained everything", "Okonkwo", "name"),
    ("Nurse Jenny and Sister O'Neill were kind", "Jenny", "name"),
    ("my physio sam pushed me", "sam", "name"),
    ("Sarah Jones on reception was lovely", "Jones", "name"),
    ("Thanks to Siobhan and Mohammed", "Mohammed", "name"),
    ("Priya's exercises worked", "Priya", "name"),
    ("I saw Mrs Wójcik-Smith twice", "Wójcik", "name"),
    ("thank you Will for listening", "Will", "name"),
]


@pytest.mark.parametrize("text, secret, kind", PLANTED)
def test_planted_personal_details_are_removed(text, secret, kind):
    result = redact(text)
    assert secret not in result.text, result.text
    assert result.counts[kind] >= 1
    assert f"[{kind.upper()}]" in result.text


KEPT = [
    "Hope this helps someone. I hope to walk again.",
    "Will it ever get better? Grace and patience got me through.",
    "My back pain is gone since March 2024 and I walk 10 minutes a day.",
    "From 2019-2020 I took 20 mg, now 5 mg twice a day; vision 20/20.",
    "The team on Florence Ward at St Mary's Hospital were great.",
    "I have Parkinson's disease and Barrett's oesophagus.",
    "The nurse practitioner was kind. Then I went home.",
    "Marie Curie nurses visited in May. April was hard.",
    "the doctor will call; the nurse may ring",
    "I did the Desmond course, and my GP surgery was helpful.",
]


@pytest.mark.parametrize("text", KEPT)
def test_ordinary_words_are_kept(text):
    result = redact(text)
    assert result.text == text and result.total == 0


def test_counts_and_configuration():
    result = redact("Dr Patel and Sarah Jones (sarah.j@example.com, 07700 900123) were great")
    assert result.text == "Dr [NAME] and [NAME] ([EMAIL], [PHONE]) were great"
    assert result.counts == {"email": 1, "url": 0, "date": 0, "phone": 1, "name": 2} and result.total == 4
    only_email = Redactor(kinds=["email"]).redact("Sarah: sarah@example.com")
    assert only_email.text == "Sarah: [EMAIL]" and only_email.counts == {"email": 1}
    staff = Redactor(extra_names=["Bramwell"], keep=["Sarah"]).redact("bramwell and Sarah helped")
    assert staff.text == "[NAME] and Sarah helped"
    with pytest.raises(ValueError, match="kinds \\['ssn'\\] are not known"):
        Redactor(kinds=["ssn"]).redact("x")


def _result(rows):
    df = pd.DataFrame(rows, columns=["text", "clinic"])
    return vl.Analyzer(backend="fake", show_progress_bar=False).analyze(df)


def test_quotes_are_redacted_deduplicated_and_counted():
    rows = [("My pain is gone, thank you Dr Patel.", "A"), ("My pain is gone, thank you Dr Khan!", "A"),
            ("My pain is gone, email jo@example.com", "A"), ("pain is better, call 07700 900123", "A"),
            ("Pain still bad, ring Sarah on 0161 496 0000", "A"), ("great", "A")]
    res = _result(rows)
    quotes = res.quotes(n=5)
    text = " ".join(quotes["quote"])
    for secret in ("Patel", "Khan", "jo@example.com", "900123", "Sarah", "496"):
        assert secret not in text
    positives = quotes[(quotes.theme == "pain_reduction") & (quotes.stance == "positive")]
    # "…thank you Dr Patel." and "…thank you Dr Khan!" are one quote once redacted
    assert positives["quote"].str.contains("thank you Dr").sum() == 1
    assert list(positives["rank"]) == list(range(1, len(positives) + 1))
    assert positives["confidence"].is_monotonic_decreasing
    counts = quotes.attrs["redaction_counts"]
    assert counts["email"] == 1 and counts["phone"] >= 2 and counts["name"] >= 2
    assert quotes["redactions"].sum() == sum(counts.values())
    raw = res.quotes(n=5, redact=False)
    assert raw["quote"].str.contains("Patel").any() and raw.attrs["redaction_counts"] == {}


def test_no_quotes_from_suppressed_groups():
    rows = [("My pain is gone, says Dr Big", "Big")] * 6 + [("My pain is gone, unique words here", "Tiny")] * 2 \
        + [("My pain is gone at last, from the Mid clinic", "Mid")] * 5
    res = _result(rows)
    quotes = res.quotes(n=10, by="clinic", min_size=5)
    assert "Tiny" not in set(quotes["group"]) and not quotes["quote"].str.contains("unique").any()
    # Tiny is the only small group, so Mid (next smallest) is suppressed as well
    assert set(quotes["group"]) == {"Big"}
    assert len(res.quotes(min_size=100)) == 0                     # the whole data set is too small
    assert len(representative_quotes(res.responses, res.themes, by="clinic", min_size=0, n=10)) >= 3
