"""Spark: a DataFrame of results decided on the executors (``mapInArrow``), the extra ``spark``.

pyspark is imported inside :func:`evaluate_spark`. Each partition runs a
:class:`~mutrec.columnar.PartitionDecider`: Spark pickles it with cloudpickle, the policy by its
construction arguments, and rebuilds the policy on the executor, where the local columnar
engine decides the partition's Arrow batches (the same function :func:`evaluate_batches`
calls, so the same decisions as :func:`evaluate_table` on the same rows).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

import attrs

from mutrec.columnar._api import COLUMNS, _arrow
from mutrec.columnar._partition import PartitionDecider
from mutrec.errors import ArgumentError, MissingDependencyError
from mutrec.policy import Policy

__all__ = ["evaluate_spark"]


def _pyspark() -> tuple[Any, Any, Any]:
    """The ``DataFrame`` class, cloudpickle and ``from_arrow_type`` of pyspark (or which extra)."""
    try:
        from pyspark import cloudpickle
        from pyspark.sql import DataFrame
        from pyspark.sql.pandas.types import from_arrow_type
    except ImportError:
        package, extra = "pyspark", "spark"
        raise MissingDependencyError(package, extra, feature="evaluate_spark") from None
    return DataFrame, cloudpickle, from_arrow_type


def _quoted(name: str) -> str:
    """A column reference Spark reads as the name itself (dots and backticks included)."""
    return "`" + name.replace("`", "``") + "`"


def evaluate_spark(
    policy: Policy,
    frame: Any,
    *,
    keep: Sequence[str] = (),
    receiver: str | None = None,
    at: datetime | None = None,
) -> Any:
    """Decide every row of a Spark DataFrame on the executors: a DataFrame of decisions.

    The columns read are ``mutrec check``'s (``COLUMNS``, as for :func:`evaluate_table`):
    text as Spark strings, numbers as doubles or text (a ``DecimalType`` value is refused row
    by row: cast it to text), flags as booleans, instants as ``TimestampType`` (an instant:
    the session's time zone does not change a decision) or ISO-8601 text with an offset.
    ``TimestampNTZType`` instants have no zone: those rows get an ``error``, never a guessed
    zone. Other columns are not sent to the executors.

    Each partition is decided by a :class:`PartitionDecider` (lazily: nothing runs before a
    Spark action), by the local columnar engine, so each row gets the decision
    :func:`evaluate_table` gives it. Spark's row order means nothing: *keep* names the
    columns (a result id) carried to each decision to join it back.

    The rows decided one by one (``mutrec.fallback_rows`` of :func:`evaluate_table`) are not
    counted: a count made inside a Spark transformation (an accumulator) is added again each
    time Spark computes a partition again (a retried task, a second action, an evicted cache),
    so it would mislead. :func:`evaluate_table` on a sample gives the share.

    Args:
        policy: The policy to decide under (it must pickle: see
            :class:`~mutrec.policy.Policy`; its rules are shipped with it).
        frame: A ``pyspark.sql.DataFrame`` of rows in ``COLUMNS``.
        keep: Columns of *frame* to carry before the decisions (none may be named as one
            of ``OUTPUT_COLUMNS``: rename it first).
        receiver: The receiving institution of rows without a ``receiver`` cell.
        at: The instant of decision of rows without an ``at`` cell (aware).

    Returns:
        A ``pyspark.sql.DataFrame``: the *keep* columns (their types as in *frame*), then
        ``OUTPUT_COLUMNS``: ``codes`` an array of strings, ``expires_at`` a timestamp,
        ``value`` a double, the others strings.

    Raises:
        mutrec.errors.MissingDependencyError: pyspark is not installed (the ``spark`` extra).
        mutrec.errors.ArgumentError: An argument is not of its type, a *keep* column is not
            in *frame* (or is named as a decision column), or a rule of *policy* does not
            pickle.

    The example runs on each partition's work without Spark (the docs are built without
    it); the Spark lines show the call, skipped here:

    >>> import pyarrow as pa
    >>> from mutrec import Policy
    >>> from mutrec.files import load_example_region
    >>> policy = Policy.from_region(load_example_region())
    >>> rows = pa.table({"result_id": ["R1"], "item": ["K"], "value": ["4.1"],
    ...     "unit": ["mmol/L"], "specimen": ["serum"], "issuer": ["BJ001"], "patient": ["P1"],
    ...     "collected": ["2024-03-01T08:00:00+08:00"], "reported": ["2024-03-01T12:00:00+08:00"],
    ...     "receiver": ["TJ001"], "at": ["2024-03-03T09:00:00+08:00"]})
    >>> from pyspark.sql import SparkSession  # doctest: +SKIP
    >>> spark = SparkSession.builder.master("local[2]").getOrCreate()  # doctest: +SKIP
    >>> frame = spark.createDataFrame(rows)  # doctest: +SKIP
    >>> decided = evaluate_spark(policy, frame, keep=["result_id"])  # doctest: +SKIP
    >>> decided.select("result_id", "outcome").collect()  # doctest: +SKIP
    [Row(result_id='R1', outcome='recognised')]
    >>> decide = PartitionDecider(policy, ["result_id"])  # what each partition runs
    >>> [out] = decide(rows.to_batches())
    >>> out.to_pylist()[0]["result_id"], out.to_pylist()[0]["outcome"]
    ('R1', 'recognised')
    """
    checked = PartitionDecider(policy, keep, receiver=receiver, at=at)
    data_frame, cloudpickle, from_arrow_type = _pyspark()
    if not isinstance(frame, data_frame):
        name, expected = "frame", "a pyspark.sql.DataFrame"
        raise ArgumentError(name, frame, expected)
    names = list(frame.columns)
    for name in checked.keep:
        if name not in names:
            where, msg = "keep", f"a column of the frame ({', '.join(names[:12])})"
            raise ArgumentError(where, name, msg)
    # mapInArrow refers to its input columns by their bare names (``a.b`` would be a struct's
    # field): the kept ones travel under plain aliases and get their names back at the end.
    aliases = [f"_mutrec_keep_{n}" for n in range(len(checked.keep))]
    decider = attrs.evolve(checked, keep=aliases)
    # Spark wraps an error raised while it pickles the function into its own: pickle it here
    # first, so a rule that does not pickle is the ArgumentError naming it.
    cloudpickle.dumps(decider)
    pa = _arrow("evaluate_spark")
    from pyspark.sql.functions import col
    from pyspark.sql.types import StructField, StructType

    from mutrec.columnar._engine import OUTPUT_SCHEMA

    fields = []
    for name, alias in zip(checked.keep, aliases, strict=True):
        kept = frame.schema[name]
        fields.append(StructField(alias, kept.dataType, nullable=kept.nullable))
    for field in OUTPUT_SCHEMA:
        kind = field.type.value_type if pa.types.is_dictionary(field.type) else field.type
        fields.append(StructField(field.name, from_arrow_type(kind), nullable=True))
    sent = [col(_quoted(n)).alias(a) for n, a in zip(checked.keep, aliases, strict=True)]
    sent += [col(_quoted(n)) for n in names if n in COLUMNS]
    decided = frame.select(*sent).mapInArrow(decider, StructType(fields))
    return decided.toDF(*checked.keep, *OUTPUT_SCHEMA.names)
