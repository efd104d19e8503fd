"""The public calls that take a policy: :func:`evaluate_many` and :func:`check_order`.

They check the policy they are given and ask it; the work itself sits below the policy
(:func:`mutrec.policy._batch.run`, :func:`mutrec.policy._orders.order_check`), which the
policy's own methods call, so no module imports one that imports it back.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from mutrec._checks import require
from mutrec.model.results import Result
from mutrec.policy._batch import Batch, Request
from mutrec.policy._context import ClinicalContext
from mutrec.policy._orders import OrderCheck
from mutrec.policy._policy import Policy

__all__ = ["check_order", "evaluate_many"]


def evaluate_many(policy: Policy, rows: Iterable[Request | tuple[Any, ...]]) -> Batch:
    """Evaluate every row with *policy*, collecting per-row errors as data.

    A row that raises becomes a :class:`~mutrec.policy.RowError` (its index, result id, the
    exception's class name and message, and the field at fault when the exception names one);
    the other rows are decided as if it were not there. That covers a malformed result or a
    naive instant (a :class:`~mutrec.errors.MutrecError`), a row that is not a row, wrong types
    in a tuple, an instant so near year 1 or 9999 that calendar arithmetic overflows, and a
    vendor rule that fails. ``KeyboardInterrupt``, ``SystemExit`` and ``MemoryError`` are not
    caught. If iterating *rows* itself fails, that is recorded as a last
    :class:`~mutrec.policy.RowError` and the batch read so far is returned.

    >>> from mutrec.policy import Policy
    >>> batch = evaluate_many(Policy([]), ["not a row"])
    >>> batch.errors[0].error, batch.decisions
    ('TypeError', (None,))
    """
    require("policy", policy, Policy)
    return policy.evaluate_many(rows)


def check_order(  # noqa: PLR0913 (the facts of an order)
    policy: Policy,
    ordered: Iterable[str],
    priors: Iterable[Result],
    *,
    receiver: str,
    at: datetime,
    context: ClinicalContext,
) -> OrderCheck:
    """For each ordered item, find the newest prior result that passes, or say why none does.

    Ordered items are named like results name them (code, alias, LOINC); each prior is
    evaluated once.

    >>> from datetime import datetime, UTC
    >>> from mutrec.policy import ClinicalContext, Policy
    >>> check = check_order(Policy([]), ["K"], [], receiver="H1",
    ...                     at=datetime(2024, 3, 1, tzinfo=UTC), context=ClinicalContext())
    >>> check.lines[0].item_code, check.fee_saved
    (None, Decimal('0'))
    """
    require("policy", policy, Policy)
    return policy.check_order(ordered, priors, receiver=receiver, at=at, context=context)
