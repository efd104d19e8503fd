"""What the fast path prepares once per (program, item): the item plans.

See ``_fast``: everything here is computed when a policy is built (or memoised as results
come, with pure values only), so evaluation only reads it.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any, final

from mutrec.model.catalogue import Catalogue, Item, ItemKind, ValueKind
from mutrec.model.results import Measured
from mutrec.model.specimens import item_specimens
from mutrec.policy._findings import Finding
from mutrec.policy._rule import ProgramView
from mutrec.policy._rules_facts import ValueRule, converter_of
from mutrec.policy._rules_result import WindowPlan
from mutrec.units import Converter, Unit

__all__ = ["ItemPlan"]


@final
class ItemPlan:
    """What the fast path needs about one item of one catalogue, under one program."""

    __slots__ = (
        "catalogue",
        "category",
        "code",
        "converters",
        "critical",
        "extra",
        "high",
        "item",
        "lab",
        "limits",
        "linear",
        "low",
        "numeric",
        "rule",
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
        # The checks of the rules after the planned nine that may report on this item
        # (FastView fills it: see _fast._extras_for).
        self.extra: tuple[tuple[Callable[..., Any], bool], ...] = ()
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
        self.window = None if item.window is None else WindowPlan(item.window)

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
