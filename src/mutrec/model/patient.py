"""What the policy may know about a patient: sex, birth date, pregnancy, care setting.

No names or identifiers are kept here; a result carries only an opaque patient reference.

>>> from datetime import date
>>> patient = PatientContext(Sex.FEMALE, date(2020, 1, 31), care_setting=CareSetting.OUTPATIENT)
>>> patient.age_in(AgeUnit.MONTHS, date(2020, 3, 30))
1
"""

from __future__ import annotations

import enum
from datetime import date

import attrs

from mutrec._checks import instance_of, optional
from mutrec.errors import ArgumentError, ResultError

__all__ = ["Age", "AgeUnit", "CareSetting", "PatientContext", "Sex"]


class Sex(enum.Enum):
    """Administrative sex, as reference ranges are partitioned by it.

    >>> Sex("female") is Sex.FEMALE
    True
    """

    FEMALE = "female"
    MALE = "male"
    UNKNOWN = "unknown"


class CareSetting(enum.Enum):
    """Where the patient is being treated; validity windows may differ per setting.

    >>> CareSetting("emergency").name
    'EMERGENCY'
    """

    EMERGENCY = "emergency"
    INPATIENT = "inpatient"
    OUTPATIENT = "outpatient"


class AgeUnit(enum.Enum):
    """The unit a lab prints an age limit in: completed days, months or years.

    >>> AgeUnit("months").value
    'months'
    """

    DAYS = "days"
    MONTHS = "months"
    YEARS = "years"


def _non_negative(_instance: object, attribute: attrs.Attribute[int], value: int) -> None:
    if value < 0:
        raise ArgumentError(attribute.name, value, "an int >= 0")


@attrs.frozen
class Age:
    """An age limit as labs print it, such as 28 days, 6 months or 18 years.

    Attributes:
        value: The number of completed units.
        unit: Days, months or years.

    >>> Age(18, AgeUnit.YEARS)
    Age(value=18, unit=<AgeUnit.YEARS: 'years'>)
    """

    value: int = attrs.field(validator=[instance_of(int, allow_bool=False), _non_negative])
    unit: AgeUnit = attrs.field(validator=instance_of(AgeUnit))


def age_in(unit: AgeUnit, birth: date, on: date) -> int:
    r"""Return the completed *unit*\\ s between *birth* and *on* (0 on the birth date).

    Months and years count as :class:`dateutil.relativedelta.relativedelta` does: a birthday
    on a day the month lacks (29 February, 31st) falls on that month's last day.

    Raises:
        ResultError: *on* is before *birth*: a specimen cannot be taken before the patient
            is born, so one of the two dates is wrong (no age is guessed).

    >>> age_in(AgeUnit.YEARS, date(2000, 2, 29), date(2018, 2, 27))
    17
    >>> age_in(AgeUnit.YEARS, date(2000, 2, 29), date(2018, 2, 28))
    18
    >>> age_in(AgeUnit.YEARS, date(2000, 2, 29), date(2000, 1, 1))
    Traceback (most recent call last):
    ...
    mutrec.errors.ResultError: result field 'birth_date' = '2000-02-29': is after ...
    """
    if on < birth:
        msg = "birth_date"
        raise ResultError(
            msg,
            birth.isoformat(),
            f"is after {on.isoformat()}, the date the age is counted on; check the birth date "
            "and the collection instant",
        )
    if unit is AgeUnit.DAYS:
        return (on - birth).days
    # Imported on first use: a region load never counts an age (dateutil is not free to import).
    from dateutil.relativedelta import relativedelta

    delta = relativedelta(on, birth)
    if unit is AgeUnit.MONTHS:
        return delta.years * 12 + delta.months
    return delta.years


@attrs.frozen
class PatientContext:
    """The patient facts that select a reference-range partition or a validity window.

    Attributes:
        sex: Administrative sex.
        birth_date: Date of birth, when known.
        pregnant: Whether the patient is pregnant; ``None`` when unknown.
        care_setting: Outpatient, inpatient or emergency.

    >>> PatientContext(Sex.MALE).care_setting
    <CareSetting.OUTPATIENT: 'outpatient'>
    """

    sex: Sex = attrs.field(validator=instance_of(Sex))
    birth_date: date | None = attrs.field(default=None, validator=optional(instance_of(date)))
    pregnant: bool | None = attrs.field(default=None, validator=optional(instance_of(bool)))
    care_setting: CareSetting = attrs.field(
        default=CareSetting.OUTPATIENT, validator=instance_of(CareSetting)
    )

    def age_in(self, unit: AgeUnit, on: date) -> int | None:
        r"""Return the patient's age in completed *unit*\\ s on *on*, or ``None`` if unknown.

        Raises:
            ResultError: *on* is before the birth date (see :func:`age_in`).

        >>> PatientContext(Sex.MALE, date(2024, 2, 29)).age_in(AgeUnit.DAYS, date(2024, 3, 2))
        2
        """
        if self.birth_date is None:
            return None
        return age_in(unit, self.birth_date, on)
