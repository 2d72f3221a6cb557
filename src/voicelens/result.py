"""The object ``Analyzer.analyze`` returns."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from .summary import summarise


@dataclass
class AnalysisResult:
    """Per-response results plus what is needed to summarise them.

    ``responses`` has one row per input row, in input order and with the input
    index; grouping columns of a DataFrame input are kept beside the results.
    """

    responses: pd.DataFrame
    themes: list[str]
    metadata: dict[str, Any] = field(default_factory=dict)

    def summary(self, by: str | Sequence[str] | None = None) -> pd.DataFrame:
        """Outcome summary: one row overall, or one per value of ``by``.

        >>> import voicelens as vl                                # doctest: +SKIP
        >>> vl.Analyzer().analyze(["My pain is gone"]).summary()  # doctest: +SKIP
        """
        return summarise(self.responses, self.themes, by=by)

    def __len__(self) -> int:
        return len(self.responses)

    def __repr__(self) -> str:
        counts = self.responses["status"].value_counts().to_dict()
        return f"AnalysisResult(n={len(self.responses)}, themes={self.themes}, status={counts})"
