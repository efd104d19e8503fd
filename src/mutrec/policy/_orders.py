"""Order check: for each item a doctor is about to order, the best recognisable prior result.

The best is the newest prior result that passes (recognised, with or without caution); when
none passes, the line says why (the decisions of every prior for the item, newest first), and
when one passes, the fee of the test not repeated [domain.md §2: only the consultation fee].
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime
from decimal import Decimal

import attrs

from mutrec._checks import items_of, require
from mutrec.model.instants import require_aware
from mutrec.model.programs import FeeBucket, FeeSchedule
from mutrec.model.results import ImagingResult, LabResult, Result
from mutrec.policy._batch import Evaluate
from mutrec.policy._context import ClinicalContext
from mutrec.policy._decision import Decision
from mutrec.policy._findings import Outcome

__all__ = ["OrderCheck", "OrderLine", "order_check"]


@attrs.frozen
class OrderLine:
    """One ordered item: the prior result to use instead, or why there is none.

    Attributes:
        ordered: The item as ordered.
        item_code: The catalogue item it resolved to, or ``None``.
        result: The best recognisable prior result, or ``None``.
        decision: Its decision, or ``None``.
        rejected: The decisions of the other priors for the item, newest first (why they fail).
        fee_saved: The fee of the test not repeated (0 when none passes or no fee is known).
        bucket: The fee's savings bucket (DR / CT / MR / lab …), when known.

    >>> OrderLine("K", "K", None, None, (), Decimal(0), None).recognised
    False
    """

    ordered: str
    item_code: str | None
    result: Result | None
    decision: Decision | None
    rejected: tuple[Decision, ...]
    fee_saved: Decimal
    bucket: FeeBucket | None

    @property
    def recognised(self) -> bool:
        """Whether a prior result may be used instead of ordering the test.

        >>> OrderLine("K", None, None, None, (), Decimal(0), None).recognised
        False
        """
        return self.decision is not None

    @property
    def cautioned(self) -> bool:
        """Whether the prior to use was recognised only with caution (the doctor decides).

        >>> OrderLine("K", None, None, None, (), Decimal(0), None).cautioned
        False
        """
        return (
            self.decision is not None and self.decision.outcome is Outcome.RECOGNISED_WITH_CAUTION
        )


@attrs.frozen
class OrderCheck:
    """The order check of a whole order.

    Attributes:
        lines: One line per ordered item, in order.
        currency: The fee schedule's currency, when there is one.

    >>> OrderCheck((), "CNY").fee_saved
    Decimal('0')
    """

    lines: tuple[OrderLine, ...]
    currency: str | None

    @property
    def fee_saved(self) -> Decimal:
        """The total fee saved by priors recognised without caution.

        Priors recognised with caution are counted apart, in :attr:`fee_possible`: the
        receiving doctor decides whether those repeats are saved.

        >>> line = OrderLine("K", "K", None, None, (), Decimal("5.00"), None)
        >>> OrderCheck((line,), None).fee_saved
        Decimal('5.00')
        """
        return sum((line.fee_saved for line in self.lines if not line.cautioned), Decimal(0))

    @property
    def fee_possible(self) -> Decimal:
        """The total fee of the repeats priors recognised *with caution* may save.

        >>> OrderCheck((), None).fee_possible
        Decimal('0')
        """
        return sum((line.fee_saved for line in self.lines if line.cautioned), Decimal(0))


def _instant(result: Result) -> datetime:
    return result.collected if isinstance(result, LabResult) else result.performed


def order_check(  # noqa: PLR0913 (the facts of an order, and the policy's parts)
    evaluate: Evaluate,
    item_code: Callable[[str, datetime], str | None],
    fees: FeeSchedule | None,
    ordered: Iterable[str],
    priors: Iterable[Result],
    *,
    receiver: str,
    at: datetime,
    context: ClinicalContext,
) -> OrderCheck:
    """The work of :func:`~mutrec.policy.check_order`, given a policy's parts.

    Given the policy's ``evaluate``, ``item_code`` and ``fees`` rather than the policy, this
    module sits below :mod:`mutrec.policy._policy`, which imports it.

    >>> from datetime import datetime, UTC
    >>> from mutrec.policy import ClinicalContext
    >>> check = order_check(lambda *a, **k: None, lambda name, at: None, None, ["K"], [],
    ...                     receiver="H1", at=datetime(2024, 3, 1, tzinfo=UTC),
    ...                     context=ClinicalContext())
    >>> check.lines[0].item_code, check.fee_saved
    (None, Decimal('0'))
    """
    names = items_of("ordered", ordered, str, "item names (str)")
    results = items_of("priors", priors, (LabResult, ImagingResult), "LabResults or ImagingResults")
    require("receiver", receiver, str)
    require_aware(at, "at")
    require("context", context, ClinicalContext)
    newest_first = sorted(results, key=_instant, reverse=True)
    decided = [
        (result, evaluate(result, receiver=receiver, at=at, context=context))
        for result in newest_first
    ]
    lines = []
    for name in names:
        code = item_code(name, at)
        matching = [(r, d) for r, d in decided if code is not None and d.item_code == code]
        best = next(((r, d) for r, d in matching if d.outcome.recognised), None)
        rejected = tuple(d for r, d in matching if best is None or r is not best[0])
        fee = None if best is None or fees is None or code is None else fees.fee_for(code)
        lines.append(
            OrderLine(
                name,
                code,
                None if best is None else best[0],
                None if best is None else best[1],
                rejected,
                Decimal(0) if fee is None else fee.amount,
                None if fee is None else fee.bucket,
            )
        )
    return OrderCheck(tuple(lines), None if fees is None else fees.currency)
