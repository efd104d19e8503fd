"""What-if: the same history under two policies, and what changes (the ``arrow`` extra)."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

import attrs

from mutrec._checks import instance_of, optional
from mutrec.errors import ArgumentError
from mutrec.model.fees import FeeSchedule
from mutrec.policy import Policy
from mutrec.stats._tables import _arrow, weekly_report

__all__ = ["WhatIf", "what_if"]

Decide = Callable[[Policy, Any], Any]
"""A decider: a policy and a table of ``mutrec check`` rows → the decision table."""


@attrs.frozen
class WhatIf:
    """What changes when the same history is decided under another policy.

    Attributes:
        rows: The rows of the history.
        changed: The rows whose outcome or reason codes change: ``result_id``, ``item_code``,
            ``receiver``, ``outcome_before``, ``outcome_after``, ``code_before``,
            ``code_after`` (an Arrow table).
        rate_before: 互认率 (recognised ÷ decided) under the first policy (``None``: none).
        rate_after: The same under the second.
        saved_before: Savings under the first policy (with fees).
        saved_after: The same under the second.

    >>> WhatIf(10, None, 0.5, 0.6).rate_change
    0.1
    """

    rows: int = attrs.field(validator=instance_of(int))
    changed: Any
    rate_before: float | None = attrs.field(validator=optional(instance_of(float)))
    rate_after: float | None = attrs.field(validator=optional(instance_of(float)))
    saved_before: Decimal | None = attrs.field(
        default=None, validator=optional(instance_of(Decimal))
    )
    saved_after: Decimal | None = attrs.field(
        default=None, validator=optional(instance_of(Decimal))
    )

    @property
    def count(self) -> int:
        """How many decisions change."""
        return 0 if self.changed is None else int(self.changed.num_rows)

    @property
    def rate_change(self) -> float | None:
        """The change in 互认率 (after − before), rounded to 6 places."""
        if self.rate_before is None or self.rate_after is None:
            return None
        return round(self.rate_after - self.rate_before, 6)

    @property
    def saved_change(self) -> Decimal | None:
        """The change in savings (after − before)."""
        if self.saved_before is None or self.saved_after is None:
            return None
        return self.saved_after - self.saved_before


def _scalar(policy: Policy, table: Any) -> Any:
    from mutrec.synth import decide_rows

    return decide_rows(policy, table)


def what_if(
    history: Any,
    before: Policy,
    after: Policy,
    *,
    fees: FeeSchedule | None = None,
    decide: Decide | None = None,
) -> WhatIf:
    """Decide *history* under *before* and *after*; say how many decisions change and which.

    A decision changes when its outcome or its reason codes do. The decider is a function of
    a policy and the table (default: the scalar rules row by row,
    :func:`mutrec.synth.decide_rows`); the columnar engine's has the same signature.

    Args:
        history: The rows (``mutrec check``'s columns) as an Arrow table.
        before: The policy in force.
        after: The policy considered (a changed window, catalogue or member list).
        fees: The fee schedule, for the change in savings.
        decide: The decider.

    Raises:
        ArgumentError: A policy that is not a Policy, a decider that is not callable, or a
            decider's output that does not keep the rows.

    >>> from mutrec.policy import Policy
    >>> from mutrec.synth import generate, province
    >>> region = province(seed=3)
    >>> rows = generate(60, seed=3, region=region)
    >>> same = what_if(rows, Policy.from_region(region), Policy.from_region(region))
    >>> same.count, same.rate_change
    (0, 0.0)
    """
    pa, pc = _arrow()
    for name, policy in (("before", before), ("after", after)):
        if not isinstance(policy, Policy):
            raise ArgumentError(name, policy, "a mutrec.policy.Policy")
    if decide is not None and not callable(decide):
        msg = "decide"
        raise ArgumentError(msg, decide, "a function of a policy and a table")
    if not isinstance(history, pa.Table):
        msg = "history"
        raise ArgumentError(msg, type(history).__name__, "a pyarrow.Table of rows")
    run = _scalar if decide is None else decide
    old, new = run(before, history), run(after, history)
    for table in (old, new):
        if not isinstance(table, pa.Table) or table.num_rows != history.num_rows:
            msg = "the decider must return a table with one row per history row"
            msg_0 = "decide"
            raise ArgumentError(msg_0, decide, msg)

    def joined(table: Any) -> Any:
        codes = table.column("codes")
        text = pc.binary_join(codes, ";") if pa.types.is_list(codes.type) else codes
        return pc.fill_null(
            pc.binary_join_element_wise(
                pc.fill_null(table.column("outcome"), "undecided"), pc.fill_null(text, ""), "|"
            ),
            "",
        )

    differs = pc.not_equal(joined(old), joined(new))
    changed = pa.table(
        {
            "result_id": old.column("result_id"),
            "item_code": pc.coalesce(old.column("item_code"), new.column("item_code")),
            "receiver": old.column("receiver"),
            "outcome_before": old.column("outcome"),
            "outcome_after": new.column("outcome"),
            "code_before": old.column("code"),
            "code_after": new.column("code"),
        }
    ).filter(differs)
    first = (weekly_report(old, by=(), fees=fees).to_pylist() or [{}])[0]
    second = (weekly_report(new, by=(), fees=fees).to_pylist() or [{}])[0]
    return WhatIf(
        history.num_rows,
        changed,
        first.get("rate"),
        second.get("rate"),
        first.get("saved"),
        second.get("saved"),
    )
