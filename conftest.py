"""Doctest namespace: the docstring examples of ``voicelens`` run on a small result
scored by the keyword ``fake`` backend (no model); ``tmp_path`` is a scratch folder."""

from __future__ import annotations

import pandas as pd
import pytest


@pytest.fixture(autouse=True)
def _doctest_namespace(doctest_namespace, tmp_path):
    import voicelens as vl

    df = pd.DataFrame({
        "text": ["My pain is gone, thank you", "My back pain is still bad", "I can walk again",
                 "Staff were kind and I have hope again", "Still no relief", "Great care, pain better"] * 2,
        "clinic": ["North"] * 6 + ["South"] * 6,
        "month": ["2026-01-05", "2026-01-20", "2026-02-03", "2026-02-14", "2026-03-01", "2026-03-09"] * 2,
    })
    doctest_namespace.update(vl=vl, pd=pd, df=df, tmp_path=tmp_path, res=vl.Analyzer(backend="fake").analyze(df))
