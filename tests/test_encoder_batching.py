"""The encoder's batching: sorted by token count, padded per batch, returned in input order."""

from __future__ import annotations

import os
import subprocess
import sys

import numpy as np
import pytest

SENTENCES = ["My pain is gone.", "n/a", "I can walk to the shops again and sleep through the night, which "
             "I had not done for years before the operation.", "Nothing", "Still hurts every single day.",
             "n/a", "The physio was kind", "Great"]


@pytest.fixture(scope="module")
def tiny_encoder(tiny_models):
    from voicelens.backends.minilm import MiniLMEncoder

    return MiniLMEncoder(tiny_models["sentiment"], top_layers=None)


@pytest.mark.parametrize("batch_size", [1, 3, 64])
def test_batched_equals_one_at_a_time_in_input_order(tiny_encoder, batch_size):
    one_by_one = np.stack([tiny_encoder.encode([s], show_progress_bar=False)[0] for s in SENTENCES])
    batched = tiny_encoder.encode(SENTENCES, batch_size=batch_size, show_progress_bar=False)
    np.testing.assert_allclose(batched, one_by_one, atol=1e-5)
    np.testing.assert_array_equal(batched[1], batched[5])  # same sentence, same vector
    assert tiny_encoder.encode([], show_progress_bar=False).shape == (0, tiny_encoder.dim)


def test_thread_count_from_environment(tiny_models):
    code = ("import sys, torch; from voicelens.backends.minilm import MiniLMEncoder; "
            "MiniLMEncoder(sys.argv[1], top_layers=None)._load(); print(torch.get_num_threads())")
    run = lambda value: subprocess.run([sys.executable, "-c", code, str(tiny_models["sentiment"])],  # noqa: E731
                                       capture_output=True, text=True, env={**os.environ, "VOICELENS_NUM_THREADS": value})
    assert run("1").stdout.strip() == "1"
    bad = run("two")
    assert bad.returncode != 0 and "VOICELENS_NUM_THREADS must be a positive integer" in bad.stderr


@pytest.mark.slow
def test_real_encoder_batched_equals_one_at_a_time():
    from voicelens.backends.minilm import MiniLMEncoder

    encoder = MiniLMEncoder(precision="fp32")  # bf16 rounding depends on the batch's padding
    one_by_one = np.stack([encoder.encode([s], show_progress_bar=False)[0] for s in SENTENCES])
    np.testing.assert_allclose(encoder.encode(SENTENCES, show_progress_bar=False), one_by_one, atol=1e-5)


def test_bf16_precision_stays_close_to_fp32(tiny_models, tiny_encoder):
    from voicelens.backends.minilm import MiniLMEncoder

    bf16 = MiniLMEncoder(tiny_models["sentiment"], top_layers=None, precision="bf16")
    low = bf16.encode(SENTENCES, show_progress_bar=False)
    full = tiny_encoder.encode(SENTENCES, show_progress_bar=False)
    assert low.dtype == np.float32
    assert (low * full).sum(1).min() > 0.99  # cosine similarity of the unit vectors


def test_unknown_precision_is_refused():
    from voicelens.backends.minilm import MiniLMEncoder

    with pytest.raises(ValueError, match="precision must be one of"):
        MiniLMEncoder(precision="fp8")
