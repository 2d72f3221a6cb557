from __future__ import annotations

import os
from pathlib import Path

import pandas as pd

from voicelens.cli import main

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "testimonials.csv"


def test_cli_writes_responses_and_grouped_summary(tmp_path, capsys):
    code = main(["analyze", str(EXAMPLE), "--text-column", "text", "--by", "clinic",
                 "--out", str(tmp_path), "--backend", "fake", "--quiet"])
    assert code == 0
    responses = pd.read_csv(tmp_path / "responses.csv")
    source = pd.read_csv(EXAMPLE)
    assert len(responses) == len(source)
    assert list(responses["response_id"]) == list(source["response_id"])
    summary = pd.read_csv(tmp_path / "summary.csv")
    assert sorted(summary["clinic"]) == sorted(source["clinic"].unique())
    assert "pain_reduction_positive_rate" in capsys.readouterr().out


def test_cli_parquet_output(tmp_path):
    assert main(["analyze", str(EXAMPLE), "--text-column", "text", "--out", str(tmp_path),
                 "--backend", "fake", "--quiet", "--output-format", "parquet"]) == 0
    assert len(pd.read_parquet(tmp_path / "responses.parquet")) == len(pd.read_csv(EXAMPLE))


def test_cli_missing_column_is_one_line_naming_columns(tmp_path, capsys):
    code = main(["analyze", str(EXAMPLE), "--text-column", "comment", "--out", str(tmp_path), "--quiet"])
    assert code == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0
    assert "'comment' not found" in err and "'text'" in err and "'clinic'" in err


def test_cli_missing_file(tmp_path, capsys):
    assert main(["analyze", str(tmp_path / "nope.csv"), "--text-column", "t", "--quiet"]) == 2
    assert "nope.csv" in capsys.readouterr().err


def test_cli_encoding_option(tmp_path, capsys):
    data = tmp_path / "cp1252.csv"
    data.write_bytes("id,text\n1,Caf\xe9 staff were kind\n2,still in pain\n".encode("cp1252"))
    assert main(["analyze", str(data), "--text-column", "text", "--out", str(tmp_path / "bad"),
                 "--backend", "fake", "--quiet"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "line 2" in err and "--encoding cp1252" in err
    assert main(["analyze", str(data), "--text-column", "text", "--out", str(tmp_path / "ok"),
                 "--backend", "fake", "--quiet", "--encoding", "cp1252"]) == 0
    assert pd.read_csv(tmp_path / "ok" / "responses.csv")["text"][0] == "Caf\xe9 staff were kind"


def test_cli_chunksize_output_equals_one_chunk(tmp_path):
    for name, chunksize in (("small", "5"), ("one", "100000")):
        assert main(["analyze", str(EXAMPLE), "--text-column", "text", "--by", "clinic", "--out",
                     str(tmp_path / name), "--backend", "fake", "--quiet", "--chunksize", chunksize]) == 0
    for file in ("responses.csv", "summary.csv"):
        assert (tmp_path / "small" / file).read_bytes() == (tmp_path / "one" / file).read_bytes()


def test_cli_refuses_to_resume_another_run_until_no_resume(tmp_path, capsys):
    out = tmp_path / "out"
    out.mkdir()
    (out / "manifest.json").write_text('{"state": "running", "fingerprint": {"chunksize": 3}}')
    args = ["analyze", str(EXAMPLE), "--text-column", "text", "--out", str(out), "--backend", "fake", "--quiet"]
    assert main(args) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "unfinished run" in err and "--no-resume" in err
    assert main(args + ["--no-resume"]) == 0
    assert len(pd.read_csv(out / "responses.csv")) == len(pd.read_csv(EXAMPLE))


def test_cli_threads(tmp_path, capsys, monkeypatch):
    monkeypatch.delenv("VOICELENS_NUM_THREADS", raising=False)
    base = ["analyze", str(EXAMPLE), "--text-column", "text", "--out", str(tmp_path), "--quiet", "--backend", "fake"]
    assert main(base + ["--threads", "0"]) == 2
    assert "--threads must be at least 1" in capsys.readouterr().err
    assert main(base + ["--threads", "2"]) == 0
    assert os.environ["VOICELENS_NUM_THREADS"] == "2"  # read by the encoder when it loads


SURVEYS = Path(__file__).resolve().parent / "data" / "surveys"


def test_cli_reads_a_survey_export_as_it_comes(tmp_path, capsys):
    """No --text-column: the Qualtrics layout is recognised and each free-text answer scored."""
    from voicelens.io.surveys import read_survey

    out = tmp_path / "out"
    args = ["analyze", str(SURVEYS / "qualtrics.csv"), "--out", str(out), "--backend", "fake",
            "--by", "question", "--quiet"]
    assert main(args) == 0
    tidy = read_survey(SURVEYS / "qualtrics.csv")
    responses = pd.read_csv(out / "responses.csv", keep_default_na=False)
    assert list(responses["answer"]) == list(tidy["answer"].fillna(""))
    assert set(pd.read_csv(out / "summary.csv")["question"]) == set(tidy["question"])
    assert "qualtrics export" in capsys.readouterr().err
    assert main(args) == 0  # the rerun recognises its own input: no resume mismatch


def test_cli_plain_table_without_text_column_says_what_to_pass(tmp_path, capsys):
    assert main(["analyze", str(EXAMPLE), "--out", str(tmp_path), "--backend", "fake", "--quiet"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "--text-column" in err


def test_cli_languages_option(tmp_path):
    data = tmp_path / "mixed.csv"
    pd.DataFrame({"text": ["The nurses were very kind and the pain has gone.",
                           "Les infirmières étaient très gentilles et la douleur a disparu."]}).to_csv(data)
    for languages, expected in [("auto", ["ok", "non_english"]), ("any", ["ok", "ok"]),
                                ("en,fr", ["ok", "ok"])]:
        out = tmp_path / languages
        assert main(["analyze", str(data), "--text-column", "text", "--out", str(out),
                     "--backend", "fake", "--quiet", "--languages", languages]) == 0
        assert list(pd.read_csv(out / "responses.csv")["status"]) == expected


def test_cli_precision_needs_the_embedded_backend(tmp_path, capsys):
    assert main(["analyze", str(EXAMPLE), "--text-column", "text", "--out", str(tmp_path),
                 "--backend", "fake", "--quiet", "--precision", "bf16"]) == 2
    assert "--precision applies to the embedded backend only" in capsys.readouterr().err
