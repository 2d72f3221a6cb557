"""Reading and writing response tables and survey-platform exports.

>>> from voicelens.io import read_table, read_survey   # doctest: +SKIP
>>> df = read_survey("qualtrics_export.csv")            # doctest: +SKIP
"""

from __future__ import annotations

from voicelens.io.readers import FORMATS, count_rows, iter_table_chunks, read_table, require_columns
from voicelens.io.surveys import detect_survey_platform, read_survey
from voicelens.io.writers import write_table

__all__ = [
    "FORMATS",
    "count_rows",
    "detect_survey_platform",
    "iter_table_chunks",
    "read_survey",
    "read_table",
    "require_columns",
    "write_table",
]
