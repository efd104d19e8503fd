"""Default rules about what the result *is*: its images and device, its specimen, its value.

Every fact a result carries is compared with what its catalogue item expects: the modality and
body part of an examination, the specimen of a lab test, the kind of value (a number with a
unit, or a reading), its unit, its plausibility and its critical limits. Each check is written
once, as a function of plain data; the rule classes and the policy's fast path both call it.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Callable
from typing import ClassVar, Final, TypeAlias, cast, final

from mutrec._checks import require
from mutrec.errors import MutrecError, ResultError
from mutrec.model.catalogue import Item, ItemKind, ValueKind
from mutrec.model.results import Censored, ImagingResult, LabResult, Measured, Qualitative, Value
from mutrec.model.specimens import item_specimens, match_specimen
from mutrec.policy._findings import Finding
from mutrec.policy._rule import NO_FINDINGS, ProgramView, Subject
from mutrec.units import Unit

__all__ = [
    "ImagingRule",
    "SpecimenRule",
    "ValueConverter",
    "ValueRule",
    "converter_of",
    "identity_converter",
    "judge_value",
    "specimen_findings",
    "units_converter",
]


@final
class ImagingRule:
    """For imaging: the right modality and body part, a good enough device, and the images.

    Codes: ``imaging.modality_mismatch``, ``imaging.no_body_part``,
    ``imaging.body_part_mismatch``, ``imaging.no_device``, ``imaging.device_insufficient``,
    ``imaging.no_images``.

    >>> ImagingRule().code_prefix
    'imaging'
    """

    __slots__ = ()
    code_prefix: ClassVar[str] = "imaging"

    def check(self, subject: Subject, /) -> tuple[Finding, ...]:
        """Report what the examination is not, and what cannot be checked."""
        item = subject.item
        if item.kind is not ItemKind.IMAGING:
            return NO_FINDINGS
        return imaging_findings(subject.view, item, subject.result)


def imaging_findings(view: ProgramView, item: Item, result: object) -> tuple[Finding, ...]:
    """The imaging rule's findings for *result* as *item* (an imaging item)."""
    found: list[Finding] = []
    if not isinstance(result, ImagingResult):
        # A lab result sent under an imaging item's code is not that examination.
        found.append(
            view.finding(
                "imaging.modality_mismatch",
                item=item.code,
                modality="lab",
                expected=None if item.modality is None else item.modality.value,
            )
        )
        return tuple(found)
    if item.modality is not None and result.modality is not item.modality:
        found.append(
            view.finding(
                "imaging.modality_mismatch",
                item=item.code,
                modality=result.modality.value,
                expected=item.modality.value,
            )
        )
    if item.body_parts:
        expected = "/".join(item.body_parts)
        if result.body_part is None or not result.body_part.strip():
            found.append(view.finding("imaging.no_body_part", item=item.code, expected=expected))
        elif not item.names_body_part(result.body_part):
            found.append(
                view.finding(
                    "imaging.body_part_mismatch",
                    item=item.code,
                    body_part=result.body_part,
                    expected=expected,
                )
            )
    requirement = item.device
    if requirement is not None:
        device = result.device
        met = requirement.is_met_by(device)
        if met is None:
            found.append(
                view.finding(
                    "imaging.no_device", item=item.code, requirement=requirement.describe()
                )
            )
        elif not met and device is not None:
            actual = ", ".join(
                f"{value} {unit}"
                for value, unit in ((device.detector_rows, "rows"), (device.field_strength_t, "T"))
                if value is not None
            )
            found.append(
                view.finding(
                    "imaging.device_insufficient",
                    item=item.code,
                    requirement=requirement.describe(),
                    actual=actual,
                )
            )
    if not result.images_available:
        found.append(view.finding("imaging.no_images", item=item.code))
    return tuple(found)


@final
class SpecimenRule:
    """For lab items that name a specimen: the result's specimen is that one.

    A urine glucose is not a serum glucose. Codes: ``specimen.missing`` and
    ``specimen.unclear`` (a program may soften them to caution), ``specimen.mismatch``.

    >>> SpecimenRule().code_prefix
    'specimen'
    """

    __slots__ = ()
    code_prefix: ClassVar[str] = "specimen"

    def check(self, subject: Subject, /) -> tuple[Finding, ...]:
        """Report a missing, unclear or different specimen."""
        item = subject.item
        if item.kind is not ItemKind.LAB or item.specimen is None:
            return NO_FINDINGS
        return specimen_findings(subject.view, item, subject.result, None)


def specimen_findings(
    view: ProgramView, item: Item, result: object, accepted: frozenset[str] | None
) -> tuple[Finding, ...]:
    """The specimen rule's findings for *result* as *item* (a lab item naming a specimen).

    *accepted* is ``item_specimens(item.specimen)``, when the caller prepared it.
    """
    expected = item.specimen or ""
    specimen = result.specimen if isinstance(result, LabResult) else None
    if specimen is None or not specimen.strip():
        return (view.finding("specimen.missing", item=item.code, expected=expected),)
    match = match_specimen(specimen, item_specimens(expected) if accepted is None else accepted)
    if match == "match":
        return NO_FINDINGS
    code = "specimen.unclear" if match == "unclear" else "specimen.mismatch"
    return (view.finding(code, item=item.code, specimen=specimen, expected=expected),)


ValueConverter: TypeAlias = Callable[[Unit, Unit, str], Callable[[float], float]]
"""Makes the function that turns a value in one unit into another, for an analyte (item code).

It raises :class:`~mutrec.errors.MutrecError` (such as ``UnitError``) when it cannot."""


def identity_converter(source: Unit, target: Unit, analyte: str) -> Callable[[float], float]:
    """Convert only between identical units (a stand-in until a full converter is passed).

    >>> from mutrec.units import parse_unit
    >>> identity_converter(parse_unit("mmol/L"), parse_unit("mmol/L"), "K")(4.1)
    4.1
    """
    try:
        same = source.code == target.code
    except AttributeError:
        from mutrec.units import Unit as _Unit  # looked into only on failure

        require("source", source, _Unit)
        require("target", target, _Unit)
        raise
    if not same:
        msg = "unit"
        raise ResultError(msg, source.code, f"cannot convert to {target.code} for {analyte}")
    return float


def units_converter(source: Unit, target: Unit, analyte: str) -> Callable[[float], float]:
    """Convert with :mod:`mutrec.units`: by a pure factor, else bridged by the item's analyte.

    The item code names the analyte (``Glu``, ``Cre``, ``HbA1c`` …) when units need one.

    >>> from mutrec.units import parse_unit
    >>> round(units_converter(parse_unit("mg/dL"), parse_unit("mmol/L"), "Glu")(100), 2)
    5.55
    """
    from mutrec.units import Converter as UnitsConverter

    try:
        return UnitsConverter(source, target)
    except MutrecError:
        return UnitsConverter(source, target, analyte=analyte)


def converter_of(
    rule: ValueRule, source: Unit, target: Unit, analyte: str
) -> Callable[[float], float] | None:
    """*rule*'s remembered conversion from *source* to *target* for *analyte*; ``None`` if none.

    For the policy's fast path, which must convert exactly as the rule does.

    >>> from mutrec.units import parse_unit
    >>> mmol = parse_unit("mmol/L")
    >>> converter_of(ValueRule(), mmol, mmol, "K")(4.1)
    4.1
    """
    return rule._converter(source, target, analyte)  # noqa: SLF001 (the rule's own module)


_NUMERIC: Final = (Measured, Censored)
_NUMBER: Final = ValueKind.NUMERIC
_READING: Final = ValueKind.QUALITATIVE
Limits: TypeAlias = tuple[float | None, float | None] | None


def _shown(value: Value) -> str:
    if isinstance(value, Qualitative):
        return value.text
    return (
        f"{value.comparator}{value.value:g}" if isinstance(value, Censored) else f"{value.value:g}"
    )


def judge_value(  # noqa: C901, PLR0913, PLR0917, PLR0911 (one return per reason)
    view: ProgramView,
    item: Item,
    value: Value | None,
    convert: Callable[[Unit], Callable[[float], float] | None],
    plausible: Limits,
    critical: Limits,
) -> tuple[tuple[Finding, ...], float | None]:
    """The value rule's findings for *value* as *item*, and the value in the item's unit.

    *convert* gives the conversion from a unit to the item's (``None`` when there is none);
    *plausible* and *critical* are the program's limits for the item, in the item's unit.
    The number is returned for a measured value that converted (``None`` otherwise).
    """
    code = item.code
    if value is None:
        return (view.finding("value.missing", item=code, value=None),), None
    kind = type(value)  # exact types first: this runs for every lab result
    numeric = kind is Measured or kind is Censored or isinstance(value, _NUMERIC)
    expected = item.value_kind
    if expected is _NUMBER and not numeric:
        return (view.finding("value.not_numeric", item=code, value=_shown(value)),), None
    if expected is _READING and numeric:
        return (view.finding("value.not_qualitative", item=code, value=_shown(value)),), None
    target = item.unit
    if target is None or not numeric:
        return NO_FINDINGS, None
    measured = cast("Measured | Censored", value)
    unit = measured.unit
    conversion = None if unit is None else convert(unit)
    if unit is None or conversion is None:
        source = None if unit is None else unit.code
        return (view.finding("value.unconvertible", unit=source, target=target.code),), None
    try:
        number = conversion(measured.value)
    except MutrecError:  # mutrec.units refuses a result that is not finite
        number = math.inf
    if not math.isfinite(number):
        # 1e308 mol/L in mmol/L: a number no analyser prints, and one no decision may carry.
        found = view.finding("value.unconvertible", unit=unit.code, target=target.code)
        return (found,), None
    censored = kind is Censored or (kind is not Measured and isinstance(value, Censored))
    if plausible is not None and not censored:
        low, high = plausible
        if (low is not None and number < low) or (high is not None and number > high):
            found = view.finding(
                "value.implausible",
                item=code,
                value=round(number, 6),
                target=target.code,
                low=low,
                high=high,
            )
            return (found,), None
    if critical is not None and _past(value, number, critical):
        found = view.finding(
            "value.critical",
            item=code,
            value=_shown(value) if censored else round(number, 6),
            target=target.code,
            low=critical[0],
            high=critical[1],
        )
        return (found,), None if censored else number
    return NO_FINDINGS, None if censored else number


def _past(value: Value, number: float, limits: tuple[float | None, float | None]) -> bool:
    low, high = limits
    if isinstance(value, Censored):
        # ">5" may be 7: a censored value on a side with a critical limit may be past it.
        above = value.comparator in {">", ">="}
        return (high is not None) if above else (low is not None)
    return (low is not None and number < low) or (high is not None and number > high)


@final
class ValueRule:
    """The value is the kind the item expects, converts to its unit, and is plausible.

    Conversions are made once per (source unit, catalogue unit, item) and remembered: the
    memo only grows with pure results, so concurrent evaluations agree whoever fills it.
    Codes: ``value.missing``, ``value.not_numeric``, ``value.not_qualitative``,
    ``value.unconvertible``, ``value.implausible``, ``value.critical``.

    >>> ValueRule().code_prefix
    'value'
    """

    __slots__ = ("_convert", "_lock", "_memo")
    code_prefix: ClassVar[str] = "value"

    def __init__(self, convert: ValueConverter = units_converter) -> None:
        """Use *convert* to make conversion functions."""
        self._convert = convert
        # None remembers a conversion that failed.
        self._memo: dict[tuple[str, str, str], Callable[[float], float] | None] = {}
        self._lock = threading.Lock()

    def __reduce__(self) -> tuple[type[ValueRule], tuple[ValueConverter]]:
        """Pickle by the converter alone: the lock is per process, the memo refills itself."""
        return ValueRule, (self._convert,)

    def _converter(
        self, source: Unit, target: Unit, analyte: str
    ) -> Callable[[float], float] | None:
        key = (source.code, target.code, analyte)
        try:
            return self._memo[key]
        except KeyError:
            pass
        with self._lock:
            found: Callable[[float], float] | None
            try:
                found = self._convert(source, target, analyte)
            except MutrecError:
                found = None
            self._memo[key] = found
        return found

    def check(self, subject: Subject, /) -> tuple[Finding, ...]:
        """Report a missing or wrong kind of value, a bad unit, an implausible or critical one."""
        return self.judge(subject)[0]

    def judge(self, subject: Subject, /) -> tuple[tuple[Finding, ...], float | None]:
        """The findings of :meth:`check`, and the value in the item's unit when it converted.

        The policy records that value in the decision (``Decision.value``).
        """
        item = subject.item
        if item.kind is not ItemKind.LAB:
            return NO_FINDINGS, None
        settings = subject.view.settings
        target = item.unit
        return judge_value(
            subject.view,
            item,
            getattr(subject.result, "value", None),
            lambda unit: None if target is None else self._converter(unit, target, item.code),
            settings.plausible.get(item.code),
            settings.critical.get(item.code),
        )
