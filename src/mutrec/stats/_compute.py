"""The statistics of decisions: 互认率 overall, per group and per report, reasons, savings."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from decimal import Decimal
from typing import Any, Final, Literal

from mutrec._checks import items_of
from mutrec._checks import require as check
from mutrec.errors import ArgumentError
from mutrec.files import Region
from mutrec.model.programs import FeeBucket, FeeSchedule
from mutrec.policy import Batch, Decision, OrderCheck, Outcome, Severity
from mutrec.stats._values import Group, Rate, ReasonCount, Savings, Summary

__all__ = [
    "Decisions",
    "GroupKey",
    "decisions_of",
    "rate",
    "rates_by",
    "reason_counts",
    "report_rate",
    "savings",
    "summarise",
]

Decisions = Batch | Iterable[Decision | None]
"""What the statistics read: a batch, or decisions (``None`` for a row not decided)."""

GroupKey = Literal["item", "receiver", "program", "category"]
"""The built-in groupings of :func:`rates_by`."""


def decisions_of(source: Decisions) -> tuple[Decision | None, ...]:
    """The decisions of *source*, each checked: an error names its place (``decisions[3]``)."""
    if isinstance(source, Batch):
        return source.decisions
    return items_of("decisions", source, (Decision, type(None)), "a Decision or None")


def _split(source: Decisions) -> tuple[list[Decision], int]:
    decided: list[Decision] = []
    undecided = 0
    for decision in decisions_of(source):
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
