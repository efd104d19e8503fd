"""Reference ranges: bounds, critical limits, partitions by sex, age and pregnancy.

A bound may be inclusive (FHIR's ``low``/``high`` are) or exclusive (a printed ``<5``); an
absent bound is unbounded. The range itself and where a value falls against it
(:class:`~mutrec.model.reference.ReferenceRange`, :class:`~mutrec.model.reference.Interpretation`)
are defined in :mod:`mutrec.model.reference`, which this module re-exports; its partitions are
defined here.

>>> k = ReferenceRange(3.5, 5.3, critical_low=2.8, critical_high=6.2)
>>> [k.interpret(v).name for v in (2.5, 3.4, 3.5, 5.3, 5.4, 6.5)]
['CRITICAL_LOW', 'LOW', 'NORMAL', 'NORMAL', 'HIGH', 'CRITICAL_HIGH']
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, tzinfo

import attrs

from mutrec._checks import instance_of, items_of, optional, require
from mutrec.errors import ArgumentError, CatalogueError, Problem
from mutrec.model.instants import local_date, require_aware
from mutrec.model.patient import Age, PatientContext, Sex
from mutrec.model.reference import Interpretation, ReferenceRange

__all__ = ["Interpretation", "Partition", "PartitionedRange", "ReferenceRange"]


def _partition_tuple(values: Iterable[Partition]) -> tuple[Partition, ...]:
    return items_of("partitions", values, Partition)


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
