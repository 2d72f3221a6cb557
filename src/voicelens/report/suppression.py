"""Small-group protection: which rows of a summary are too small to show.

A group with fewer than ``min_size`` responses with text is *suppressed*: its rates,
intervals and quotes are left out of exports, only its size is shown. When exactly one
row of a breakdown is suppressed, its numbers could be worked out from the total and
the other rows, so the next-smallest row of that breakdown is suppressed too
("complementary" suppression, the usual rule for published tables).

>>> sizes = pd.DataFrame({"clinic": ["A", "B", "C"], "n_text": [3, 40, 12]})
>>> flag_small_groups(sizes, ["clinic"], min_size=5)[["clinic", "suppressed", "suppression"]]
  clinic  suppressed    suppression
0      A        True    small_group
1      B       False           <NA>
2      C        True  complementary
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

#: Default minimum number of responses with text for a group to be shown.
DEFAULT_MIN_SIZE = 5


def check_min_size(min_size: object) -> int:
    """``min_size`` as an int >= 0 (0 and 1 switch suppression off)."""
    if isinstance(min_size, bool) or not isinstance(min_size, int) or min_size < 0:
        raise ValueError(f"min_size must be a whole number >= 0 (0 turns suppression off); got {min_size!r}")
    return min_size


def flag_small_groups(table: pd.DataFrame, keys: Sequence[str], min_size: int = DEFAULT_MIN_SIZE,
                      size_column: str = "n_text") -> pd.DataFrame:
    """A copy of ``table`` with ``suppressed`` (bool) and ``suppression`` (``small_group``,
    ``complementary`` or NA) columns. ``keys`` are the columns that make up a row's group."""
    min_size = check_min_size(min_size)
    out = table.copy()
    small = out[size_column] < min_size
    reason = pd.Series(pd.NA, index=out.index, dtype="string")
    reason[small] = "small_group"
    keys = list(keys)
    changed = bool(keys) and min_size > 1
    while changed:
        changed = False
        for key in keys:
            others = [k for k in keys if k != key]
            slices = out.groupby(others, dropna=False, sort=False).groups.values() if others else [out.index]
            for rows in slices:
                hidden = reason[rows].notna()
                if len(rows) > 1 and hidden.sum() == 1:
                    shown = out.loc[rows][~hidden.to_numpy()]
                    smallest = shown[size_column].idxmin()
                    reason[smallest] = "complementary"
                    changed = True
    out["suppressed"] = reason.notna().to_numpy()
    out["suppression"] = reason
    return out


def mask_suppressed(table: pd.DataFrame, keep: Sequence[str]) -> pd.DataFrame:
    """Blank (NaN/NA) every column not in ``keep`` on suppressed rows."""
    out = table.copy()
    shown = ~out["suppressed"].to_numpy(dtype=bool)
    for col in out.columns:
        if col not in keep and col not in ("suppressed", "suppression"):
            out[col] = out[col].where(shown)
    return out
