"""Column helpers of the columnar engine: masks, dictionary codes, instants, grouping."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any, Final
from unicodedata import category

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from mutrec.columnar._rows import FIRST_YEAR, LAST_YEAR

__all__ = [
    "CLEAN", "EPOCH", "Cells", "Columns", "clean_mask", "dense", "mask_of",
    "micros_of", "plain", "readable", "years_of",
]  # fmt: skip

EPOCH: Final = datetime(1970, 1, 1, tzinfo=UTC)
# A text the builder would strip to itself: it starts and ends with a letter, number,
# punctuation or symbol (none of which is whitespace to str.strip).
CLEAN: Final = r"(?s)^[\p{L}\p{N}\p{P}\p{S}](.*[\p{L}\p{N}\p{P}\p{S}])?$"


# Dictionaries up to this size are checked in Python (RE2 compiles CLEAN's classes in ~2 ms).
_SMALL: Final = 4096


def _clean(text: str) -> bool:
    """Whether *text* matches CLEAN (the first and last characters' Unicode categories)."""
    return bool(text) and category(text[0])[0] in "LNPS" and category(text[-1])[0] in "LNPS"


def readable(batch: pa.RecordBatch, names: frozenset[str]) -> pa.RecordBatch:
    """*batch* as the engine reads it: its columns *names* in plain ``string``, instants in UTC.

    ``large_string`` and ``string_view`` text (Spark's, with large var types on) becomes
    ``string``. The zone of an Arrow timestamp column is only how it prints (its values are
    instants): UTC keeps every instant a timestamp holds in years 1 to 9999 inside Python's
    calendar, which a zone east of UTC would push past 9999-12-31 for the last hours (and one
    west of it before year 1 for the first).
    """
    columns = list(batch.columns)
    changed = False
    for index, field in enumerate(batch.schema):
        kind = field.type
        if field.name not in names:
            continue
        if kind in (pa.large_string(), pa.string_view()):
            columns[index] = columns[index].cast(pa.string())
        elif pa.types.is_timestamp(kind) and kind.tz is not None and kind.tz != "UTC":
            columns[index] = columns[index].cast(pa.timestamp(kind.unit, "UTC"))
        else:
            continue
        changed = True
    return pa.RecordBatch.from_arrays(columns, names=batch.schema.names) if changed else batch


def clean_mask(texts: pa.Array) -> np.ndarray:
    """Which of *texts* (a string array) match CLEAN; a null does not.

    Read from each text's first and last bytes: printable ASCII ones (``!`` to ``~``, all
    letters, digits, punctuation or symbols) settle it; a text with a non-ASCII first or last
    character is matched against CLEAN itself. No text is copied.
    """
    n = len(texts)
    _, offsets, data = texts.buffers()
    width = np.dtype(np.int64 if pa.types.is_large_string(texts.type) else np.int32)
    if not n or data is None or not data.size:
        return np.zeros(n, dtype=bool)
    ends = np.frombuffer(offsets, dtype=width, count=n + 1, offset=texts.offset * width.itemsize)
    raw = np.frombuffer(data, dtype=np.uint8)
    # An empty text's "first byte" is its neighbour's (or clipped): *filled* discards it.
    first, last = raw.take(ends[:-1], mode="clip"), raw.take(ends[1:] - 1, mode="clip")
    filled = ends[1:] > ends[:-1]
    low, span = np.uint8(0x21), np.uint8(0x7E - 0x21 + 1)  # "!" to "~", wrapping below "!"
    fine: np.ndarray = filled & ((first - low) < span) & ((last - low) < span)
    wide = np.flatnonzero(filled & ((first | last) >= 0x80))
    if wide.size:
        some = texts.take(pa.array(wide))
        if wide.size <= _SMALL:
            fine[wide] = [_clean(t) for t in some.to_pylist()]
        else:
            fine[wide] = mask_of(pc.match_substring_regex(some, CLEAN))
    if texts.null_count:
        fine &= mask_of(pc.is_valid(texts))
    return fine


class Columns:
    """The batch's columns by name (``None``: absent or all null), encoded once each."""

    def __init__(self, batch: pa.RecordBatch) -> None:
        self.batch = batch
        self.n = batch.num_rows
        self._encoded: dict[str, pa.DictionaryArray] = {}
        self._codes: dict[str, tuple[np.ndarray, list[Any]]] = {}

    def get(self, name: str) -> pa.Array | None:
        index = self.batch.schema.get_field_index(name)
        if index < 0:
            return None
        column = self.batch.column(index)
        return None if column.null_count == self.n else column

    def encoded(self, name: str) -> pa.DictionaryArray | None:
        """Column *name* dictionary-encoded (``None``: absent or all null)."""
        if name not in self._encoded:
            column = self.get(name)
            if column is None:
                return None
            if not pa.types.is_dictionary(column.type):
                column = column.dictionary_encode()
            self._encoded[name] = column
        return self._encoded[name]

    def codes(self, name: str) -> tuple[np.ndarray, list[Any]]:
        """Per-row indices into the distinct values of *name*, and those values.

        A null (or an absent column) is the index one past the values: a table built with one
        extra entry reads "no value" there.
        """
        known = self._codes.get(name)
        if known is None:
            encoded = self.encoded(name)
            if encoded is None:
                known = (np.zeros(self.n, dtype=np.int64), [])
            else:
                values = encoded.dictionary.to_pylist()
                indices = encoded.indices
                if indices.null_count:
                    indices = pc.fill_null(indices, len(values))
                known = (indices.to_numpy().astype(np.int64, copy=False), values)
            self._codes[name] = known
        return known

    def clean_text(self, name: str, *, required: bool) -> np.ndarray:
        """Rows whose cell is clean text (or absent, unless *required*)."""
        column = self.get(name)
        if column is None:
            return np.full(self.n, not required)
        kind = column.type.value_type if pa.types.is_dictionary(column.type) else column.type
        if not (pa.types.is_string(kind) or pa.types.is_large_string(kind)):
            return np.zeros(self.n, dtype=bool)
        if not pa.types.is_dictionary(column.type):  # (patient ids: as many texts as rows)
            fine = clean_mask(column)
            if column.null_count and not required:
                fine |= mask_of(pc.is_null(column))
            return fine
        # Each distinct text is checked once, then spread over the rows.
        texts = column.dictionary
        if len(texts) <= _SMALL:
            checked = np.array([_clean(t) for t in texts.to_pylist()] + [not required])
        else:
            checked = np.append(clean_mask(texts), not required)
        if checked.all() or (checked[:-1].all() and not column.null_count):
            return np.ones(self.n, dtype=bool)  # every text clean: no per-row look-up
        spread: np.ndarray = checked[self.codes(name)[0]]
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


# The instants the scalar path reads (FIRST_YEAR to LAST_YEAR, a day's margin for zones).
_LOW: Final = (datetime(FIRST_YEAR, 1, 2, tzinfo=UTC) - EPOCH) // timedelta(microseconds=1)
_HIGH: Final = (datetime(LAST_YEAR, 12, 30, tzinfo=UTC) - EPOCH) // timedelta(microseconds=1)


def micros_of(column: pa.Array | None, n: int) -> tuple[np.ndarray, Any]:
    """UTC microseconds of an instant column, and the rows where that is exact and in range.

    The second is a mask, or ``True`` when every row is.
    """
    if column is None:
        return np.zeros(n, dtype=np.int64), np.zeros(n, dtype=bool)
    kind = column.type
    if pa.types.is_timestamp(kind) and kind.tz is not None:
        try:
            as_us = column.cast(pa.timestamp("us", tz="UTC"))
        except pa.ArrowInvalid:  # nanoseconds that datetime cannot hold: the scalar path says
            return np.zeros(n, dtype=np.int64), np.zeros(n, dtype=bool)
        as_int = as_us.cast(pa.int64())
        if not column.null_count:
            values = as_int.to_numpy()
            first, last = (int(v) for v in (values.min(), values.max())) if n else (0, 0)
            if first >= _LOW and last <= _HIGH:  # every row: no mask to compute
                return values, np.ones(n, dtype=bool)
            return values, (values >= _LOW) & (values <= _HIGH)
        values = pc.fill_null(as_int, 0).to_numpy()
        ok = mask_of(pc.is_valid(column))
    elif pa.types.is_string(kind) or pa.types.is_large_string(kind):
        values, ok = _micros_of_text(column, n)
    else:
        return np.zeros(n, dtype=np.int64), np.zeros(n, dtype=bool)
    return values, ok & (values >= _LOW) & (values <= _HIGH)


def _micros_of_text(column: pa.Array, n: int) -> tuple[np.ndarray, np.ndarray]:
    """UTC microseconds of ISO-8601 text with an offset, parsed here once per cell."""
    values = np.zeros(n, dtype=np.int64)
    ok = np.zeros(n, dtype=bool)
    for i, text in enumerate(column.to_pylist()):
        if text is None:
            continue
        try:
            instant = datetime.fromisoformat(text)
        except ValueError:
            continue
        if instant.tzinfo is not None and text == text.strip():
            values[i] = (instant - EPOCH) // timedelta(microseconds=1)
            ok[i] = FIRST_YEAR <= instant.year <= LAST_YEAR
    return values, ok


def years_of(micros: np.ndarray) -> np.ndarray:
    return micros.astype("datetime64[us]").astype("datetime64[Y]").astype(np.int64) + 1970


# Up to this many possible keys, every one is looked up (no need to find which occur); up to
# _TABLE_PER_ROW per row, the occurring ones are marked in a table; beyond, hash-encoded.
_EVERY: Final = 256
_TABLE_PER_ROW: Final = 4


class Cells:
    """The distinct values (``keys``) of an integer key over a batch's rows.

    A look-up computed once per cell (one value per entry of ``keys``) is spread back over the
    rows with :meth:`spread`: a gather, no sort. Keys are in ``range(size)``: a small range is
    looked up whole, a larger one where keys occur, a huge one hash-encoded first.
    """

    __slots__ = ("_slots", "index", "keys")

    def __init__(self, key: np.ndarray, size: int, *, every: bool = True) -> None:
        """Find the cells of *key* (values in ``range(size)``).

        *every*: a small range may be looked up whole; ``False`` looks up only the keys that
        occur (where a look-up of a key no row has would cost more later).
        """
        # _slots: the size of the table the values fill at ``keys``; None: the values are
        # the table (every key in order, or the hash codes in order of first appearance).
        self._slots: int | None = None
        self.index = key
        if every and size <= _EVERY:
            self.keys: list[int] = list(range(size))
        elif size <= max(_TABLE_PER_ROW * key.size, 1 << 16):
            present = np.zeros(size, dtype=bool)
            present[key] = True
            self.keys = np.flatnonzero(present).tolist()
            self._slots = size
        else:
            self.index, count = dense(key)
            first = np.zeros(count, dtype=np.int64)
            first[self.index] = np.arange(key.size, dtype=np.int64)
            self.keys = key[first].tolist()

    def spread(self, values: Sequence[Any], dtype: Any = np.int64) -> Any:
        """The value of each row's cell (*values*: one per entry of ``keys``, in order).

        An array; or, when every cell has the same value, that value (numpy broadcasts it):
        a batch of one receiver or one specimen costs no look-up per row.
        """
        if len(set(values)) == 1:
            return np.asarray(values[0], dtype=dtype)[()]
        if self._slots is None:
            table = np.asarray(values, dtype=dtype)
        else:
            table = np.zeros(self._slots, dtype=dtype)
            table[np.array(self.keys, dtype=np.int64)] = values
        return table[self.index]


def dense(key: np.ndarray) -> tuple[np.ndarray, int]:
    """Hash-encode *key*: codes numbered in order of first appearance, and how many."""
    encoded = pa.array(key).dictionary_encode()
    return encoded.indices.to_numpy().astype(np.int64), len(encoded.dictionary)
