"""Default rules about the result itself and the visit: window, imaging, value, patient, grounds.

Each rule is one small class; its codes start with its ``code_prefix`` and are listed with their
texts in ``policy/data/reasons.toml``.
"""

from __future__ import annotations

import threading
from datetime import timedelta
from typing import TYPE_CHECKING, ClassVar, Final, TypeAlias, final

from mutrec.errors import MutrecError, ResultError
from mutrec.model.catalogue import ItemKind
from mutrec.model.results import Censored, ImagingResult, Measured
from mutrec.model.windows import Anchor, Counting
from mutrec.policy._decision import fixed_offset, zone_of
from mutrec.policy._grounds import Ground
from mutrec.policy._rule import NO_FINDINGS, Subject

if TYPE_CHECKING:
    from collections.abc import Callable
    from datetime import datetime

    from mutrec.model.catalogue import DeviceRequirement
    from mutrec.model.windows import Span
    from mutrec.policy._findings import Finding
    from mutrec.units import Unit

__all__ = [
    "GroundsRule",
    "ImagingRule",
    "PatientRule",
    "ValueConverter",
    "ValueRule",
    "WindowRule",
    "converter_of",
    "day_delta",
    "identity_converter",
    "units_converter",
    "window_expiry",
]

# Building a timedelta costs more than adding it: windows of up to ten years use shared ones.
_MAX_DAYS: Final = 3660
_DAYS: Final = tuple(timedelta(days=n) for n in range(_MAX_DAYS))


def day_delta(days: int) -> timedelta:
    """A timedelta of *days* days, shared for windows of up to ten years.

    >>> day_delta(7) is day_delta(7)
    True
    """
    return _DAYS[days] if days < _MAX_DAYS else timedelta(days=days)


def window_expiry(span: Span, start: datetime) -> datetime:
    """The instant a window of *span* counting from *start* ends, with a fixed offset.

    Calendar days count on the anchor's own wall clock, as :meth:`Span.add_to` counts them,
    and get a fixed offset at once (a skipped wall time keeps its instant).

    >>> from datetime import datetime, UTC
    >>> from mutrec.model.windows import Span
    >>> window_expiry(Span.parse("7d"), datetime(2024, 3, 1, tzinfo=UTC)).isoformat()
    '2024-03-08T00:00:00+00:00'
    """
    if span.counting is Counting.CALENDAR_DAYS:
        wall = start + day_delta(span.amount)
        offset = wall.utcoffset()
        return wall if offset is None else wall.replace(tzinfo=zone_of(offset), fold=0)
    return fixed_offset(span.add_to(start))


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


_ANCHOR_WORD: Final = {
    Anchor.COLLECTION: "collection",
    Anchor.EXAMINATION: "exam",
    Anchor.REPORT: "report",
}


@final
class WindowRule:
    """The result is inside its validity window at ``at``: neither expired nor in the future.

    The window is the catalogue item's, for the visit's care setting; the decision expires when
    the window ends. Codes: ``window.no_window``, ``window.no_time``, ``window.future``,
    ``window.expired``.

    >>> WindowRule().code_prefix
    'window'
    """

    __slots__ = ()
    code_prefix: ClassVar[str] = "window"

    def check(self, subject: Subject, /) -> tuple[Finding, ...]:
        """Report what :meth:`check_until` reports, without the instant."""
        return self.check_until(subject)[0]

    def check_until(self, subject: Subject, /) -> tuple[tuple[Finding, ...], datetime | None]:
        """Report a missing window or time, a future result or an expired one, and the expiry."""
        view = subject.view
        item = subject.item
        window = item.window
        setting = subject.context.setting
        if window is None:
            return (view.finding("window.no_window", item=item.code, setting=setting.value),), None
        at = subject.at
        if subject.collected > at:
            found = view.finding(
                "window.future", collected=subject.collected.isoformat(), at=at.isoformat()
            )
            return (found,), None
        # span_for hashes the (Python-level) enum; most windows have no per-setting spans.
        span = window.span_for(setting) if window.settings else window.span
        try:
            start = subject.result.anchor_instant(window.anchor)
        except ResultError:
            return (view.finding("window.no_time", anchor=_ANCHOR_WORD[window.anchor]),), None
        expires = window_expiry(span, start)
        if at >= expires:
            found = view.finding(
                "window.expired",
                window=str(span),
                expires_at=expires.isoformat(),
                at=at.isoformat(),
            )
            return (found,), expires
        return NO_FINDINGS, expires


def _requirement(device: DeviceRequirement) -> str:
    parts = []
    if device.min_detector_rows is not None:
        parts.append(f">= {device.min_detector_rows} rows")
    if device.min_field_strength_t is not None:
        parts.append(f">= {device.min_field_strength_t} T")
    return ", ".join(parts)


@final
class ImagingRule:
    """For imaging, the device meets the item's requirements and the images are available.

    Codes: ``imaging.no_device``, ``imaging.device_insufficient``, ``imaging.no_images``.

    >>> ImagingRule().code_prefix
    'imaging'
    """

    __slots__ = ()
    code_prefix: ClassVar[str] = "imaging"

    def check(self, subject: Subject, /) -> tuple[Finding, ...]:
        """Report an unknown or insufficient device and unavailable images."""
        item = subject.item
        if item.kind is not ItemKind.IMAGING:
            return NO_FINDINGS
        view = subject.view
        result = subject.result
        found: list[Finding] = []
        requirement = item.device
        if requirement is not None:
            device = getattr(result, "device", None)
            met = requirement.is_met_by(device)
            if met is None:
                found.append(
                    view.finding(
                        "imaging.no_device", item=item.code, requirement=_requirement(requirement)
                    )
                )
            elif not met and device is not None:
                actual = ", ".join(
                    f"{value} {unit}"
                    for value, unit in (
                        (device.detector_rows, "rows"),
                        (device.field_strength_t, "T"),
                    )
                    if value is not None
                )
                found.append(
                    view.finding(
                        "imaging.device_insufficient",
                        item=item.code,
                        requirement=_requirement(requirement),
                        actual=actual,
                    )
                )
        if not (isinstance(result, ImagingResult) and result.images_available):
            found.append(view.finding("imaging.no_images", item=item.code))
        return tuple(found)


ValueConverter: TypeAlias = "Callable[[Unit, Unit, str], Callable[[float], float]]"
"""Makes the function that turns a value in one unit into another, for an analyte (item code).

It raises :class:`~mutrec.errors.MutrecError` (such as ``UnitError``) when it cannot."""


def identity_converter(source: Unit, target: Unit, analyte: str) -> Callable[[float], float]:
    """Convert only between identical units (a stand-in until a full converter is passed).

    >>> from mutrec.units import parse_unit
    >>> identity_converter(parse_unit("mmol/L"), parse_unit("mmol/L"), "K")(4.1)
    4.1
    """
    if source.code != target.code:
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


_NUMERIC: Final = (Measured, Censored)


@final
class ValueRule:
    """The value and unit convert to the catalogue's unit, and the value is plausible.

    Conversions are made once per (source unit, catalogue unit, item) and remembered: the
    memo only grows with pure results, so concurrent evaluations agree whoever fills it.
    Codes: ``value.missing``, ``value.unconvertible``, ``value.implausible``.

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

    def check(self, subject: Subject, /) -> tuple[Finding, ...]:  # noqa: PLR0911 (one return per reason)
        """Report a missing value, an unconvertible unit and an implausible value."""
        item = subject.item
        if item.kind is not ItemKind.LAB:
            return NO_FINDINGS
        value = getattr(subject.result, "value", None)
        view = subject.view
        if value is None:
            return (view.finding("value.missing", item=item.code, value=None),)
        target = item.unit
        if target is None or not isinstance(value, _NUMERIC):
            return NO_FINDINGS
        unit = value.unit
        convert = None if unit is None else self._converter(unit, target, item.code)
        if convert is None:
            source = None if unit is None else unit.code
            return (view.finding("value.unconvertible", unit=source, target=target.code),)
        limits = view.settings.plausible.get(item.code)
        if limits is None or isinstance(value, Censored):
            return NO_FINDINGS
        number = convert(value.value)
        low, high = limits
        if (low is not None and number < low) or (high is not None and number > high):
            return (
                view.finding(
                    "value.implausible",
                    item=item.code,
                    value=round(number, 6),
                    target=target.code,
                    low=low,
                    high=high,
                ),
            )
        return NO_FINDINGS


@final
class PatientRule:
    """The result belongs to the patient being treated.

    Codes: ``patient.unknown``, ``patient.mismatch``.

    >>> PatientRule().code_prefix
    'patient'
    """

    __slots__ = ()
    code_prefix: ClassVar[str] = "patient"

    def check(self, subject: Subject, /) -> tuple[Finding, ...]:
        """Report an unknown patient on either side, or another patient's result."""
        theirs = subject.result.patient
        ours = subject.context.patient
        if not theirs or not ours:
            return (subject.view.finding("patient.unknown"),)
        if theirs != ours:
            return (subject.view.finding("patient.mismatch"),)
        return NO_FINDINGS


_PURPOSE_GROUND: Final = {Ground.MAJOR_INTERVENTION, Ground.MEDICO_LEGAL}
_ORDER: Final = tuple(Ground)


@final
class GroundsRule:
    """A context matching a statutory (or local) re-examination ground tells the doctor so.

    Ground 3 applies to the program's critical items, ground 2 to its fast-changing items
    (every item when the program lists none). Codes: ``ground.*``, ``ground.local``.

    >>> GroundsRule().code_prefix
    'ground'
    """

    __slots__ = ()
    code_prefix: ClassVar[str] = "ground"

    def check(self, subject: Subject, /) -> tuple[Finding, ...]:  # noqa: C901 (one branch per ground)
        """Report each ground the context matches for this item."""
        context = subject.context
        grounds = context.grounds
        if not grounds and not context.local_grounds:
            return NO_FINDINGS
        view = subject.view
        settings = view.settings
        code = subject.item.code
        found: list[Finding] = []
        for ground in _ORDER:
            if ground not in grounds:
                continue
            data: dict[str, str | None] = {"item": code}
            if ground is Ground.MAJOR_INTERVENTION:
                if settings.critical_items is not None and code not in settings.critical_items:
                    continue
            elif ground is Ground.RAPID_CHANGE:
                if settings.rapid_items is not None and code not in settings.rapid_items:
                    continue
            elif ground is Ground.OTHER:
                data["note"] = context.other_need
            if ground in _PURPOSE_GROUND:
                data["purpose"] = min(p.value for p in context.purposes if p.ground is ground)
            found.append(view.finding(ground.code, **data))
        for local in sorted(context.local_grounds):
            entry = settings.local_ground(local)
            if entry is None:
                msg = f"local ground {local!r} is not one of program {view.program.name!r}'s"
                raise ValueError(msg)
            found.append(
                view.finding(
                    "ground.local", ground=entry.code, label_zh=entry.zh, label_en=entry.en
                )
            )
        return tuple(found)
