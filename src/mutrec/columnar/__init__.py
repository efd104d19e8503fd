"""Decide a table of results at once, on Arrow columns (the optional extra ``arrow``).

Install with ``pip install "mutrec[arrow]"`` (it brings `pyarrow <https://arrow.apache.org>`_).
``import mutrec`` never loads pyarrow; these functions load it when called.

The input columns are those of ``mutrec check`` (``COLUMNS``; see ``mutrec check --help``):
``item``, ``value``, ``unit``, ``collected``, ``issuer``, ``patient``, ``receiver``, ``at`` …
Instants are Arrow timestamps with a time zone (fastest) or ISO-8601 text with an offset;
``value`` is a number (float or integer column) or the value as printed (text: ``4.1``,
``>300``, ``阴性``); flags are booleans or ``true``/``false`` text. Columns other than these
are ignored. ``receiver`` and ``at`` may instead be given as arguments, for every row.

The output has one row per input row, in order (see ``OUTPUT_COLUMNS``): ``outcome``,
``reason`` (the first code of the most severe finding), ``codes`` (all codes in rule order),
``expires_at`` (a UTC timestamp: an instant, comparable and sortable in any engine; the
sender's offset is not part of the decision), ``program``, ``catalogue_version``,
``policy_version``, ``item_code``, ``value`` and ``unit`` (the value in the item's unit) and
``error`` (why a row could not be read; the other columns are then null).

The common case (a lab number under one program's item, no grounds) is decided on columns; the
rest row by row by :meth:`~mutrec.policy.Policy.evaluate`, with exactly the same decisions. The
result's schema metadata says how many rows took each path (``mutrec.rows``,
``mutrec.fallback_rows``).

On Spark (the extra ``spark``: ``pip install "mutrec[spark]"``), :func:`evaluate_spark` decides
a DataFrame on the executors, each partition by a :class:`PartitionDecider` running this
engine: the same decisions, with the caller's key columns carried to join them back.
"""

from __future__ import annotations

from mutrec.columnar._api import (
    COLUMNS,
    OUTPUT_COLUMNS,
    evaluate_batches,
    evaluate_parquet,
    evaluate_table,
)
from mutrec.columnar._partition import PartitionDecider
from mutrec.columnar._spark import evaluate_spark

__all__ = [
    "COLUMNS",
    "OUTPUT_COLUMNS",
    "PartitionDecider",
    "evaluate_batches",
    "evaluate_parquet",
    "evaluate_spark",
    "evaluate_table",
]
