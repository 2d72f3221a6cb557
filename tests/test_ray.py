"""``voicelens.ray`` on a local two-CPU Ray instance, with the fake backend."""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd
import pytest

ray = pytest.importorskip("ray", reason="the ray extra is not installed: pip install 'voicelens[ray]'")
pytest.importorskip("ray.data")

import voicelens as vl  # noqa: E402
from voicelens.io import read_table  # noqa: E402
from voicelens.ray import analyze_dataset, summarise_dataset  # noqa: E402

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "testimonials.csv"


@pytest.fixture(scope="module")
def local_ray():
    os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False, configure_logging=False)
    context = ray.data.DataContext.get_current()
    context.enable_progress_bars = False
    yield
    ray.shutdown()


def test_ray_results_equal_single_process(local_ray):
    frame = pd.concat([read_table(EXAMPLE)] * 6, ignore_index=True)
    frame["row"] = range(len(frame))
    frame.loc[::7, "text"] = None
    analyzer = vl.Analyzer(backend="fake")
    blocks = [frame.iloc[i : i + 60] for i in range(0, len(frame), 60)]
    # half a CPU per actor leaves room for Ray's own tasks on a two-CPU instance
    scored = analyze_dataset(ray.data.from_pandas(blocks), analyzer, text_column="text", batch_rows=25,
                             actors=2, num_cpus_per_actor=0.5)
    got = scored.to_pandas().sort_values("row").reset_index(drop=True)
    expected = analyzer.analyze(frame, "text").responses.reset_index(drop=True)
    assert list(got.columns) == list(expected.columns)
    got = got.astype(expected.dtypes.to_dict())  # Ray hands back Arrow-backed dtypes
    pd.testing.assert_frame_equal(got, expected)
    pd.testing.assert_frame_equal(summarise_dataset(scored, analyzer, by="clinic"),
                                  analyzer.analyze(frame, "text").summary(by="clinic"), check_dtype=False)


def test_ray_missing_column_is_refused(local_ray):
    ds = ray.data.from_pandas(read_table(EXAMPLE))
    with pytest.raises(vl.ColumnNotFoundError, match="text_column 'comment' not found"):
        analyze_dataset(ds, vl.Analyzer(backend="fake"), text_column="comment")
