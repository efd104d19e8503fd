"""Recognition statistics regulators ask for: 互认率, savings, and reasons for non-recognition.

Pure functions over decisions (a :class:`~mutrec.policy.Batch`, or any iterable of
:class:`~mutrec.policy.Decision` where ``None`` marks a row that could not be decided):

- 互认率 = results recognised ÷ prior results brought [domain.md §6], overall (:func:`rate`),
  per item, receiving institution, program or catalogue category (:func:`rates_by`), and per
  report (份, :func:`report_rate`). Every :class:`Rate` keeps the three outcomes apart:
  ``recognised`` (fully: no repeat needed), ``with_caution`` (the receiving doctor decides, so
  the test may still be repeated) and ``not_recognised``. ``Rate.rate`` counts the fully
  recognised only; ``Rate.rate_with_caution`` counts both. Rows that could not be decided are
  not priors that were assessed; :class:`Summary` counts them apart as ``undecided``.
- Savings = summed fees of the tests not repeated, split by DR / CT / MR / lab
  (:class:`~mutrec.model.FeeBucket`), from decisions and a fee schedule, or from an order check
  (:func:`savings`). Only fully recognised results count as saved; those recognised with
  caution are a separate figure, ``Savings.possible``.
- Reasons for non-recognition, counted by code (:func:`reason_counts`).

:func:`summarise` gathers them all; :func:`to_dataframe` hands decisions to pandas.

>>> from mutrec.stats import Rate
>>> print(Rate(6, 9))
6/9 (66.7%)
>>> print(Rate(4, 9, with_caution=2))
4/9 (44.4%); with caution 6/9 (66.7%)
"""

from __future__ import annotations

import importlib
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from decimal import Decimal
from typing import Any, Final, Literal

import attrs

from mutrec._checks import items_of
from mutrec._checks import require as check

# MissingDependencyError lives in mutrec.errors; it stays importable from here, where it was.
from mutrec.errors import ArgumentError, MissingDependencyError
from mutrec.files import Region
from mutrec.model.programs import FeeBucket, FeeSchedule
from mutrec.policy import Batch, Decision, OrderCheck, Outcome, Severity

__all__ = [
    "Decisions",
    "Group",
    "GroupKey",
    "MissingDependencyError",
    "Rate",
    "ReasonCount",
    "Savings",
    "Summary",
    "rate",
    "rates_by",
    "reason_counts",
    "report_rate",
    "savings",
    "summarise",
    "to_dataframe",
]

Decisions = Batch | Iterable[Decision | None]
"""What the statistics read: a batch, or decisions (``None`` for a row not decided)."""

GroupKey = Literal["item", "receiver", "program", "category"]
"""The built-in groupings of :func:`rates_by`."""


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


def _decisions(source: Decisions) -> tuple[Decision | None, ...]:
    """The decisions of *source*, each checked: an error names its place (``decisions[3]``)."""
    if isinstance(source, Batch):
        return source.decisions
    return items_of("decisions", source, (Decision, type(None)), "a Decision or None")


def _split(source: Decisions) -> tuple[list[Decision], int]:
    decided: list[Decision] = []
    undecided = 0
    for decision in _decisions(source):
        if decision is None:
            undecided += 1
        else:
            decided.append(decision)
    return decided, undecided


def _rate(outcomes: Iterable[Outcome]) -> Rate:
    counts = Counter(outcomes)
    return Rate(
        counts[Outcome.RECOGNISED],
        counts.total(),
        counts[Outcome.RECOGNISED_WITH_CAUTION],
    )


def rate(source: Decisions) -> Rate:
    """The overall 互认率 of *source* (rows not decided are left out).

    >>> from mutrec._demo import demo_decisions, demo_emergency
    >>> print(rate(demo_decisions()))
    6/9 (66.7%)
    >>> print(rate(demo_emergency()))
    0/2 (0.0%); with caution 1/2 (50.0%)
    """
    return _rate(d.outcome for d in _split(source)[0])


def _keyer(key: GroupKey | Callable[[Decision], str | None], region: Region | None) -> Any:
    if callable(key):
        return key
    if key == "item":
        return lambda d: d.item_code
    if key == "receiver":
        return lambda d: d.receiver_id
    if key == "program":
        return lambda d: d.program_id
    if key == "category":
        if region is None:
            msg = "a Region: rates by category need the region (its catalogues name categories)"
            msg_0 = "region"
            raise ArgumentError(msg_0, region, msg)
        check("region", region, Region)

        def category(d: Decision) -> str | None:
            item = None if d.item_code is None else region.item(d.item_code)
            return None if item is None else item.category.value

        return category
    msg = "'item', 'receiver', 'program', 'category' or a function (the key must be one)"
    msg_0 = "key"
    raise ArgumentError(msg_0, key, msg)


def rates_by(
    source: Decisions,
    key: GroupKey | Callable[[Decision], str | None],
    *,
    region: Region | None = None,
) -> tuple[Group, ...]:
    """The 互认率 per group, sorted by key (``None`` last).

    Args:
        source: The decisions.
        key: ``"item"``, ``"receiver"`` (the receiving institution), ``"program"``,
            ``"category"`` (needs *region*), or a function of a decision.
        region: The region whose catalogues give each item's category.

    Raises:
        ArgumentError: An unknown key, or ``"category"`` without a region.

    >>> from mutrec._demo import demo_decisions
    >>> for g in rates_by(demo_decisions(), "item")[:3]:
    ...     print(g.key, g.rate)
    ALT 0/1 (0.0%)
    CT-CHEST 0/1 (0.0%)
    CT-HEAD 1/1 (100.0%)
    """
    keyer = _keyer(key, region)
    groups: dict[str | None, list[Decision]] = {}
    for decision in _split(source)[0]:
        groups.setdefault(keyer(decision), []).append(decision)
    order = sorted(groups, key=lambda k: (k is None, k or ""))
    return tuple(Group(k, _rate(d.outcome for d in groups[k])) for k in order)


def report_rate(
    source: Decisions,
    report_of: Mapping[str, str] | Callable[[Decision], str | None],
    *,
    require: Literal["all", "any"] = "all",
) -> Rate:
    """The 互认率 counted per report or image set (份) rather than per result.

    With *require* ``"all"`` (default) a report takes the worst outcome of its decided results:
    fully recognised when all are, with caution when all are recognised and some with caution.
    With ``"any"`` it takes the best. Decisions whose report is unknown are left out.

    Args:
        source: The decisions.
        report_of: The report id of each decision: a mapping from ``result_id``, or a function.
        require: ``"all"`` or ``"any"``.

    >>> from mutrec._demo import demo_decisions
    >>> reports = {"R1": "L1", "R2": "L1", "R3": "L2", "R4": "L2", "R7": "I1"}
    >>> print(report_rate(demo_decisions(), reports))
    1/3 (33.3%)
    >>> print(report_rate(demo_decisions(), reports, require="any"))
    3/3 (100.0%)
    """
    given: object = require  # typed, but callers outside mypy pass anything (unhashable too)
    if not isinstance(given, str) or given not in {"all", "any"}:
        arg = "require"
        raise ArgumentError(arg, require, "'all' or 'any'")
    if not callable(report_of) and not isinstance(report_of, Mapping):
        msg = "a mapping from result_id to report id, or a function of a decision"
        msg_0 = "report_of"
        raise ArgumentError(msg_0, report_of, msg)
    of = report_of if callable(report_of) else (lambda d: report_of.get(d.result_id or ""))
    reports: dict[str, list[Outcome]] = {}
    for decision in _split(source)[0]:
        report = of(decision)
        if report is not None:
            reports.setdefault(report, []).append(decision.outcome)
    pick = max if require == "all" else min  # by _WORSE: the worst, or the best
    return _rate(pick(outcomes, key=_WORSE.__getitem__) for outcomes in reports.values())


_WORSE: Final = {
    Outcome.RECOGNISED: 0,
    Outcome.RECOGNISED_WITH_CAUTION: 1,
    Outcome.NOT_RECOGNISED: 2,
}


def reason_counts(
    source: Decisions, *, severity: Severity = Severity.BLOCK
) -> tuple[ReasonCount, ...]:
    """Count the reason codes of *severity* (default: the blocking reasons), most frequent first.

    >>> from mutrec._demo import demo_decisions
    >>> [(r.code, r.count) for r in reason_counts(demo_decisions())]
    [('imaging.device_insufficient', 1), ('qc.failed', 1), ('window.expired', 1)]
    """
    check("severity", severity, Severity)
    counts = Counter(
        f.code for d in _split(source)[0] for f in d.findings if f.severity is severity
    )
    return tuple(
        ReasonCount(code, n) for code, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    )


# The split regulators report [domain.md §6]: lab, CT, MR, DR; then the rest.
_BUCKETS: Final = (FeeBucket.LAB, FeeBucket.CT, FeeBucket.MR, FeeBucket.DR)


def _savings(
    sure: Iterable[tuple[Decimal, FeeBucket | None]],
    maybe: Iterable[tuple[Decimal, FeeBucket | None]] | None,
    currency: str | None,
) -> Savings:
    """Sum ``(fee, bucket)`` pairs (a ``None`` bucket is a test with no fee) into a Savings."""
    totals: dict[FeeBucket, Decimal] = {}
    count = unpriced = 0
    for amount, bucket in sure:
        if bucket is None:
            unpriced += 1
            continue
        totals[bucket] = totals.get(bucket, Decimal(0)) + amount
        count += 1
    order = [*_BUCKETS, *(b for b in FeeBucket if b not in _BUCKETS)]
    by_bucket = tuple((b, totals[b]) for b in order if b in totals)
    possible = None if maybe is None else _savings(maybe, None, currency)
    total = sum(totals.values(), Decimal(0))
    return Savings(currency, total, by_bucket, count, unpriced, possible)


def savings(source: Decisions | OrderCheck, fees: FeeSchedule | None = None) -> Savings:
    """Fees of the tests not repeated, split by bucket.

    From an :class:`~mutrec.policy.OrderCheck`: the fee of each ordered item a prior result
    replaces. From decisions: each recognised prior counts as one test not repeated (what
    platforms report), priced by *fees*. Either way, only fully recognised results count as
    saved; those recognised with caution make up ``possible``, reported apart.

    Raises:
        ArgumentError: Decisions without a fee schedule.

    >>> from mutrec._demo import demo_decisions, demo_emergency, demo_order, demo_region
    >>> s = savings(demo_order())
    >>> s.total, s.bucket(FeeBucket.LAB), s.bucket(FeeBucket.MR), s.possible.total
    (Decimal('759.00'), Decimal('69.00'), Decimal('450.00'), Decimal('0'))
    >>> print(savings(demo_emergency(), demo_region().fees))
    0 CNY saved by 0 tests not repeated; possibly 4.00 CNY more by 1 test recognised with caution (LAB 4.00)
    """  # noqa: E501 (doctest output)
    if isinstance(source, OrderCheck):
        sure: list[tuple[Decimal, FeeBucket | None]] = []
        maybe: list[tuple[Decimal, FeeBucket | None]] = []
        for line in source.lines:
            if line.decision is not None and line.decision.outcome.recognised:
                caution = line.decision.outcome is Outcome.RECOGNISED_WITH_CAUTION
                (maybe if caution else sure).append((line.fee_saved, line.bucket))
        return _savings(sure, maybe, source.currency)
    if not isinstance(fees, FeeSchedule):
        msg = "a FeeSchedule: savings from decisions need the fee schedule (fees=region.fees)"
        msg_0 = "fees"
        raise ArgumentError(msg_0, fees, msg)
    sure, maybe = [], []
    for decision in _split(source)[0]:
        if not decision.outcome.recognised:
            continue
        fee = None if decision.item_code is None else fees.fee_for(decision.item_code)
        priced = (Decimal(0), None) if fee is None else (fee.amount, fee.bucket)
        caution = decision.outcome is Outcome.RECOGNISED_WITH_CAUTION
        (maybe if caution else sure).append(priced)
    return _savings(sure, maybe, fees.currency)


def summarise(
    source: Decisions, *, region: Region | None = None, fees: FeeSchedule | None = None
) -> Summary:
    """Every statistic at once: rates overall and per group, reasons, savings.

    Args:
        source: The decisions.
        region: Gives categories, and the fee schedule when *fees* is not given.
        fees: The fee schedule for the savings.

    >>> from mutrec._demo import demo_decisions, demo_region
    >>> s = summarise(demo_decisions(), region=demo_region())
    >>> print(s.overall, s.savings.total, s.by_category[0].key)
    6/9 (66.7%) 759.00 blood_cell
    """
    if region is not None:
        check("region", region, Region, "a Region or None")
    if fees is not None:
        check("fees", fees, FeeSchedule, "a FeeSchedule or None")
    decided, undecided = _split(source)
    schedule = fees if fees is not None else (None if region is None else region.fees)
    return Summary(
        overall=_rate(d.outcome for d in decided),
        undecided=undecided,
        by_item=rates_by(decided, "item"),
        by_receiver=rates_by(decided, "receiver"),
        by_program=rates_by(decided, "program"),
        by_category=() if region is None else rates_by(decided, "category", region=region),
        reasons=reason_counts(decided),
        savings=None if schedule is None else savings(decided, schedule),
    )


_COLUMNS = (
    "row",
    "result_id",
    "item_code",
    "outcome",
    "recognised",
    "with_caution",
    "codes",
    "expires_at",
    "evaluated_at",
    "receiver_id",
    "program_id",
    "catalogue_version",
    "policy_version",
    "error",
    "message",
)


def _records(source: Decisions) -> list[dict[str, Any]]:
    errors = {e.index: e for e in source.errors} if isinstance(source, Batch) else {}
    rows = []
    for index, d in enumerate(_decisions(source)):
        err = errors.get(index)
        rows.append(
            {
                "row": index,
                "result_id": d.result_id if d is not None else err and err.result_id,
                "item_code": None if d is None else d.item_code,
                "outcome": None if d is None else d.outcome.value,
                "recognised": None if d is None else d.outcome is Outcome.RECOGNISED,
                "with_caution": None if d is None else d.outcome is Outcome.RECOGNISED_WITH_CAUTION,
                "codes": None if d is None else ";".join(d.codes),
                "expires_at": None if d is None else d.expires_at,
                "evaluated_at": None if d is None else d.evaluated_at,
                "receiver_id": None if d is None else d.receiver_id,
                "program_id": None if d is None else d.program_id,
                "catalogue_version": None if d is None else d.catalogue_version,
                "policy_version": None if d is None else d.policy_version,
                "error": None if err is None else err.error,
                "message": None if err is None else err.message,
            }
        )
    return rows


def to_dataframe(source: Decisions) -> Any:
    """One row per decision (or bad row) as a pandas DataFrame; instants in UTC.

    ``recognised`` is true for a fully recognised result only; ``with_caution`` for one
    recognised with caution (``outcome`` names all three).

    Needs the optional extra: ``pip install mutrec[pandas]``.

    Raises:
        MissingDependencyError: pandas is not installed (an :class:`ImportError`).

    >>> from mutrec._demo import demo_decisions
    >>> df = to_dataframe(demo_decisions())
    >>> int(df["recognised"].sum()), len(df), str(df["expires_at"].dt.tz)
    (6, 9, 'UTC')
    """
    records = _records(source)  # checked before pandas loads: a wrong argument is no import
    package = "pandas"
    try:
        pd = importlib.import_module(package)
    except ImportError:
        raise MissingDependencyError(package) from None
    frame = pd.DataFrame.from_records(records, columns=list(_COLUMNS))
    for column in ("expires_at", "evaluated_at"):
        frame[column] = pd.to_datetime(frame[column], utc=True)
    return frame
