"""Property-based tests (hypothesis): rows are never lost, moved or mixed up.

For arbitrary input lists: the row count, order and index are preserved, and each
row's result depends only on that row: not on ``batch_size``, ``chunk_size``, the
other rows or their order. Runs with the fake and lexicon backends (exact equality);
one slow test compares batch sizes for the embedded model within float tolerance.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import voicelens as vl
from voicelens.rows import NO_ANSWER_TEXTS, STATUS_MEANINGS, classify, no_answer_key

PHRASES = [
    "My back pain is gone.", "It still hurts every day.", "I can walk again!", "The staff were rude",
    "No hope left. Nothing helped.", "Great care, thank you", "n/a", "ok", "Dr. Lee was kind.\nI sleep again",
    "Waiting was long - but worth it", "Muy bueno, gracias", "\u6211\u7684\u80cc\u4e0d\u75bc\u4e86\u3002",
]

values = st.one_of(
    st.sampled_from(PHRASES),
    st.text(max_size=60),
    st.lists(st.sampled_from(PHRASES), min_size=1, max_size=4).map(" ".join),
    st.none(), st.just(float("nan")), st.just(pd.NA), st.sampled_from(["", "  ", "\u200b"]),
    st.integers(), st.floats(allow_nan=True), st.binary(max_size=5),
)
value_lists = st.lists(values, max_size=25)
indexes = st.lists(st.one_of(st.integers(-3, 3), st.sampled_from(["a", "b"])), max_size=25)
BACKENDS = ["fake", "lexicon"]
PROPERTY = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def analyzer(backend: str, **kwargs) -> vl.Analyzer:
    return vl.Analyzer(backend=backend, show_progress_bar=False, **kwargs)


def expected_status(value: object) -> set[str]:
    status, text = classify(value)
    if status == "ok" and no_answer_key(text) in {no_answer_key(t) for t in NO_ANSWER_TEXTS}:
        return {"no_answer"}
    return {"ok", "non_english"} if status == "ok" else {status}


@pytest.mark.parametrize("backend", BACKENDS)
@PROPERTY
@given(data=value_lists)
def test_count_order_and_status_are_kept(backend, data):
    r = analyzer(backend).analyze(data).responses
    assert len(r) == len(data)
    assert r.index.equals(pd.RangeIndex(len(data)))
    assert set(r["status"]) <= set(STATUS_MEANINGS)
    for value, status in zip(data, r["status"]):
        assert status in expected_status(value)


@PROPERTY
@given(data=value_lists, labels=indexes)
def test_any_index_is_kept_even_with_duplicates(data, labels):
    n = min(len(data), len(labels))
    series = pd.Series(data[:n], index=pd.Index(labels[:n], dtype=object), dtype=object)
    r = analyzer("fake").analyze(series).responses
    assert r.index.equals(series.index)
    for value, status in zip(series, r["status"]):
        assert status in expected_status(value)


@pytest.mark.parametrize("backend", BACKENDS)
@PROPERTY
@given(data=value_lists, chunk_size=st.integers(1, 7), batch_size=st.integers(1, 9))
def test_results_do_not_depend_on_chunk_or_batch_size(backend, data, chunk_size, batch_size):
    reference = analyzer(backend).analyze(data).responses
    other = analyzer(backend, chunk_size=chunk_size, batch_size=batch_size).analyze(data).responses
    pd.testing.assert_frame_equal(reference, other)


@pytest.mark.parametrize("backend", BACKENDS)
@PROPERTY
@given(data=value_lists, seed=st.integers(0, 2**16))
def test_results_do_not_depend_on_the_other_rows_or_their_order(backend, data, seed):
    an = analyzer(backend)
    reference = an.analyze(data).responses
    order = np.random.default_rng(seed).permutation(len(data))
    shuffled = an.analyze([data[i] for i in order]).responses
    pd.testing.assert_frame_equal(shuffled.reset_index(drop=True),
                                  reference.iloc[order].reset_index(drop=True))
    if data:  # one row alone scores the same as inside the batch
        k = int(order[0])
        alone = an.analyze([data[k]]).responses
        pd.testing.assert_frame_equal(alone.reset_index(drop=True),
                                      reference.iloc[[k]].reset_index(drop=True))


@pytest.mark.slow
@pytest.mark.parametrize("precision, atol", [("fp32", 1e-4), ("bf16", 5e-3)])
def test_embedded_results_do_not_depend_on_batch_size(precision, atol):
    """fp32 is batch-invariant to rounding; bf16 (the default on CPUs that compute it
    natively) rounds differently with the batch's padding, within a small tolerance."""
    texts = ["My back pain is gone and I sleep again.", None, "It still hurts. The staff were rude.",
             "n/a", "I can walk to the shops now, which I could not do before the injections.", "ok"]
    an = vl.Analyzer(backend_kwargs={"precision": precision}, show_progress_bar=False)
    big = an.analyze(texts).responses
    one = vl.Analyzer(backend=an.backend_, batch_size=1, chunk_size=1,
                      show_progress_bar=False).analyze(texts).responses
    assert list(one["status"]) == list(big["status"])
    score_columns = [c for c in big.columns if c.endswith("_score")]
    np.testing.assert_allclose(one[score_columns].to_numpy(float), big[score_columns].to_numpy(float),
                               atol=atol)
    assert list(one["sentiment"].fillna("NA")) == list(big["sentiment"].fillna("NA"))
