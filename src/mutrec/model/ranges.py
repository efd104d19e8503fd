"""Reference ranges: bounds, critical limits, partitions by sex, age and pregnancy.

A bound may be inclusive (FHIR's ``low``/``high`` are) or exclusive (a printed ``<5``); an
absent bound is unbounded.

>>> k = ReferenceRange(3.5, 5.3, critical_low=2.8, critical_high=6.2)
>>> [k.interpret(v).name for v in (2.5, 3.4, 3.5, 5.3, 5.4, 6.5)]
['CRITICAL_LOW', 'LOW', 'NORMAL', 'NORMAL', 'HIGH', 'CRITICAL_HIGH']
"""

from __future__ import annotations

import enum
import math
from typing import TYPE_CHECKING

import attrs

from mutrec.units import Converter, Unit

if TYPE_CHECKING:
    from collections.abc import Iterable
    from datetime import date, datetime

    from mutrec.model.patient import Age, PatientContext, Sex
    from mutrec.model.results import Censored, Measured

__all__ = ["Interpretation", "Partition", "PartitionedRange", "ReferenceRange"]


def _partition_tuple(values: Iterable[Partition]) -> tuple[Partition, ...]:
    return tuple(values)


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
        """Whether the value is outside the reference range (or beyond a critical limit)."""
        return self is not Interpretation.NORMAL


def _finite_or_none(
    _instance: object, attribute: attrs.Attribute[float | None], value: object
) -> None:
    if value is None:
        return
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        msg = f"{attribute.name!r} must be a finite number or None (got {value!r})"
        raise ValueError(msg)


def _to_float(value: float | None) -> float | None:
    return None if value is None else float(value)


_BELOW, _AT, _ABOVE = -1, 0, 1


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
    unit: Unit | None = attrs.field(default=None, kw_only=True)
    low_inclusive: bool = attrs.field(default=True, kw_only=True)
    high_inclusive: bool = attrs.field(default=True, kw_only=True)
    critical_low: float | None = attrs.field(
        default=None, kw_only=True, converter=_to_float, validator=_finite_or_none
    )
    critical_high: float | None = attrs.field(
        default=None, kw_only=True, converter=_to_float, validator=_finite_or_none
    )
    text: str | None = attrs.field(default=None, kw_only=True)

    def __attrs_post_init__(self) -> None:
        """Refuse empty ranges and critical limits inside the range."""
        low, high = self.low, self.high
        if low is not None and high is not None:
            empty = low > high or (low == high and not (self.low_inclusive and self.high_inclusive))
            if empty:
                msg = f"reference range is empty: low={low!r} high={high!r}"
                raise ValueError(msg)
        if self.critical_low is not None and low is not None and self.critical_low > low:
            msg = f"'critical_low' {self.critical_low!r} is above 'low' {low!r}"
            raise ValueError(msg)
        if self.critical_high is not None and high is not None and self.critical_high < high:
            msg = f"'critical_high' {self.critical_high!r} is below 'high' {high!r}"
            raise ValueError(msg)

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
        return self._classify(value, _AT)

    def contains(self, value: float) -> bool:
        """Whether *value* is within the range (critical limits aside).

        >>> ReferenceRange(0.0, 0.0).contains(0.0)
        True
        """
        return self.interpret(value) is Interpretation.NORMAL

    def interpret_censored(self, value: Censored) -> Interpretation | None:
        """Interpret a censored value such as ``>300``; ``None`` when it could fall either way.

        When it is surely high (or low) but only perhaps critical, the answer is ``HIGH``
        (``LOW``): what it is at least.

        >>> from mutrec.model.results import Censored
        >>> ReferenceRange(0, 200).interpret_censored(Censored(">", 300.0))
        <Interpretation.HIGH: 1>
        >>> ReferenceRange(0.5, 2).interpret_censored(Censored("<", 1.0)) is None
        True
        """
        x = self._in_my_unit(value.value, value.unit)
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

        Raises:
            UnitError: The units cannot be converted.

        >>> from mutrec.model.results import Measured
        >>> from mutrec.units import parse_unit
        >>> r = ReferenceRange(3.9, 6.1, unit=parse_unit("mmol/L"))
        >>> r.interpret_measured(Measured(126.0, parse_unit("mg/dL")), analyte="glucose").name
        'HIGH'
        """
        return self.interpret(self._in_my_unit(value.value, value.unit, analyte=analyte))

    def _in_my_unit(self, x: float, unit: Unit | None, *, analyte: str | None = None) -> float:
        if unit is None or self.unit is None or unit.code == self.unit.code:
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
        if self.unit is None:
            from mutrec.errors import UnitError

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


@attrs.frozen
class Partition:
    """One partition of a partitioned reference range: its criteria and its range.

    Age limits are in completed days, months or years, as labs print them: ``age_from`` is
    inclusive, ``age_to`` exclusive. A criterion left ``None`` matches every patient.

    Attributes:
        reference: The reference range that applies.
        sex: The sex it applies to.
        age_from: The youngest age it applies to.
        age_to: The age from which it no longer applies.
        pregnant: ``True`` only for pregnant, ``False`` only for non-pregnant patients.

    >>> from datetime import date
    >>> from mutrec.model.patient import Age, AgeUnit, PatientContext, Sex
    >>> p = Partition(ReferenceRange(45, 90), sex=Sex.FEMALE, age_from=Age(18, AgeUnit.YEARS))
    >>> p.applies_to(PatientContext(Sex.FEMALE, date(2000, 5, 1)), date(2024, 5, 1))
    True
    """

    reference: ReferenceRange
    sex: Sex | None = attrs.field(default=None, kw_only=True)
    age_from: Age | None = attrs.field(default=None, kw_only=True)
    age_to: Age | None = attrs.field(default=None, kw_only=True)
    pregnant: bool | None = attrs.field(default=None, kw_only=True)

    @property
    def specificity(self) -> int:
        """How many criteria the partition sets (the most specific match wins)."""
        criteria = (self.sex, self.age_from, self.age_to, self.pregnant)
        return sum(c is not None for c in criteria)

    def applies_to(self, patient: PatientContext, on: date) -> bool:
        """Whether this partition applies to *patient* on the date *on*.

        A partition with an age criterion never applies to a patient of unknown birth date.
        """
        if self.sex is not None and patient.sex is not self.sex:
            return False
        if self.pregnant is not None and (patient.pregnant is True) is not self.pregnant:
            return False
        for limit, lower in ((self.age_from, True), (self.age_to, False)):
            if limit is None:
                continue
            age = patient.age_in(limit.unit, on)
            if age is None or (age < limit.value if lower else age >= limit.value):
                return False
        return True


@attrs.frozen
class PartitionedRange:
    """A range partitioned by sex, age and pregnancy, as a lab's catalogue prints it.

    Attributes:
        partitions: The partitions, in printed order (ties go to the earlier one).

    >>> from datetime import date, datetime
    >>> from zoneinfo import ZoneInfo
    >>> from mutrec.model.patient import PatientContext, Sex
    >>> cre = PartitionedRange((
    ...     Partition(ReferenceRange(60, 110), sex=Sex.MALE),
    ...     Partition(ReferenceRange(45, 90), sex=Sex.FEMALE),
    ... ))
    >>> at = datetime(2024, 5, 1, 8, tzinfo=ZoneInfo("Asia/Shanghai"))
    >>> cre.select(PatientContext(Sex.FEMALE, date(1980, 1, 1)), at).high
    90.0
    """

    partitions: tuple[Partition, ...] = attrs.field(converter=_partition_tuple)

    def select(self, patient: PatientContext, collected: datetime) -> ReferenceRange | None:
        """Pick the range that applies to *patient* at the aware *collected* instant.

        The patient's age is counted on the collection date in the instant's own zone. The
        most specific applicable partition wins; ``None`` when none applies.
        """
        on = collected.date()
        best: Partition | None = None
        for part in self.partitions:
            if part.applies_to(patient, on) and (
                best is None or part.specificity > best.specificity
            ):
                best = part
        return None if best is None else best.reference
