"""The example Streamlit dashboard: its script runs without error (Streamlit's AppTest),
and ``streamlit run`` serves the page and the health endpoint. Skipped without streamlit
(it lives in the separate ``dashboard`` extra)."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pandas as pd
import pytest

import voicelens as vl

ROOT = Path(__file__).resolve().parents[1]
APP = ROOT / "examples" / "dashboard_streamlit.py"

pytest.importorskip("streamlit", reason="the dashboard needs the 'dashboard' extra (streamlit)")
pytest.importorskip("plotly", reason="the dashboard needs plotly")


@pytest.fixture(scope="module")
def results(tmp_path_factory) -> Path:
    from voicelens.io import write_table

    res = vl.Analyzer(backend="fake", show_progress_bar=False).analyze(
        pd.read_csv(ROOT / "examples" / "testimonials.csv"), text_column="text")
    folder = tmp_path_factory.mktemp("dash")
    write_table(res.responses, folder / "responses.csv")
    return folder


def test_dashboard_script_runs_and_filters(results, monkeypatch):
    from streamlit.testing.v1 import AppTest

    monkeypatch.setenv("VOICELENS_RESULTS", str(results))
    monkeypatch.setattr(sys, "argv", ["dashboard_streamlit.py"])
    at = AppTest.from_file(str(APP), default_timeout=120).run()
    assert not at.exception, at.exception
    assert at.title[0].value == "Patient outcomes"
    assert at.sidebar.selectbox[0].value == "clinic"           # group filter
    assert at.sidebar.selectbox[1].value == "month"            # date filter
    assert [m.label for m in at.metric][0] == "Responses with text"
    at.sidebar.multiselect[0].set_value(["Hillcrest", "Northgate"]).run()
    assert not at.exception, at.exception
    assert at.metric[0].value == "20"
    at.sidebar.number_input[0].set_value(50).run()              # every group now too small
    assert not at.exception, at.exception
    assert at.metric[1].value == "suppressed"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url: str) -> tuple[int, str]:
    with urllib.request.urlopen(url, timeout=5) as r:
        return r.status, r.read().decode("utf-8", "replace")


def test_streamlit_serves_the_dashboard(results):
    port = _free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(APP), "--server.headless", "true",
         "--server.port", str(port), "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false",
         "--global.developmentMode", "false", "--", str(results)],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, cwd=ROOT)
    try:
        deadline = time.time() + 90
        health = None
        while time.time() < deadline and proc.poll() is None:
            try:
                health = _get(f"http://127.0.0.1:{port}/_stcore/health")
                break
            except OSError:
                time.sleep(0.5)
        assert health == (200, "ok"), proc.stdout.read().decode() if proc.poll() is not None else health
        status, page = _get(f"http://127.0.0.1:{port}/")
        assert status == 200 and "<div id=\"root\">" in page.replace("'", '"')
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
