"""A corpus of hostile inputs: every row comes back, in order, with a status.

Each entry of :data:`HOSTILE` is one value a survey export or a careless script can
hand to ``Analyzer.analyze``, with the ``status`` it must get. The huge inputs (1 MB
texts, 100k sentences), CSV files in mixed encodings and odd indexes have their own
tests below; :data:`HOSTILE_INPUTS_TRIED` counts them all and ``docs/reliability.md``
reports that number (a test checks the two agree).

The fake and lexicon backends keep this fast; the embedded model is not needed to
show that rows are neither lost nor reordered.
"""

from __future__ import annotations

import datetime
import decimal
import re
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import voicelens as vl
from voicelens.backends.fake import FakeBackend
from voicelens.errors import InputFormatError
from voicelens.io import read_table, write_table
from voicelens.rows import STATUS_MEANINGS
from voicelens.text import MAX_SENTENCE_WORDS, split_sentences

THEMES = ["pain_reduction", "daily_function", "hope"]
DOCS = Path(__file__).resolve().parents[1] / "docs" / "reliability.md"

#: (name, value, status with the default ``languages``)
HOSTILE: list[tuple[str, object, str]] = [
    # missing values
    ("None", None, "missing"),
    ("float nan", float("nan"), "missing"),
    ("numpy nan", np.nan, "missing"),
    ("numpy float32 nan", np.float32("nan"), "missing"),
    ("pd.NA", pd.NA, "missing"),
    ("pd.NaT", pd.NaT, "missing"),
    ("Decimal NaN", decimal.Decimal("NaN"), "missing"),
    # empty and blank
    ("empty string", "", "empty"),
    ("spaces", "   ", "whitespace"),
    ("tabs and newlines", "\t\n\r\n \t", "whitespace"),
    ("zero-width space", "\u200b\u200c\u200d", "whitespace"),
    ("byte-order mark", "\ufeff", "whitespace"),
    ("no-break spaces", "\xa0\u202f\u3000", "whitespace"),
    ("NUL bytes", "\x00\x00\x00", "whitespace"),
    ("control characters", "\x01\x02\x07\x1b\x7f", "whitespace"),
    ("braille blank", "\u2800\u2800", "whitespace"),
    ("hangul filler", "\u3164", "whitespace"),
    ("lone variation selector", "\ufe0f", "whitespace"),
    ("lone combining accents", "\u0301\u0301", "whitespace"),
    ("line and paragraph separators", "\u2028\u2029", "whitespace"),
    # not text
    ("int", 0, "not_text"),
    ("negative int", -1, "not_text"),
    ("float", 1.5, "not_text"),
    ("infinity", float("inf"), "not_text"),
    ("bool", True, "not_text"),
    ("numpy int", np.int64(3), "not_text"),
    ("complex", complex(1, 2), "not_text"),
    ("Decimal", decimal.Decimal("1.5"), "not_text"),
    ("bytes", b"great staff", "not_text"),
    ("bytearray", bytearray(b"x"), "not_text"),
    ("list", ["great"], "not_text"),
    ("tuple", ("great",), "not_text"),
    ("dict", {"text": "great"}, "not_text"),
    ("set", {"great"}, "not_text"),
    ("numpy array", np.array(["great", "bad"]), "not_text"),
    ("Timestamp", pd.Timestamp("2024-01-01"), "not_text"),
    ("date", datetime.date(2024, 1, 1), "not_text"),
    ("object", object(), "not_text"),
    # survey placeholders: kept, not scored
    ("n/a", "n/a", "no_answer"),
    ("string #N/A", "#N/A", "no_answer"),
    ("dash", "-", "no_answer"),
    # odd but real text
    ("plain", "The staff were kind and my pain is gone.", "ok"),
    ("string None", "None", "ok"),
    ("string nan", "nan", "ok"),
    ("string zero", "0", "ok"),
    ("punctuation only", "...?!", "ok"),
    ("emoji only", "\U0001f600\U0001f600\U0001f44d", "ok"),
    ("emoji with skin tone and ZWJ", "\U0001f469\U0001f3fd\u200d\u2695\ufe0f thanks", "ok"),
    ("HTML", "<p>Great <b>staff</b></p><br/>Still <i>in pain</i>", "ok"),
    ("script tag", "<script>alert('x')</script> good care", "ok"),
    ("HTML entities", "Staff were &quot;great&quot; &amp; kind &lt;3", "ok"),
    ("markdown", "# Review\n\n* **great** care\n* [link](http://example.com)\n\n> quote", "ok"),
    ("markdown table", "| a | b |\n|---|---|\n| pain | gone |", "ok"),
    ("code fence", "```\nprint('hi')\n```", "ok"),
    ("CSV formula", "=HYPERLINK(\"http://x\",\"click\")", "ok"),
    ("SQL", "'; DROP TABLE responses; --", "ok"),
    ("format string", "{0} %s %(x)d {self.__class__}", "ok"),
    ("path traversal", "../../../../etc/passwd", "ok"),
    ("NUL inside text", "great\x00staff", "ok"),
    ("ANSI escape", "\x1b[31mred alert\x1b[0m", "ok"),
    ("carriage returns", "good\rbad\r\nugly", "ok"),
    ("line separator inside", "good\u2028bad", "ok"),
    ("bidi override", "\u202egreat\u202c staff", "ok"),
    ("combining zalgo", "g\u0334\u031bo\u0336o\u0337d\u0336 staff", "ok"),
    ("fullwidth letters", "\uff47\uff4f\uff4f\uff44 \uff53\uff54\uff41\uff46\uff46", "ok"),
    ("math-script letters", "\U0001d4f0\U0001d4fb\U0001d4ee\U0001d4ea\U0001d4fd care", "ok"),
    ("lone surrogate", "bad \ud800 pain", "ok"),
    ("one 10k-character word", "a" * 10_000, "ok"),
    ("5k words no punctuation", "word " * 5_000, "ok"),
    ("English with a Hebrew name", "Thanks to Dr \u05d3\u05d5\u05d3 for everything", "ok"),
    ("English with a Chinese name", "Thanks to Dr \u738b, very kind", "ok"),
    ("str subclass", type("Answer", (str,), {})("great care"), "ok"),
    ("numpy str", np.str_("great care"), "ok"),
    # not English: flagged, not scored
    ("Hebrew (RTL)", "הטיפול עזר לי מאוד", "non_english"),
    ("Arabic (RTL)", "شكرا جزيلا للطاقم", "non_english"),
    ("Chinese", "我的疼痛消失了。谢谢！", "non_english"),
    ("Japanese", "スタッフはとても親切でした。", "non_english"),
    ("Korean", "직원들이 매우 친절했습니다.", "non_english"),
    ("Russian", "Персонал был очень вежливый.", "non_english"),
    ("Spanish", "El personal fue muy amable, gracias.", "non_english"),
    ("Polish", "Personel był bardzo miły i pomocny.", "non_english"),
]

#: Unusable arguments and the documented errors they raise (nothing else escapes).
UNUSABLE: list[tuple[str, dict, type[Exception], str]] = [
    ("one string", {"data": "great"}, TypeError, "wrap it"),
    ("one bytes", {"data": b"great"}, TypeError, "wrap it"),
    ("None", {"data": None}, TypeError, "got NoneType"),
    ("a number", {"data": 5}, TypeError, "got int"),
    ("a dict", {"data": {"a": "great"}}, TypeError, "pd.Series"),
    ("a set", {"data": {"great"}}, TypeError, "order"),
    ("missing column", {"data": pd.DataFrame({"comment": ["x"]})}, vl.ColumnNotFoundError, "available columns"),
    ("duplicated text column", {"data": pd.DataFrame([["a", "b"]], columns=["text", "text"])}, ValueError,
     "names 2 columns"),
    ("missing question column", {"data": pd.DataFrame({"text": ["x"]}), "question_column": "q"},
     vl.ColumnNotFoundError, "question_column"),
    ("question column for a list", {"data": ["x"], "question_column": "q"}, ValueError, "needs a DataFrame"),
    ("both question arguments", {"data": ["x"], "question_column": "q", "question": "Why?"}, ValueError,
     "not both"),
    ("chunk_size 0", {"data": ["x"], "init": {"chunk_size": 0}}, ValueError, "chunk_size must be a positive"),
    ("chunk_size -1", {"data": ["x"], "init": {"chunk_size": -1}}, ValueError, "chunk_size must be a positive"),
    ("chunk_size 2.5", {"data": ["x"], "init": {"chunk_size": 2.5}}, ValueError, "chunk_size"),
    ("chunk_size None", {"data": ["x"], "init": {"chunk_size": None}}, ValueError, "chunk_size"),
    ("batch_size 0", {"data": ["x"], "init": {"batch_size": 0}}, ValueError, "batch_size must be a positive"),
    ("batch_size True", {"data": ["x"], "init": {"batch_size": True}}, ValueError, "batch_size"),
    ("languages 5", {"data": ["great"], "init": {"languages": 5}}, ValueError, "languages must be"),
    ("languages empty", {"data": ["great"], "init": {"languages": ()}}, ValueError, "languages must be"),
    ("unknown backend", {"data": ["great"], "init": {"backend": "nope"}}, vl.BackendNotFoundError, "choose one"),
]


class RecordingBackend(FakeBackend):
    """The fake backend, keeping the first response's sentences in reading order."""

    sentences: list[str] = []

    def score(self, batch, themes, **kwargs):
        self.sentences = [batch.sentences[i] for i in batch.responses[0]]
        return super().score(batch, themes, **kwargs)


def fake(**kwargs) -> vl.Analyzer:
    return vl.Analyzer(backend="fake", show_progress_bar=False, **kwargs)


def check_rows(res: vl.AnalysisResult, index: pd.Index, statuses: list[str]) -> None:
    """Same length, same index in the same order, the expected status per row, sane values."""
    r = res.responses
    assert len(r) == len(index)
    assert r.index.equals(index)
    assert list(r["status"]) == statuses
    assert set(r["status"]) <= set(STATUS_MEANINGS)
    scored = r["status"] == "ok"
    assert r.loc[scored.values, "sentiment"].isin(["negative", "neutral", "positive"]).all()
    assert r.loc[scored.values, "sentiment_score"].between(-1, 1).all()
    assert r.loc[~scored.values, "sentiment"].isna().all()
    assert r.loc[~scored.values, "sentiment_score"].isna().all()
    for t in THEMES:
        assert (r.loc[~scored.values, t] == "absent").all()
        assert r.loc[scored.values, f"{t}_score"].between(0, 1).all()
    has_text = r["status"].isin(["ok", "non_english"])
    assert r.loc[has_text.values, "language"].notna().all()
    assert r.loc[~has_text.values, "language"].isna().all()


@pytest.fixture(scope="module")
def values() -> list[object]:
    return [v for _, v, _ in HOSTILE]


@pytest.fixture(scope="module")
def statuses() -> list[str]:
    return [s for _, _, s in HOSTILE]


# -- the corpus, every way it can arrive -------------------------------------------


@pytest.mark.parametrize("name, value, status", HOSTILE, ids=[h[0] for h in HOSTILE])
def test_each_hostile_value_alone(name, value, status):
    res = fake().analyze([value])
    check_rows(res, pd.RangeIndex(1), [status])


def test_whole_corpus_in_one_call_keeps_order(values, statuses):
    check_rows(fake().analyze(values), pd.RangeIndex(len(values)), statuses)


def test_whole_corpus_reversed_and_in_small_chunks(values, statuses):
    res = fake(chunk_size=3, batch_size=1).analyze(values[::-1])
    check_rows(res, pd.RangeIndex(len(values)), statuses[::-1])


def test_whole_corpus_with_the_lexicon_backend(values, statuses):
    res = vl.Analyzer(backend="lexicon", show_progress_bar=False).analyze(values)
    check_rows(res, pd.RangeIndex(len(values)), statuses)


def test_corpus_with_language_check_off_scores_every_text(values, statuses):
    res = fake(languages=None).analyze(values)
    check_rows(res, pd.RangeIndex(len(values)), ["ok" if s == "non_english" else s for s in statuses])
    assert res.responses.loc[statuses.index("non_english"), "language"] == "he"


def test_corpus_as_series_with_shuffled_duplicate_index(values, statuses):
    rng = np.random.default_rng(0)
    labels = rng.choice(["a", "b", "c"], len(values)).tolist()
    series = pd.Series(values, index=pd.Index(labels, name="who"), dtype=object)
    res = fake().analyze(series)
    check_rows(res, series.index, statuses)
    assert res.responses.index.name == "who"


def test_corpus_as_dataframe_with_duplicate_ids_and_clashing_columns(values, statuses):
    n = len(values)
    index = pd.Index(range(3 * n, 0, -3), name="row")
    frame = pd.DataFrame({"id": [1, 1, 2] * (n // 3) + [3] * (n % 3),
                          "text": pd.Series(values, index=index, dtype=object),
                          "status": "submitted", "language": "en-GB", "sentiment": 5}, index=index)
    res = fake().analyze(frame)
    check_rows(res, frame.index, statuses)
    r = res.responses
    assert list(r["id"]) == list(frame["id"])
    assert (r["status_input"] == "submitted").all() and (r["language_input"] == "en-GB").all()
    assert (r["sentiment_input"] == 5).all()


@pytest.mark.parametrize("index", [
    pd.MultiIndex.from_tuples([("x", 1), ("x", 1), ("y", 2)], names=["site", "visit"]),
    pd.DatetimeIndex(["2024-01-02", "2024-01-01", "2024-01-02"]),
    pd.Index([2.5, float("nan"), 2.5]),
    pd.Index(["b", "a", "b"]),
    pd.Index([None, None, None], dtype=object),
    pd.CategoricalIndex(["z", "z", "y"]),
], ids=["multiindex", "datetime", "float-with-nan", "duplicate-strings", "all-None", "categorical"])
def test_odd_indexes_are_kept(index):
    series = pd.Series(["great care", None, "my back still hurts"], index=index)
    res = fake().analyze(series)
    check_rows(res, index, ["ok", "missing", "ok"])


@pytest.mark.parametrize("make", [
    lambda: (x for x in ["great", None]),
    lambda: np.array(["great", None], dtype=object),
    lambda: pd.Index(["great", None]),
    lambda: pd.array(["great", None], dtype="string"),
    lambda: pd.Series(["great", None], dtype="category"),
    lambda: pd.Series(["great", None], dtype="string[pyarrow]"),
    lambda: iter(["great", None]),
], ids=["generator", "object-array", "pd.Index", "StringArray", "categorical", "arrow-strings", "iterator"])
def test_other_sequence_types(make):
    res = fake().analyze(make())
    assert list(res.responses["status"]) == ["ok", "missing"]


def test_empty_inputs():
    for data in ([], pd.Series([], dtype=object), pd.DataFrame({"text": []})):
        res = fake().analyze(data)
        assert len(res.responses) == 0 and "language" in res.responses.columns


@pytest.mark.parametrize("name, call, error, match", UNUSABLE, ids=[u[0] for u in UNUSABLE])
def test_unusable_arguments_raise_documented_errors(name, call, error, match):
    call = dict(call)
    init = {"backend": "fake", **call.pop("init", {})}
    with pytest.raises(error, match=match):
        vl.Analyzer(show_progress_bar=False, **init).analyze(call.pop("data"), **call)


def test_results_survive_every_output_format(tmp_path, values, statuses):
    res = fake().analyze(values)
    for suffix in ("csv", "parquet", "jsonl"):
        path = write_table(res.responses, tmp_path / f"r.{suffix}")
        back = read_table(path)
        assert list(back["status"]) == statuses, suffix


# -- huge texts ------------------------------------------------------------------------

ONE_MB = 1_000_000


def _cpu_time(fn, *args) -> float:
    """Best of two CPU-time measurements (this process only: the machine may be busy)."""
    best = float("inf")
    for _ in range(2):
        start = time.process_time()
        fn(*args)
        best = min(best, time.process_time() - start)
    return best


def test_one_megabyte_text_is_scored_whole():
    sentence = "My back pain is gone and I can walk again. "
    big = sentence * (ONE_MB // len(sentence))
    res = fake().analyze(["great", big, None])
    check_rows(res, pd.RangeIndex(3), ["ok", "ok", "missing"])
    assert res.responses.loc[1, "pain_reduction_evidence"] == sentence.strip()


@pytest.mark.parametrize("unit", ["x", ".", "\n", "a. ", "\u75bc", "word "], ids=[
    "one-word", "dots", "only-newlines", "tiny-sentences", "cjk-no-spaces", "words-no-punctuation"])
def test_one_megabyte_degenerate_texts(unit):
    big = unit * (ONE_MB // len(unit))
    seen = RecordingBackend()
    start = time.process_time()
    res = vl.Analyzer(backend=seen, show_progress_bar=False, languages=None).analyze([big])
    assert time.process_time() - start < 60
    check_rows(res, pd.RangeIndex(1), ["ok" if big.strip() else "whitespace"])
    assert all(len(s.split(" ")) <= MAX_SENTENCE_WORDS for s in seen.sentences)
    assert re.sub(r"\s", "", "".join(seen.sentences)) == re.sub(r"\s", "", big)  # nothing cut off


def test_sentence_splitting_is_linear_not_quadratic():
    quarter = "My pain is gone. I sleep again! " * (ONE_MB // 4 // 32)
    t_quarter = _cpu_time(split_sentences, quarter)
    t_full = _cpu_time(split_sentences, quarter * 4)
    assert t_full < 8 * t_quarter + 0.5  # linear: ~4x; quadratic: ~16x


def test_hundred_thousand_sentence_text():
    text = " ".join(f"Visit {i} went well." for i in range(100_000))
    seen = RecordingBackend()
    res = vl.Analyzer(backend=seen, show_progress_bar=False).analyze([None, text, "bad"])
    check_rows(res, pd.RangeIndex(3), ["missing", "ok", "ok"])
    assert len(seen.sentences) == 100_000 and seen.sentences[-1] == "Visit 99999 went well."


# -- files in mixed encodings -----------------------------------------------------------

MIXED = b"id,text\r\n1,The caf\xc3\xa9 was great\r\n2,The caf\xe9 was cold\r\n3,fine\r\n"


def test_mixed_encoding_csv_names_the_line(tmp_path):
    path = tmp_path / "mixed.csv"
    path.write_bytes(MIXED)
    with pytest.raises(InputFormatError, match=r"line 3 .*\\xe9.*encoding='cp1252'"):
        read_table(path)


def test_mixed_encoding_csv_read_as_cp1252_keeps_every_row(tmp_path):
    path = tmp_path / "mixed.csv"
    path.write_bytes(MIXED)
    frame = read_table(path, encoding="cp1252")
    res = fake().analyze(frame)
    assert list(res.responses["id"]) == [1, 2, 3]
    assert list(res.responses["status"]) == ["ok", "ok", "ok"]


@pytest.mark.parametrize("encoding", ["utf-16", "utf-32"])
def test_wide_encodings_are_refused_clearly(tmp_path, encoding):
    path = tmp_path / "wide.csv"
    path.write_bytes("id,text\n1,great\n".encode(encoding))
    with pytest.raises(InputFormatError, match="cannot be decoded as UTF-8"):
        read_table(path)


def test_csv_with_bom_crlf_multiline_quotes_and_nul_keeps_every_row(tmp_path):
    path = tmp_path / "odd.csv"
    path.write_bytes(b"\xef\xbb\xbfid,text\r\n1,\"two\r\nlines\"\r\n2,a\x00b\r\n3,\"\"\r\n4,\"=1+1\"\r\n5,\r\n")
    frame = read_table(path)
    res = fake().analyze(frame)
    assert list(res.responses["id"]) == [1, 2, 3, 4, 5]
    assert list(res.responses["status"]) == ["ok", "ok", "missing", "ok", "missing"]


# -- the count reported in docs/reliability.md ------------------------------------------

#: Every hostile input these tests try: the corpus, each big text, each file and index case.
HOSTILE_INPUTS_TRIED = (
    len(HOSTILE) + len(UNUSABLE)
    + 6  # odd indexes
    + 7  # other sequence types
    + 3  # empty inputs
    + 1 + 6 + 1  # a 1 MB text, degenerate 1 MB texts, a 100k-sentence text
    + 5  # CSV files: mixed encodings (refused, then read as cp1252), UTF-16, UTF-32, BOM+CRLF+NUL
)


def test_reliability_doc_reports_this_count():
    if not DOCS.is_file():
        pytest.skip("docs/reliability.md is not in this checkout")
    assert f"**{HOSTILE_INPUTS_TRIED} hostile inputs**" in DOCS.read_text(encoding="utf-8")
