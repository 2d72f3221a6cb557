"""Encoder precision: ``"auto"`` picks bf16 where the hardware computes it natively, fp32 elsewhere."""

from __future__ import annotations

import numpy as np
import pytest

from voicelens.backends import minilm
from voicelens.backends.embedded import EmbeddedBackend
from voicelens.backends.minilm import MiniLMEncoder, resolve_precision
from voicelens.cli import main

EXAMPLE_TEXTS = ["My pain is gone.", "I still cannot sleep, and the wait was long.", "Great staff"]


@pytest.fixture
def bf16_cpu(monkeypatch):
    monkeypatch.setattr(minilm, "cpu_has_bf16", lambda: True)


@pytest.fixture
def plain_cpu(monkeypatch):
    monkeypatch.setattr(minilm, "cpu_has_bf16", lambda: False)


def test_auto_is_bf16_on_a_cpu_with_bf16(bf16_cpu):
    assert resolve_precision("auto", "cpu") == "bf16"
    assert resolve_precision("fp32", "cpu") == "fp32"  # forced
    assert resolve_precision("auto", "cpu", quantize=True) == "fp32"  # the int8 encoder stays as measured


def test_auto_is_fp32_on_a_cpu_without_bf16(plain_cpu):
    assert resolve_precision("auto", "cpu") == "fp32"
    assert resolve_precision("bf16", "cpu") == "bf16"  # forced


@pytest.mark.parametrize("supported, expected", [(True, "bf16"), (False, "fp32")])
def test_auto_on_cuda_follows_the_gpu(monkeypatch, plain_cpu, supported, expected):
    import torch

    monkeypatch.setattr(torch.cuda, "is_bf16_supported", lambda *a, **k: supported)
    assert resolve_precision("auto", "cuda:0") == expected
    assert resolve_precision("auto", "mps") == "fp32"


def test_unknown_precision_is_refused():
    with pytest.raises(ValueError, match=r"precision must be one of \('auto', 'fp32', 'bf16'\); got 'fp16'"):
        resolve_precision("fp16")


def test_encoder_and_backend_default_to_auto_and_expose_the_result(tmp_path, monkeypatch):
    encoder = MiniLMEncoder(tmp_path)
    assert encoder.precision == "auto"
    monkeypatch.setattr(minilm, "cpu_has_bf16", lambda: True)
    assert encoder.resolved_precision == "bf16"
    encoder.precision = "fp32"  # changing the setting is not hidden by a stale answer
    assert encoder.resolved_precision == "fp32"
    backend = EmbeddedBackend(encoder_path=tmp_path)
    assert backend.precision == "auto" and backend.encoder.resolved_precision == "bf16"
    assert EmbeddedBackend(encoder_path=tmp_path, precision="fp32").encoder.resolved_precision == "fp32"


def test_auto_encodes_as_the_resolved_precision(tiny_models, monkeypatch):
    path = tiny_models["sentiment"]
    fp32 = MiniLMEncoder(path, top_layers=None, precision="fp32").encode(EXAMPLE_TEXTS, show_progress_bar=False)
    bf16 = MiniLMEncoder(path, top_layers=None, precision="bf16").encode(EXAMPLE_TEXTS, show_progress_bar=False)
    monkeypatch.setattr(minilm, "cpu_has_bf16", lambda: False)
    np.testing.assert_array_equal(MiniLMEncoder(path, top_layers=None).encode(EXAMPLE_TEXTS, show_progress_bar=False), fp32)
    monkeypatch.setattr(minilm, "cpu_has_bf16", lambda: True)
    np.testing.assert_array_equal(MiniLMEncoder(path, top_layers=None).encode(EXAMPLE_TEXTS, show_progress_bar=False), bf16)


@pytest.fixture
def captured(monkeypatch):
    """Run ``voicelens analyze`` up to the analysis and keep the Analyzer it built."""
    import pandas as pd

    import voicelens.batch

    seen = {}

    def fake_analyze_file(path, out, *, analyzer, **kwargs):
        seen["analyzer"] = analyzer
        summary = pd.DataFrame({"n": [0]})
        summary.attrs.update(chunks_reused=0, responses_path="r", n_rows=0, summary_path="s")
        return summary

    monkeypatch.setattr(voicelens.batch, "analyze_file", fake_analyze_file)
    return seen


@pytest.mark.parametrize("flags, backend_kwargs", [([], None), (["--precision", "auto"], None),
                                                   (["--precision", "fp32"], {"precision": "fp32"}),
                                                   (["--precision", "bf16"], {"precision": "bf16"})])
def test_cli_precision(tmp_path, captured, flags, backend_kwargs):
    assert main(["analyze", str(tmp_path / "in.csv"), "--text-column", "text", "--out", str(tmp_path),
                 "--quiet", *flags]) == 0
    assert captured["analyzer"].backend_kwargs == backend_kwargs


def test_cli_precision_choices(tmp_path, capsys):
    with pytest.raises(SystemExit):
        main(["analyze", "in.csv", "--precision", "fp16"])
    assert "choose from 'auto', 'fp32', 'bf16'" in capsys.readouterr().err
