"""The statistics regulators ask for, on columnar decisions (Arrow compute; the ``arrow`` extra).

The input is a decision table, one row per prior result (the layout of
:func:`mutrec.synth.decide_rows` and of the columnar engine): ``outcome`` (``recognised``,
``recognised_with_caution``, ``not_recognised``; null for a row not decided), ``code`` (the
primary reason), ``item_code``, ``receiver``, ``issuer`` and whatever the groups name
(``region``, ``level``, ``week``: :func:`mutrec.synth.annotate` adds them), plus optionally:

- ``report``: the report or image set (份) a result belongs to, for the 互认率 per report;
- ``looked_up`` (bool): the receiving doctor opened the prior on the platform (调阅);
- ``reminded`` (bool): the system reminded the doctor of the prior when ordering; ``adopted``
  (bool): the doctor adopted it rather than repeat the test;
- ``override_ground`` (text): the ground the doctor cited to repeat a recognised test.

Formulas (domain.md §6, §12), per group; rows not decided count apart (``undecided``):

- 互认率 ``rate`` = recognised ÷ decided; ``rate_with_caution`` = (recognised + with caution) ÷
  decided: caution is reported apart, never folded into recognised.
- per report ``report_rate`` = reports whose every decided result is recognised ÷ reports.
- 调阅互认率 ``lookup_rate`` = recognised among looked-up ÷ looked-up.
- 同期互认率 ``sync_rate`` = adoptions ÷ reminders.
- savings = fees of fully recognised results not overridden, by DR / CT / MR / lab / other;
  ``possible`` = fees of those recognised with caution.

Arrow compute rather than DuckDB: pyarrow is already what the columnar decisions are, its
``group_by`` aggregates in C++ without a second engine, and DuckDB would add a 40 MB wheel for
the same sums.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Sequence
from decimal import Decimal
from typing import Any, Final

from mutrec.errors import ArgumentError, MissingDependencyError
from mutrec.model.fees import FeeBucket, FeeSchedule

__all__ = ["arrow_errors", "fee_table", "overrides_table", "reasons_table", "weekly_report"]

GROUPS: Final = frozenset(
    {"region", "receiver", "issuer", "level", "grade", "item_code", "week", "program"}
)
_SEVERITY: Final = {"recognised": 0, "recognised_with_caution": 1, "not_recognised": 2}
_MONEY: Final = (18, 2)
_SAVED: Final = ("lab", "ct", "mr", "dr", "other")


def _arrow() -> tuple[Any, Any]:
    try:
        import pyarrow as pa
        import pyarrow.compute as pc
    except ImportError:  # pragma: no cover - the extra is installed in CI
        msg = "arrow"
        raise MissingDependencyError(msg, "mutrec.stats tables") from None
    return pa, pc


@contextlib.contextmanager
def arrow_errors(field: str, value: object) -> Iterator[None]:
    """Turn an Arrow error (a column of the wrong type, text that is no instant) into ours."""
    pa, _ = _arrow()
    try:
        yield
    except pa.lib.ArrowException as error:
        shown = type(value).__name__
        msg = f"columns of the documented types ({type(error).__name__}: {error})"[:300]
        raise ArgumentError(field, shown, msg) from None


def _keys(decisions: Any, by: object) -> list[str]:
    pa, _ = _arrow()
    if not isinstance(decisions, pa.Table):
        msg = "a pyarrow.Table of decisions (outcome, code, item_code, receiver …)"
        msg_0 = "decisions"
        raise ArgumentError(msg_0, type(decisions).__name__, msg)
    if "outcome" not in decisions.column_names:
        msg_0 = "decisions"
        raise ArgumentError(msg_0, decisions.column_names, "a table with an outcome column")
    if isinstance(by, str) or not isinstance(by, Sequence):
        msg_0 = "by"
        raise ArgumentError(msg_0, by, f"a list of group columns among {sorted(GROUPS)}")
    keys = list(by)
    for key in keys:
        if not isinstance(key, str) or key not in GROUPS:
            msg_0 = "by"
            raise ArgumentError(msg_0, key, f"one of {sorted(GROUPS)}")
        if key not in decisions.column_names:
            msg_0 = "by"
            raise ArgumentError(msg_0, key, "a column of the table (mutrec.synth.annotate adds it)")
    if len(set(keys)) != len(keys):
        msg_0 = "by"
        raise ArgumentError(msg_0, by, "each group column once")
    return keys


def fee_table(fees: FeeSchedule) -> Any:
    """The fee schedule as a table: ``item_code``, ``amount`` (decimal) and ``bucket``.

    >>> from mutrec.files import load_example_region
    >>> fee_table(load_example_region().fees).slice(0, 1).to_pylist()
    [{'item_code': 'K', 'amount': Decimal('5.00'), 'bucket': 'lab'}]
    """
    pa, _ = _arrow()
    if not isinstance(fees, FeeSchedule):
        msg = "fees"
        raise ArgumentError(msg, fees, "a FeeSchedule (region.fees)")
    bucket = {FeeBucket.LAB: "lab", FeeBucket.CT: "ct", FeeBucket.MR: "mr", FeeBucket.DR: "dr"}
    return pa.table(
        {
            "item_code": [f.item for f in fees.fees],
            "amount": pa.array([f.amount for f in fees.fees], type=pa.decimal128(*_MONEY)),
            "bucket": [bucket.get(f.bucket, "other") for f in fees.fees],
        }
    )


def _ratio(pc: Any, pa: Any, num: Any, den: Any) -> Any:
    quotient = pc.divide(pc.cast(num, pa.float64()), pc.cast(den, pa.float64()))
    return pc.if_else(pc.equal(den, 0), pa.scalar(None, pa.float64()), quotient)


def _flag(pc: Any, pa: Any, table: Any, name: str, n: int) -> tuple[Any, bool]:
    if name not in table.column_names:
        return pa.array([0] * n, pa.int64()), False
    return pc.cast(pc.fill_null(table.column(name), fill_value=False), pa.int64()), True


def _prepared(
    decisions: Any, keys: list[str], fees: FeeSchedule | None
) -> tuple[Any, dict[str, bool]]:
    """The table of indicator columns (0/1) and amounts the aggregations sum."""
    pa, pc = _arrow()
    n = decisions.num_rows
    outcome = decisions.column("outcome")
    cols: dict[str, Any] = {k: decisions.column(k) for k in keys}
    decided = pc.is_valid(outcome)
    rec = pc.fill_null(pc.equal(outcome, "recognised"), fill_value=False)
    cau = pc.fill_null(pc.equal(outcome, "recognised_with_caution"), fill_value=False)
    cols["_decided"] = pc.cast(decided, pa.int64())
    cols["_undecided"] = pc.cast(pc.invert(decided), pa.int64())
    cols["_rec"] = pc.cast(rec, pa.int64())
    cols["_cau"] = pc.cast(cau, pa.int64())
    cols["_not"] = pc.cast(
        pc.fill_null(pc.equal(outcome, "not_recognised"), fill_value=False), pa.int64()
    )
    known: dict[str, bool] = {}
    looked, known["lookup"] = _flag(pc, pa, decisions, "looked_up", n)
    cols["_looked"] = looked
    cols["_looked_rec"] = pc.multiply(looked, cols["_rec"])
    reminded, known["sync"] = _flag(pc, pa, decisions, "reminded", n)
    adopted, has_adopted = _flag(pc, pa, decisions, "adopted", n)
    known["sync"] = known["sync"] and has_adopted
    cols["_reminded"] = reminded
    cols["_adopted"] = pc.multiply(adopted, reminded)
    if "override_ground" in decisions.column_names:
        overridden = pc.is_valid(decisions.column("override_ground"))
    else:
        overridden = pa.array([False] * n)
    cols["_overridden"] = pc.cast(overridden, pa.int64())
    known["fees"] = fees is not None
    zero = pa.scalar(Decimal(0), pa.decimal128(*_MONEY))
    if fees is not None:
        table = fee_table(fees)
        index = pc.index_in(decisions.column("item_code"), value_set=table.column("item_code"))
        amount = pc.fill_null(pc.take(table.column("amount"), index), zero)
        bucket = pc.take(table.column("bucket"), index)
        saved = pc.and_(rec, pc.invert(overridden))
        for name in _SAVED:
            hit = pc.fill_null(pc.and_(saved, pc.equal(bucket, name)), fill_value=False)
            cols[f"_saved_{name}"] = pc.if_else(hit, amount, zero)
        cols["_possible"] = pc.if_else(cau, amount, zero)
    return pa.table(cols), known


def weekly_report(
    decisions: Any, *, by: Sequence[str] = ("week",), fees: FeeSchedule | None = None
) -> Any:
    """The weekly report (一周一报): every figure of the module's formulas per group.

    Args:
        decisions: The decision table.
        by: The group columns, among ``region``, ``receiver``, ``issuer``, ``level``,
            ``grade``, ``item_code``, ``week`` and ``program`` (empty: one row, overall).
        fees: The fee schedule for the savings (``region.fees``); without it, no savings.

    Returns:
        One row per group, sorted by the keys: ``results`` (decided), ``undecided``,
        ``recognised``, ``with_caution``, ``not_recognised``, ``rate``,
        ``rate_with_caution``, ``reports``, ``reports_recognised``, ``report_rate`` (when a
        ``report`` column is given), ``lookups``, ``lookup_rate``, ``reminders``,
        ``adoptions``, ``sync_rate`` (null when the table does not say), ``overrides``, and
        ``saved_lab`` … ``saved_other``, ``saved``, ``possible`` (with *fees*).

    Raises:
        ArgumentError: Not a table, no ``outcome`` column, or an unknown group.

    >>> import pyarrow as pa
    >>> t = pa.table({"outcome": ["recognised", "not_recognised", None], "week": ["W1"] * 3})
    >>> row = weekly_report(t).to_pylist()[0]
    >>> row["results"], row["recognised"], row["undecided"], row["rate"]
    (2, 1, 1, 0.5)
    """
    keys = _keys(decisions, by)
    if fees is not None and not isinstance(fees, FeeSchedule):
        field, msg = "fees", "a FeeSchedule (region.fees) or None"
        raise ArgumentError(field, fees, msg)
    with arrow_errors("decisions", decisions):
        return _report(decisions, keys, fees)


def _report(decisions: Any, keys: list[str], fees: FeeSchedule | None) -> Any:
    pa, pc = _arrow()
    prepared, known = _prepared(decisions, keys, fees)
    group = keys or ["_all"]
    if not keys:
        prepared = prepared.append_column("_all", pa.array([0] * prepared.num_rows, pa.int8()))
    sums = [c for c in prepared.column_names if c.startswith("_") and c != "_all"]
    out = prepared.group_by(group, use_threads=False).aggregate([(c, "sum") for c in sums])
    get = {c: out.column(f"{c}_sum") for c in sums}
    columns: dict[str, Any] = {k: out.column(k) for k in keys}
    columns["results"] = get["_decided"]
    columns["undecided"] = get["_undecided"]
    columns["recognised"] = get["_rec"]
    columns["with_caution"] = get["_cau"]
    columns["not_recognised"] = get["_not"]
    columns["rate"] = _ratio(pc, pa, get["_rec"], get["_decided"])
    columns["rate_with_caution"] = _ratio(pc, pa, pc.add(get["_rec"], get["_cau"]), get["_decided"])
    result = pa.table(columns)
    if "report" in decisions.column_names:
        result = _with_reports(result, decisions, keys)
    null = pa.nulls(result.num_rows, pa.float64())
    result = result.append_column("lookups", get["_looked"])
    result = result.append_column(
        "lookup_rate",
        _ratio(pc, pa, get["_looked_rec"], get["_looked"]) if known["lookup"] else null,
    )
    result = result.append_column("reminders", get["_reminded"])
    result = result.append_column("adoptions", get["_adopted"])
    result = result.append_column(
        "sync_rate", _ratio(pc, pa, get["_adopted"], get["_reminded"]) if known["sync"] else null
    )
    result = result.append_column("overrides", get["_overridden"])
    if known["fees"]:
        total = None
        for name in _SAVED:
            column = pc.cast(get[f"_saved_{name}"], pa.decimal128(*_MONEY))
            result = result.append_column(f"saved_{name}", column)
            total = column if total is None else pc.add(total, column)
        money = pa.decimal128(*_MONEY)
        result = result.append_column("saved", pc.cast(total, money))
        result = result.append_column("possible", pc.cast(get["_possible"], money))
    return result.sort_by([(k, "ascending") for k in keys]) if keys else result


def _with_reports(result: Any, decisions: Any, keys: list[str]) -> Any:
    """Add ``reports``, ``reports_recognised``, ``report_rate``: a report takes its worst."""
    pa, pc = _arrow()
    outcome = decisions.column("outcome")
    severity = pc.index_in(outcome, value_set=pa.array(list(_SEVERITY)))
    table = pa.table(
        {
            **{k: decisions.column(k) for k in keys},
            "report": decisions.column("report"),
            "_s": severity,
        }
    )
    table = table.filter(
        pc.and_(pc.is_valid(table.column("_s")), pc.is_valid(table.column("report")))
    )
    worst = table.group_by([*keys, "report"], use_threads=False).aggregate([("_s", "max")])
    worst = worst.append_column("_one", pa.array([1] * worst.num_rows, pa.int64()))
    worst = worst.append_column("_ok", pc.cast(pc.equal(worst.column("_s_max"), 0), pa.int64()))
    if keys:
        counts = worst.group_by(keys, use_threads=False).aggregate(
            [("_one", "sum"), ("_ok", "sum")]
        )
        joined = result.join(counts, keys=keys, join_type="left outer")
    else:
        one = pc.sum(worst.column("_one")).as_py() or 0
        ok = pc.sum(worst.column("_ok")).as_py() or 0
        joined = result.append_column("_one_sum", pa.array([one], pa.int64())).append_column(
            "_ok_sum", pa.array([ok], pa.int64())
        )
    reports = pc.fill_null(joined.column("_one_sum"), 0)
    good = pc.fill_null(joined.column("_ok_sum"), 0)
    joined = joined.drop_columns(["_one_sum", "_ok_sum"])
    joined = joined.append_column("reports", reports).append_column("reports_recognised", good)
    return joined.append_column("report_rate", _ratio(pc, pa, good, reports))


def _counted(decisions: Any, keys: list[str], mask: Any, column: str, name: str) -> Any:
    pa, pc = _arrow()
    table = pa.table({**{k: decisions.column(k) for k in keys}, name: decisions.column(column)})
    table = table.filter(pc.fill_null(mask, fill_value=False))
    table = table.append_column("count", pa.array([1] * table.num_rows, pa.int64()))
    counted = table.group_by([*keys, name], use_threads=False).aggregate([("count", "sum")])
    counted = counted.rename_columns([*keys, name, "count"])
    return counted.sort_by(
        [*((k, "ascending") for k in keys), ("count", "descending"), (name, "ascending")]
    )


def reasons_table(decisions: Any, *, by: Sequence[str] = ()) -> Any:
    """Refusal reasons: the primary ``code`` of results not recognised, counted per group.

    Sorted by the keys, then most frequent first.

    >>> import pyarrow as pa
    >>> t = pa.table({"outcome": ["not_recognised"] * 3 + ["recognised"],
    ...               "code": ["qc.failed", "window.expired", "qc.failed", None]})
    >>> reasons_table(t).to_pylist()
    [{'code': 'qc.failed', 'count': 2}, {'code': 'window.expired', 'count': 1}]
    """
    _, pc = _arrow()
    keys = _keys(decisions, by)
    if "code" not in decisions.column_names:
        msg = "decisions"
        raise ArgumentError(msg, decisions.column_names, "a table with a code column")
    with arrow_errors("decisions", decisions):
        mask = pc.equal(decisions.column("outcome"), "not_recognised")
        return _counted(decisions, keys, mask, "code", "code")


def overrides_table(decisions: Any, *, by: Sequence[str] = ()) -> Any:
    """Overrides by ground: the ``override_ground`` of results repeated despite recognition.

    >>> import pyarrow as pa
    >>> t = pa.table({"outcome": ["recognised"] * 3,
    ...               "override_ground": ["condition_changed", None, "condition_changed"]})
    >>> overrides_table(t).to_pylist()
    [{'ground': 'condition_changed', 'count': 2}]
    """
    _, pc = _arrow()
    keys = _keys(decisions, by)
    if "override_ground" not in decisions.column_names:
        msg = "a table with an override_ground column"
        msg_0 = "decisions"
        raise ArgumentError(msg_0, decisions.column_names, msg)
    with arrow_errors("decisions", decisions):
        mask = pc.is_valid(decisions.column("override_ground"))
        return _counted(decisions, keys, mask, "override_ground", "ground")
