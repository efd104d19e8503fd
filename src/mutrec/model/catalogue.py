"""Recognition item catalogues (互认项目目录): versioned catalogues, look-ups and diffs.

Alias look-ups ignore case, full-width/half-width forms and µ/μ (Unicode NFKC + casefold).
The items themselves are defined in :mod:`mutrec.model.items`, crosswalks in
:mod:`mutrec.model.crosswalk`; this module re-exports both.

>>> from datetime import date
>>> k = Item("K", "钾", "Potassium", ItemKind.LAB, Category.CHEMISTRY, aliases=("钾离子",))
>>> cat = Catalogue("demo", "1", date(2024, 1, 1), (k,))
>>> cat.resolve("ｋ") is k, cat.resolve("钾离子") is k
(True, True)
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime

import attrs

from mutrec._checks import instance_of, items_of, optional, require
from mutrec.errors import ArgumentError, CatalogueError, Problem
from mutrec.model.crosswalk import CodeIndex, Crosswalk, crosswalk_from_codes
from mutrec.model.items import (
    Category,
    DeviceRequirement,
    Item,
    ItemKind,
    ValueKind,
    fold,
)

__all__ = [
    "Catalogue",
    "CatalogueDiff",
    "Category",
    "CodeIndex",
    "Crosswalk",
    "DeviceRequirement",
    "Item",
    "ItemChange",
    "ItemKind",
    "ValueKind",
    "crosswalk_from_codes",
    "diff",
    "fold",
]


def _item_tuple(values: Iterable[Item]) -> tuple[Item, ...]:
    return items_of("items", values, Item)


_str = instance_of(str)
_opt_str = optional(_str)


def _by_national(
    where: str, items: Iterable[Item], field: str, system: str, problems: list[Problem]
) -> dict[str, Item]:
    """Index *items* by a national code field, a problem for each code two items carry."""
    index: dict[str, Item] = {}
    for item in items:
        code = getattr(item, field)
        if not code:
            continue
        other = index.setdefault(code, item)
        if other.code != item.code:
            problems.append(
                Problem(
                    where,
                    f"items.{item.code}.{field}",
                    f"{system} {code!r} is also item {other.code!r}'s",
                    hint="a national code designates one item of a catalogue",
                )
            )
    return index


@attrs.frozen
class Catalogue:
    """A versioned item catalogue, with O(1) look-ups built once.

    ``effective_until`` is the last day in force (inclusive); ``None`` means open-ended.

    Attributes:
        name: The catalogue's name.
        version: Its version.
        effective_from: First day in force.
        items: The items, in catalogue order.
        effective_until: Last day in force.
        source: Where the catalogue comes from.

    Raises:
        CatalogueError: Two items share a code, or an alias, a LOINC or a WS/T 886 code names
            two items.

    >>> from mutrec.files import load_example_region
    >>> cat = load_example_region().catalogues[1]
    >>> cat.version, len(cat) > 0, "CT-HEAD" in cat
    ('2024', True, True)
    >>> cat.resolve("头部CT").code, cat.in_force(cat.effective_from)
    ('CT-HEAD', True)
    """

    name: str = attrs.field(validator=_str)
    version: str = attrs.field(validator=_str)
    effective_from: date = attrs.field(validator=instance_of(date))
    items: tuple[Item, ...] = attrs.field(converter=_item_tuple)
    effective_until: date | None = attrs.field(
        default=None, kw_only=True, validator=optional(instance_of(date))
    )
    source: str | None = attrs.field(default=None, kw_only=True, validator=_opt_str)
    _by_code: dict[str, Item] = attrs.field(init=False, eq=False, repr=False, factory=dict)
    _by_alias: dict[str, Item] = attrs.field(init=False, eq=False, repr=False, factory=dict)
    _by_loinc: dict[str, Item] = attrs.field(init=False, eq=False, repr=False, factory=dict)
    _by_wst886: dict[str, Item] = attrs.field(init=False, eq=False, repr=False, factory=dict)

    def __attrs_post_init__(self) -> None:
        """Build the indexes, refusing ambiguity."""
        problems: list[Problem] = []
        where = f"{self.name}@{self.version}"
        by_code: dict[str, Item] = {}
        by_alias: dict[str, Item] = {}
        by_loinc = _by_national(where, self.items, "loinc", "LOINC", problems)
        by_wst886 = _by_national(where, self.items, "wst886", "WS/T 886 code", problems)
        for item in self.items:
            if item.code in by_code:
                problems.append(Problem(where, f"items.{item.code}", "duplicate item code"))
            by_code[item.code] = item
        for item in self.items:
            for name in {item.code, item.name_zh, item.name_en, *item.aliases}:
                other = by_alias.setdefault(fold(name), item)
                if other.code != item.code:
                    problems.append(
                        Problem(
                            where,
                            f"items.{item.code}",
                            f"name or alias {name!r} also names item {other.code!r}",
                            hint="each code, name and alias must designate one item",
                        )
                    )
        if self.effective_until is not None and self.effective_until < self.effective_from:
            problems.append(Problem(where, "effective_until", "is before effective_from"))
        if problems:
            raise CatalogueError(problems)
        object.__setattr__(self, "_by_code", by_code)
        object.__setattr__(self, "_by_alias", by_alias)
        object.__setattr__(self, "_by_loinc", by_loinc)
        object.__setattr__(self, "_by_wst886", by_wst886)

    def _repr_html_(self) -> str:
        """Render as an HTML table in notebooks (see :func:`mutrec.model._html.catalogue_html`).

        >>> from mutrec.files import load_example_region
        >>> "头颅CT平扫" in load_example_region().catalogues[1]._repr_html_()
        True
        """
        from mutrec.model._html import catalogue_html

        return catalogue_html(self)

    def __len__(self) -> int:
        """The number of items."""
        return len(self.items)

    def __contains__(self, code: object) -> bool:
        """Whether an item has this exact code."""
        return code in self._by_code

    def get(self, code: str) -> Item | None:
        """The item with this exact code, or ``None``."""
        try:
            return self._by_code.get(code)
        except TypeError:  # an unhashable code
            require("code", code, str)
            raise

    def by_alias(self, name: str) -> Item | None:
        """The item a code, name or alias designates (case/width/µ-insensitive), or ``None``."""
        return self._by_alias.get(fold(name))

    def by_loinc(self, loinc: str) -> Item | None:
        """The item with this LOINC code, or ``None``."""
        require("loinc", loinc, str)
        return self._by_loinc.get(loinc.strip())

    def by_wst886(self, code: str) -> Item | None:
        """The item with this WS/T 886—2026 code, or ``None``.

        >>> from mutrec.files import load_example_region
        >>> load_example_region().catalogues[0].by_wst886("1400605A").code
        'K'
        """
        require("code", code, str)
        return self._by_wst886.get(code.strip())

    def resolve(self, text: str, *, loinc: str | None = None) -> Item | None:
        """Resolve a result's item: code, *loinc*, the text as a national code, name or alias.

        The text is tried as a LOINC or WS/T 886—2026 code before names and aliases.

        Raises:
            ArgumentError: *text* or *loinc* is not text.

        >>> from datetime import date
        >>> k = Item("K", "钾", "Potassium", ItemKind.LAB, Category.CHEMISTRY, aliases=["K+"])
        >>> k = attrs.evolve(k, loinc="2823-3", wst886="1400605A", value_kind=ValueKind.NUMERIC)
        >>> cat = Catalogue("c", "1", date(2024, 1, 1), [k])
        >>> cat.resolve("k+").code, cat.resolve("2823-3").code, cat.resolve("1400605A").code
        ('K', 'K', 'K')
        """
        try:
            item = self._by_code.get(text)
            if item is None and loinc:
                item = self._by_loinc.get(loinc)
            if item is None:
                key = text.strip()
                item = self._by_loinc.get(key) or self._by_wst886.get(key)
            if item is None:
                item = self._by_alias.get(fold(text))
        except (TypeError, AttributeError, ArgumentError):
            # Looked into only on failure: every evaluation resolves an item.
            require("text", text, str)
            require("loinc", loinc, (str, type(None)), "text (a str) or None")
            raise
        return item

    def in_force(self, on: date) -> bool:
        """Whether the catalogue is in force on the date *on*."""
        try:
            return self.effective_from <= on and (
                self.effective_until is None or on <= self.effective_until
            )
        except TypeError:  # checked only on failure: every evaluation asks
            given: object = on
            if not isinstance(given, date) or isinstance(given, datetime):
                arg = "on"
                raise ArgumentError(
                    arg, on, "a date (Program.local_date gives an instant's)"
                ) from None
            raise


@attrs.frozen
class ItemChange:
    """An item present in both catalogues whose fields differ.

    Attributes:
        code: The item code.
        fields: The names of the fields that changed.

    >>> ItemChange("K", ("loinc", "window")).fields
    ('loinc', 'window')
    """

    code: str
    fields: tuple[str, ...]


@attrs.frozen
class CatalogueDiff:
    """What changed between two catalogues.

    Attributes:
        added: Codes only in the new catalogue.
        removed: Codes only in the old one.
        changed: Items in both whose fields differ.

    >>> from datetime import date
    >>> k = Item("K", "钾", "Potassium", ItemKind.LAB, Category.CHEMISTRY)
    >>> d = diff(Catalogue("c", "1", date(2023, 1, 1), [k]),
    ...          Catalogue("c", "2", date(2024, 1, 1), []))
    >>> bool(d), d.removed
    (True, ('K',))
    >>> bool(CatalogueDiff((), (), ()))
    False
    """

    added: tuple[str, ...]
    removed: tuple[str, ...]
    changed: tuple[ItemChange, ...]

    def __bool__(self) -> bool:
        """Whether anything changed."""
        return bool(self.added or self.removed or self.changed)


def diff(old: Catalogue, new: Catalogue) -> CatalogueDiff:
    """List the items added, removed and changed from *old* to *new*.

    >>> from datetime import date
    >>> a = Item("K", "钾", "Potassium", ItemKind.LAB, Category.CHEMISTRY)
    >>> b = Item("Na", "钠", "Sodium", ItemKind.LAB, Category.CHEMISTRY)
    >>> d = diff(Catalogue("c", "1", date(2023, 1, 1), [a]),
    ...          Catalogue("c", "2", date(2024, 1, 1), [attrs.evolve(a, loinc="2823-3"), b]))
    >>> d.added, d.removed, d.changed
    (('Na',), (), (ItemChange(code='K', fields=('loinc',)),))
    """
    require("old", old, Catalogue)
    require("new", new, Catalogue)
    names = [f.name for f in attrs.fields(Item)]
    changed = []
    for item in new.items:
        before = old.get(item.code)
        if before is not None and before != item:
            fields = tuple(n for n in names if getattr(before, n) != getattr(item, n))
            changed.append(ItemChange(item.code, fields))
    return CatalogueDiff(
        added=tuple(i.code for i in new.items if i.code not in old),
        removed=tuple(i.code for i in old.items if i.code not in new),
        changed=tuple(changed),
    )
