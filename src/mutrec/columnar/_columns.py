"""Column helpers of the columnar engine: masks, dictionary codes, instants, grouping."""

from __future__ import annotations

from collections.abc import Callable, Hashable
from datetime import UTC, datetime, timedelta
from typing import Any, Final

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from mutrec.columnar._rows import FIRST_YEAR, LAST_YEAR

__all__ = [
    "CLEAN", "EPOCH", "Columns", "dense", "encode", "group_rows", "indices_of", "intern_into",
    "mask_of", "micros_of", "plain", "years_of",
]  # fmt: skip

EPOCH: Final = datetime(1970, 1, 1, tzinfo=UTC)
# A text the builder would strip to itself: it starts and ends with a letter, number,
# punctuation or symbol (none of which is whitespace to str.strip).
CLEAN: Final = r"(?s)^[\p{L}\p{N}\p{P}\p{S}](.*[\p{L}\p{N}\p{P}\p{S}])?$"


class Columns:
    """The batch's columns by name (``None``: absent or all null)."""

    def __init__(self, batch: pa.RecordBatch) -> None:
        self.batch = batch
        self.n = batch.num_rows

    def get(self, name: str) -> pa.Array | None:
        index = self.batch.schema.get_field_index(name)
        if index < 0:
            return None
        column = self.batch.column(index)
        return None if column.null_count == self.n else column

    def clean_text(self, name: str, *, required: bool) -> np.ndarray:
        """Rows whose cell is clean text (or absent, unless *required*)."""
        column = self.get(name)
        if column is None:
            return np.full(self.n, not required)
        kind = column.type.value_type if pa.types.is_dictionary(column.type) else column.type
        if not (pa.types.is_string(kind) or pa.types.is_large_string(kind)):
            return np.zeros(self.n, dtype=bool)
        # Each distinct text is matched once, then spread over the rows.
        encoded = column if pa.types.is_dictionary(column.type) else column.dictionary_encode()
        fine = mask_of(pc.match_substring_regex(encoded.dictionary, CLEAN))
        spread: np.ndarray = np.append(fine, not required)[indices_of(encoded)]
        return spread

    def absent(self, name: str) -> np.ndarray:
        column = self.get(name)
        return np.ones(self.n, dtype=bool) if column is None else mask_of(pc.is_null(column))


def plain(column: pa.Array) -> pa.Array:
    """*column* without its dictionary encoding, if it has one."""
    return column.dictionary_decode() if pa.types.is_dictionary(column.type) else column


def mask_of(array: pa.Array | pa.ChunkedArray) -> np.ndarray:
    return np.asarray(
        pc.fill_null(array, fill_value=False).to_numpy(zero_copy_only=False), dtype=bool
    )


def encode(column: pa.Array | None, n: int) -> tuple[np.ndarray, list[Any]]:
    """Dictionary-encode *column*: per-row indices (-1: null) and the distinct values."""
    if column is None:
        return np.full(n, -1, dtype=np.int64), []
    encoded = column.dictionary_encode() if not pa.types.is_dictionary(column.type) else column
    return indices_of(encoded), encoded.dictionary.to_pylist()


def indices_of(encoded: pa.DictionaryArray) -> np.ndarray:
    """The dictionary indices of *encoded* as numpy, -1 for nulls."""
    indices = encoded.indices
    if indices.null_count:
        indices = pc.fill_null(indices.cast(pa.int64()), -1)
    found: np.ndarray = indices.to_numpy().astype(np.int64, copy=False)
    return found


def micros_of(column: pa.Array | None, n: int) -> tuple[np.ndarray, np.ndarray]:
    """UTC microseconds of an instant column, and the rows where that is exact and in range."""
    if column is None:
        return np.zeros(n, dtype=np.int64), np.zeros(n, dtype=bool)
    kind = column.type
    if pa.types.is_timestamp(kind) and kind.tz is not None:
        try:
            as_us = column.cast(pa.timestamp("us", tz="UTC"))
        except pa.ArrowInvalid:  # nanoseconds that datetime cannot hold: the scalar path says
            return np.zeros(n, dtype=np.int64), np.zeros(n, dtype=bool)
        values = pc.fill_null(as_us.cast(pa.int64()), 0).to_numpy()
        ok = mask_of(pc.is_valid(column))
    elif pa.types.is_string(kind) or pa.types.is_large_string(kind):
        values = np.zeros(n, dtype=np.int64)
        ok = np.zeros(n, dtype=bool)
        for i, text in enumerate(column.to_pylist()):  # ISO text: parsed here, once per cell
            if text is None:
                continue
            try:
                instant = datetime.fromisoformat(text)
            except ValueError:
                continue
            if instant.tzinfo is not None and text == text.strip():
                values[i] = (instant - EPOCH) // timedelta(microseconds=1)
                ok[i] = FIRST_YEAR <= instant.year <= LAST_YEAR
    else:
        return np.zeros(n, dtype=np.int64), np.zeros(n, dtype=bool)
    low = (datetime(FIRST_YEAR, 1, 2, tzinfo=UTC) - EPOCH) // timedelta(microseconds=1)
    high = (datetime(LAST_YEAR, 12, 30, tzinfo=UTC) - EPOCH) // timedelta(microseconds=1)
    return values, ok & (values >= low) & (values <= high)


def years_of(micros: np.ndarray) -> np.ndarray:
    return micros.astype("datetime64[us]").astype("datetime64[Y]").astype(np.int64) + 1970


def intern_into(
    table: dict[Hashable, int], values: list[Any], key: Hashable, make: Callable[[], Any]
) -> int:
    found = table.get(key)
    if found is None:
        found = table[key] = len(values)
        values.append(make())
    return found


def dense(key: np.ndarray) -> tuple[np.ndarray, int]:
    """Hash-encode *key*: codes numbered in order of first appearance, and how many."""
    encoded = pa.array(key).dictionary_encode()
    return encoded.indices.to_numpy().astype(np.int64), len(encoded.dictionary)


def group_rows(*keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Distinct rows of the stacked *keys*: (a row of each group, the group of each row).

    The keys are combined by mixed radix while the product of their ranges stays small, then
    counted in a table (or hash-encoded when the range is large): no sort.
    """
    rows = keys[0].size
    if rows == 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    combined = np.zeros(rows, dtype=np.int64)
    span = 1
    for key in keys:
        low = int(key.min())
        size = int(key.max()) - low + 1
        if span * size > max(4 * rows, 1 << 16):
            combined, span = dense(combined)
            if span * size > (1 << 62):  # pragma: no cover (n² < 2**62 for any batch)
                raise OverflowError
        combined = combined * size + (key - low)
        span *= size
    if span <= max(4 * rows, 1 << 16):
        present = np.zeros(span, dtype=bool)
        present[combined] = True
        number = np.cumsum(present) - 1
        inverse = number[combined]
        count = int(number[-1]) + 1
    else:
        inverse, count = dense(combined)
    first = np.empty(count, dtype=np.int64)
    first[inverse[::-1]] = np.arange(rows - 1, -1, -1)  # the earliest row of each wins
    return first, inverse
