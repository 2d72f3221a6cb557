"""Streaming and resume (``voicelens.batch``), with the dependency-free fake backend."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import voicelens as vl
from voicelens.backends.fake import FakeBackend
from voicelens.batch import analyze_file
from voicelens.errors import OutputInUseError, ResumeMismatchError
from voicelens.io import read_table, write_table

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "testimonials.csv"
WORDS = ("my pain is gone the staff were kind it still hurts every day I can walk again "
         "no hope left great care waiting was long thank you").split()


def synthetic_csv(path: Path, n: int, seed: int = 0) -> Path:
    """``n`` rows of id, clinic, text; every 97th text missing, some blank."""
    rng = np.random.default_rng(seed)
    texts = [" ".join(rng.choice(WORDS, rng.integers(2, 20))) + ". " + " ".join(rng.choice(WORDS, 4))
             for _ in range(n)]
    frame = pd.DataFrame({"id": np.arange(n), "clinic": rng.choice(["Northgate", "Riverside", "Hilltop"], n),
                          "text": texts})
    frame.loc[::97, "text"] = None
    frame.loc[5::113, "text"] = "   "
    frame.to_csv(path, index=False)
    return path


def one_shot(path: Path, out: Path, by=None, fmt: str = "csv", **kwargs) -> tuple[Path, pd.DataFrame]:
    """The reference: read the whole file, analyse it in one call, write it as the old CLI did."""
    result = vl.Analyzer(backend="fake", show_progress_bar=False).analyze(read_table(path), "text", **kwargs)
    out.mkdir(parents=True, exist_ok=True)
    return write_table(result.responses, out / f"responses.{fmt}"), result.summary(by=by)


def fake() -> vl.Analyzer:
    return vl.Analyzer(backend="fake", show_progress_bar=False)


@pytest.mark.parametrize("chunksize", [1, 7, 34, 1000])
def test_chunked_csv_is_byte_identical_to_one_shot(tmp_path, chunksize):
    summary = analyze_file(EXAMPLE, tmp_path / "s", analyzer=fake(), text_column="text", by="clinic",
                           chunksize=chunksize)
    reference, ref_summary = one_shot(EXAMPLE, tmp_path / "r", by="clinic")
    assert (tmp_path / "s" / "responses.csv").read_bytes() == reference.read_bytes()
    pd.testing.assert_frame_equal(summary, ref_summary)
    assert pd.read_csv(tmp_path / "s" / "summary.csv").shape == ref_summary.shape
    assert summary.attrs["n_rows"] == 34 and summary.attrs["chunks_reused"] == 0
    assert not (tmp_path / "s" / "parts").exists()
    assert json.loads((tmp_path / "s" / "manifest.json").read_text())["state"] == "complete"


def test_rows_keep_order_status_and_index_across_chunks(tmp_path):
    data = synthetic_csv(tmp_path / "in.csv", 1000)
    analyze_file(data, tmp_path / "out", analyzer=fake(), text_column="text", chunksize=64,
                 output_format="parquet")
    streamed = pd.read_parquet(tmp_path / "out" / "responses.parquet")
    reference = fake().analyze(read_table(data), "text").responses
    assert list(streamed["id"]) == list(range(1000))
    pd.testing.assert_frame_equal(streamed, reference.reset_index(drop=True))
    assert (streamed["status"] == "missing").sum() == len(range(0, 1000, 97))
    assert (streamed["status"] == "whitespace").sum() > 0


def test_question_column_and_summary_by_two_keys(tmp_path):
    frame = read_table(EXAMPLE)
    frame["question"] = np.where(frame.index % 2 == 0, "What was good?", "What could we do better?")
    data = write_table(frame, tmp_path / "in.parquet")
    summary = analyze_file(data, tmp_path / "out", analyzer=fake(), text_column="text",
                           question_column="question", by=["clinic", "treatment"], chunksize=5)
    result = fake().analyze(frame, "text", question_column="question")
    pd.testing.assert_frame_equal(summary, result.summary(by=["clinic", "treatment"]))
    assert (tmp_path / "out" / "responses.csv").read_bytes() == \
        write_table(result.responses, tmp_path / "ref.csv").read_bytes()


def test_jsonl_records_with_different_keys_and_mixed_types(tmp_path):
    records = [{"id": 1, "text": "great care", "score": 5},
               {"id": 2, "text": "still in pain", "ward": "A1", "score": "n/a"},
               {"id": 3, "score": "4"},                                # a chunk without any text key
               {"id": 4, "text": "I can walk again", "ward": "B2", "bed": 7},    # a key seen late
               {"id": 5, "text": None, "score": 2, "ward": "A1"}]
    data = tmp_path / "in.jsonl"
    data.write_text("\n".join(json.dumps(r) for r in records) + "\n", encoding="utf-8")
    summary = analyze_file(data, tmp_path / "out", analyzer=fake(), text_column="text", by="ward", chunksize=2)
    reference, ref_summary = one_shot(data, tmp_path / "ref", by="ward")
    assert (tmp_path / "out" / "responses.csv").read_bytes() == reference.read_bytes()
    pd.testing.assert_frame_equal(summary, ref_summary, check_dtype=False)
    analyze_file(data, tmp_path / "pq", analyzer=fake(), text_column="text", chunksize=2,
                 output_format="parquet")
    streamed = pd.read_parquet(tmp_path / "pq" / "responses.parquet")
    assert list(streamed.columns[:5]) == ["id", "text", "score", "ward", "bed"]
    assert list(streamed["status"]) == ["ok", "ok", "missing", "ok", "missing"]
    assert list(streamed["score"].fillna("-")) == ["5", "n/a", "4", "-", "2"]
    assert list(summary["ward"].fillna("-")) == ["A1", "B2", "-"]


def test_empty_input_keeps_columns(tmp_path):
    data = tmp_path / "in.csv"
    data.write_text("id,text\n", encoding="utf-8")
    summary = analyze_file(data, tmp_path / "out", analyzer=fake(), text_column="text")
    written = pd.read_csv(tmp_path / "out" / "responses.csv")
    assert len(written) == 0 and list(written.columns[:3]) == ["id", "text", "sentiment"]
    assert summary.loc[0, "n"] == 0


def test_missing_column_is_refused_before_writing_anything(tmp_path):
    with pytest.raises(vl.ColumnNotFoundError, match="text_column 'comment' not found"):
        analyze_file(EXAMPLE, tmp_path / "out", analyzer=fake(), text_column="comment")
    with pytest.raises(vl.ColumnNotFoundError, match="by 'ward' not found"):
        analyze_file(EXAMPLE, tmp_path / "out", analyzer=fake(), text_column="text", by="ward")
    assert not (tmp_path / "out").exists()


class FlakyBackend(FakeBackend):
    """The fake backend, failing on its ``_fail_on``-th call (private: not part of the fingerprint)."""

    _fail_on: int | None = None
    _calls = 0

    def score(self, batch, themes, **kwargs):
        self._calls += 1
        if self._fail_on is not None and self._calls >= self._fail_on:
            raise RuntimeError("simulated crash")
        return super().score(batch, themes, **kwargs)


def crash_after(data: Path, out: Path, chunks_done: int, **kwargs) -> FlakyBackend:
    backend = FlakyBackend()
    backend._fail_on = chunks_done + 1
    with pytest.raises(RuntimeError, match="simulated crash"):
        analyze_file(data, out, analyzer=vl.Analyzer(backend, show_progress_bar=False), text_column="text",
                     **kwargs)
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["state"] == "running" and len(manifest["chunks_done"]) == chunks_done
    return backend


def test_resume_reuses_done_chunks_and_writes_the_same_output(tmp_path):
    data = synthetic_csv(tmp_path / "in.csv", 500)
    backend = crash_after(data, tmp_path / "out", 3, chunksize=50, by="clinic")
    backend._fail_on, backend._calls = None, 0
    summary = analyze_file(data, tmp_path / "out", analyzer=vl.Analyzer(backend), text_column="text",
                           chunksize=50, by="clinic", show_progress_bar=False)
    assert summary.attrs["chunks_reused"] == 3
    assert backend._calls == 10 - 3  # only the chunks not done before
    full = analyze_file(data, tmp_path / "full", analyzer=fake(), text_column="text", chunksize=50, by="clinic")
    for name in ("responses.csv", "summary.csv"):
        assert (tmp_path / "out" / name).read_bytes() == (tmp_path / "full" / name).read_bytes()
    pd.testing.assert_frame_equal(summary, full)


def test_resume_may_change_grouping_and_output_format(tmp_path):
    data = synthetic_csv(tmp_path / "in.csv", 300)
    backend = crash_after(data, tmp_path / "out", 2, chunksize=100)
    backend._fail_on = None
    summary = analyze_file(data, tmp_path / "out", analyzer=vl.Analyzer(backend), text_column="text",
                           chunksize=100, by="clinic", output_format="parquet")
    assert summary.attrs["chunks_reused"] == 2
    assert len(pd.read_parquet(tmp_path / "out" / "responses.parquet")) == 300


@pytest.mark.parametrize("change", ["input", "chunksize", "question", "themes", "backend"])
def test_resume_with_other_input_or_settings_is_refused(tmp_path, change):
    data = synthetic_csv(tmp_path / "in.csv", 300)
    backend = crash_after(data, tmp_path / "out", 1, chunksize=100)
    backend._fail_on = None
    kwargs = {"analyzer": vl.Analyzer(backend), "text_column": "text", "chunksize": 100}
    if change == "input":
        synthetic_csv(data, 300, seed=1)
    elif change == "chunksize":
        kwargs["chunksize"] = 50
    elif change == "question":
        kwargs["question"] = "What was good?"
    elif change == "themes":
        kwargs["analyzer"] = vl.Analyzer(backend, themes="patient_experience")
    else:
        kwargs["analyzer"] = vl.Analyzer(backend="lexicon")
    with pytest.raises(ResumeMismatchError) as info:
        analyze_file(data, tmp_path / "out", **kwargs)
    expected = {"input": "input file", "chunksize": "chunksize", "question": "columns",
                "themes": "themes", "backend": "backend"}[change]
    assert info.value.differences == [expected] and "--no-resume" in str(info.value)
    if change != "backend":  # the lexicon backend needs nltk data; the fingerprint check is what matters
        summary = analyze_file(data, tmp_path / "out", resume=False, **kwargs)
        assert summary.attrs["chunks_reused"] == 0 and summary.attrs["n_rows"] == 300


def test_a_finished_run_is_simply_replaced(tmp_path):
    data = synthetic_csv(tmp_path / "in.csv", 50)
    analyze_file(data, tmp_path / "out", analyzer=fake(), text_column="text", chunksize=10)
    summary = analyze_file(EXAMPLE, tmp_path / "out", analyzer=fake(), text_column="text", chunksize=10)
    assert summary.attrs["n_rows"] == 34 and summary.attrs["chunks_reused"] == 0


def test_a_second_writer_is_refused(tmp_path):
    fcntl = pytest.importorskip("fcntl")
    out = tmp_path / "out"
    out.mkdir()
    with open(out / ".lock", "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        with pytest.raises(OutputInUseError, match="another voicelens run"):
            analyze_file(EXAMPLE, out, analyzer=fake(), text_column="text")


def test_bad_arguments(tmp_path):
    with pytest.raises(ValueError, match="chunksize must be a positive integer"):
        analyze_file(EXAMPLE, tmp_path, analyzer=fake(), text_column="text", chunksize=0)
    with pytest.raises(ValueError, match="output_format must be"):
        analyze_file(EXAMPLE, tmp_path, analyzer=fake(), text_column="text", output_format="xlsx")


# -- a real process, killed with SIGKILL ------------------------------------------------


def _cli(data: Path, out: Path, chunksize: int) -> list[str]:
    return [sys.executable, "-m", "voicelens.cli", "analyze", str(data), "--text-column", "text",
            "--by", "clinic", "--out", str(out), "--backend", "fake", "--chunksize", str(chunksize), "-q"]


def _kill_when(process: subprocess.Popen, out: Path, parts: int, timeout: float = 120) -> int:
    """SIGKILL ``process`` once ``out/parts`` holds at least ``parts`` files; return how many it held."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        folder = out / "parts"
        done = len(list(folder.glob("part-*.parquet"))) if folder.is_dir() else 0
        if done >= parts or process.poll() is not None:
            break
        time.sleep(0.005)
    process.send_signal(signal.SIGKILL)
    process.wait()
    assert process.returncode == -signal.SIGKILL, "the run finished before it could be killed"
    return done


def test_cli_killed_twice_resumes_to_identical_output(tmp_path):
    data = synthetic_csv(tmp_path / "in.csv", 20_000)
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    out = tmp_path / "killed"
    first = _kill_when(subprocess.Popen(_cli(data, out, 200), env=env, stdout=subprocess.DEVNULL,
                                        stderr=subprocess.DEVNULL), out, parts=5)
    second = _kill_when(subprocess.Popen(_cli(data, out, 200), env=env, stdout=subprocess.DEVNULL,
                                         stderr=subprocess.DEVNULL), out, parts=first + 20)
    assert 5 <= first < second < 100
    assert not (out / "responses.csv").exists()
    resumed = subprocess.run(_cli(data, out, 200), env=env, capture_output=True, text=True, timeout=300)
    assert resumed.returncode == 0, resumed.stderr
    assert "resumed" in resumed.stderr
    clean = subprocess.run(_cli(data, tmp_path / "clean", 200), env=env, capture_output=True, timeout=300)
    assert clean.returncode == 0
    for name in ("responses.csv", "summary.csv"):
        assert (out / name).read_bytes() == (tmp_path / "clean" / name).read_bytes()
    ids = pd.read_csv(out / "responses.csv", usecols=["id"])["id"]
    assert list(ids) == list(range(20_000))  # nothing lost, nothing duplicated


# -- memory stays flat in the number of rows ----------------------------------------------------

_MAXRSS = ("import resource, subprocess, sys; subprocess.run(sys.argv[1:], check=True, "
           "stdout=subprocess.DEVNULL); print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)")


def peak_rss_kib(command: list[str]) -> int:
    """Peak resident memory (KiB) of ``command``, run in a fresh process of its own."""
    out = subprocess.run([sys.executable, "-c", _MAXRSS, *command], capture_output=True, text=True, check=True)
    return int(out.stdout.strip())


@pytest.mark.slow
def test_a_million_rows_stream_through_the_cli_with_flat_memory(tmp_path):
    small = synthetic_csv(tmp_path / "100k.csv", 100_000)
    big = synthetic_csv(tmp_path / "1m.csv", 1_000_000)
    peak_small = peak_rss_kib(_cli(small, tmp_path / "out_small", 20_000))
    peak_big = peak_rss_kib(_cli(big, tmp_path / "out_big", 20_000))
    assert peak_big <= 1.2 * peak_small, (peak_small, peak_big)
    assert sum(1 for _ in open(tmp_path / "out_big" / "responses.csv", "rb")) == 1_000_001
