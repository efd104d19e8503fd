"""Deciding generated rows with the scalar rules, into the columnar decision layout.

The layout (one row per input row, in order) is the one the statistics read
(:mod:`mutrec.stats` ``weekly_report``): ``result_id``, ``outcome`` (null: the row could not
be built), ``code`` (the primary reason: the first blocking finding, else the first caution),
``codes`` (all, in order), ``expires_at``, ``program``, ``item_code``, ``receiver``,
``issuer``, ``at`` and ``error``. The columnar engine returns the same columns; until it is
merged this scalar path (one :meth:`~mutrec.policy.Policy.evaluate_many` over the rows) is the
inner call of the what-if.
"""

from __future__ import annotations

from typing import Any, Final

from mutrec.errors import ArgumentError, MissingDependencyError
from mutrec.files import Region
from mutrec.policy import Decision, Policy, Request, Severity
from mutrec.policy._check_rows import request_from
from mutrec.synth._generate import whole

__all__ = ["DECISION_COLUMNS", "annotate", "behave", "decide_rows"]

DECISION_COLUMNS: Final = (
    "result_id", "outcome", "code", "codes", "expires_at", "program", "item_code",
    "receiver", "issuer", "at", "error",
)  # fmt: skip
"""The columns of :func:`decide_rows`' table, in order."""


def _pa() -> Any:
    try:
        import pyarrow as pa
    except ImportError:  # pragma: no cover - the extra is installed in CI
        msg = "arrow"
        raise MissingDependencyError(msg, "mutrec.synth") from None
    return pa


def _primary(decision: Decision) -> str | None:
    for severity in (Severity.BLOCK, Severity.CAUTION):
        for finding in decision.findings:
            if finding.severity is severity:
                return finding.code
    return None


def decide_rows(policy: Policy, table: Any) -> Any:
    """Decide every row of *table* with *policy*'s scalar rules (see the module's layout).

    Each row is read as ``mutrec check`` reads its columns. A row that cannot be built (a bad
    instant, a missing cell) has a null ``outcome`` and its ``error``; the other rows are
    decided as if it were not there.

    Raises:
        ArgumentError: *policy* is not a Policy, or *table* not an Arrow table.
    """
    pa = _pa()
    if not isinstance(policy, Policy):
        msg = "policy"
        raise ArgumentError(msg, policy, "a mutrec.policy.Policy")
    if not isinstance(table, pa.Table):
        msg = "table"
        raise ArgumentError(msg, type(table).__name__, "a pyarrow.Table")
    rows = table.to_pylist()
    requests: list[Request] = []
    places: list[int] = []
    errors: list[str | None] = [None] * len(rows)
    for index, row in enumerate(rows):
        try:
            requests.append(request_from(row))
            places.append(index)
        except (ValueError, TypeError, ArithmeticError) as bad:  # MutrecError is a ValueError
            errors[index] = f"{type(bad).__name__}: {bad}"
    batch = policy.evaluate_many(requests)
    decided: list[Decision | None] = [None] * len(rows)
    for place, decision in zip(places, batch.decisions, strict=True):
        decided[place] = decision
    for row_error in batch.errors:
        errors[places[row_error.index]] = f"{row_error.error}: {row_error.message}"
    columns: dict[str, list[Any]] = {c: [] for c in DECISION_COLUMNS}
    for row, decision, error in zip(rows, decided, errors, strict=True):
        columns["result_id"].append(row.get("result_id"))
        columns["at"].append(row.get("at"))
        columns["error"].append(error)
        columns["receiver"].append(row.get("receiver"))
        columns["issuer"].append(row.get("issuer"))
        if decision is None:
            for name in ("outcome", "code", "codes", "expires_at", "program", "item_code"):
                columns[name].append(None)
            continue
        columns["outcome"].append(decision.outcome.value)
        columns["code"].append(_primary(decision))
        columns["codes"].append(list(decision.codes))
        columns["expires_at"].append(decision.expires_at)
        columns["program"].append(decision.program_id)
        columns["item_code"].append(decision.item_code)
    types = {"codes": pa.list_(pa.string()), "expires_at": pa.timestamp("us", tz="UTC")}
    return pa.table(
        {c: pa.array(columns[c], type=types.get(c, pa.string())) for c in DECISION_COLUMNS}
    )


def annotate(decisions: Any, region: Region) -> Any:
    """Add the grouping columns: the receiver's ``level`` and ``region``, and the ``week``.

    ``level`` is the receiver's level label (``三级`` …), ``grade`` its grade (``甲``, ``乙``
    or empty), ``region`` its prefecture (the GB/T 2260 code's first four digits and ``00``),
    ``week`` the ISO week of ``at`` in the region's zone (``2024-W03``), and ``report`` the
    report (份) a result belongs to: its ``result_id`` up to the first ``-``.

    Raises:
        ArgumentError: *decisions* lacks ``receiver``, ``at`` or ``result_id``.
    """
    pa = _pa()
    if not isinstance(region, Region):
        msg = "region"
        raise ArgumentError(msg, region, "a mutrec.files.Region")
    if not isinstance(decisions, pa.Table) or not {"receiver", "at", "result_id"} <= set(
        decisions.column_names
    ):
        msg = "a pyarrow.Table with receiver, at and result_id columns"
        msg_0 = "decisions"
        raise ArgumentError(msg_0, type(decisions).__name__, msg)
    from mutrec.stats._tables import arrow_errors

    with arrow_errors("decisions", decisions):
        return _annotated(decisions, region)


def _annotated(decisions: Any, region: Region) -> Any:
    import pyarrow.compute as pc

    pa = _pa()
    ids = sorted(region.institutions)
    info = pa.table(
        {
            "receiver": ids,
            "level": [region.institutions[i].level.label for i in ids],
            "grade": [region.institutions[i].grade.value for i in ids],
            "region": [region.institutions[i].region[:4] + "00" for i in ids],
        }
    )
    at = decisions.column("at")
    if not pa.types.is_timestamp(at.type):
        at = pc.cast(at, pa.timestamp("s", tz="UTC"))
    local = pc.cast(at, pa.timestamp("s", tz=str(region.zone)))
    week = pc.binary_join_element_wise(
        pc.cast(pc.iso_year(local), pa.string()),
        pc.utf8_lpad(pc.cast(pc.iso_week(local), pa.string()), 2, "0"),
        "-W",
    )
    report = pc.extract_regex(decisions.column("result_id"), r"^(?P<report>[^-]*)")
    out = decisions.append_column("week", week).append_column(
        "report", pc.struct_field(report, "report")
    )
    index = pc.index_in(out.column("receiver"), value_set=info.column("receiver"))
    for name in ("level", "grade", "region"):
        out = out.append_column(name, pc.take(info.column(name), index))
    return out


# Doctors' behaviour on the platform (illustrative shares, not measured): most priors are
# opened (调阅); every recognised prior is offered as a reminder when the doctor orders; a fully
# recognised one is adopted more often than one recognised with caution; a reminder not adopted
# is a repeat, and the doctor cites a statutory ground for it.
_LOOKED: Final = 0.7
_ADOPT: Final = {"recognised": 0.85, "recognised_with_caution": 0.5}
_GROUNDS: Final = (
    ("condition_changed", 0.45), ("rapid_change", 0.2), ("major_intervention", 0.15),
    ("emergency", 0.1), ("other", 0.1),
)  # fmt: skip


def behave(decisions: Any, *, seed: int = 0) -> Any:
    """Add doctors' behaviour: ``looked_up``, ``reminded``, ``adopted``, ``override_ground``.

    70 % of priors are looked up; every recognised one (with caution too) is reminded; 85 %
    of the fully recognised reminders and 50 % of those with caution are adopted; the rest
    are overrides, citing ``condition_changed`` (45 %), ``rapid_change`` (20 %),
    ``major_intervention`` (15 %), ``emergency`` (10 %) or ``other`` (10 %). Seeded: the same
    table and seed give the same columns.

    Raises:
        ArgumentError: *decisions* has no ``outcome`` column, or a bad seed.
    """
    import numpy as np
    import pyarrow.compute as pc

    pa = _pa()
    if not isinstance(decisions, pa.Table) or "outcome" not in decisions.column_names:
        msg = "decisions"
        raise ArgumentError(msg, type(decisions).__name__, "a table with an outcome column")
    whole("seed", seed, 0, 2**63 - 1)
    n = decisions.num_rows
    rng = np.random.Generator(np.random.PCG64([seed, 1 << 20]))
    outcome = decisions.column("outcome").to_numpy(zero_copy_only=False)
    looked = rng.random(n) < _LOOKED
    reminded = (outcome == "recognised") | (outcome == "recognised_with_caution")
    chance = np.where(
        outcome == "recognised", _ADOPT["recognised"], _ADOPT["recognised_with_caution"]
    )
    adopted = reminded & (rng.random(n) < chance)
    ground = rng.choice(len(_GROUNDS), size=n, p=[p for _, p in _GROUNDS])
    grounds = pa.array(np.array([g for g, _ in _GROUNDS])[ground])
    overridden = pa.array(reminded & ~adopted)
    return (
        decisions.append_column("looked_up", pa.array(looked))
        .append_column("reminded", pa.array(reminded))
        .append_column("adopted", pa.array(adopted))
        .append_column("override_ground", pc.if_else(overridden, grounds, pa.nulls(n, pa.string())))
    )
