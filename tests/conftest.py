"""Shared fixtures: tiny Hugging Face models built once per session, a socket guard."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

DATA_DIR = Path(__file__).resolve().parents[1].parent / "shared" / "data"


def _tiny_bert(folder: Path, id2label: dict[int, str]) -> Path:
    from transformers import BertConfig, BertForSequenceClassification, BertTokenizerFast

    from voicelens.backends.minilm import default_encoder_path

    vocab = default_encoder_path() / "vocab.txt"
    tokenizer = BertTokenizerFast(vocab_file=str(vocab), do_lower_case=True)
    config = BertConfig(vocab_size=tokenizer.vocab_size, hidden_size=32, num_hidden_layers=2,
                        num_attention_heads=2, intermediate_size=64, max_position_embeddings=512,
                        id2label=id2label, label2id={v: k for k, v in id2label.items()})
    BertForSequenceClassification(config).save_pretrained(folder, safe_serialization=True)
    tokenizer.save_pretrained(folder)
    return folder


@pytest.fixture(scope="session")
def tiny_models(tmp_path_factory) -> dict[str, Path]:
    """A random 2-layer BERT sentiment classifier and NLI model with the MiniLM vocabulary."""
    pytest.importorskip("transformers")
    root = tmp_path_factory.mktemp("tiny_models")
    return {
        "sentiment": _tiny_bert(root / "sentiment", {0: "negative", 1: "neutral", 2: "positive"}),
        "nli": _tiny_bert(root / "nli", {0: "entailment", 1: "neutral", 2: "contradiction"}),
    }


@pytest.fixture
def no_network(monkeypatch):
    """Make any attempt to open a network connection fail loudly."""
    attempts: list[object] = []

    def refuse(self, address, *args, **kwargs):
        if self.family in (socket.AF_INET, socket.AF_INET6):
            attempts.append(address)
            raise ConnectionRefusedError(f"test blocked a network connection to {address}")
        return real_connect(self, address, *args, **kwargs)

    real_connect = socket.socket.connect
    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", lambda *a, **k: (_ for _ in ()).throw(
        ConnectionRefusedError(f"test blocked a DNS lookup of {a[0]}")))
    return attempts


@pytest.fixture(scope="session")
def embedded_analyzer():
    """The real default Analyzer, loaded once per session (slow tests only)."""
    import voicelens as vl

    return vl.Analyzer(show_progress_bar=False)
