"""The values the statistics return: rates, groups, reason counts, savings and summaries."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import attrs

from mutrec.errors import ArgumentError
from mutrec.model.programs import FeeBucket

__all__ = ["Group", "Rate", "ReasonCount", "Savings", "Summary"]


def _count(_instance: object, attribute: attrs.Attribute[int], value: object) -> None:
    if type(value) is not int or value < 0:
        raise ArgumentError(attribute.name, value, "a count: it must be a count, an int >= 0")


@attrs.frozen
class Rate:
    """A recognition rate, with the three outcomes kept apart.

    Attributes:
        recognised: Results fully recognised (no repeat needed).
        brought: Prior results brought and assessed (every outcome).
        with_caution: Results recognised with caution (the receiving doctor decides whether
            to repeat them); *not* included in ``recognised``.

    ``rate`` is the fully recognised share; ``rate_with_caution`` adds the cautioned ones (the
    most that may be recognised). Report both where caution occurs.

    Raises:
        ArgumentError: A count is negative or not an int, or the outcomes outnumber ``brought``.

    >>> r = Rate(4, 9, with_caution=2)
    >>> r.rate == 4 / 9, r.rate_with_caution == 6 / 9, r.not_recognised
    (True, True, 3)
    >>> Rate(0, 0).rate is None
    True
    """

    recognised: int = attrs.field(validator=_count)
    brought: int = attrs.field(validator=_count)
    with_caution: int = attrs.field(default=0, validator=_count)

    def __attrs_post_init__(self) -> None:
        """Refuse more outcomes than results brought."""
        if self.recognised + self.with_caution > self.brought:
            msg = (
                f"at least recognised + with_caution: recognised ({self.recognised}) + "
                f"with_caution ({self.with_caution}) exceed the results brought"
            )
            msg_0 = "brought"
            raise ArgumentError(msg_0, self.brought, msg)

    @property
    def rate(self) -> float | None:
        """Fully recognised ÷ brought, or ``None`` when nothing was brought.

        >>> Rate(1, 4, with_caution=1).rate
        0.25
        """
        return None if self.brought == 0 else self.recognised / self.brought

    @property
    def rate_with_caution(self) -> float | None:
        """(Recognised + recognised with caution) ÷ brought, or ``None`` when nothing was brought.

        >>> Rate(1, 4, with_caution=1).rate_with_caution
        0.5
        """
        return None if self.brought == 0 else (self.recognised + self.with_caution) / self.brought

    @property
    def not_recognised(self) -> int:
        """Prior results not recognised.

        >>> Rate(1, 4, with_caution=1).not_recognised
        2
        """
        return self.brought - self.recognised - self.with_caution

    def __str__(self) -> str:
        """Render as ``recognised/brought (percent)``, then the share with caution if any.

        >>> str(Rate(2, 7, with_caution=2)), str(Rate(0, 0))
        ('2/7 (28.6%); with caution 4/7 (57.1%)', '0/0 (—)')
        """
        text = f"{self.recognised}/{self.brought} ({_percent(self.rate)})"
        if self.with_caution:
            both = self.recognised + self.with_caution
            text += f"; with caution {both}/{self.brought} ({_percent(self.rate_with_caution)})"
        return text

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON-ready form.

        >>> Rate(1, 4, with_caution=1).to_dict()
        {'recognised': 1, 'with_caution': 1, 'not_recognised': 2, 'brought': 4, 'rate': 0.25, 'rate_with_caution': 0.5}
        """  # noqa: E501 (doctest output)
        return {
            "recognised": self.recognised,
            "with_caution": self.with_caution,
            "not_recognised": self.not_recognised,
            "brought": self.brought,
            "rate": self.rate,
            "rate_with_caution": self.rate_with_caution,
        }

    def _repr_html_(self) -> str:
        from mutrec._stats_html import rate_html

        return rate_html(self)


def _percent(share: float | None) -> str:
    return "—" if share is None else f"{share:.1%}"


@attrs.frozen
class Group:
    """The rate of one group (an item, an institution, a program, a category).

    Attributes:
        key: The group's key; ``None`` for decisions that have none (an unknown item).
        rate: The group's rate.

    >>> Group("K", Rate(1, 2)).rate.rate
    0.5
    """

    key: str | None
    rate: Rate


@attrs.frozen
class ReasonCount:
    """How often a reason code was reported.

    Attributes:
        code: The reason code, such as ``window.expired``.
        count: How many decisions reported it.

    >>> ReasonCount("qc.failed", 2).count
    2
    """

    code: str
    count: int


@attrs.frozen
class Savings:
    """Fees of the tests not repeated, split by bucket (DR / CT / MR / lab …).

    Only fully recognised results are counted as saved. Results recognised *with caution* may
    still be repeated (the receiving doctor decides): their fees are ``possible``, a
    :class:`Savings` of its own, never added to ``total``.

    Attributes:
        currency: The fee schedule's currency, when known.
        total: The summed fees.
        by_bucket: ``(bucket, amount)`` pairs, lab, CT, MR, DR first, then the other
            buckets; buckets with nothing saved are left out.
        count: Tests not repeated that had a fee.
        unpriced: Tests not repeated with no fee in the schedule (not in the total).
        possible: The same figures for the results recognised with caution (what is saved if
            the doctors repeat none of them); ``None`` where not computed.

    >>> s = Savings("CNY", Decimal("65"), ((FeeBucket.LAB, Decimal("5")),
    ...             (FeeBucket.DR, Decimal("60"))), 2)
    >>> s.bucket(FeeBucket.DR), s.bucket(FeeBucket.CT), s.possible is None
    (Decimal('60'), Decimal('0'), True)
    """

    currency: str | None
    total: Decimal
    by_bucket: tuple[tuple[FeeBucket, Decimal], ...]
    count: int
    unpriced: int = 0
    possible: Savings | None = None

    def bucket(self, bucket: FeeBucket) -> Decimal:
        """The amount saved in *bucket* (0 when none).

        >>> Savings(None, Decimal(0), (), 0).bucket(FeeBucket.MR)
        Decimal('0')
        """
        return dict(self.by_bucket).get(bucket, Decimal(0))

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON-ready form (amounts as strings, exact).

        >>> Savings("CNY", Decimal("5.00"), ((FeeBucket.LAB, Decimal("5.00")),), 1).to_dict()
        {'currency': 'CNY', 'total': '5.00', 'by_bucket': {'lab': '5.00'}, 'count': 1, 'unpriced': 0, 'possible': None}
        """  # noqa: E501 (doctest output)
        return {
            "currency": self.currency,
            "total": str(self.total),
            "by_bucket": {b.value: str(a) for b, a in self.by_bucket},
            "count": self.count,
            "unpriced": self.unpriced,
            "possible": None if self.possible is None else self.possible.to_dict(),
        }

    def __str__(self) -> str:
        """Render the total, its split, and the possible savings when there are any.

        >>> lab = ((FeeBucket.LAB, Decimal("9.00")),)
        >>> print(Savings("CNY", Decimal("9.00"), lab, 1,
        ...               possible=Savings("CNY", Decimal("9.00"), lab, 1)))
        9.00 CNY saved by 1 test not repeated (LAB 9.00); possibly 9.00 CNY more by 1 test recognised with caution (LAB 9.00)
        """  # noqa: E501 (doctest output)
        text = f"{self._money(self.total)} saved by {_tests(self.count)} not repeated"
        text += _split_text(self)
        possible = self.possible
        if possible is not None and (possible.count or possible.unpriced):
            text += (
                f"; possibly {self._money(possible.total)} more by "
                f"{_tests(possible.count)} recognised with caution{_split_text(possible)}"
            )
        return text

    def _money(self, amount: Decimal) -> str:
        return f"{amount} {self.currency}" if self.currency else str(amount)

    def _repr_html_(self) -> str:
        from mutrec._stats_html import savings_html

        return savings_html(self) + _possible_html(self)


def _split_text(savings: Savings) -> str:
    parts = [f"{b.name} {a}" for b, a in savings.by_bucket]
    if savings.unpriced:
        parts.append(f"{savings.unpriced} without a fee")
    return f" ({', '.join(parts)})" if parts else ""


def _tests(count: int) -> str:
    return f"{count} test{'' if count == 1 else 's'}"


def _possible_html(savings: Savings | None) -> str:
    # mutrec._stats_html renders the saved figures; the possible ones are added here until it
    # renders them itself.
    from html import escape

    possible = None if savings is None else savings.possible
    if possible is None or not (possible.count or possible.unpriced):
        return ""
    what = escape(f"{possible.total} {possible.currency or ''}".strip())
    split = escape(_split_text(possible))
    return (
        f"<p>possible savings, if the {_tests(possible.count)} recognised with caution are not "
        f"repeated: <b>{what}</b>{split}</p>"
    )


@attrs.frozen
class Summary:
    """Every statistic of a set of decisions at once (see :func:`summarise`).

    Attributes:
        overall: The overall rate.
        undecided: Rows that could not be decided (not counted in any rate).
        by_item: Rates per catalogue item.
        by_receiver: Rates per receiving institution.
        by_program: Rates per program.
        by_category: Rates per catalogue category (empty without a region).
        reasons: Reasons for non-recognition, most frequent first.
        savings: Fees of the tests not repeated (``None`` without a fee schedule).

    >>> from mutrec.stats import summarise
    >>> summarise([]).overall
    Rate(recognised=0, brought=0, with_caution=0)
    """

    overall: Rate
    undecided: int
    by_item: tuple[Group, ...]
    by_receiver: tuple[Group, ...]
    by_program: tuple[Group, ...]
    by_category: tuple[Group, ...]
    reasons: tuple[ReasonCount, ...]
    savings: Savings | None

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON-ready form.

        >>> from mutrec.stats import summarise
        >>> summarise([]).to_dict()["overall"]["rate"] is None
        True
        """

        def groups(gs: tuple[Group, ...]) -> list[dict[str, Any]]:
            return [{"key": g.key, **g.rate.to_dict()} for g in gs]

        return {
            "overall": self.overall.to_dict(),
            "undecided": self.undecided,
            "by_item": groups(self.by_item),
            "by_receiver": groups(self.by_receiver),
            "by_program": groups(self.by_program),
            "by_category": groups(self.by_category),
            "reasons": {r.code: r.count for r in self.reasons},
            "savings": None if self.savings is None else self.savings.to_dict(),
        }

    def _repr_html_(self) -> str:
        from mutrec._stats_html import summary_html

        return f"<div>{summary_html(self)}{_possible_html(self.savings)}</div>"
