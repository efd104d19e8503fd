"""A synthetic province: prior results at any size, seeded, into Parquet (``mutrec synth``).

Needs the ``arrow`` extra (pyarrow) and numpy: ``python -m pip install "mutrec[arrow,numpy]"``.

What is generated, and how (every share and distribution below is a parameter of the code,
chosen to look like a regional platform's traffic, not measured from one):

- **Institutions** are the example region's twelve (:func:`province` says why), weighted by
  level: a 三级 hospital issues and receives 2× a 二级 one, 4× a 一级 one, 8× an unrated lab.
  Four receivers in five are in the issuer's province.
- **Items**: 80 % lab rows from the 京津冀鲁 catalogue (chemistry and blood cells 3× the
  others), 20 % imaging rows from the Beijing imaging catalogue (CT, MR, DR, US).
- **Patients**: ids drawn from a pool of four per row, so a patient brings several results;
  about three consecutive results share a report (份): ``result_id`` is ``R<report>-<row>``.
- **Instants**: the visit (``at``) uniform over the period; the prior reported before it by
  the revisit interval, a mix of a transfer within days (25 %, gamma, mean 2 days, setting
  ``inpatient``), an outpatient follow-up in weeks (65 %, lognormal, median 14 days) and an
  emergency within hours (10 %, gamma, mean 12 h); collected about 6 h before its report
  (lognormal). One report in fifty is written in UTC (``Z``), the rest with ``+08:00``.
- **Values** in the catalogue unit around adult reference intervals (WS/T 404/405);
  qualitative items read 阴性 / 阳性; 0.5 % of numeric values are text (``4,1``, ``见报告``,
  ``NaN``, ``溶血``) and 1 % of specimens are another (``urine``): never guessed, so refused.
- **Devices**: CT detector rows 4 / 16 / 64 / 128 / 256 (2 / 18 / 45 / 25 / 10 %), MR
  0.35 / 1.0 / 1.5 / 3.0 T (3 / 5 / 62 / 30 %); 3 % of studies come without an image link.
- **QC**: a share of (laboratory, lab item) pairs fail EQA in 2024-H1 (:func:`province`).

The same seed and sizes give the same rows, and :func:`write_parquet` the same bytes (with the
same pyarrow): batch *n* draws from PCG64 seeded with ``(seed, n)``.

>>> from mutrec.synth import generate
>>> table = generate(1000, seed=7)
>>> table.num_rows, table.column_names[:4]
(1000, ['result_id', 'kind', 'item', 'value'])
>>> generate(1000, seed=7).equals(table)
True
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

from mutrec.errors import ArgumentError
from mutrec.files import Region
from mutrec.synth._decide import DECISION_COLUMNS, annotate, behave, decide_rows
from mutrec.synth._generate import COLUMNS, batches
from mutrec.synth._region import province, with_window, write_region

__all__ = [
    "COLUMNS",
    "DECISION_COLUMNS",
    "annotate",
    "batches",
    "behave",
    "decide_rows",
    "generate",
    "province",
    "with_window",
    "write_parquet",
    "write_region",
]


def generate(  # noqa: PLR0913 (the knobs of a province)
    rows: int,
    *,
    seed: int = 0,
    region: Region | None = None,
    start: date = date(2024, 1, 1),
    days: int = 182,
    lab_share: float = 0.8,
) -> Any:
    """*rows* generated rows as one Arrow table (for small sizes; stream big ones).

    Args:
        rows: How many rows.
        seed: The seed (a whole number ≥ 0).
        region: Whose institutions and catalogues (default: :func:`province` with *seed*).
        start: The first day of the period.
        days: The period's length in days.
        lab_share: The share of lab rows (the rest are imaging).

    Raises:
        ArgumentError: An argument out of range.
        mutrec.errors.MissingDependencyError: pyarrow or numpy is not installed.
    """
    import pyarrow as pa

    chosen = province(seed=seed) if region is None else region
    parts = list(
        batches(rows, region=chosen, seed=seed, start=start, days=days, lab_share=lab_share)
    )
    if not parts:
        schema = pa.schema([(c, pa.string()) for c in COLUMNS])
        return schema.empty_table()
    return pa.Table.from_batches(parts)


def write_parquet(  # noqa: PLR0913 (the knobs of a province)
    path: str | Path,
    rows: int,
    *,
    seed: int = 0,
    region: Region | None = None,
    start: date = date(2024, 1, 1),
    days: int = 182,
    batch_rows: int = 65_536,
) -> int:
    """Stream *rows* generated rows into a Parquet file, batch by batch; return the rows.

    Memory stays flat in *rows*: one batch of *batch_rows* is held at a time (one row group
    each). Compression: zstd.

    Raises:
        ArgumentError: An argument out of range, or *path* not a path.
        mutrec.errors.MissingDependencyError: pyarrow or numpy is not installed.
        OSError: The file cannot be written.
    """
    if not isinstance(path, str | Path):
        msg = "path"
        raise ArgumentError(msg, path, "a file path (str or pathlib.Path)")
    import pyarrow as pa
    import pyarrow.parquet as pq

    chosen = province(seed=seed) if region is None else region
    schema = pa.schema([(c, pa.string()) for c in COLUMNS])
    written = 0
    stream: Iterator[Any] = batches(
        rows, region=chosen, seed=seed, start=start, days=days, batch_rows=batch_rows
    )
    first = next(stream, None)  # the arguments are checked here, before a file is created
    with pq.ParquetWriter(path, schema, compression="zstd") as writer:
        for batch in itertools.chain([] if first is None else [first], stream):
            writer.write_batch(batch, row_group_size=batch_rows)
            written += batch.num_rows
    return written
