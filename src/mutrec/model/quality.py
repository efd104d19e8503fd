"""Quality records: external quality assessment (室间质评) outcomes, and a book to look them up.

Dates are calendar dates in the program's zone; ``valid_until`` is the last day (inclusive).
:mod:`mutrec.model.programs` re-exports everything here.

>>> from mutrec.model.items import Category, Item, ItemKind
>>> k = Item("K", "钾", "Potassium", ItemKind.LAB, Category.CHEMISTRY)
>>> book = QualityBook([QualityRecord("H1", True, date(2024, 1, 1), date(2024, 12, 31),
...                                   scheme=Scheme.NATIONAL, category=Category.CHEMISTRY)])
>>> book.passed("H1", k, date(2024, 6, 1)), book.passed("H1", k, date(2025, 1, 1))
(True, False)
"""

from __future__ import annotations

import enum
from collections import defaultdict
from collections.abc import Iterable
from datetime import date
from typing import TypeAlias

import attrs

from mutrec._checks import instance_of, items_of, optional
from mutrec.errors import ArgumentError
from mutrec.model._lookups import check_lookup
from mutrec.model.items import Category, Item

__all__ = ["QualityBook", "QualityRecord", "Scheme"]


def _record_tuple(values: Iterable[QualityRecord]) -> tuple[QualityRecord, ...]:
    return items_of("records", values, QualityRecord)


_str = instance_of(str)
_opt_str = optional(_str)
_date = instance_of(date)


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
            check_lookup(institution=institution, instant=on)
            if not isinstance(item, Item):
                arg = "item"
                raise ArgumentError(arg, item, "an Item (a catalogue item)") from None
            raise
        return None

    def passed(self, institution: str, item: Item, on: date) -> bool:
        """Whether *item* at *institution* passed on *on*: a pass covers it and no failure."""
        record = self.covering(institution, item, on)
        return record is not None and record.passed
