"""Exports for people who read charts and quotes: tidy tables, versioned JSON,
small-group suppression, redacted representative quotes, charts and an HTML report.

>>> from voicelens.report import redact
>>> redact("Nurse Jenny rang me on 07700 900123").text
'Nurse [NAME] rang me on [PHONE]'

Charts and the HTML report need the ``report`` extra (``pip install 'voicelens[report]'``);
the rest needs nothing beyond voicelens. Nothing heavy is imported here.
"""

from __future__ import annotations

from .load import read_results
from .quotes import representative_quotes
from .redaction import Redaction, Redactor, redact
from ..summary import DEFAULT_MIN_SIZE, flag_small_groups
from .tidy import tidy_summary

__all__ = [
    "DEFAULT_MIN_SIZE",
    "Redaction",
    "Redactor",
    "flag_small_groups",
    "read_results",
    "redact",
    "representative_quotes",
    "tidy_summary",
    "write_report",
]


def __getattr__(name: str):
    if name in {"write_report", "render_report"}:
        from . import html

        return getattr(html, name)
    raise AttributeError(f"module 'voicelens.report' has no attribute {name!r}")
