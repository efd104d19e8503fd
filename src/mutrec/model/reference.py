"""Reference ranges: bounds, critical limits, and where a value falls against them.

A bound may be inclusive (FHIR's ``low``/``high`` are) or exclusive (a printed ``<5``); an
absent bound is unbounded. Ranges partitioned by sex, age and pregnancy are in
:mod:`mutrec.model.ranges`, which re-exports everything here.

>>> k = ReferenceRange(3.5, 5.3, critical_low=2.8, critical_high=6.2)
>>> [k.interpret(v).name for v in (2.5, 3.4, 3.5, 5.3, 5.4, 6.5)]
['CRITICAL_LOW', 'LOW', 'NORMAL', 'NORMAL', 'HIGH', 'CRITICAL_HIGH']
"""

from __future__ import annotations

import enum
import math
import re
from typing import Any, Final

import attrs

from mutrec._checks import instance_of, optional
from mutrec.errors import ArgumentError, MutrecError, UnitError
from mutrec.model.values import Censored, Measured
from mutrec.units import Converter, Unit, parse_unit

__all__ = ["Interpretation", "ReferenceRange"]


class Interpretation(enum.IntEnum):
    """Where a value falls against a range, ordered from lowest to highest.

    >>> Interpretation.LOW < Interpretation.NORMAL < Interpretation.CRITICAL_HIGH
    True
    >>> Interpretation.HIGH.is_abnormal
    True
    """

    CRITICAL_LOW = -2
    LOW = -1
    NORMAL = 0
    HIGH = 1
    CRITICAL_HIGH = 2

    @property
    def is_abnormal(self) -> bool:
        """Whether the value is outside the reference range (or beyond a critical limit).

        >>> [i.is_abnormal for i in (Interpretation.NORMAL, Interpretation.CRITICAL_LOW)]
        [False, True]
        """
        return self is not Interpretation.NORMAL


def _finite_or_none(
    _instance: object, attribute: attrs.Attribute[float | None], value: object
) -> None:
    if value is None:
        return
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise ArgumentError(attribute.name, value, "a finite number or None")


def _number(value: object) -> None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        arg = "value"
        raise ArgumentError(arg, value, "a number (an int or a float)")


def _check_value(value: object, kind: str, expected: str) -> None:
    """After an AttributeError: name a value that is not a parsed value of *kind*."""
    if not isinstance(value, Censored if kind == "Censored" else Measured):
        arg = "value"
        raise ArgumentError(arg, value, expected)


def _to_float(value: float | None) -> float | None:
    if value is None:
        return None
    try:
        return float(value)
    except (TypeError, ValueError, OverflowError):
        # A converter is not told its field: the validator names it, on a value that fails.
        return value


_BELOW, _AT, _ABOVE = -1, 0, 1

# The printed forms of a range as Chinese and foreign reports write them: "3.5-5.3",
# "3.5～5.3 mmol/L", "3.5 至 5.3", "<5", "≥60". ASCII digits only (as parse_value reads them);
# the unit after the numbers is short, so a long tail is not a range.
_NUMBER: Final = r"[-+]?(?:[0-9]{1,15}(?:\.[0-9]{0,15})?|\.[0-9]{1,15})"
_SPAN: Final = re.compile(rf"\s*({_NUMBER})\s*(?:--|-|–|—|~|～|至|to)\s*({_NUMBER})\s*(.{{0,40}})")
_BOUND: Final = re.compile(rf"\s*(<=|>=|<|>|≤|≥|＜|＞)\s*({_NUMBER})\s*(.{{0,40}})")
_TEXT_LIMIT: Final = 200


@attrs.frozen
class ReferenceRange:
    """The range an issuer printed, with optional critical (危急值) limits.

    A value below ``critical_low`` (strictly) is critically low, above ``critical_high``
    critically high.

    Attributes:
        low: The lower bound, or ``None`` for no lower bound.
        high: The upper bound, or ``None`` for no upper bound.
        unit: The unit the bounds are in, when known.
        low_inclusive: Whether ``low`` itself is normal (FHIR: yes).
        high_inclusive: Whether ``high`` itself is normal (FHIR: yes).
        critical_low: The critical lower limit, if any.
        critical_high: The critical upper limit, if any.
        text: The range as printed, such as ``"3.5-5.3"`` or ``"<5"``.

    >>> ReferenceRange(high=5.0, high_inclusive=False).interpret(5.0).name
    'HIGH'
    """

    low: float | None = attrs.field(default=None, converter=_to_float, validator=_finite_or_none)
    high: float | None = attrs.field(default=None, converter=_to_float, validator=_finite_or_none)
    unit: Unit | None = attrs.field(
        default=None, kw_only=True, validator=optional(instance_of(Unit))
    )
    low_inclusive: bool = attrs.field(default=True, kw_only=True, validator=instance_of(bool))
    high_inclusive: bool = attrs.field(default=True, kw_only=True, validator=instance_of(bool))
    critical_low: float | None = attrs.field(
        default=None, kw_only=True, converter=_to_float, validator=_finite_or_none
    )
    critical_high: float | None = attrs.field(
        default=None, kw_only=True, converter=_to_float, validator=_finite_or_none
    )
    text: str | None = attrs.field(default=None, kw_only=True, validator=optional(instance_of(str)))

    @classmethod
    def from_text(cls, text: str, unit: Unit | None = None) -> ReferenceRange | None:
        """Read a range as printed (``3.5-5.3``, ``3.5～5.3 mmol/L``, ``<5``, ``≥60``).

        Args:
            text: The printed range. A unit may follow the numbers.
            unit: The unit of the result the range belongs to, when it is sent apart.

        Returns:
            The range, or ``None`` when the text is no numeric range (``阴性``, ``see note``), its
            bounds make an empty range, or its unit is unreadable or differs from *unit*: a
            doubtful range is no range, never a guess.

        >>> ReferenceRange.from_text("3.5-5.3").interpret(5.4).name
        'HIGH'
        >>> r = ReferenceRange.from_text("≥ 60 mL/min")
        >>> r.low, r.low_inclusive, str(r.unit)
        (60.0, True, 'mL/min')
        >>> [ReferenceRange.from_text(t) for t in ("阴性", "5.3-3.5", "3.5-5.3 blah")]
        [None, None, None]
        """
        given: object = text  # typed, but callers outside mypy pass anything
        if not isinstance(given, str) or len(given) > _TEXT_LIMIT:
            return None
        bounds: dict[str, Any]
        if match := _SPAN.fullmatch(text):
            bounds = {"low": float(match[1]), "high": float(match[2])}
        elif match := _BOUND.fullmatch(text):
            sign, limit = match[1], float(match[2])
            side = "high" if sign in {"<", "<=", "≤", "＜"} else "low"
            bounds = {side: limit, f"{side}_inclusive": sign in {"<=", ">=", "≤", "≥"}}
        else:
            return None
        try:
            printed = parse_unit(match[3].strip()) if match[3].strip() else None
            if printed is not None and unit is not None and printed != unit:
                return None
            return cls(**bounds, unit=printed or unit, text=text)
        except MutrecError:
            return None

    def __attrs_post_init__(self) -> None:
        """Refuse empty ranges and critical limits inside the range."""
        low, high = self.low, self.high
        if low is not None and high is not None:
            empty = low > high or (low == high and not (self.low_inclusive and self.high_inclusive))
            if empty:
                msg = f"a bound above 'low' {low!r} (or equal, both inclusive): the range is empty"
                arg = "high"
                raise ArgumentError(arg, high, msg)
        if self.critical_low is not None and low is not None and self.critical_low > low:
            msg = f"a limit at or below 'low' {low!r}: 'critical_low' is above 'low'"
            arg = "critical_low"
            raise ArgumentError(arg, self.critical_low, msg)
        if self.critical_high is not None and high is not None and self.critical_high < high:
            msg = f"a limit at or above 'high' {high!r}: 'critical_high' is below 'high'"
            arg = "critical_high"
            raise ArgumentError(arg, self.critical_high, msg)

    def _classify(self, x: float, side: int) -> Interpretation:  # noqa: C901 - 4 limits x 3 sides
        # side: _AT for x itself, _ABOVE/_BELOW for values infinitesimally above/below x.
        def under(limit: float | None, *, inclusive: bool) -> bool:
            if limit is None:
                return False
            if side == _ABOVE:
                return x < limit
            if side == _BELOW:
                return x <= limit
            return x < limit or (x == limit and not inclusive)

        def over(limit: float | None, *, inclusive: bool) -> bool:
            if limit is None:
                return False
            if side == _ABOVE:
                return x >= limit
            if side == _BELOW:
                return x > limit
            return x > limit or (x == limit and not inclusive)

        if under(self.critical_low, inclusive=True):
            return Interpretation.CRITICAL_LOW
        if over(self.critical_high, inclusive=True):
            return Interpretation.CRITICAL_HIGH
        if under(self.low, inclusive=self.low_inclusive):
            return Interpretation.LOW
        if over(self.high, inclusive=self.high_inclusive):
            return Interpretation.HIGH
        return Interpretation.NORMAL

    def interpret(self, value: float) -> Interpretation:
        """Interpret a number given in this range's unit.

        >>> ReferenceRange(3.9, 6.1).interpret(7.0)
        <Interpretation.HIGH: 1>
        """
        try:
            return self._classify(value, _AT)
        except TypeError:  # checked only on failure: values are interpreted on the hot path
            _number(value)
            raise

    def contains(self, value: float) -> bool:
        """Whether *value* is within the range (critical limits aside).

        >>> ReferenceRange(0.0, 0.0).contains(0.0)
        True
        """
        return self.interpret(value) is Interpretation.NORMAL

    def interpret_censored(
        self, value: Censored, *, analyte: str | None = None
    ) -> Interpretation | None:
        """Interpret a censored value such as ``>300``; ``None`` when it could fall either way.

        When it is surely high (or low) but only perhaps critical, the answer is ``HIGH``
        (``LOW``): what it is at least. Units are handled as by :meth:`interpret_measured`.

        Raises:
            UnitError: Exactly one of the value and the range has a unit, or the units cannot
                be converted (for *analyte*).

        >>> from mutrec.model.results import Censored
        >>> from mutrec.units import parse_unit
        >>> ReferenceRange(0, 200).interpret_censored(Censored(">", 300.0))
        <Interpretation.HIGH: 1>
        >>> ReferenceRange(0.5, 2).interpret_censored(Censored("<", 1.0)) is None
        True
        >>> glu = ReferenceRange(3.9, 6.1, unit=parse_unit("mmol/L"))
        >>> glu.interpret_censored(Censored(">", 500.0, parse_unit("mg/dL")), analyte="glucose")
        <Interpretation.HIGH: 1>
        """
        try:
            x = self._in_my_unit(value.value, value.unit, analyte=analyte)
        except AttributeError:
            _check_value(
                value, "Censored", "a Censored value, such as parse_value('>300', 'ng/mL')"
            )
            raise
        if value.comparator in {">", ">="}:
            lo = self._classify(x, _ABOVE if value.comparator == ">" else _AT)
            hi = self._classify(math.inf, _AT)
        else:
            lo = self._classify(-math.inf, _AT)
            hi = self._classify(x, _BELOW if value.comparator == "<" else _AT)
        if lo is hi:
            return lo
        if lo > Interpretation.NORMAL:  # high for sure; critical only perhaps: at least high
            return Interpretation.HIGH
        if hi < Interpretation.NORMAL:
            return Interpretation.LOW
        return None

    def interpret_measured(self, value: Measured, *, analyte: str | None = None) -> Interpretation:
        """Interpret a measured value, converting it to this range's unit when they differ.

        A value and a range that both lack a unit are compared as they are (the caller vouches
        that they agree); when only one of them has a unit, nothing says what the other is in,
        so the comparison is refused rather than guessed.

        Raises:
            UnitError: Exactly one of the value and the range has a unit, or the units cannot
                be converted (for *analyte*).

        >>> from mutrec.model.results import Measured
        >>> from mutrec.units import parse_unit
        >>> r = ReferenceRange(3.9, 6.1, unit=parse_unit("mmol/L"))
        >>> r.interpret_measured(Measured(126.0, parse_unit("mg/dL")), analyte="glucose").name
        'HIGH'
        >>> ReferenceRange(3.9, 6.1).interpret_measured(Measured(5.0, parse_unit("mg/dL")))
        Traceback (most recent call last):
        ...
        mutrec.errors.UnitError: unit 'mg/dL': the value has a unit but the reference range ...
        """
        try:
            x = self._in_my_unit(value.value, value.unit, analyte=analyte)
        except AttributeError:
            _check_value(
                value, "Measured", "a Measured value, such as parse_value('4.1', 'mmol/L')"
            )
            raise
        return self.interpret(x)

    def _in_my_unit(self, x: float, unit: Unit | None, *, analyte: str | None = None) -> float:
        if unit is None and self.unit is None:
            return x
        if unit is None:
            assert self.unit is not None  # noqa: S101 - narrowed by the test above
            raise UnitError(
                self.unit.code,
                "the reference range has this unit but the value has none; give the value "
                "its unit (a value without one cannot be compared with it)",
            )
        if self.unit is None:
            raise UnitError(
                unit.code,
                "the value has a unit but the reference range has none; give the range its "
                "unit (ReferenceRange(..., unit=...)) so the value can be converted",
            )
        if unit.code == self.unit.code:
            return x
        return Converter(unit, self.unit, analyte=analyte)(x)

    def to_unit(self, unit: Unit, *, analyte: str | None = None) -> ReferenceRange:
        """Return this range with its bounds and limits converted to *unit*.

        Raises:
            UnitError: The range has no unit, or it cannot be converted to *unit*.

        >>> from mutrec.units import parse_unit
        >>> r = ReferenceRange(70, 110, unit=parse_unit("mg/dL"))
        >>> g = r.to_unit(parse_unit("mmol/L"), analyte="glucose")
        >>> round(g.low, 2), round(g.high, 2), g.unit.code
        (3.89, 6.11, 'mmol/L')
        """
        if not isinstance(unit, Unit):
            arg = "unit"
            raise ArgumentError(arg, unit, "a Unit, such as parse_unit('mmol/L')")
        if self.unit is None:
            raise UnitError(unit.code, "the reference range has no unit to convert from")
        conv = Converter(self.unit, unit, analyte=analyte)

        def c(x: float | None) -> float | None:
            return None if x is None else conv(x)

        return attrs.evolve(
            self,
            low=c(self.low),
            high=c(self.high),
            critical_low=c(self.critical_low),
            critical_high=c(self.critical_high),
            unit=unit,
        )
