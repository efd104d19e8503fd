"""Recognition statistics regulators ask for: 互认率, savings, and reasons for non-recognition.

Pure functions over decisions (a :class:`~mutrec.policy.Batch`, or any iterable of
:class:`~mutrec.policy.Decision` where ``None`` marks a row that could not be decided):

- 互认率 = results recognised ÷ prior results brought [domain.md §6], overall (:func:`rate`),
  per item, receiving institution, program or catalogue category (:func:`rates_by`), and per
  report (份, :func:`report_rate`). Recognised *with caution* counts as recognised: the result
  may be used instead of a repeat. Rows that could not be decided are not priors that were
  assessed; :class:`Summary` counts them apart as ``undecided``.
- Savings = summed fees of the tests not repeated, split by DR / CT / MR / lab
  (:class:`~mutrec.model.FeeBucket`), from decisions and a fee schedule, or from an order check
  (:func:`savings`).
- Reasons for non-recognition, counted by code (:func:`reason_counts`).

:func:`summarise` gathers them all; :func:`to_dataframe` hands decisions to pandas.

>>> from mutrec.stats import Rate
>>> print(Rate(6, 9))
6/9 (66.7%)
"""

from __future__ import annotations

import importlib
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Final, Literal

import attrs

from mutrec.errors import MutrecError
from mutrec.model.programs import FeeBucket
from mutrec.policy import Batch, Decision, OrderCheck, Severity

if TYPE_CHECKING:
    from mutrec.files import Region
    from mutrec.model.programs import FeeSchedule

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


class MissingDependencyError(MutrecError, ImportError):
    """An optional dependency is not installed; the message names the extra that installs it.

    >>> str(MissingDependencyError("pandas"))
    'to_dataframe needs pandas: pip install mutrec[pandas]'
    """

    def __init__(self, package: str, extra: str | None = None) -> None:
        """Record the missing *package* and the extra (default: same name) providing it."""
        self.package = package
        self.extra = extra or package
        super().__init__(
            f"to_dataframe needs {package}: pip install mutrec[{self.extra}]", name=package
        )


@attrs.frozen
class Rate:
    """A recognition rate: how many of the prior results brought were recognised.

    Attributes:
        recognised: Results recognised (with or without caution).
        brought: Prior results brought and assessed.
        with_caution: Of the recognised, those recognised with caution.

    >>> r = Rate(6, 9, with_caution=1)
    >>> r.rate == 6 / 9, r.not_recognised, Rate(0, 0).rate is None
    (True, 3, True)
    """

    recognised: int
    brought: int
    with_caution: int = 0

    @property
    def rate(self) -> float | None:
        """``recognised / brought``, or ``None`` when nothing was brought.

        >>> Rate(1, 4).rate
        0.25
        """
        return None if self.brought == 0 else self.recognised / self.brought

    @property
    def not_recognised(self) -> int:
        """Prior results not recognised.

        >>> Rate(1, 4).not_recognised
        3
        """
        return self.brought - self.recognised

    def __str__(self) -> str:
        """Render as ``recognised/brought (percent)``."""
        share = "—" if self.rate is None else f"{self.rate:.1%}"
        return f"{self.recognised}/{self.brought} ({share})"

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON-ready form.

        >>> Rate(1, 2).to_dict()
        {'recognised': 1, 'brought': 2, 'with_caution': 0, 'rate': 0.5}
        """
        return {**attrs.asdict(self), "rate": self.rate}

    def _repr_html_(self) -> str:
        from mutrec._display import rate_html

        return rate_html(self)


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

    Attributes:
        currency: The fee schedule's currency, when known.
        total: The summed fees.
        by_bucket: ``(bucket, amount)`` pairs, lab, CT, MR, DR first, then the other
            buckets; buckets with nothing saved are left out.
        count: Tests not repeated that had a fee.
        unpriced: Tests not repeated with no fee in the schedule (not in the total).

    >>> s = Savings("CNY", Decimal("65"), ((FeeBucket.LAB, Decimal("5")),
    ...             (FeeBucket.DR, Decimal("60"))), 2)
    >>> s.bucket(FeeBucket.DR), s.bucket(FeeBucket.CT)
    (Decimal('60'), Decimal('0'))
    """

    currency: str | None
    total: Decimal
    by_bucket: tuple[tuple[FeeBucket, Decimal], ...]
    count: int
    unpriced: int = 0

    def bucket(self, bucket: FeeBucket) -> Decimal:
        """The amount saved in *bucket* (0 when none).

        >>> Savings(None, Decimal(0), (), 0).bucket(FeeBucket.MR)
        Decimal('0')
        """
        return dict(self.by_bucket).get(bucket, Decimal(0))

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON-ready form (amounts as strings, exact).

        >>> Savings("CNY", Decimal("5.00"), ((FeeBucket.LAB, Decimal("5.00")),), 1).to_dict()
        {'currency': 'CNY', 'total': '5.00', 'by_bucket': {'lab': '5.00'}, 'count': 1, 'unpriced': 0}
        """  # noqa: E501 (doctest output)
        return {
            "currency": self.currency,
            "total": str(self.total),
            "by_bucket": {b.value: str(a) for b, a in self.by_bucket},
            "count": self.count,
            "unpriced": self.unpriced,
        }

    def _repr_html_(self) -> str:
        from mutrec._display import savings_html

        return savings_html(self)


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
        from mutrec._display import summary_html

        return summary_html(self)


def _split(source: Decisions) -> tuple[list[Decision], int]:
    decided: list[Decision] = []
    undecided = 0
    for decision in source:
        if decision is None:
            undecided += 1
        else:
            decided.append(decision)
    return decided, undecided


def _rate(decisions: Iterable[Decision]) -> Rate:
    brought = recognised = caution = 0
    for d in decisions:
        brought += 1
        if d.outcome.recognised:
            recognised += 1
            caution += d.outcome.value == "recognised_with_caution"
    return Rate(recognised, brought, caution)


def rate(source: Decisions) -> Rate:
    """The overall 互认率 of *source* (rows not decided are left out).

    >>> from mutrec._demo import demo_decisions
    >>> print(rate(demo_decisions()))
    6/9 (66.7%)
    """
    return _rate(_split(source)[0])


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
            msg = "rates by category need the region (its catalogues name each item's category)"
            raise ValueError(msg)

        def category(d: Decision) -> str | None:
            item = None if d.item_code is None else region.item(d.item_code)
            return None if item is None else item.category.value

        return category
    msg = f"key must be 'item', 'receiver', 'program', 'category' or a function (got {key!r})"
    raise ValueError(msg)


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
        ValueError: An unknown key, or ``"category"`` without a region.

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
    return tuple(Group(k, _rate(groups[k])) for k in order)


def report_rate(
    source: Decisions,
    report_of: Mapping[str, str] | Callable[[Decision], str | None],
    *,
    require: Literal["all", "any"] = "all",
) -> Rate:
    """The 互认率 counted per report or image set (份) rather than per result.

    A report counts as recognised when *all* (default) or *any* of its decided results are.
    Decisions whose report is unknown are left out.

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
    if require not in {"all", "any"}:
        msg = f"require must be 'all' or 'any' (got {require!r})"
        raise ValueError(msg)
    of = report_of if callable(report_of) else (lambda d: report_of.get(d.result_id or ""))
    reports: dict[str, list[bool]] = {}
    for decision in _split(source)[0]:
        report = of(decision)
        if report is not None:
            reports.setdefault(report, []).append(decision.outcome.recognised)
    test = all if require == "all" else any
    return Rate(sum(1 for flags in reports.values() if test(flags)), len(reports))


def reason_counts(
    source: Decisions, *, severity: Severity = Severity.BLOCK
) -> tuple[ReasonCount, ...]:
    """Count the reason codes of *severity* (default: the blocking reasons), most frequent first.

    >>> from mutrec._demo import demo_decisions
    >>> [(r.code, r.count) for r in reason_counts(demo_decisions())]
    [('imaging.device_insufficient', 1), ('qc.failed', 1), ('window.expired', 1)]
    """
    counts = Counter(
        f.code for d in _split(source)[0] for f in d.findings if f.severity is severity
    )
    return tuple(
        ReasonCount(code, n) for code, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    )


# The split regulators report [domain.md §6]: lab, CT, MR, DR; then the rest.
_BUCKETS: Final = (FeeBucket.LAB, FeeBucket.CT, FeeBucket.MR, FeeBucket.DR)


def _savings(
    pairs: Iterable[tuple[Decimal, FeeBucket]], currency: str | None, unpriced: int
) -> Savings:
    totals: dict[FeeBucket, Decimal] = {}
    count = 0
    for amount, bucket in pairs:
        totals[bucket] = totals.get(bucket, Decimal(0)) + amount
        count += 1
    order = [*_BUCKETS, *(b for b in FeeBucket if b not in _BUCKETS)]
    by_bucket = tuple((b, totals[b]) for b in order if b in totals)
    return Savings(currency, sum(totals.values(), Decimal(0)), by_bucket, count, unpriced)


def savings(source: Decisions | OrderCheck, fees: FeeSchedule | None = None) -> Savings:
    """Fees of the tests not repeated, split by bucket.

    From an :class:`~mutrec.policy.OrderCheck`: the fee of each ordered item a prior result
    replaces. From decisions: each recognised prior counts as one test not repeated (what
    platforms report), priced by *fees*.

    Raises:
        ValueError: Decisions without a fee schedule.

    >>> from mutrec._demo import demo_decisions, demo_order
    >>> s = savings(demo_order())
    >>> s.total, s.bucket(FeeBucket.LAB), s.bucket(FeeBucket.MR)
    (Decimal('759.00'), Decimal('69.00'), Decimal('450.00'))
    """
    if isinstance(source, OrderCheck):
        pairs = [(ln.fee_saved, ln.bucket) for ln in source.lines if ln.recognised and ln.bucket]
        unpriced = sum(1 for ln in source.lines if ln.recognised and ln.bucket is None)
        return _savings(pairs, source.currency, unpriced)
    if fees is None:
        msg = "savings from decisions need the fee schedule (fees=region.fees)"
        raise ValueError(msg)
    priced: list[tuple[Decimal, FeeBucket]] = []
    unpriced = 0
    for decision in _split(source)[0]:
        if not decision.outcome.recognised:
            continue
        fee = None if decision.item_code is None else fees.fee_for(decision.item_code)
        if fee is None:
            unpriced += 1
        else:
            priced.append((fee.amount, fee.bucket))
    return _savings(priced, fees.currency, unpriced)


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
    decided, undecided = _split(source)
    schedule = fees if fees is not None else (None if region is None else region.fees)
    return Summary(
        overall=_rate(decided),
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
    for index, d in enumerate(source):
        err = errors.get(index)
        rows.append(
            {
                "row": index,
                "result_id": d.result_id if d is not None else err and err.result_id,
                "item_code": None if d is None else d.item_code,
                "outcome": None if d is None else d.outcome.value,
                "recognised": None if d is None else d.outcome.recognised,
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

    Needs the optional extra: ``pip install mutrec[pandas]``.

    Raises:
        MissingDependencyError: pandas is not installed (an :class:`ImportError`).

    >>> from mutrec._demo import demo_decisions
    >>> df = to_dataframe(demo_decisions())
    >>> int(df["recognised"].sum()), len(df), str(df["expires_at"].dt.tz)
    (6, 9, 'UTC')
    """
    package = "pandas"
    try:
        pd = importlib.import_module(package)
    except ImportError:
        raise MissingDependencyError(package) from None
    frame = pd.DataFrame.from_records(_records(source), columns=list(_COLUMNS))
    for column in ("expires_at", "evaluated_at"):
        frame[column] = pd.to_datetime(frame[column], utc=True)
    return frame
