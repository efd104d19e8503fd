"""An item's national reference intervals, in the item's unit.

A catalogue item with ``reference = "national"`` keeps the key of its entry in the national
table (:attr:`Item.reference <mutrec.model.items.Item.reference>`); this module turns it into a
:class:`~mutrec.model.ranges.PartitionedRange` in the item's unit, once per item.

The intervals hold for adults aged 20–79 years: ``select`` answers ``None`` outside those ages
or when sex or birth date is unknown. A caller must then show no range, never guess one.

>>> from datetime import date, datetime
>>> from zoneinfo import ZoneInfo
>>> from mutrec.model.items import Category, Item, ItemKind
>>> from mutrec.model.patient import PatientContext, Sex
>>> from mutrec.units import parse_unit
>>> cre = Item("Cre", "肌酐", "Creatinine", ItemKind.LAB, Category.CHEMISTRY,
...            specimen="serum", unit=parse_unit("mg/dL"), reference="1700404A")
>>> sh = ZoneInfo("Asia/Shanghai")
>>> man = PatientContext(Sex.MALE, date(1981, 5, 1))
>>> r = item_reference(cre).select(man, datetime(2026, 11, 30, tzinfo=sh), sh)
>>> round(r.low, 2), round(r.high, 2), r.unit.code
(0.64, 1.1, 'mg/dL')
"""

from __future__ import annotations

import functools

import attrs

from mutrec.errors import ArgumentError
from mutrec.model.items import Item
from mutrec.model.national import national_interval
from mutrec.model.ranges import PartitionedRange
from mutrec.units import Unit

__all__ = ["item_reference"]


@functools.cache
def _converted(key: str, unit: Unit) -> PartitionedRange | None:
    entry = national_interval(key)
    ranges = entry.range
    if ranges is None:
        return None
    return PartitionedRange(
        attrs.evolve(p, reference=p.reference.to_unit(unit, analyte=entry.units_analyte))
        for p in ranges.partitions
    )


def item_reference(item: Item) -> PartitionedRange | None:
    """The national reference intervals of *item* in its unit; ``None`` if it has none.

    Raises:
        ArgumentError: *item* is not an :class:`~mutrec.model.items.Item`.
        UnknownAnalyteError: The key names no national entry (the loader refuses such an item).
        UnitError: The intervals cannot be converted to the item's unit (idem).
    """
    if not isinstance(item, Item):
        arg = "item"
        raise ArgumentError(arg, item, "an Item")
    if item.reference is None or item.unit is None:
        return None
    return _converted(item.reference, item.unit)
