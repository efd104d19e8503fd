"""Recognition items: their kinds and categories, device requirements, and name folding.

An item's names and aliases are looked up by :func:`fold`, which ignores case,
full-width/half-width forms and µ/μ (Unicode NFKC + casefold). :mod:`mutrec.model.catalogue`
gathers items into versioned catalogues and re-exports everything here.

>>> k = Item("K", "钾", "Potassium", ItemKind.LAB, Category.CHEMISTRY, aliases=("钾离子",))
>>> k.value_kind, fold("ｋ") == fold(k.code)
(<ValueKind.QUALITATIVE: 'qualitative'>, True)
"""

from __future__ import annotations

import enum
import re
import unicodedata
from collections.abc import Iterable

import attrs

from mutrec._checks import instance_of, items_of, optional
from mutrec.errors import ArgumentError
from mutrec.model.devices import DeviceCapability, Modality
from mutrec.model.windows import Window
from mutrec.units import Unit

__all__ = [
    "WST886_PATTERN",
    "Category",
    "DeviceRequirement",
    "Item",
    "ItemKind",
    "ValueKind",
    "fold",
    "wst886_problem",
]


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


WST886_PATTERN = re.compile(r"[0-9]{2}[0-9]{3}[0-9]{2}[A-D]")
"""A WS/T 886—2026 lab item code: 2-digit category, 3-digit item, 2-digit specimen, scale letter.

The scale letter is A 定量 (quantitative), B 定性 (qualitative), C 定名 (nominal) or D 定序
(ordinal) [domain.md §12: ``0100101A`` is 白细胞计数, 血细胞分析, 全血, 定量].
"""

_WST886_SCALES = {"A": "quantitative", "B": "qualitative", "C": "nominal", "D": "ordinal"}


def wst886_problem(code: str, value_kind: ValueKind | None = None) -> str | None:
    r"""Why *code* is not a WS/T 886—2026 code for an item of *value_kind*, or ``None``.

    The format is checked (8 ASCII characters, ``\d{7}[A-D]``), and the scale letter against
    the item's value kind: a quantitative code (``A``) names a numeric item, the others a
    qualitative one.

    >>> wst886_problem("0100101A"), wst886_problem("0100101A", ValueKind.NUMERIC)
    (None, None)
    >>> wst886_problem("010010A")
    "'010010A' is not 7 digits and a scale letter A-D (such as 0100101A)"
    >>> wst886_problem("1400605B", ValueKind.NUMERIC)
    "scale letter B (qualitative) of '1400605B' does not fit a numeric item"
    """
    given: object = code  # typed as text, but loaders and callers outside mypy pass anything
    if not isinstance(given, str) or WST886_PATTERN.fullmatch(given) is None:
        return f"{code!r:.40} is not 7 digits and a scale letter A-D (such as 0100101A)"
    scale = code[-1]
    if value_kind is not None and (scale == "A") != (value_kind is ValueKind.NUMERIC):
        return (
            f"scale letter {scale} ({_WST886_SCALES[scale]}) of {code!r} does not fit a "
            f"{value_kind.value} item"
        )
    return None


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

    def describe(self) -> str:
        """The requirement in words, as findings quote it.

        >>> DeviceRequirement(min_detector_rows=64, min_field_strength_t=1.5).describe()
        '>= 64 rows, >= 1.5 T'
        """
        parts = []
        if self.min_detector_rows is not None:
            parts.append(f">= {self.min_detector_rows} rows")
        if self.min_field_strength_t is not None:
            parts.append(f">= {self.min_field_strength_t} T")
        return ", ".join(parts)

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
        wst886: WS/T 886—2026 national lab item code (seven digits and A-D), if assigned: lab
            items only, its scale letter fitting the value kind (see :func:`wst886_problem`).
        specimen: Specimen type (lab items).
        unit: The program's unit (lab items with numeric results).
        window: The validity window.
        modality: The modality (imaging items).
        device: The device requirement (imaging items).
        value_kind: What a lab result must be: numeric or qualitative. By default a lab item
            with a unit is numeric and one without is qualitative; imaging items have none.
        body_parts: The body parts an imaging result may name (DICOM Body Part Examined
            values and local names, compared like aliases); empty: the item names none.
        reference: The key of the item's national reference intervals (WS/T 404 / 405) in
            :mod:`mutrec.model.national` (its WS/T 886 code or the named analyte), when the
            catalogue says ``reference = "national"``;
            :func:`mutrec.model.item_ranges.item_reference` gives them in the item's unit. Kept
            as a key so that loading a region loads neither the national table nor the unit
            converter.

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
    wst886: str | None = attrs.field(default=None, kw_only=True, validator=_opt_str)
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
    reference: str | None = attrs.field(default=None, kw_only=True, validator=_opt_str)
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
        if self.wst886 is not None:
            why = (
                wst886_problem(self.wst886, self.value_kind)
                if self.kind is ItemKind.LAB
                else f"None: WS/T 886 codes lab items, and item {self.code!r} is not one"
            )
            if why is not None:
                arg = "wst886"
                raise ArgumentError(arg, self.wst886, f"a WS/T 886 code fitting the item: {why}")

    def names_body_part(self, body_part: str) -> bool:
        """Whether *body_part* is one the item names (compared like aliases).

        >>> head = Item("CT-HEAD", "头颅CT平扫", "Head CT", ItemKind.IMAGING, Category.CT,
        ...             body_parts=("HEAD", "头颅"))
        >>> head.names_body_part("head"), head.names_body_part("CHEST")
        (True, False)
        """
        return fold(body_part) in self._body_keys
