"""The public calls of :mod:`mutrec.columnar`; pyarrow is imported inside them."""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Final

from mutrec._checks import require
from mutrec.errors import ArgumentError, MissingDependencyError
from mutrec.files.columns import CHECK_COLUMNS
from mutrec.policy import Policy

__all__ = ["COLUMNS", "OUTPUT_COLUMNS", "evaluate_batches", "evaluate_parquet", "evaluate_table"]

COLUMNS: Final = CHECK_COLUMNS
"""The input columns read (``mutrec check``'s); others are ignored.

>>> {"item", "value", "collected", "issuer", "patient", "at"} <= COLUMNS
True
"""

OUTPUT_COLUMNS: Final = (
    "outcome", "reason", "codes", "expires_at", "program", "catalogue_version",
    "policy_version", "item_code", "value", "unit", "error",
)  # fmt: skip
"""The output columns, in order.

>>> OUTPUT_COLUMNS[:3]
('outcome', 'reason', 'codes')
"""

_BATCH: Final = 65_536


def _arrow(feature: str) -> Any:
    try:
        import pyarrow as pa
    except ImportError:
        package, extra = "pyarrow", "arrow"
        raise MissingDependencyError(package, extra, feature=feature) from None
    return pa


def _checked(policy: object, receiver: object, at: object) -> tuple[str | None, datetime | None]:
    require("policy", policy, Policy, "a Policy")
    if receiver is not None:
        require("receiver", receiver, str, "text or None")
    return receiver, fixed_instant(at)  # type: ignore[return-value]  # checked above


def fixed_instant(value: object) -> datetime | None:
    """*value* (an aware datetime, or ``None``) at its fixed UTC offset, checked as evaluate's.

    Raises:
        mutrec.errors.MutrecError: *value* is not an aware datetime the policy can compute with.
    """
    if value is None:
        return None
    from mutrec.policy._defaults import normalised

    fixed = normalised(value)  # type: ignore[arg-type]  # it checks the type
    if type(fixed.tzinfo) is not timezone:
        fixed = fixed.replace(tzinfo=timezone(fixed.utcoffset()))  # type: ignore[arg-type]
    return fixed


def _decide(
    policy: Policy, batches: Iterable[Any], receiver: str | None, at: datetime | None
) -> Iterator[tuple[Any, int]]:
    from mutrec.columnar._engine import evaluate_batch
    from mutrec.columnar._memo import Memo

    memo = Memo()  # what one batch works out serves the next ones
    for batch in batches:
        yield evaluate_batch(policy, batch, receiver, at, memo)


def _metadata(rows: int, fallback: int) -> dict[bytes, bytes]:
    return {b"mutrec.rows": str(rows).encode(), b"mutrec.fallback_rows": str(fallback).encode()}


def evaluate_table(
    policy: Policy, table: Any, *, receiver: str | None = None, at: datetime | None = None
) -> Any:
    """Decide every row of *table* (a ``pyarrow.Table`` or ``RecordBatch``): an Arrow table.

    Args:
        policy: The policy to decide under.
        table: The rows, in ``COLUMNS``.
        receiver: The receiving institution of rows without a ``receiver`` cell.
        at: The instant of decision of rows without an ``at`` cell (aware).

    Returns:
        A ``pyarrow.Table`` of ``OUTPUT_COLUMNS``, one row per input row, in order; its
        schema metadata counts the rows (``mutrec.rows``) and those decided one by one
        (``mutrec.fallback_rows``).

    Raises:
        mutrec.errors.MissingDependencyError: pyarrow is not installed (the ``arrow`` extra).
        mutrec.errors.ArgumentError: An argument is not of its type.

    >>> import pyarrow as pa
    >>> from datetime import datetime, timezone
    >>> from mutrec import Policy
    >>> from mutrec.files import load_example_region
    >>> policy = Policy.from_region(load_example_region())
    >>> cst = timezone.utc
    >>> rows = pa.table({"item": ["K"], "value": [4.1], "unit": ["mmol/L"],
    ...     "specimen": ["serum"], "issuer": ["BJ001"], "patient": ["P1"],
    ...     "collected": pa.array([datetime(2024, 3, 1, tzinfo=cst)], pa.timestamp("us", "UTC")),
    ...     "reported": pa.array([datetime(2024, 3, 1, 6, tzinfo=cst)], pa.timestamp("us", "UTC"))})
    >>> out = evaluate_table(policy, rows, receiver="BJ003", at=datetime(2024, 3, 3, tzinfo=cst))
    >>> out.column("outcome").to_pylist(), out.column("expires_at")[0].as_py().isoformat()
    (['recognised'], '2024-03-08T06:00:00+00:00')
    """
    pa = _arrow("evaluate_table")
    the_receiver, the_at = _checked(policy, receiver, at)
    if isinstance(table, pa.RecordBatch):
        batches: list[Any] = [table]
    elif isinstance(table, pa.Table):
        batches = table.to_batches(max_chunksize=_BATCH)
    else:
        name, expected = "table", "a pyarrow Table or RecordBatch"
        raise ArgumentError(name, table, expected)
    from mutrec.columnar._engine import OUTPUT_SCHEMA

    done = list(_decide(policy, batches, the_receiver, the_at))
    rows = sum(b.num_rows for b, _ in done)
    schema = OUTPUT_SCHEMA.with_metadata(_metadata(rows, sum(f for _, f in done)))
    return pa.Table.from_batches([b for b, _ in done], schema=schema)


def evaluate_batches(
    policy: Policy,
    batches: Iterable[Any],
    *,
    receiver: str | None = None,
    at: datetime | None = None,
) -> Iterator[Any]:
    """Decide record batches one by one, lazily: a ``RecordBatch`` of decisions for each.

    Each output batch's schema metadata counts its rows, as :func:`evaluate_table`'s does.

    >>> import pyarrow as pa
    >>> from mutrec import Policy
    >>> batch = pa.record_batch({"item": ["K"]})
    >>> [out] = evaluate_batches(Policy([]), [batch])
    >>> out.column("error")[0].as_py()
    "ResultError: result field 'value' = None: is required"
    """
    pa = _arrow("evaluate_batches")
    the_receiver, the_at = _checked(policy, receiver, at)
    for batch, fallback in _decide(policy, batches, the_receiver, the_at):
        meta = _metadata(batch.num_rows, fallback)
        yield pa.RecordBatch.from_arrays(batch.columns, schema=batch.schema.with_metadata(meta))


def evaluate_parquet(  # noqa: PLR0913 (keyword options, each needed)
    policy: Policy,
    source: str | Path,
    target: str | Path,
    *,
    receiver: str | None = None,
    at: datetime | None = None,
    batch_rows: int = _BATCH,
) -> dict[str, int]:
    """Decide a Parquet or CSV file (by its suffix) into a Parquet file, batch by batch.

    Memory stays flat in the number of rows: one batch of *batch_rows* rows is read, decided
    and written at a time. The file's columns are ``COLUMNS``.

    Returns:
        ``{"rows": …, "fallback_rows": …}``.

    >>> import tempfile, pathlib
    >>> import pyarrow as pa, pyarrow.parquet as pq
    >>> from mutrec import Policy
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> pq.write_table(pa.table({"item": ["K"]}), folder / "in.parquet")
    >>> evaluate_parquet(Policy([]), folder / "in.parquet", folder / "out.parquet")
    {'rows': 1, 'fallback_rows': 1}
    """
    pa = _arrow("evaluate_parquet")
    import pyarrow.parquet as pq

    the_receiver, the_at = _checked(policy, receiver, at)
    require("batch_rows", batch_rows, int, "a positive int", allow_bool=False)
    if batch_rows <= 0:
        name, expected = "batch_rows", "a positive int"
        raise ArgumentError(name, batch_rows, expected)
    path = os.fspath(source)
    if path.lower().endswith(".csv"):
        import pyarrow.csv as pcsv

        # Every column as text, as mutrec check reads it (a value "4.10" stays as printed).
        head = pcsv.open_csv(path, read_options=pcsv.ReadOptions(block_size=1 << 20))
        names = head.schema.names
        head.close()
        options = pcsv.ConvertOptions(column_types=dict.fromkeys(names, pa.string()))
        reader: Iterable[Any] = pcsv.open_csv(path, convert_options=options)
    else:
        # Without pre-buffering: pre-buffered reads keep every row group read so far (peak
        # memory then grows with the file: ~30 MiB a million rows here).
        source_file = pq.ParquetFile(path, pre_buffer=False, buffer_size=1 << 20)
        reader = source_file.iter_batches(batch_size=batch_rows)
    from mutrec.columnar._engine import OUTPUT_SCHEMA

    rows = fallback = 0
    with pq.ParquetWriter(os.fspath(target), OUTPUT_SCHEMA) as writer:
        for batch, slow in _decide(policy, reader, the_receiver, the_at):
            writer.write_batch(batch)
            rows += batch.num_rows
            fallback += slow
        writer.add_key_value_metadata(
            {"mutrec.rows": str(rows), "mutrec.fallback_rows": str(fallback)}
        )
    return {"rows": rows, "fallback_rows": fallback}
