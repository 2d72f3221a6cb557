"""``voicelens analyze --backend transformers``: its models come from the command line."""

from __future__ import annotations

import pandas as pd
import pytest

from voicelens.cli import main


@pytest.fixture
def data(tmp_path):
    path = tmp_path / "in.csv"
    pd.DataFrame({"text": ["My pain is gone.", "N/A", "I still cannot work."]}).to_csv(path, index=False)
    return path


def _analyze(data, out, *flags):
    return main(["analyze", str(data), "--text-column", "text", "--out", str(out), "--quiet", *flags])


def test_transformers_backend_runs_with_local_models(tiny_models, data, tmp_path, no_network):
    assert _analyze(data, tmp_path / "out", "--backend", "transformers",
                    "--sentiment-model", str(tiny_models["sentiment"]),
                    "--theme-model", str(tiny_models["nli"])) == 0
    responses = pd.read_csv(tmp_path / "out" / "responses.csv")
    assert list(responses["status"]) == ["ok", "no_answer", "ok"]
    assert responses.loc[[0, 2], "sentiment"].isin(["positive", "neutral", "negative"]).all()
    assert no_network == []


@pytest.mark.parametrize("flags, message", [
    ([], "--backend transformers needs --sentiment-model PATH_OR_ID and --theme-model PATH_OR_ID"),
    (["--sentiment-model", "x"], "missing: --theme-model"),
    (["--theme-model", "x"], "missing: --sentiment-model"),
])
def test_transformers_backend_without_models_is_a_usage_error(data, tmp_path, capsys, flags, message):
    assert _analyze(data, tmp_path, "--backend", "transformers", *flags) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1


def test_hub_ids_need_allow_download(tiny_models, data, tmp_path, capsys, no_network):
    assert _analyze(data, tmp_path, "--backend", "transformers", "--sentiment-model", "someone/sentiment",
                    "--theme-model", str(tiny_models["nli"])) == 2
    err = capsys.readouterr().err
    assert "--sentiment-model 'someone/sentiment' is not a local folder" in err and "--allow-download" in err
    assert err.count("\n") == 1 and no_network == []


def test_allow_download_passes_hub_ids_to_the_backend(monkeypatch, data, tmp_path):
    import voicelens.batch

    seen = {}

    def capture(path, out, *, analyzer, **kwargs):
        seen.update(analyzer.backend_kwargs)
        raise KeyboardInterrupt  # stop before anything is loaded

    monkeypatch.setattr(voicelens.batch, "analyze_file", capture)
    assert _analyze(data, tmp_path, "--backend", "transformers", "--sentiment-model", "a/b",
                    "--theme-model", "c/d", "--allow-download") == 130
    assert seen == {"sentiment_model": "a/b", "theme_model": "c/d", "allow_download": True}


@pytest.mark.parametrize("flags", [["--sentiment-model", "x"], ["--allow-download"]])
def test_model_options_need_the_transformers_backend(data, tmp_path, capsys, flags):
    assert _analyze(data, tmp_path, "--backend", "fake", *flags) == 2
    assert "applies to --backend transformers only" in capsys.readouterr().err


def test_precision_needs_the_embedded_backend(tiny_models, data, tmp_path, capsys):
    assert _analyze(data, tmp_path, "--backend", "transformers", "--precision", "fp32",
                    "--sentiment-model", str(tiny_models["sentiment"]), "--theme-model", str(tiny_models["nli"])) == 2
    assert "--precision applies to the embedded backend only" in capsys.readouterr().err
