"""What the fast path prepares once per program: item plans and the quality records' chains.

See ``_fast``: everything here is computed when a policy is built (or memoised as results
come, with pure values only), so evaluation only reads it.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from datetime import date, timedelta
from typing import TypeAlias, final

from mutrec.model.catalogue import Catalogue, Item, ItemKind, ValueKind
from mutrec.model.programs import QualityBook, QualityRecord
from mutrec.model.results import Measured
from mutrec.model.specimens import item_specimens
from mutrec.model.windows import Anchor, Counting, Span
from mutrec.policy._findings import Finding
from mutrec.policy._rule import ProgramView
from mutrec.policy._rules_facts import ValueRule, converter_of
from mutrec.policy._rules_result import day_delta
from mutrec.units import Converter, Unit

__all__ = ["Chain", "ItemPlan", "QualityIndex", "Spans", "quality_index"]

Spans: TypeAlias = tuple[Span, timedelta | None, str]
"""(span, shared timedelta for calendar days or ``None``, ``str(span)`` for findings)."""

Chain: TypeAlias = tuple[tuple[date, date, QualityRecord, str], ...]
"""Quality records in the order ``QualityBook.covering`` tries them, with their period text."""

QualityIndex: TypeAlias = dict[str, tuple[dict[str, Chain], dict[str, Chain], Chain]]
"""By institution: item-specific chains by item code, category + wide chains by category
name, and the wide chain alone."""


def _spans(span: Span) -> Spans:
    days = day_delta(span.amount) if span.counting is Counting.CALENDAR_DAYS else None
    return span, days, str(span)


def _chain(records: Iterable[QualityRecord]) -> Chain:
    # QualityBook's order: among records of one kind, the latest valid_from first (stable).
    ordered = sorted(records, key=lambda r: r.valid_from, reverse=True)
    return tuple(
        (r.valid_from, r.valid_until, r, f"{r.valid_from.isoformat()}/{r.valid_until.isoformat()}")
        for r in ordered
    )


def quality_index(book: QualityBook) -> QualityIndex:
    """Index *book*'s records as ``QualityBook.covering`` reads them, as flat chains.

    >>> from datetime import date
    >>> from mutrec.model.programs import QualityBook, QualityRecord, Scheme
    >>> index = quality_index(QualityBook([QualityRecord("H1", True, date(2024, 1, 1),
    ...                                      date(2024, 12, 31), scheme=Scheme.NATIONAL)]))
    >>> index["H1"][2][0][3]
    '2024-01-01/2024-12-31'
    """
    by_item: dict[str, dict[str, list[QualityRecord]]] = {}
    by_category: dict[str, dict[str, list[QualityRecord]]] = {}
    wide: dict[str, list[QualityRecord]] = {}
    for r in book.records:
        if r.item is not None:
            by_item.setdefault(r.institution, {}).setdefault(r.item, []).append(r)
        elif r.category is not None:
            by_category.setdefault(r.institution, {}).setdefault(r.category.name, []).append(r)
        else:
            wide.setdefault(r.institution, []).append(r)
    index: QualityIndex = {}
    for inst in {r.institution for r in book.records}:
        everywhere = _chain(wide.get(inst, ()))
        index[inst] = (
            {code: _chain(rs) for code, rs in by_item.get(inst, {}).items()},
            {name: _chain(rs) + everywhere for name, rs in by_category.get(inst, {}).items()},
            everywhere,
        )
    return index


@final
class ItemPlan:
    """What the fast path needs about one item of one catalogue, under one program.

    Per-setting spans are keyed by the care setting's name: str keys hash in C, enum members
    do not.
    """

    __slots__ = (
        "by_setting",
        "catalogue",
        "category",
        "code",
        "converters",
        "critical",
        "high",
        "item",
        "lab",
        "limits",
        "linear",
        "low",
        "numeric",
        "report_anchor",
        "rule",
        "spans",
        "specimen_memo",
        "specimens",
        "target",
        "target_code",
        "version",
        "window",
    )

    def __init__(
        self, item: Item, catalogue: Catalogue, view: ProgramView, rule: ValueRule
    ) -> None:
        """Prepare the look-ups for *item* of *catalogue* under *view*, converting by *rule*."""
        self.item = item
        self.catalogue = catalogue
        self.version = catalogue.version
        self.code = item.code
        self.category = item.category._name_
        self.lab = item.kind is ItemKind.LAB
        self.target = item.unit
        self.target_code = None if item.unit is None else item.unit.code
        # The value rule's conversions by source unit code: one str look-up per result.
        # Filled as results come (pure values: concurrent fillers store equal ones).
        self.rule = rule
        self.converters: dict[str, Callable[[float], float] | None] = {}
        # (factor, offset) of the conversions that are units Converters, by source unit code.
        self.linear: dict[str, tuple[float, float] | None] = {}
        self.numeric = item.value_kind is ValueKind.NUMERIC and item.unit is not None
        self.limits = view.settings.plausible.get(item.code)
        self.critical = view.settings.critical.get(item.code)
        # The bounds a clean number stays inside: finite, plausible and not critical.
        lows = [x[0] for x in (self.limits, self.critical) if x is not None and x[0] is not None]
        highs = [x[1] for x in (self.limits, self.critical) if x is not None and x[1] is not None]
        self.low = max(lows, default=-math.inf)
        self.high = min(highs, default=math.inf)
        self.specimen_memo: dict[str, tuple[Finding, ...]] = {}
        self.specimens = (
            None if item.specimen is None or not self.lab else item_specimens(item.specimen)
        )
        window = item.window
        self.window = window
        self.report_anchor = window is not None and window.anchor is Anchor.REPORT
        self.spans: Spans | None = None if window is None else _spans(window.span)
        self.by_setting: dict[str, Spans] | None = (
            None
            if window is None or not window.settings
            else {
                setting._name_: _spans(window.span_for(setting)) for setting, _ in window.settings
            }
        )

    def clean_number(self, value: object) -> float | None:
        """*value* in the item's unit when the value rule has nothing to say about it.

        A plain measured number of a numeric item, with a unit whose conversion is a factor
        and an offset (what a :class:`~mutrec.units.Converter` computes), finite and inside
        the plausible and critical limits. ``None`` for anything else: the caller then asks
        the value rule (``judge_value``), which alone words findings.
        """
        if type(value) is not Measured or not self.numeric:
            return None
        unit = value.unit
        if unit is None:
            return None
        linear = self.linear.get(unit.code)
        if linear is None and (linear := self._linear(unit)) is None:
            return None
        number: float = value.value * linear[0] + linear[1]
        # One pair of bounds, the tighter of the plausible and critical limits; a NaN or an
        # infinity fails them too (every comparison with NaN is False).
        if not self.low <= number <= self.high:
            return None
        return number

    def _linear(self, unit: Unit) -> tuple[float, float] | None:
        convert = self.convert(unit)
        linear = (convert.factor, convert.offset) if type(convert) is Converter else None
        self.linear[unit.code] = linear  # pure: concurrent fillers store equal values
        return linear

    def convert(self, unit: Unit) -> Callable[[float], float] | None:
        """The value rule's conversion from *unit* to the item's unit (``None``: none)."""
        try:
            return self.converters[unit.code]
        except KeyError:
            target = self.target
            found = None if target is None else converter_of(self.rule, unit, target, self.code)
            self.converters[unit.code] = found
            return found
