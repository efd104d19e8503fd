"""Recognition item catalogues (互认项目目录): items, look-ups, crosswalks, diffs.

Alias look-ups ignore case, full-width/half-width forms and µ/μ (Unicode NFKC + casefold).

>>> from datetime import date
>>> k = Item("K", "钾", "Potassium", ItemKind.LAB, Category.CHEMISTRY, aliases=("钾离子",))
>>> cat = Catalogue("demo", "1", date(2024, 1, 1), (k,))
>>> cat.resolve("ｋ") is k, cat.resolve("钾离子") is k
(True, True)
"""

from __future__ import annotations

import enum
import unicodedata
from collections.abc import Iterable
from datetime import date, datetime
from typing import cast

import attrs

from mutrec._checks import instance_of, items_of, optional, require
from mutrec.errors import ArgumentError, CatalogueError, Problem
from mutrec.model.results import DeviceCapability, Modality
from mutrec.model.windows import Window
from mutrec.units import Unit

__all__ = [
    "Catalogue",
    "CatalogueDiff",
    "Category",
    "Crosswalk",
    "DeviceRequirement",
    "Item",
    "ItemChange",
    "ItemKind",
    "ValueKind",
    "diff",
    "fold",
]


def _item_tuple(values: Iterable[Item]) -> tuple[Item, ...]:
    return items_of("items", values, Item)


_ENTRY = "an (institution id, local code, item code) tuple of three str"


def _entry_tuple(values: Iterable[tuple[str, str, str]]) -> tuple[tuple[str, str, str], ...]:
    entries = []
    for index, entry in enumerate(items_of("entries", values, (tuple, list), _ENTRY)):
        parts: tuple[object, ...] = tuple(entry)
        if len(parts) != 3 or not all(isinstance(part, str) for part in parts):
            arg = f"entries[{index}]"
            raise ArgumentError(arg, entry, _ENTRY)
        entries.append(cast("tuple[str, str, str]", parts))
    return tuple(entries)


_str = instance_of(str)
_opt_str = optional(_str)


def fold(text: str) -> str:
    """The look-up key of a name: NFKC (full width → half, µ → μ), casefolded, spaces squeezed.

    >>> fold("ＨｂＡ1ｃ") == fold("hba1c"), fold("µmol") == fold("μmol")
    (True, True)
    """
    try:
        return " ".join(unicodedata.normalize("NFKC", text).casefold().split())
    except TypeError:  # checked only on failure: item look-ups fold on every evaluation
        arg = "text"
        raise ArgumentError(arg, text, "text (a str)") from None


class ItemKind(enum.Enum):
    """Lab test (检验) or examination (检查).

    >>> ItemKind("imaging").name
    'IMAGING'
    """

    IMAGING = "imaging"
    LAB = "lab"


class ValueKind(enum.Enum):
    """What a lab item's result is: a number with a unit, or a qualitative reading.

    >>> ValueKind("numeric").name
    'NUMERIC'
    """

    NUMERIC = "numeric"
    QUALITATIVE = "qualitative"


class Category(enum.Enum):
    """An item's category; the imaging ones double as fee buckets (DR / CT / MR …).

    >>> Category("blood_cell").kind
    <ItemKind.LAB: 'lab'>
    """

    BLOOD_CELL = "blood_cell"
    CHEMISTRY = "chemistry"
    COAGULATION = "coagulation"
    IMMUNOLOGY = "immunology"
    MICROBIOLOGY = "microbiology"
    URINE = "urine"
    OTHER_LAB = "other_lab"
    CT = "ct"
    DR = "dr"
    ECG = "ecg"
    MR = "mr"
    NM = "nm"
    US = "us"
    OTHER_IMAGING = "other_imaging"

    @property
    def kind(self) -> ItemKind:
        """Whether the category is a lab or an imaging one."""
        lab = {"blood_cell", "chemistry", "coagulation", "immunology", "microbiology", "urine"}
        return ItemKind.LAB if self.value in lab | {"other_lab"} else ItemKind.IMAGING


# As for DeviceCapability: CT has 1 to 640 rows, MR magnets reach 11.7 T.
_MAX_ROWS = 2048
_MAX_TESLA = 20.0


@attrs.frozen
class DeviceRequirement:
    """The device capability an imaging item needs [domain.md §2: 16 vs 256 rows differ].

    Attributes:
        min_detector_rows: Minimum CT detector rows.
        min_field_strength_t: Minimum MR field strength in tesla.

    >>> from mutrec.model.results import DeviceCapability
    >>> req = DeviceRequirement(min_detector_rows=64)
    >>> req.is_met_by(DeviceCapability(detector_rows=16)), req.is_met_by(None)
    (False, None)
    """

    min_detector_rows: int | None = attrs.field(default=None, kw_only=True)
    min_field_strength_t: float | None = attrs.field(default=None, kw_only=True)

    def __attrs_post_init__(self) -> None:
        """Refuse requirements no device could meet, or that any device meets by accident."""
        # Typed as numbers, but loaders and callers outside mypy may pass anything.
        rows: object = self.min_detector_rows
        tesla: object = self.min_field_strength_t
        if rows is not None and (
            isinstance(rows, bool) or not isinstance(rows, int) or not 1 <= rows <= _MAX_ROWS
        ):
            msg = f"a whole number from 1 to {_MAX_ROWS} (CT detector rows)"
            arg = "min_detector_rows"
            raise ArgumentError(arg, rows, msg)
        if tesla is not None and (
            isinstance(tesla, bool)
            or not isinstance(tesla, (int, float))
            or not 0 < tesla <= _MAX_TESLA
        ):
            msg = f"a number above 0 and at most {_MAX_TESLA:g} (tesla)"
            arg = "min_field_strength_t"
            raise ArgumentError(arg, tesla, msg)

    def is_met_by(self, device: DeviceCapability | None) -> bool | None:
        """``True`` if met, ``False`` if not, ``None`` when the capability it needs is unknown."""
        checks: list[bool | None] = []
        if self.min_detector_rows is not None:
            rows = None if device is None else device.detector_rows
            checks.append(None if rows is None else rows >= self.min_detector_rows)
        if self.min_field_strength_t is not None:
            tesla = None if device is None else device.field_strength_t
            checks.append(None if tesla is None else tesla >= self.min_field_strength_t)
        if False in checks:
            return False
        return None if None in checks else True


def _strs(value: Iterable[str]) -> tuple[str, ...]:
    if isinstance(value, str):
        # tuple("K+") is ("K", "+"): a lone alias must come in a collection.
        arg = "aliases"
        raise ArgumentError(arg, value, "a collection of names, not a string")
    return items_of("aliases", value, str)


def _default_value_kind(item: Item) -> ValueKind | None:
    # A unit says the program expects a number; no unit, a reading (阴性/阳性). A unitless
    # numeric item (INR, specific gravity) says value_kind = "numeric" in its catalogue.
    if item.kind is not ItemKind.LAB:
        return None
    return ValueKind.NUMERIC if item.unit is not None else ValueKind.QUALITATIVE


@attrs.frozen
class Item:
    """One recognition item.

    Attributes:
        code: The stable program code, such as ``K`` or ``CT-CHEST``.
        name_zh: Chinese name.
        name_en: English name.
        kind: Lab or imaging.
        category: Chemistry, immunology, … CT, MR, DR, US.
        aliases: Other names and abbreviations it is known by.
        loinc: LOINC code, if assigned (confirm before release: public lists carry wrong ones).
        specimen: Specimen type (lab items).
        unit: The program's unit (lab items with numeric results).
        window: The validity window.
        modality: The modality (imaging items).
        device: The device requirement (imaging items).
        value_kind: What a lab result must be: numeric or qualitative. By default a lab item
            with a unit is numeric and one without is qualitative; imaging items have none.
        body_parts: The body parts an imaging result may name (DICOM Body Part Examined
            values and local names, compared like aliases); empty: the item names none.

    >>> Item("CT-CHEST", "胸部CT平扫", "Chest CT", ItemKind.IMAGING, Category.CT).kind.value
    'imaging'
    >>> Item("K", "钾", "Potassium", ItemKind.LAB, Category.CHEMISTRY, aliases="K+")
    Traceback (most recent call last):
    ...
    mutrec.errors.ArgumentError: argument 'aliases' = 'K+': expected a collection of names, ...
    """

    code: str = attrs.field(validator=_str)
    name_zh: str = attrs.field(validator=_str)
    name_en: str = attrs.field(validator=_str)
    kind: ItemKind = attrs.field(validator=instance_of(ItemKind))
    category: Category = attrs.field(validator=instance_of(Category))
    aliases: tuple[str, ...] = attrs.field(default=(), kw_only=True, converter=_strs)
    loinc: str | None = attrs.field(default=None, kw_only=True, validator=_opt_str)
    specimen: str | None = attrs.field(default=None, kw_only=True, validator=_opt_str)
    unit: Unit | None = attrs.field(
        default=None, kw_only=True, validator=optional(instance_of(Unit))
    )
    window: Window | None = attrs.field(
        default=None, kw_only=True, validator=optional(instance_of(Window))
    )
    modality: Modality | None = attrs.field(
        default=None, kw_only=True, validator=optional(instance_of(Modality))
    )
    device: DeviceRequirement | None = attrs.field(
        default=None, kw_only=True, validator=optional(instance_of(DeviceRequirement))
    )
    value_kind: ValueKind | None = attrs.field(
        default=attrs.Factory(_default_value_kind, takes_self=True),
        kw_only=True,
        validator=optional(instance_of(ValueKind)),
    )
    body_parts: tuple[str, ...] = attrs.field(default=(), kw_only=True, converter=_strs)
    _body_keys: frozenset[str] = attrs.field(init=False, eq=False, repr=False)

    def __attrs_post_init__(self) -> None:
        """Check the code and that kind and category agree."""
        object.__setattr__(self, "_body_keys", frozenset(fold(p) for p in self.body_parts))
        if self.value_kind is not None and self.kind is not ItemKind.LAB:
            msg = f"None: only lab items have a value kind, and item {self.code!r} is not one"
            arg = "value_kind"
            raise ArgumentError(arg, self.value_kind, msg)
        if not self.code.strip() or self.code != self.code.strip():
            msg = "non-empty text without surrounding spaces"
            arg = "code"
            raise ArgumentError(arg, self.code, msg)
        if self.category.kind is not self.kind:
            msg = f"a {self.kind.value} category: {self.category.value!r} is not one"
            arg = "category"
            raise ArgumentError(arg, self.category, msg)

    def names_body_part(self, body_part: str) -> bool:
        """Whether *body_part* is one the item names (compared like aliases).

        >>> head = Item("CT-HEAD", "头颅CT平扫", "Head CT", ItemKind.IMAGING, Category.CT,
        ...             body_parts=("HEAD", "头颅"))
        >>> head.names_body_part("head"), head.names_body_part("CHEST")
        (True, False)
        """
        return fold(body_part) in self._body_keys


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
        CatalogueError: Two items share a code, or an alias or LOINC code names two items.

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

    def __attrs_post_init__(self) -> None:
        """Build the indexes, refusing ambiguity."""
        problems: list[Problem] = []
        where = f"{self.name}@{self.version}"
        by_code: dict[str, Item] = {}
        by_alias: dict[str, Item] = {}
        by_loinc: dict[str, Item] = {}
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
            if item.loinc:
                other = by_loinc.setdefault(item.loinc, item)
                if other.code != item.code:
                    problems.append(
                        Problem(
                            where,
                            f"items.{item.code}.loinc",
                            f"LOINC {item.loinc!r} is also item {other.code!r}'s",
                        )
                    )
        if self.effective_until is not None and self.effective_until < self.effective_from:
            problems.append(Problem(where, "effective_until", "is before effective_from"))
        if problems:
            raise CatalogueError(problems)
        object.__setattr__(self, "_by_code", by_code)
        object.__setattr__(self, "_by_alias", by_alias)
        object.__setattr__(self, "_by_loinc", by_loinc)

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

    def resolve(self, text: str, *, loinc: str | None = None) -> Item | None:
        """Resolve a result's item: exact code, then LOINC, then any name or alias.

        Raises:
            ArgumentError: *text* or *loinc* is not text.

        >>> from datetime import date
        >>> k = Item("K", "钾", "Potassium", ItemKind.LAB, Category.CHEMISTRY, aliases=["K+"])
        >>> Catalogue("c", "1", date(2024, 1, 1), [k]).resolve("k+").code
        'K'
        """
        try:
            item = self._by_code.get(text)
            if item is None and loinc:
                item = self._by_loinc.get(loinc)
            if item is None:
                item = self._by_alias.get(fold(text))
        except (TypeError, ArgumentError):
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
class Crosswalk:
    """Hospitals' local item codes mapped to program item codes.

    Attributes:
        entries: ``(institution id, local code, item code)`` triples.

    Raises:
        CatalogueError: Two entries of one institution have the same local code once folded
            (``LAB0012`` and ``ｌａｂ0012``): which item it means would be a guess.

    >>> cw = Crosswalk([("H001", "LAB0012", "K")])
    >>> cw.item_code("H001", "lab0012"), cw.item_code("H002", "LAB0012")
    ('K', None)
    """

    entries: tuple[tuple[str, str, str], ...] = attrs.field(converter=_entry_tuple)
    _index: dict[tuple[str, str], str] = attrs.field(init=False, eq=False, repr=False, factory=dict)

    def __attrs_post_init__(self) -> None:
        """Index the entries (local codes are folded like aliases), refusing duplicates."""
        index: dict[tuple[str, str], str] = {}
        first: dict[tuple[str, str], str] = {}
        problems: list[Problem] = []
        for n, (inst, local, code) in enumerate(self.entries):
            key = (inst, fold(local))
            if key in index:
                problems.append(
                    Problem(
                        "crosswalk",
                        f"entries[{n}]",
                        f"local code {local!r} of {inst!r} (item {code!r}) is already mapped: "
                        f"{first[key]!r} to item {index[key]!r}",
                        hint="give each local code one entry (case and width do not count)",
                    )
                )
                continue
            index[key] = code
            first[key] = local
        if problems:
            raise CatalogueError(problems)
        object.__setattr__(self, "_index", index)

    def item_code(self, institution: str, local_code: str) -> str | None:
        """The program item code for *institution*'s *local_code*, or ``None``."""
        try:
            return self._index.get((institution, fold(local_code)))
        except (TypeError, ArgumentError):
            require("institution", institution, str)
            require("local_code", local_code, str)
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
