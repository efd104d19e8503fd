"""Fee schedules: each item's fee, and the buckets savings are reported in.

Amounts are exact decimals, never floats. :mod:`mutrec.model.programs` re-exports everything
here.

>>> fs = FeeSchedule("demo", "CNY", date(2024, 1, 1), [Fee("CT-HEAD", "180", "ct")])
>>> fs.fee_for("CT-HEAD").bucket
<FeeBucket.CT: 'ct'>
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from datetime import date
from decimal import Decimal, InvalidOperation

import attrs

from mutrec._checks import instance_of, items_of, optional
from mutrec.errors import ArgumentError, CatalogueError, Problem
from mutrec.model._lookups import check_lookup

__all__ = ["Fee", "FeeBucket", "FeeSchedule"]


def _fee_tuple(values: Iterable[Fee]) -> tuple[Fee, ...]:
    return items_of("fees", values, Fee)


_str = instance_of(str)
_opt_str = optional(_str)
_date = instance_of(date)


class FeeBucket(enum.Enum):
    """How savings are split for regulators [domain.md §6: DR / CT / MR / lab].

    >>> FeeBucket("ct").name
    'CT'
    """

    CT = "ct"
    DR = "dr"
    LAB = "lab"
    MR = "mr"
    OTHER = "other"
    US = "us"


def _amount(value: Decimal | int | str) -> Decimal:
    """A fee amount, exactly as written: a float has already lost the decimal (5.1 is not 5.1)."""
    if isinstance(value, bool) or not isinstance(value, Decimal | int | str):
        msg = "a Decimal, int or str such as '5.10' (a float has lost the decimal)"
        arg = "amount"
        raise ArgumentError(arg, value, msg)
    try:
        amount = Decimal(value.strip() if isinstance(value, str) else value)
    except InvalidOperation:
        amount = Decimal("NaN")
    if not amount.is_finite():
        arg = "amount"
        raise ArgumentError(arg, value, "a finite decimal number such as '5.10'")
    return amount


def _bucket(value: FeeBucket | str) -> FeeBucket:
    if isinstance(value, FeeBucket):
        return value
    if not isinstance(value, str):
        arg = "bucket"
        raise ArgumentError(arg, value, "a FeeBucket or its value, such as 'lab'")
    try:
        return FeeBucket(value)
    except ValueError:
        known = ", ".join(b.value for b in FeeBucket)
        arg = "bucket"
        raise ArgumentError(arg, value, f"a fee bucket: one of {known}") from None


@attrs.frozen
class Fee:
    """The fee of one item.

    Attributes:
        item: The item code.
        amount: The amount, in the schedule's currency: a ``Decimal``, ``int`` or ``str``
            (a ``float`` is refused: ``Decimal(5.1)`` is 5.0999…).
        bucket: The savings bucket (or its value, such as ``"lab"``).

    >>> Fee("K", "5.10", "lab")
    Fee(item='K', amount=Decimal('5.10'), bucket=<FeeBucket.LAB: 'lab'>)
    >>> Fee("K", 5.1, FeeBucket.LAB)
    Traceback (most recent call last):
    ...
    mutrec.errors.ArgumentError: argument 'amount' = 5.1: expected a Decimal, int or str ...
    """

    item: str = attrs.field(validator=_str)
    amount: Decimal = attrs.field(converter=_amount)
    bucket: FeeBucket = attrs.field(converter=_bucket)


@attrs.frozen
class FeeSchedule:
    """Fees per item, in one currency, from a date.

    Attributes:
        name: The schedule's name.
        currency: ISO 4217 code, such as ``CNY``.
        effective_from: First day in force.
        fees: The fees.
        source: Where the fees come from.

    Raises:
        CatalogueError: Two fees for one item.

    >>> fs = FeeSchedule("demo", "CNY", date(2024, 1, 1), [Fee("K", "5.00", FeeBucket.LAB)])
    >>> fs.fee_for("K").amount, fs.fee_for("Na")
    (Decimal('5.00'), None)
    """

    name: str = attrs.field(validator=_str)
    currency: str = attrs.field(validator=_str)
    effective_from: date = attrs.field(validator=_date)
    fees: tuple[Fee, ...] = attrs.field(converter=_fee_tuple)
    source: str | None = attrs.field(default=None, kw_only=True, validator=_opt_str)
    _by_item: dict[str, Fee] = attrs.field(init=False, eq=False, repr=False, factory=dict)

    def __attrs_post_init__(self) -> None:
        """Index fees by item code, refusing a second fee for an item."""
        by_item: dict[str, Fee] = {}
        problems: list[Problem] = []
        for fee in self.fees:
            first = by_item.setdefault(fee.item, fee)
            if first is not fee:
                problems.append(
                    Problem(
                        self.name,
                        f"fees.{fee.item}",
                        f"duplicate fee for {fee.item!r}: {first.amount} and {fee.amount}",
                        hint="give each item one fee",
                    )
                )
        if problems:
            raise CatalogueError(problems)
        object.__setattr__(self, "_by_item", by_item)

    def fee_for(self, item: str) -> Fee | None:
        """The fee for an item code, or ``None``."""
        try:
            return self._by_item.get(item)
        except TypeError:
            check_lookup(item=item)
            raise
