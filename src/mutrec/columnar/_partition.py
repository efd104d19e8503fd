"""What a distributed engine runs on each partition: Arrow batches in, plain decisions out.

The decisions are those of :func:`~mutrec.columnar.evaluate_batches`, with two changes that
let any engine carry them: the words (``outcome``, ``reason`` …) are plain strings rather than
Arrow dictionaries (Spark has no dictionary type), and the caller's key columns come first, so
that a row is found again by its key wherever the engine put it.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Iterator
from datetime import datetime
from typing import Any

import attrs

from mutrec._checks import instance_of, items_of, optional
from mutrec.columnar._api import OUTPUT_COLUMNS, _arrow, evaluate_batches, fixed_instant
from mutrec.errors import ArgumentError
from mutrec.policy import Policy

__all__ = ["PartitionDecider"]


def _keep(value: object) -> tuple[str, ...]:
    names: tuple[str, ...] = items_of("keep", value, str)  # type: ignore[arg-type]  # checked
    for index, name in enumerate(names):
        where = f"keep[{index}]"
        if name in OUTPUT_COLUMNS:
            msg = f"a column name other than a decision column's ({', '.join(OUTPUT_COLUMNS)})"
            raise ArgumentError(where, name, msg)
        if name in names[:index]:
            msg = "a column named once"
            raise ArgumentError(where, name, msg)
    return names


@attrs.frozen
class PartitionDecider:
    """Decide a partition's Arrow batches: the *keep* columns, then ``OUTPUT_COLUMNS``, plainly.

    A picklable function of an iterator of ``pyarrow.RecordBatch`` (what Spark's
    ``DataFrame.mapInArrow`` gives it, or any engine mapping batches) returning an iterator of
    batches: for each input batch, one batch of as many rows in the same order, whose columns
    are the *keep* columns as they came, then the decision columns of
    :func:`~mutrec.columnar.evaluate_batches` with the words as plain strings (not Arrow
    dictionaries) and no metadata. Text columns in ``large_string`` or ``string_view`` are
    read as ``string``, instants as UTC (an Arrow column's zone does not change a decision).
    :func:`~mutrec.columnar.evaluate_spark` runs it on every partition.

    Pickling ships the policy by its construction arguments (it is rebuilt where it lands).

    Attributes:
        policy: The policy to decide under.
        keep: Input columns carried to the output before the decisions (a result id …).
        receiver: The receiving institution of rows without a ``receiver`` cell.
        at: The instant of decision of rows without an ``at`` cell (aware).

    Raises:
        mutrec.errors.ArgumentError: An attribute is not of its type, a *keep* name is a
            decision column's or named twice (at construction); a batch lacks a *keep* column
            or is not a ``RecordBatch`` (when called).
        mutrec.errors.MissingDependencyError: pyarrow is not installed (when called).

    >>> import pyarrow as pa
    >>> from mutrec import Policy
    >>> from mutrec.files import load_example_region
    >>> decide = PartitionDecider(Policy.from_region(load_example_region()), ("id",))
    >>> rows = pa.record_batch({"id": [7], "item": ["K"], "value": ["4.1"], "unit": ["mmol/L"],
    ...     "specimen": ["serum"], "issuer": ["BJ001"], "patient": ["P1"],
    ...     "collected": ["2024-03-01T08:00:00+08:00"], "reported": ["2024-03-01T12:00:00+08:00"],
    ...     "receiver": ["TJ001"], "at": ["2024-03-03T09:00:00+08:00"]})
    >>> [out] = decide([rows])
    >>> out.schema.names[:3], out.schema.field("outcome").type
    (['id', 'outcome', 'reason'], DataType(string))
    >>> out.column("id")[0].as_py(), out.column("outcome")[0].as_py()
    (7, 'recognised')
    """

    policy: Policy = attrs.field(validator=instance_of(Policy))
    keep: tuple[str, ...] = attrs.field(default=(), converter=_keep)
    receiver: str | None = attrs.field(
        default=None, kw_only=True, validator=optional(instance_of(str))
    )
    at: datetime | None = attrs.field(default=None, kw_only=True, converter=fixed_instant)

    def __call__(self, batches: Iterable[Any]) -> Iterator[Any]:
        """Decide each batch of *batches*, lazily: a batch of the same rows for each."""
        pa = _arrow("PartitionDecider")
        pending: deque[list[tuple[Any, Any]]] = deque()  # each batch's kept columns

        def checked() -> Iterator[Any]:
            for index, batch in enumerate(batches):
                if not isinstance(batch, pa.RecordBatch):
                    name, expected = f"batches[{index}]", "a pyarrow RecordBatch"
                    raise ArgumentError(name, batch, expected)
                kept = []
                for name in self.keep:
                    found = batch.schema.get_field_index(name)
                    if found < 0:
                        where, msg = "keep", "the name of a column of the rows (to carry along)"
                        raise ArgumentError(where, name, msg)
                    kept.append((batch.schema.field(found), batch.column(found)))
                pending.append(kept)
                yield batch

        # One run over the partition: what a batch works out serves the next ones.
        decisions = evaluate_batches(self.policy, checked(), receiver=self.receiver, at=self.at)
        for decided in decisions:
            kept = pending.popleft()
            fields = [field for field, _ in kept]
            columns = [column for _, column in kept]
            for field, column in zip(decided.schema, decided.columns, strict=True):
                if pa.types.is_dictionary(field.type):
                    column = column.dictionary_decode()  # noqa: PLW2901 (decoded in place)
                fields.append(pa.field(field.name, column.type))
                columns.append(column)
            yield pa.RecordBatch.from_arrays(columns, schema=pa.schema(fields))
