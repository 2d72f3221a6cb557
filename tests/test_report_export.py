"""Exports: the versioned JSON validates against its schema and hides small groups; the
HTML report is one self-contained file; ``voicelens report`` works from saved results."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd
import pytest

import voicelens as vl
from voicelens.cli import main

ROOT = Path(__file__).resolve().parents[1]
SCHEMA = ROOT / "docs" / "report.schema.json"
EXAMPLE = ROOT / "examples" / "testimonials.csv"


@pytest.fixture(scope="module")
def res():
    df = pd.read_csv(EXAMPLE)
    extra = pd.DataFrame({"response_id": [90, 91, 92], "clinic": "Lakeside", "treatment": "surgery",
                          "month": "2026-09", "text": ["My pain is gone, thanks Dr Quinlan (q@example.com).",
                                                       "Pain still bad, call me on 07700 900123", "great"]})
    return vl.Analyzer(backend="fake", show_progress_bar=False).analyze(pd.concat([df, extra], ignore_index=True))


def test_json_export_matches_schema_and_suppresses(res, tmp_path):
    jsonschema = pytest.importorskip("jsonschema")
    text = res.to_json(tmp_path / "out.json", by="clinic", time="month")
    doc = json.loads(text)
    assert json.loads((tmp_path / "out.json").read_text(encoding="utf-8")) == doc
    jsonschema.Draft202012Validator(json.loads(SCHEMA.read_text())).validate(doc)
    assert doc["format"] == "voicelens.report" and doc["schema_version"] == "1.0"
    assert doc["settings"] == {"by": ["clinic"], "time": "month", "freq": "M", "min_size": 5, "n_quotes": 3,
                               "redacted": True}
    groups = {g["group"]: g for g in doc["groups"]}
    assert groups["Lakeside"]["suppressed"] and groups["Lakeside"]["n_text"] == 3
    lakeside = [r for r in doc["summary"] if r["group"] == "Lakeside"]
    assert lakeside and all(r["rate"] is None and r["count"] is None for r in lakeside)
    assert all(c["diff"] is None for c in doc["comparisons"] if c["group"] == "Lakeside")
    assert "Lakeside" not in {q["group"] for q in doc["quotes"]}
    assert "Quinlan" not in text and "q@example.com" not in text and "900123" not in text
    assert "NaN" not in text
    overall = [r for r in doc["summary"] if r["group"] == "All responses" and r["theme"] == "hope"]
    assert [r["stance"] for r in overall] == ["positive", "negative", "absent"] and overall[0]["keys"] == {}
    periods = {r["period"] for r in doc["trends"]}
    assert periods == {"2026-07-01", "2026-08-01", "2026-09-01"}


def test_json_export_without_groups(res):
    jsonschema = pytest.importorskip("jsonschema")
    doc = json.loads(res.to_json(min_size=0, n_quotes=1))
    jsonschema.Draft202012Validator(json.loads(SCHEMA.read_text())).validate(doc)
    assert doc["groups"] == [] and doc["comparisons"] == [] and doc["trends"] == []
    assert doc["counts"]["with_text"] == 35
    assert {(q["theme"], q["stance"]) for q in doc["quotes"]} <= {(t, s) for t in res.themes
                                                                   for s in ("positive", "negative")}


@pytest.fixture(scope="module")
def report_html(res, tmp_path_factory) -> str:
    pytest.importorskip("matplotlib", reason="needs the 'report' extra")
    pytest.importorskip("plotly", reason="needs the 'report' extra")
    path = res.report(tmp_path_factory.mktemp("r") / "report.html", by="clinic", time="month",
                      title="Clinic <outcomes>")
    return path.read_text(encoding="utf-8")


def test_html_report_is_self_contained(report_html):
    html = report_html
    # nothing is fetched: no external src/href in the markup (scripts are inline; the
    # browser test checks what they do), and a CSP that forbids network access
    markup = re.sub(r"<script>.*?</script>", "", html, flags=re.S)
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", markup, re.I)
    assert "<script src" not in html
    assert "default-src 'none'" in html and "connect-src 'none'" in html
    assert "<link" not in html and "@import" not in html
    # plotly.js inlined once, four interactive charts, four PNG charts as data URIs
    assert html.count("Plotly.newPlot(") == 4
    assert len(re.findall(r'src="data:image/png;base64,[A-Za-z0-9+/=]{1000,}"', html)) == 4
    assert "Clinic &lt;outcomes&gt;" in html                     # user text is escaped


def test_html_report_content(report_html):
    html = report_html
    for section in ("Key figures", "Summary table", "Groups compared with the rest", "What patients said", "Methods"):
        assert section in html
    assert "fake backend" in html                                # model named in the methods note
    assert "Pain reduction" in html and "Daily function" in html
    assert "Lakeside" in html and "suppressed: too few responses" in html
    assert "Quinlan" not in html and "q@example.com" not in html
    assert "Newcombe" in html and "Wilson" in html
    assert re.search(r"\d+ redactions?", html)


def test_report_without_interactive_charts_is_small(res, tmp_path):
    pytest.importorskip("matplotlib")
    html = res.report(tmp_path / "static.html", charts="static").read_text(encoding="utf-8")
    assert "Plotly" not in html and len(html) < 1_000_000
    with pytest.raises(ValueError, match="charts must be one of"):
        res.report(tmp_path / "x.html", charts="fancy")


def test_report_command_from_saved_results(res, tmp_path, capsys):
    pytest.importorskip("matplotlib")
    pytest.importorskip("plotly")
    from voicelens.io import write_table

    out = tmp_path / "run"
    out.mkdir()
    write_table(res.responses, out / "responses.parquet")
    (out / "metadata.json").write_text(json.dumps(res.metadata), encoding="utf-8")
    code = main(["report", str(out), "-o", str(tmp_path / "report.html"), "--by", "clinic", "--time", "month",
                 "--json", str(tmp_path / "r.json"), "--tidy", str(tmp_path / "tidy.csv"),
                 "--png-dir", str(tmp_path / "png"), "--title", "Q3 outcomes"])
    assert code == 0
    html = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert "Q3 outcomes" in html and "fake backend" in html
    assert json.loads((tmp_path / "r.json").read_text())["settings"]["by"] == ["clinic"]
    assert sorted(p.name for p in (tmp_path / "png").iterdir()) == ["prevalence.png", "sentiment.png",
                                                                     "stance.png", "trend.png"]
    tidy = pd.read_csv(tmp_path / "tidy.csv")
    assert {"group", "theme", "stance", "n", "rate", "ci_low", "ci_high"} <= set(tidy.columns)
    assert "wrote" in capsys.readouterr().err
    assert main(["report", str(out), "--by", "ward"]) == 2
    assert "by 'ward' not found" in capsys.readouterr().err
    assert main(["report", str(out), "--time", "month", "--freq", "fortnight"]) == 2
    assert main(["report", str(tmp_path / "missing")]) == 2
