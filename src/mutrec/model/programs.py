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
from collections.abc import Iterable
from datetime import date, datetime, tzinfo
from decimal import Decimal, InvalidOperation
from typing import TypeAlias

import attrs

from mutrec._checks import instance_of, items_of, optional
from mutrec.errors import ArgumentError, CatalogueError, Problem
from mutrec.model.catalogue import Catalogue, Category, Item
from mutrec.model.instants import local_date, require_aware

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
    return items_of("catalogues", values, Catalogue)


def _membership_tuple(values: Iterable[Membership]) -> tuple[Membership, ...]:
    return items_of("members", values, Membership)


def _record_tuple(values: Iterable[QualityRecord]) -> tuple[QualityRecord, ...]:
    return items_of("records", values, QualityRecord)


def _fee_tuple(values: Iterable[Fee]) -> tuple[Fee, ...]:
    return items_of("fees", values, Fee)


_str = instance_of(str)
_opt_str = optional(_str)
_date = instance_of(date)
_opt_date = optional(_date)


def _is_zone(_instance: object, attribute: attrs.Attribute[tzinfo], value: object) -> None:
    # None would not fail: astimezone(None) quietly means the host's zone.
    if not isinstance(value, tzinfo):
        raise ArgumentError(attribute.name, value, "a tzinfo such as ZoneInfo('Asia/Shanghai')")


def _check_lookup(**arguments: object) -> None:
    """After a look-up failed: name an argument of the wrong type (``None`` passes for *item*)."""
    for name, value in arguments.items():
        if name == "instant":
            ok, expected = isinstance(value, date), "a date or an aware datetime"
        else:
            ok = isinstance(value, str) or (name == "item" and value is None)
            expected = "text (a str)" + (" or None" if name == "item" else "")
        if not ok:
            raise ArgumentError(name, value, expected)


def _covers(since: date, until: date | None, on: date) -> bool:
    return since <= on and (until is None or on <= until)


def _codes(value: Iterable[str] | None) -> frozenset[str] | None:
    if isinstance(value, str):
        # frozenset("Glu") is {"G", "l", "u"}: a lone code must come in a collection.
        arg = "items"
        raise ArgumentError(arg, value, "a collection of item codes, not a string")
    return None if value is None else frozenset(items_of("items", value, str))


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
    >>> m.covers(date(2024, 1, 1))   # the day after 'until'
    False
    >>> Membership("H1", date(2023, 1, 1), items="Glu")
    Traceback (most recent call last):
    ...
    mutrec.errors.ArgumentError: argument 'items' = 'Glu': expected a collection of item codes, ...
    """

    institution: str = attrs.field(validator=_str)
    since: date = attrs.field(validator=_date)
    until: date | None = attrs.field(default=None, validator=_opt_date)
    items: frozenset[str] | None = attrs.field(default=None, kw_only=True, converter=_codes)

    def __attrs_post_init__(self) -> None:
        """Refuse a period that ends before it starts."""
        if self.until is not None and self.until < self.since:
            msg = f"a date on or after 'since' {self.since}: membership of {self.institution!r}"
            arg = "until"
            raise ArgumentError(arg, self.until, msg)

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
        CatalogueError: Overlapping membership periods, a member scoped to unknown items, or
            two catalogues of one kind (lab / imaging) in force on the same day.
        ArgumentError: *zone* is not a ``tzinfo`` (``None`` would silently mean the host's zone).

    >>> from mutrec.files import load_example_region
    >>> prog = load_example_region().programs["北京市影像互认(示例)"]
    >>> prog.mark, prog.catalogue_at(date(2024, 5, 1)).version
    ('北京HR', '2024')
    >>> at = datetime(2024, 5, 1, 9, tzinfo=prog.zone)
    >>> prog.is_member("BJ002", at, "MR-HEAD"), prog.is_member("BJ002", at, "CT-HEAD")
    (True, False)
    """

    name: str = attrs.field(validator=_str)
    scope: str = attrs.field(validator=_str)
    mark: str = attrs.field(validator=_str)
    catalogues: tuple[Catalogue, ...] = attrs.field(converter=_catalogue_tuple)
    members: tuple[Membership, ...] = attrs.field(converter=_membership_tuple)
    zone: tzinfo = attrs.field(kw_only=True, validator=_is_zone)
    source: str | None = attrs.field(default=None, kw_only=True, validator=_opt_str)
    _members: dict[str, tuple[Membership, ...]] = attrs.field(
        init=False, eq=False, repr=False, factory=dict
    )

    def __attrs_post_init__(self) -> None:
        """Index memberships by institution, refusing overlaps and dangling item codes."""
        problems = self._catalogue_overlaps()
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

    def _catalogue_overlaps(self) -> list[Problem]:
        """Two catalogues of one kind in force on one day: which one applies would be a guess."""
        problems: list[Problem] = []
        by_kind: defaultdict[str, list[Catalogue]] = defaultdict(list)
        for cat in self.catalogues:
            for kind in sorted({item.kind.value for item in cat.items}):
                by_kind[kind].append(cat)
        for kind, cats in sorted(by_kind.items()):
            cats.sort(key=lambda c: c.effective_from)
            for i, a in enumerate(cats):
                for b in cats[i + 1 :]:
                    if a.effective_until is not None and a.effective_until < b.effective_from:
                        continue
                    problems.append(
                        Problem(
                            self.name,
                            f"catalogues.{kind}",
                            f"{kind} catalogues overlap: {a.name}@{a.version} "
                            f"({a.effective_from}..{a.effective_until or ''}) and "
                            f"{b.name}@{b.version} ({b.effective_from}..{b.effective_until or ''}) "
                            f"are both in force from {b.effective_from}",
                            hint=f"set effective_until of {a.name}@{a.version} to the day "
                            f"before {b.effective_from}",
                        )
                    )
        return problems

    def _repr_html_(self) -> str:
        """Render as an HTML table in notebooks (see :func:`mutrec.model._html.program_html`).

        >>> from mutrec.files import load_example_region
        >>> "北京HR" in load_example_region().programs["北京市影像互认(示例)"]._repr_html_()
        True
        """
        from mutrec.model._html import program_html

        return program_html(self)

    def local_date(self, instant: datetime) -> date:
        """The program-calendar date of an aware *instant*.

        Raises:
            TimeZoneError: *instant* is naive.
        """
        zone = self.zone
        if type(instant) is datetime and instant.tzinfo is zone:
            # Already on the program's clock (and so aware): the hot path skips both calls.
            return instant.date()
        return local_date(require_aware(instant, "instant"), zone)

    def catalogue_at(self, instant: datetime | date, item: str | None = None) -> Catalogue | None:
        """The catalogue in force at *instant* (containing *item*, if given), or ``None``."""
        on = instant if not isinstance(instant, datetime) else self.local_date(instant)
        try:
            for cat in self.catalogues:
                if cat.in_force(on) and (item is None or item in cat):
                    return cat
        except (TypeError, ArgumentError):
            _check_lookup(instant=instant, item=item)
            raise
        return None

    def membership(
        self, institution: str, instant: datetime | date, item: str | None = None
    ) -> Membership | None:
        """The membership covering *institution* (and *item*) at *instant*, or ``None``."""
        on = instant if not isinstance(instant, datetime) else self.local_date(instant)
        # Membership.covers inlined: this runs once or twice per evaluated result.
        try:
            for m in self._members.get(institution, ()):
                if (
                    m.since <= on
                    and (m.until is None or on <= m.until)
                    and (item is None or m.items is None or item in m.items)
                ):
                    return m
        except TypeError:  # checked only on failure: the fast path calls this
            _check_lookup(institution=institution, instant=instant, item=item)
            raise
        return None

    def is_member(
        self, institution: str, instant: datetime | date, item: str | None = None
    ) -> bool:
        """Whether *institution* is a member (for *item*) at *instant*."""
        return self.membership(institution, instant, item) is not None


_Tier: TypeAlias = tuple[tuple["QualityRecord", ...], tuple["QualityRecord", ...]]
"""Records of one scope (an item, a category, or every item): failures, then passes."""

_QualityIndex: TypeAlias = tuple[dict[str, _Tier], dict[str, _Tier], _Tier]
"""One institution's records: by item code, by category name, and institution-wide ones."""

_NO_RECORDS: _Tier = ((), ())


def _tier(records: list[QualityRecord]) -> _Tier:
    """Split into failures and passes, each newest ``valid_from`` first (file order on ties)."""
    newest = sorted(records, key=lambda r: r.valid_from, reverse=True)
    return tuple(r for r in newest if not r.passed), tuple(r for r in newest if r.passed)


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

    >>> r = QualityRecord("H1", True, date(2024, 1, 1), date(2024, 12, 31),
    ...                   scheme=Scheme.PROVINCIAL, item="K", centre="北京市临床检验中心")
    >>> r.passed, r.scheme.value
    (True, 'provincial')
    >>> QualityRecord("H1", True, date(2024, 7, 1), date(2024, 6, 30), scheme=Scheme.NATIONAL)
    Traceback (most recent call last):
    ...
    mutrec.errors.ArgumentError: argument 'valid_until' = ...: expected a date on or after ...
    """

    institution: str = attrs.field(validator=_str)
    passed: bool = attrs.field(validator=instance_of(bool))
    valid_from: date = attrs.field(validator=_date)
    valid_until: date = attrs.field(validator=_date)
    scheme: Scheme = attrs.field(kw_only=True, validator=instance_of(Scheme))
    item: str | None = attrs.field(default=None, kw_only=True, validator=_opt_str)
    category: Category | None = attrs.field(
        default=None, kw_only=True, validator=optional(instance_of(Category))
    )
    centre: str | None = attrs.field(default=None, kw_only=True, validator=_opt_str)

    def __attrs_post_init__(self) -> None:
        """Refuse a record for both an item and a category, or one ending before it starts."""
        if self.item is not None and self.category is not None:
            msg = "None when 'item' is set: a quality record is for an item or a category, not both"
            arg = "category"
            raise ArgumentError(arg, self.category, msg)
        if self.valid_until < self.valid_from:
            msg = f"a date on or after 'valid_from' {self.valid_from}"
            arg = "valid_until"
            raise ArgumentError(arg, self.valid_until, msg)


@attrs.frozen
class QualityBook:
    """Quality records indexed by institution, then item / category, for fast look-ups.

    Precedence (fail safe): a failure covering the date wins over every pass, whatever its scope
    (item, category or institution-wide), its ``valid_from`` or its place in the file. Only when
    no failure covers the date does a pass govern: an item's own record first, then its
    category's, then an institution-wide one; within one scope the latest ``valid_from``.

    A failure stops counting when its ``valid_until`` passes: to record a re-pass, end the
    failure's period the day before the new pass starts.

    >>> from mutrec.model.catalogue import Category, Item, ItemKind
    >>> k = Item("K", "钾", "Potassium", ItemKind.LAB, Category.CHEMISTRY)
    >>> book = QualityBook([
    ...     QualityRecord("H1", True, date(2024, 1, 1), date(2024, 12, 31),
    ...                   scheme=Scheme.NATIONAL, item="K"),
    ...     QualityRecord("H1", False, date(2024, 7, 1), date(2024, 12, 31),
    ...                   scheme=Scheme.NATIONAL),                 # institution-wide failure
    ... ])
    >>> book.passed("H1", k, date(2024, 3, 1)), book.passed("H1", k, date(2024, 8, 1))
    (True, False)
    >>> book.covering("H1", k, date(2024, 8, 1)).item is None     # the failure governs
    True
    >>> book.passed("H2", k, date(2024, 3, 1))                     # no record: not passed
    False
    """

    records: tuple[QualityRecord, ...] = attrs.field(converter=_record_tuple)
    _index: dict[str, _QualityIndex] = attrs.field(init=False, eq=False, repr=False, factory=dict)

    def __attrs_post_init__(self) -> None:
        """Index by institution, then item code | category name | every item."""
        by_item: defaultdict[tuple[str, str], list[QualityRecord]] = defaultdict(list)
        by_category: defaultdict[tuple[str, str], list[QualityRecord]] = defaultdict(list)
        wide: defaultdict[str, list[QualityRecord]] = defaultdict(list)
        for r in self.records:
            if r.item is not None:
                by_item[r.institution, r.item].append(r)
            elif r.category is not None:
                by_category[r.institution, r.category.name].append(r)
            else:
                wide[r.institution].append(r)
        index: dict[str, _QualityIndex] = {}
        for inst in {r.institution for r in self.records}:
            index[inst] = ({}, {}, _tier(wide.get(inst, [])))
        for (inst, code), records in by_item.items():
            index[inst][0][code] = _tier(records)
        for (inst, name), records in by_category.items():
            index[inst][1][name] = _tier(records)
        object.__setattr__(self, "_index", index)

    def covering(self, institution: str, item: Item, on: date) -> QualityRecord | None:
        """The record that governs *item* at *institution* on the date *on*, or ``None``.

        Any covering failure first (most specific, then newest), else the most specific,
        newest covering pass: see the class's precedence.
        """
        # Keys are str (the category by name): hashing an enum member runs Python code.
        try:
            entry = self._index.get(institution)
            if entry is None:
                return None
            items, categories, wide = entry
            tiers = (
                items.get(item.code, _NO_RECORDS),
                categories.get(item.category._name_, _NO_RECORDS) if categories else _NO_RECORDS,
                wide,
            )
            for failures, _ in tiers:
                for r in failures:
                    if r.valid_from <= on <= r.valid_until:
                        return r
            for _, passes in tiers:
                for r in passes:
                    if r.valid_from <= on <= r.valid_until:
                        return r
        except (TypeError, AttributeError):  # checked only on failure: rules call this per result
            _check_lookup(institution=institution, instant=on)
            if not isinstance(item, Item):
                arg = "item"
                raise ArgumentError(arg, item, "an Item (a catalogue item)") from None
            raise
        return None

    def passed(self, institution: str, item: Item, on: date) -> bool:
        """Whether *item* at *institution* passed on *on*: a pass covers it and no failure."""
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
            _check_lookup(item=item)
            raise
