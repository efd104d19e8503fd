"""Programs (a region's scheme), memberships, quality records and fee schedules.

Dates here are calendar dates in the program's zone; ``until`` dates are the last day
(inclusive), as notices print them (有效期至 …). Instants are placed in that calendar with
:meth:`Program.local_date`.

>>> from datetime import date, datetime
>>> from zoneinfo import ZoneInfo
>>> prog = Program("demo", "京津冀鲁", "京津冀HR", (), [Membership("H1", date(2023, 1, 1))],
...                zone=ZoneInfo("Asia/Shanghai"))
>>> prog.is_member("H1", datetime(2024, 5, 1, tzinfo=ZoneInfo("Asia/Shanghai")))
True
"""

from __future__ import annotations

import enum
import itertools
from collections import defaultdict
from datetime import date, datetime, tzinfo
from decimal import Decimal
from typing import TYPE_CHECKING

import attrs

from mutrec.errors import CatalogueError, Problem
from mutrec.model.instants import local_date, require_aware

if TYPE_CHECKING:
    from collections.abc import Iterable

    from mutrec.model.catalogue import Catalogue, Category, Item

__all__ = [
    "Fee",
    "FeeBucket",
    "FeeSchedule",
    "Membership",
    "Program",
    "QualityBook",
    "QualityRecord",
    "Scheme",
]


def _catalogue_tuple(values: Iterable[Catalogue]) -> tuple[Catalogue, ...]:
    return tuple(values)


def _membership_tuple(values: Iterable[Membership]) -> tuple[Membership, ...]:
    return tuple(values)


def _record_tuple(values: Iterable[QualityRecord]) -> tuple[QualityRecord, ...]:
    return tuple(values)


def _fee_tuple(values: Iterable[Fee]) -> tuple[Fee, ...]:
    return tuple(values)


def _covers(since: date, until: date | None, on: date) -> bool:
    return since <= on and (until is None or on <= until)


def _codes(value: Iterable[str] | None) -> frozenset[str] | None:
    return None if value is None else frozenset(value)


@attrs.frozen
class Membership:
    """An institution's membership of a program over a period, optionally for some items.

    Attributes:
        institution: The institution's id.
        since: First day of membership.
        until: Last day (inclusive), or ``None`` while current.
        items: The item codes it is a member for; ``None`` for every item.

    >>> m = Membership("H1", date(2023, 1, 1), date(2023, 12, 31), items={"K", "Na"})
    >>> m.covers(date(2023, 6, 1), "K"), m.covers(date(2023, 6, 1), "ALT")
    (True, False)
    """

    institution: str
    since: date
    until: date | None = None
    items: frozenset[str] | None = attrs.field(default=None, kw_only=True, converter=_codes)

    def __attrs_post_init__(self) -> None:
        """Refuse a period that ends before it starts."""
        if self.until is not None and self.until < self.since:
            msg = f"membership of {self.institution!r}: 'until' {self.until} is before 'since'"
            raise ValueError(msg)

    def covers(self, on: date, item: str | None = None) -> bool:
        """Whether the membership covers the date *on* (and the item code, if given)."""
        in_scope = item is None or self.items is None or item in self.items
        return in_scope and _covers(self.since, self.until, on)


@attrs.frozen
class Program:
    """A recognition program: its mark, catalogues (versions over time) and members.

    Attributes:
        name: The program's name.
        scope: The area it covers, such as ``京津冀鲁``.
        mark: The mark's display form: ``京津冀HR``, ``鄂HR``, ``★`` …
        catalogues: Its catalogues; at most one in force on any day per kind.
        members: Memberships; one institution's periods must not overlap.
        zone: The zone whose calendar dates the program's dates are in.
        source: Where the program's data come from.

    Raises:
        CatalogueError: Overlapping membership periods, or a member scoped to unknown items.
    """

    name: str
    scope: str
    mark: str
    catalogues: tuple[Catalogue, ...] = attrs.field(converter=_catalogue_tuple)
    members: tuple[Membership, ...] = attrs.field(converter=_membership_tuple)
    zone: tzinfo = attrs.field(kw_only=True)
    source: str | None = attrs.field(default=None, kw_only=True)
    _members: dict[str, tuple[Membership, ...]] = attrs.field(
        init=False, eq=False, repr=False, factory=dict
    )

    def __attrs_post_init__(self) -> None:
        """Index memberships by institution, refusing overlaps and dangling item codes."""
        problems: list[Problem] = []
        known = {item.code for cat in self.catalogues for item in cat.items}
        grouped: defaultdict[str, list[Membership]] = defaultdict(list)
        for m in self.members:
            grouped[m.institution].append(m)
            if self.catalogues and m.items is not None and (unknown := m.items - known):
                problems.append(
                    Problem(
                        self.name,
                        f"members.{m.institution}.items",
                        f"unknown item codes {sorted(unknown)}",
                        hint="use codes from the program's catalogues",
                    )
                )
        for inst, periods in grouped.items():
            periods.sort(key=lambda m: m.since)
            for a, b in itertools.pairwise(periods):
                if a.until is None or b.since <= a.until:
                    problems.append(
                        Problem(
                            self.name,
                            f"members.{inst}",
                            f"membership periods overlap: {a.since}..{a.until or ''} and "
                            f"{b.since}..{b.until or ''}",
                            hint="end the earlier period before the next one starts",
                        )
                    )
        if problems:
            raise CatalogueError(problems)
        object.__setattr__(self, "_members", {k: tuple(v) for k, v in grouped.items()})

    def local_date(self, instant: datetime) -> date:
        """The program-calendar date of an aware *instant*.

        Raises:
            TimeZoneError: *instant* is naive.
        """
        return local_date(require_aware(instant, "instant"), self.zone)

    def catalogue_at(self, instant: datetime | date, item: str | None = None) -> Catalogue | None:
        """The catalogue in force at *instant* (containing *item*, if given), or ``None``."""
        on = instant if not isinstance(instant, datetime) else self.local_date(instant)
        for cat in self.catalogues:
            if cat.in_force(on) and (item is None or item in cat):
                return cat
        return None

    def membership(
        self, institution: str, instant: datetime | date, item: str | None = None
    ) -> Membership | None:
        """The membership covering *institution* (and *item*) at *instant*, or ``None``."""
        on = instant if not isinstance(instant, datetime) else self.local_date(instant)
        for m in self._members.get(institution, ()):
            if m.covers(on, item):
                return m
        return None

    def is_member(
        self, institution: str, instant: datetime | date, item: str | None = None
    ) -> bool:
        """Whether *institution* is a member (for *item*) at *instant*."""
        return self.membership(institution, instant, item) is not None


class Scheme(enum.Enum):
    """Who ran the external quality assessment (室间质评).

    >>> Scheme("national").name
    'NATIONAL'
    """

    NATIONAL = "national"
    PROVINCIAL = "provincial"


@attrs.frozen
class QualityRecord:
    """An EQA outcome for an institution, for one item, a category, or every item.

    Attributes:
        institution: The institution's id.
        passed: Whether it passed.
        valid_from: First day the outcome counts.
        valid_until: Last day (inclusive).
        scheme: National or provincial centre.
        item: The item code it is for, or ``None``.
        category: The item group it is for, or ``None`` (both ``None``: every item).
        centre: The QC centre (质控中心) that ran it.
    """

    institution: str
    passed: bool
    valid_from: date
    valid_until: date
    scheme: Scheme = attrs.field(kw_only=True)
    item: str | None = attrs.field(default=None, kw_only=True)
    category: Category | None = attrs.field(default=None, kw_only=True)
    centre: str | None = attrs.field(default=None, kw_only=True)

    def __attrs_post_init__(self) -> None:
        """Refuse a record for both an item and a category, or one ending before it starts."""
        if self.item is not None and self.category is not None:
            msg = "a quality record is for an item or a category, not both"
            raise ValueError(msg)
        if self.valid_until < self.valid_from:
            msg = f"'valid_until' {self.valid_until} is before 'valid_from' {self.valid_from}"
            raise ValueError(msg)


@attrs.frozen
class QualityBook:
    """Quality records indexed by (institution, item / category) for O(1) look-ups.

    >>> from mutrec.model.catalogue import Category, Item, ItemKind
    >>> k = Item("K", "钾", "Potassium", ItemKind.LAB, Category.CHEMISTRY)
    >>> book = QualityBook([
    ...     QualityRecord("H1", True, date(2024, 1, 1), date(2024, 12, 31),
    ...                   scheme=Scheme.NATIONAL, category=Category.CHEMISTRY),
    ...     QualityRecord("H1", False, date(2024, 7, 1), date(2024, 12, 31),
    ...                   scheme=Scheme.NATIONAL, item="K"),
    ... ])
    >>> book.passed("H1", k, date(2024, 3, 1)), book.passed("H1", k, date(2024, 8, 1))
    (True, False)
    """

    records: tuple[QualityRecord, ...] = attrs.field(converter=_record_tuple)
    _index: dict[tuple[str, object], tuple[QualityRecord, ...]] = attrs.field(
        init=False, eq=False, repr=False, factory=dict
    )

    def __attrs_post_init__(self) -> None:
        """Index by (institution, item code | category | None), newest first."""
        index: defaultdict[tuple[str, object], list[QualityRecord]] = defaultdict(list)
        for r in self.records:
            index[r.institution, r.item if r.item is not None else r.category].append(r)
        object.__setattr__(
            self,
            "_index",
            {
                k: tuple(sorted(v, key=lambda r: r.valid_from, reverse=True))
                for k, v in index.items()
            },
        )

    def covering(self, institution: str, item: Item, on: date) -> QualityRecord | None:
        """The record that governs *item* at *institution* on the date *on*.

        An item-specific record comes first, then one for its category, then an
        institution-wide one; among records of one kind, the latest ``valid_from`` wins.
        """
        for key in (item.code, item.category, None):
            for r in self._index.get((institution, key), ()):
                if r.valid_from <= on <= r.valid_until:
                    return r
        return None

    def passed(self, institution: str, item: Item, on: date) -> bool:
        """Whether a passing record covers *item* at *institution* on *on*."""
        record = self.covering(institution, item, on)
        return record is not None and record.passed


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


@attrs.frozen
class Fee:
    """The fee of one item.

    Attributes:
        item: The item code.
        amount: The amount, in the schedule's currency.
        bucket: The savings bucket.
    """

    item: str
    amount: Decimal = attrs.field(converter=Decimal)
    bucket: FeeBucket


@attrs.frozen
class FeeSchedule:
    """Fees per item, in one currency, from a date.

    Attributes:
        name: The schedule's name.
        currency: ISO 4217 code, such as ``CNY``.
        effective_from: First day in force.
        fees: The fees.
        source: Where the fees come from.

    >>> fs = FeeSchedule("demo", "CNY", date(2024, 1, 1), [Fee("K", "5.00", FeeBucket.LAB)])
    >>> fs.fee_for("K").amount
    Decimal('5.00')
    """

    name: str
    currency: str
    effective_from: date
    fees: tuple[Fee, ...] = attrs.field(converter=_fee_tuple)
    source: str | None = attrs.field(default=None, kw_only=True)
    _by_item: dict[str, Fee] = attrs.field(init=False, eq=False, repr=False, factory=dict)

    def __attrs_post_init__(self) -> None:
        """Index fees by item code."""
        object.__setattr__(self, "_by_item", {f.item: f for f in self.fees})

    def fee_for(self, item: str) -> Fee | None:
        """The fee for an item code, or ``None``."""
        return self._by_item.get(item)
