from __future__ import annotations

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
