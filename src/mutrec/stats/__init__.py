"""Recognition statistics regulators ask for: 互认率, savings, and reasons for non-recognition.

Pure functions over decisions (a :class:`~mutrec.policy.Batch`, or any iterable of
:class:`~mutrec.policy.Decision` where ``None`` marks a row that could not be decided):

- 互认率 = results recognised ÷ prior results brought [domain.md §6], overall (:func:`rate`),
  per item, receiving institution, program or catalogue category (:func:`rates_by`), and per
  report (份, :func:`report_rate`). Every :class:`Rate` keeps the three outcomes apart:
  ``recognised`` (fully: no repeat needed), ``with_caution`` (the receiving doctor decides, so
  the test may still be repeated) and ``not_recognised``. ``Rate.rate`` counts the fully
  recognised only; ``Rate.rate_with_caution`` counts both. Rows that could not be decided are
  not priors that were assessed; :class:`Summary` counts them apart as ``undecided``.
- Savings = summed fees of the tests not repeated, split by DR / CT / MR / lab
  (:class:`~mutrec.model.FeeBucket`), from decisions and a fee schedule, or from an order check
  (:func:`savings`). Only fully recognised results count as saved; those recognised with
  caution are a separate figure, ``Savings.possible``.
- Reasons for non-recognition, counted by code (:func:`reason_counts`).

:func:`summarise` gathers them all; :func:`to_dataframe` hands decisions to pandas.
:func:`audit_stats` reads what ``mutrec serve`` recorded (look-ups, reminders, adoptions,
overrides by ground) from its audit store.

On columnar decisions (Arrow tables; the ``arrow`` extra): the weekly report (一周一报) per
region, institution, level, item and week (:func:`weekly_report`), refusal reasons
(:func:`reasons_table`) and overrides by ground (:func:`overrides_table`), as PNG charts
(:func:`weekly_charts`, the ``plot`` extra) and an HTML page (:func:`weekly_html`); and what
changes when the same history is decided under another policy (:func:`what_if`).

>>> from mutrec.stats import Rate
>>> print(Rate(6, 9))
6/9 (66.7%)
>>> print(Rate(4, 9, with_caution=2))
4/9 (44.4%); with caution 6/9 (66.7%)
"""

from __future__ import annotations

# MissingDependencyError lives in mutrec.errors; it stays importable from here, where it was.
from mutrec.errors import MissingDependencyError
from mutrec.stats._audit import AuditFigures, AuditKey, audit_stats
from mutrec.stats._compute import (
    Decisions,
    GroupKey,
    rate,
    rates_by,
    reason_counts,
    report_rate,
    savings,
    summarise,
)
from mutrec.stats._frame import to_dataframe
from mutrec.stats._report import chart_language, weekly_charts, weekly_html
from mutrec.stats._tables import fee_table, overrides_table, reasons_table, weekly_report
from mutrec.stats._values import Group, Rate, ReasonCount, Savings, Summary
from mutrec.stats._whatif import WhatIf, what_if

__all__ = [
    "AuditFigures",
    "AuditKey",
    "Decisions",
    "Group",
    "GroupKey",
    "MissingDependencyError",
    "Rate",
    "ReasonCount",
    "Savings",
    "Summary",
    "WhatIf",
    "audit_stats",
    "chart_language",
    "fee_table",
    "overrides_table",
    "rate",
    "rates_by",
    "reason_counts",
    "reasons_table",
    "report_rate",
    "savings",
    "summarise",
    "to_dataframe",
    "weekly_charts",
    "weekly_html",
    "weekly_report",
    "what_if",
]
