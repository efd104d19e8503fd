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
from collections.abc import Iterable
from datetime import date, datetime, tzinfo

import attrs

from mutrec._checks import instance_of, items_of, optional, require
from mutrec.errors import ArgumentError, CatalogueError, Problem, UnitError
from mutrec.model.instants import local_date, require_aware
from mutrec.model.patient import Age, PatientContext, Sex
from mutrec.model.values import Censored, Measured
from mutrec.units import Converter, Unit

__all__ = ["Interpretation", "Partition", "PartitionedRange", "ReferenceRange"]


def _partition_tuple(values: Iterable[Partition]) -> tuple[Partition, ...]:
    return items_of("partitions", values, Partition)


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


def _meets(criterion: object, fact: object) -> bool | None:
    """Whether *fact* meets *criterion* (``None``: no criterion); ``None`` if *fact* unknown."""
    if criterion is None:
        return True
    if fact is None:
        return None
    return fact is criterion


def _partition_sex(
    _instance: object, attribute: attrs.Attribute[Sex | None], value: object
) -> None:
    if value is not None and value is not Sex.FEMALE and value is not Sex.MALE:
        raise ArgumentError(attribute.name, value, "Sex.FEMALE, Sex.MALE or None")


@attrs.frozen
class Partition:
    """One partition of a partitioned reference range: its criteria and its range.

    Age limits are in completed days, months or years, as labs print them: ``age_from`` is
    inclusive, ``age_to`` exclusive. A criterion left ``None`` matches every patient. A criterion
    set is met only by a patient known to meet it: ``pregnant=False`` needs a patient known not
    to be pregnant, an age limit a known birth date, a sex a sex other than ``UNKNOWN``.

    Attributes:
        reference: The reference range that applies.
        sex: The sex it applies to (``FEMALE`` or ``MALE``).
        age_from: The youngest age it applies to.
        age_to: The age from which it no longer applies.
        pregnant: ``True`` only for pregnant, ``False`` only for non-pregnant patients.

    >>> from datetime import date
    >>> from mutrec.model.patient import Age, AgeUnit, PatientContext, Sex
    >>> p = Partition(ReferenceRange(45, 90), sex=Sex.FEMALE, age_from=Age(18, AgeUnit.YEARS))
    >>> p.applies_to(PatientContext(Sex.FEMALE, date(2000, 5, 1)), date(2024, 5, 1))
    True
    """

    reference: ReferenceRange = attrs.field(validator=instance_of(ReferenceRange))
    sex: Sex | None = attrs.field(default=None, kw_only=True, validator=_partition_sex)
    age_from: Age | None = attrs.field(
        default=None, kw_only=True, validator=optional(instance_of(Age))
    )
    age_to: Age | None = attrs.field(
        default=None, kw_only=True, validator=optional(instance_of(Age))
    )
    pregnant: bool | None = attrs.field(
        default=None, kw_only=True, validator=optional(instance_of(bool))
    )

    @property
    def specificity(self) -> int:
        """How many criteria the partition sets.

        >>> from mutrec.model.patient import Sex
        >>> Partition(ReferenceRange(40, 80), sex=Sex.FEMALE, pregnant=True).specificity
        2
        """
        criteria = (self.sex, self.age_from, self.age_to, self.pregnant)
        return sum(c is not None for c in criteria)

    @property
    def precedence(self) -> tuple[bool, int]:
        """How the partition ranks when several apply: higher wins.

        A pregnancy criterion ranks first (a pregnant woman's range is the pregnancy range, not
        the adult female one), then the number of other criteria set.

        >>> from mutrec.model.patient import Age, AgeUnit, Sex
        >>> adult_f = Partition(ReferenceRange(45, 90), sex=Sex.FEMALE,
        ...                     age_from=Age(18, AgeUnit.YEARS))
        >>> pregnant = Partition(ReferenceRange(40, 80), pregnant=True)
        >>> pregnant.precedence > adult_f.precedence
        True
        """
        others = (self.sex, self.age_from, self.age_to)
        return (self.pregnant is not None, sum(c is not None for c in others))

    def match(self, patient: PatientContext, on: date) -> bool | None:
        """Whether this partition applies to *patient* on *on*; ``None`` when that is unknown.

        It is unknown when a criterion the partition sets needs a fact the patient context
        lacks (sex ``UNKNOWN``, no birth date, pregnancy ``None``) and no other criterion
        already rules the partition out.

        Raises:
            ResultError: *on* is before the patient's birth date.

        >>> from datetime import date
        >>> from mutrec.model.patient import PatientContext, Sex
        >>> p = Partition(ReferenceRange(45, 90), sex=Sex.FEMALE, pregnant=False)
        >>> p.match(PatientContext(Sex.FEMALE, pregnant=None), date(2024, 5, 1)) is None
        True
        >>> p.match(PatientContext(Sex.MALE), date(2024, 5, 1))
        False
        """
        known_sex = None if patient.sex is Sex.UNKNOWN else patient.sex
        sex, pregnant = _meets(self.sex, known_sex), _meets(self.pregnant, patient.pregnant)
        if sex is False or pregnant is False:
            return False
        unknown = sex is None or pregnant is None
        for limit, lower in ((self.age_from, True), (self.age_to, False)):
            if limit is None:
                continue
            age = patient.age_in(limit.unit, on)
            if age is None:
                unknown = True
            elif age < limit.value if lower else age >= limit.value:
                return False
        return None if unknown else True

    def applies_to(self, patient: PatientContext, on: date) -> bool:
        """Whether this partition surely applies to *patient* on the date *on*.

        A partition whose criteria need a fact the patient context lacks does not apply (see
        :meth:`match`).

        Raises:
            ResultError: *on* is before the patient's birth date.

        >>> from datetime import date
        >>> from mutrec.model.patient import PatientContext, Sex
        >>> p = Partition(ReferenceRange(45, 90), pregnant=False)
        >>> p.applies_to(PatientContext(Sex.FEMALE, pregnant=None), date(2024, 5, 1))
        False
        """
        return self.match(patient, on) is True


@attrs.frozen
class PartitionedRange:
    """A range partitioned by sex, age and pregnancy, as a lab's catalogue prints it.

    When several partitions apply, the one of highest :attr:`Partition.precedence` wins:
    pregnancy first, then the number of criteria. mutrec never guesses past that:

    - two partitions of equal precedence with different ranges that both apply are an
      ambiguity in the data (:class:`~mutrec.errors.CatalogueError`), not a tie to break by
      printed order;
    - when a partition that would rank at least as high depends on a fact the patient context
      lacks (pregnancy unknown, no birth date, sex unknown), no range is chosen (``None``).

    Attributes:
        partitions: The partitions, in printed order.

    >>> from datetime import date, datetime
    >>> from zoneinfo import ZoneInfo
    >>> from mutrec.model.patient import PatientContext, Sex
    >>> cre = PartitionedRange((
    ...     Partition(ReferenceRange(60, 110), sex=Sex.MALE),
    ...     Partition(ReferenceRange(45, 90), sex=Sex.FEMALE),
    ... ))
    >>> sh = ZoneInfo("Asia/Shanghai")
    >>> at = datetime(2024, 5, 1, 8, tzinfo=sh)
    >>> cre.select(PatientContext(Sex.FEMALE, date(1980, 1, 1)), at, sh).high
    90.0
    """

    partitions: tuple[Partition, ...] = attrs.field(converter=_partition_tuple)

    def select(
        self, patient: PatientContext, collected: datetime, zone: tzinfo
    ) -> ReferenceRange | None:
        """Pick the range that applies to *patient* at the aware *collected* instant.

        The patient's age is counted on the collection date on the wall clock of *zone* (the
        region's or the issuing lab's calendar), never on the instant's own offset: the same
        instant can fall on different dates in different zones.

        Args:
            patient: The patient facts.
            collected: The aware specimen-collection instant.
            zone: The zone whose calendar dates the collection.

        Returns:
            The range of the winning partition; ``None`` when no partition applies or when
            which one applies depends on a fact the patient context lacks.

        Raises:
            TimeZoneError: *collected* is naive.
            CatalogueError: Two partitions of equal precedence and different ranges apply.
            ResultError: The collection is dated before the patient's birth.

        >>> from datetime import date, datetime, UTC
        >>> from zoneinfo import ZoneInfo
        >>> from mutrec.model.patient import Age, AgeUnit, PatientContext, Sex
        >>> rng = PartitionedRange((
        ...     Partition(ReferenceRange(1, 2), age_to=Age(18, AgeUnit.YEARS)),
        ...     Partition(ReferenceRange(3, 4), age_from=Age(18, AgeUnit.YEARS)),
        ... ))
        >>> teen = PatientContext(Sex.FEMALE, date(2006, 3, 1))
        >>> at = datetime(2024, 2, 29, 17, tzinfo=UTC)  # 1 March, 01:00 in Shanghai
        >>> rng.select(teen, at, UTC).high, rng.select(teen, at, ZoneInfo("Asia/Shanghai")).high
        (2.0, 4.0)
        """
        on = local_date(require_aware(collected, "collected"), zone)
        applicable: list[tuple[int, Partition]] = []
        undecided: list[Partition] = []
        try:
            for index, part in enumerate(self.partitions):
                found = part.match(patient, on)
                if found is True:
                    applicable.append((index, part))
                elif found is None:
                    undecided.append(part)
        except AttributeError:
            require("patient", patient, PatientContext)  # looked into only on failure
            raise
        if not applicable:
            return None
        top = max(part.precedence for _, part in applicable)
        winners = [(i, part) for i, part in applicable if part.precedence == top]
        chosen = winners[0][1].reference
        if any(p.precedence >= top and p.reference != chosen for p in undecided):
            return None
        if len({part.reference for _, part in winners}) > 1:
            where = ", ".join(f"partitions[{i}]" for i, _ in winners)
            raise CatalogueError(
                [
                    Problem(
                        "reference range",
                        where,
                        f"partitions of equal precedence with different ranges all apply to the "
                        f"patient on {on.isoformat()}",
                        hint="make the criteria exclusive (for example add the age to the sex "
                        "partition), so exactly one partition applies",
                    )
                ]
            )
        return chosen
