"""Results: values (measured, qualitative, censored), lab and imaging results, reports.

>>> parse_value("<0.1", "ng/mL")
Censored(comparator='<', value=0.1, unit=Unit(...))
>>> parse_value("阳性").polarity
<Polarity.POSITIVE: 'positive'>
"""

from __future__ import annotations

import enum
import itertools
import math
import re
import unicodedata
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any, Final, Literal, TypeAlias, overload

import attrs

from mutrec.errors import ResultError
from mutrec.model.instants import require_aware
from mutrec.model.windows import Anchor
from mutrec.units import Unit, parse_unit

if TYPE_CHECKING:
    from collections.abc import Iterable
    from datetime import tzinfo

    from mutrec.model.ranges import ReferenceRange

__all__ = [
    "Censored",
    "DeviceCapability",
    "ImagingResult",
    "LabResult",
    "Measured",
    "Modality",
    "Polarity",
    "Qualitative",
    "Report",
    "Result",
    "Value",
    "check_instant",
    "parse_value",
]


def _result_tuple(values: Iterable[Result]) -> tuple[Result, ...]:
    try:
        results = tuple(values)
    except TypeError:
        msg = "results"
        raise ResultError(msg, values, "must be a collection of results") from None
    for index, result in enumerate(results):
        if not isinstance(result, (LabResult, ImagingResult)):
            where = f"results[{index}]"
            raise ResultError(where, result, "must be a LabResult or ImagingResult")
    return results


# Instants this close to datetime.min/max cannot be placed in every zone (a UTC offset of up
# to ±24 h moves them off the calendar): results stay a day inside it, so that evaluation's
# zone conversions never overflow.
_EARLIEST: Final = datetime.min.replace(tzinfo=UTC) + timedelta(days=2)
_LATEST: Final = datetime.max.replace(tzinfo=UTC) - timedelta(days=2)


def _opt_str(_instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if value is not None and not isinstance(value, str):
        raise ResultError(attribute.name, value, "must be text or None")


def _number(value: object) -> float:
    """A finite float from an int or float.

    Bools and text are refused: text goes through :func:`parse_value`, which reads it
    without guessing.
    """
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        msg = "value"
        raise ResultError(msg, value, "must be a number: read text with mutrec.parse_value")
    try:
        number = float(value)
    except OverflowError:  # an int past float's range
        number = math.inf
    if not math.isfinite(number):
        msg = "value"
        raise ResultError(msg, value, "must be a finite number")
    return number


def check_instant(value: object, field: str) -> datetime:
    """*value* as an aware datetime that every zone can represent, or a clear error.

    Raises:
        ResultError: *value* is not a datetime, or lies within two days of year 1 or 9999.
        TimeZoneError: *value* is naive.

    >>> from datetime import datetime, UTC
    >>> check_instant(datetime(9999, 12, 31, tzinfo=UTC), "collected")
    Traceback (most recent call last):
    ...
    mutrec.errors.ResultError: result field 'collected' = ...: lies outside the calendar ...
    """
    if not isinstance(value, datetime):
        raise ResultError(field, value, "must be an aware datetime")
    require_aware(value, field)
    try:
        inside = _EARLIEST <= value <= _LATEST
    except OverflowError:  # an offset that pushes the instant itself off the calendar
        inside = False
    if not inside:
        raise ResultError(
            field,
            value.isoformat(),
            "lies outside the calendar mutrec can compute with "
            f"({_EARLIEST.isoformat()} to {_LATEST.isoformat()}); check the instant",
        )
    return value


def _aware(_instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if value is not None:
        check_instant(value, attribute.name)


def _non_empty(_instance: object, attribute: attrs.Attribute[str], value: object) -> None:
    if not isinstance(value, str) or not value.strip():
        raise ResultError(attribute.name, value, "must be non-empty text")


def _comparator(_instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if value not in ("<", "<=", ">", ">="):
        raise ResultError(attribute.name, value, "must be one of '<', '<=', '>', '>='")


def _patient(_instance: object, attribute: attrs.Attribute[str], value: object) -> None:
    # A blank patient is allowed here and means "unknown": the policy never matches it.
    if not isinstance(value, str):
        raise ResultError(attribute.name, value, "must be text ('' when unknown)")


def _value(_instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, (Measured, Qualitative, Censored)):
        raise ResultError(
            attribute.name,
            value,
            "must be a Measured, Qualitative or Censored value: "
            "read it with mutrec.parse_value(text, unit)",
        )


def _opt_unit(_instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if value is not None and not isinstance(value, Unit):
        raise ResultError(
            attribute.name, value, "must be a Unit or None: read text with mutrec.parse_unit"
        )


@attrs.frozen
class Measured:
    """A number with its unit, such as 5.2 mmol/L.

    Attributes:
        value: The number.
        unit: Its unit; ``None`` when the issuer gave none.

    >>> Measured(5.2, parse_unit("mmol/L")).unit.code
    'mmol/L'
    """

    value: float = attrs.field(converter=_number)
    unit: Unit | None = attrs.field(default=None, validator=_opt_unit)


class Polarity(enum.Enum):
    """The reading of a qualitative result.

    >>> Polarity("negative").name
    'NEGATIVE'
    """

    EQUIVOCAL = "equivocal"
    NEGATIVE = "negative"
    POSITIVE = "positive"


_NEGATIVE = {
    "阴性",
    "negative",
    "neg",
    "-",
    "(-)",
    "阴性(-)",
    "nonreactive",
    "not detected",
    "未检出",
}
_EQUIVOCAL = {"±", "+-", "(±)", "弱阳性", "可疑", "equivocal", "weakly positive", "borderline"}
_POSITIVE = {"阳性", "positive", "pos", "(+)", "阳性(+)", "reactive", "detected", "检出"}
_GRADES = re.compile(r"^\(?(\+{1,4})\)?$")


def _fold(text: str) -> str:
    """Fold case, full-width forms and µ/μ so spellings compare equal."""
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split())


@attrs.frozen
class Qualitative:
    """A qualitative value: 阴性/阳性, negative/positive, ``+`` to ``++++``, or free text.

    Attributes:
        text: The value as printed.
        polarity: Its reading, or ``None`` for free text mutrec does not interpret.
        grade: The number of ``+`` signs for graded positives.

    >>> Qualitative.parse("++")
    Qualitative(text='++', polarity=<Polarity.POSITIVE: 'positive'>, grade=2)
    """

    text: str = attrs.field(validator=_non_empty)
    polarity: Polarity | None = None
    grade: int | None = None

    @classmethod
    def parse(cls, text: str) -> Qualitative:
        """Read a printed qualitative value (case, width and spacing are ignored).

        >>> Qualitative.parse("阴性").polarity.name, Qualitative.parse("Yellow").polarity
        ('NEGATIVE', None)
        """
        folded = _fold(text)
        if folded in _NEGATIVE:
            return cls(text, Polarity.NEGATIVE)
        if folded in _EQUIVOCAL:
            return cls(text, Polarity.EQUIVOCAL)
        if folded in _POSITIVE:
            return cls(text, Polarity.POSITIVE)
        if m := _GRADES.match(folded):
            return cls(text, Polarity.POSITIVE, len(m.group(1)))
        return cls(text)


Comparator: TypeAlias = Literal["<", "<=", ">", ">="]
# ASCII digits only (\d would take any script's digits), and no two quantifiers that can
# share a run of digits: matching stays linear however long the text.
_DIGITS = r"(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:e[-+]?[0-9]+)?"
_CENSORED = re.compile(rf"(<=|>=|<|>|≤|≥)([-+]?{_DIGITS})")
_NORMAL_CMP: dict[str, Comparator] = {
    "<": "<",
    ">": ">",
    "<=": "<=",
    ">=": ">=",
    "≤": "<=",
    "≥": ">=",
}


@attrs.frozen
class Censored:
    """A value beyond the measuring range, printed as ``>300`` or ``<0.1``.

    Attributes:
        comparator: ``<``, ``<=``, ``>`` or ``>=``.
        value: The limit printed.
        unit: Its unit, when known.

    >>> Censored(">", 300.0)
    Censored(comparator='>', value=300.0, unit=None)
    """

    comparator: Comparator = attrs.field(validator=_comparator)
    value: float = attrs.field(converter=_number)
    unit: Unit | None = attrs.field(default=None, validator=_opt_unit)


Value: TypeAlias = Measured | Qualitative | Censored
_NUMBER = re.compile(rf"[-+]?{_DIGITS}")
_REDACTED = re.compile(r"_+")
# A printed value is short; a longer one is not a value (and is not worth reading).
MAX_VALUE_LENGTH: Final = 1000


def parse_value(text: str | float, unit: Unit | str | None = None) -> Value:
    """Read a printed value: a number, a censored ``>300``/``<0.1``, or a qualitative word.

    Full-width characters (``＜０.１``) are read as their ASCII forms; other scripts' digits
    are not numbers. A number already parsed (an ``int`` or ``float``, as FHIR's
    ``valueQuantity.value`` arrives) is taken as it is, if finite.

    *unit* is ``None`` when the issuer gave no unit, and only then is the value unitless.
    Unit text is always read by :func:`~mutrec.units.parse_unit`, so blank text (``""``,
    ``"  "``) is refused like any other text that is not a unit: an empty unit column is
    mapped to ``None`` by the caller that knows it means "no unit", never silently here.

    Text that is not a number (``溶血``, ``N/A``, ``3-5``, ``4,1``, ``nan``) is kept as a
    qualitative value: the policy then refuses it for an item that expects a number.

    Raises:
        ResultError: The value is empty, redacted (``___``), longer than
            ``MAX_VALUE_LENGTH`` (1,000 characters), not finite, or neither text nor a number.
        UnitError: *unit* is text that is not a unit, blank text included.

    >>> parse_value("5.2", "mmol/L")
    Measured(value=5.2, unit=Unit(...))
    >>> parse_value(4.1, "mmol/L").value
    4.1
    >>> parse_value("4,1", "mmol/L")
    Qualitative(text='4,1', polarity=None, grade=None)
    >>> parse_value("___")
    Traceback (most recent call last):
    ...
    mutrec.errors.ResultError: result field 'value' = '___': ...
    >>> parse_value("5.2", "")
    Traceback (most recent call last):
    ...
    mutrec.errors.UnitError: unit '': blank: ...
    """
    field = "value"
    if isinstance(unit, str):
        the_unit: Unit | None = parse_unit(unit)
    elif unit is None or isinstance(unit, Unit):
        the_unit = unit
    else:
        msg = "unit"
        raise ResultError(msg, unit, "must be a Unit, unit text or None")
    if not isinstance(text, str):
        return Measured(_number(text), the_unit)
    if len(text) > MAX_VALUE_LENGTH:
        raise ResultError(field, text[:40] + "…", f"longer than {MAX_VALUE_LENGTH} characters")
    folded = _fold(text).replace(" ", "")
    if not folded:
        raise ResultError(field, text, "the value is empty")
    if _REDACTED.fullmatch(folded):
        raise ResultError(field, text, "redacted values cannot be evaluated")
    if _NUMBER.fullmatch(folded):
        return Measured(float(folded), the_unit)
    if m := _CENSORED.fullmatch(folded):
        return Censored(_NORMAL_CMP[m.group(1)], float(m.group(2)), the_unit)
    return Qualitative.parse(text.strip())


class Modality(enum.Enum):
    """An imaging or electrophysiology modality (DICOM-like codes where they exist).

    >>> Modality("MR").name
    'MR'
    """

    CR = "CR"
    CT = "CT"
    DR = "DR"
    ECG = "ECG"
    MG = "MG"
    MR = "MR"
    NM = "NM"
    PET = "PET"
    US = "US"
    XA = "XA"


# Bounds of real devices, with room: CT scanners have 1 to 640 detector rows (domain.md §2:
# 16 vs 256 rows), clinical MR 0.2 to 7 T (research magnets reach 11.7 T).
_MAX_ROWS: Final = 2048
_MAX_TESLA: Final = 20.0


def _rows(_instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if value is None:
        return
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= _MAX_ROWS:
        raise ResultError(
            attribute.name, value, f"must be a whole number of rows from 1 to {_MAX_ROWS}"
        )


def _tesla(_instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if value is None:
        return
    if (
        isinstance(value, bool)
        or not isinstance(value, (int, float))
        or not 0 < value <= _MAX_TESLA  # also False for NaN
    ):
        raise ResultError(
            attribute.name,
            value,
            f"must be a field strength in tesla, above 0 and at most {_MAX_TESLA:g}",
        )


@attrs.frozen
class DeviceCapability:
    """What the device that produced an imaging result could do, where known.

    Attributes:
        detector_rows: CT detector rows (排数).
        field_strength_t: MR field strength in tesla (场强).
        model: Manufacturer and model name (DICOM ManufacturerModelName).

    >>> DeviceCapability(detector_rows=64).field_strength_t is None
    True
    """

    detector_rows: int | None = attrs.field(default=None, kw_only=True, validator=_rows)
    field_strength_t: float | None = attrs.field(default=None, kw_only=True, validator=_tesla)
    model: str | None = attrs.field(default=None, kw_only=True, validator=_opt_str)


def _modality(_instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, Modality):
        raise ResultError(attribute.name, value, "must be a Modality, such as Modality.CT")


def _device(_instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if value is not None and not isinstance(value, DeviceCapability):
        raise ResultError(attribute.name, value, "must be a DeviceCapability or None")


def _order(*pairs: tuple[str, datetime | None]) -> None:
    known = [(n, t) for n, t in pairs if t is not None]
    for (n1, t1), (n2, t2) in itertools.pairwise(known):
        if t2.astimezone(UTC) < t1.astimezone(UTC):  # not wall clocks (see windows.is_current)
            raise ResultError(n2, t2.isoformat(), f"is before {n1!r} ({t1.isoformat()})")


@overload
def _zone(value: datetime, field: str, zone: tzinfo | None) -> datetime: ...
@overload
def _zone(value: datetime | None, field: str, zone: tzinfo | None) -> datetime | None: ...
def _zone(value: datetime | None, field: str, zone: tzinfo | None) -> datetime | None:
    if value is None:
        return None
    if not isinstance(value, datetime):
        raise ResultError(field, value, "must be a datetime")
    return require_aware(value, field, zone)


@attrs.frozen
class LabResult:
    """A lab test result (检验) as the issuer reported it.

    Every instant is timezone-aware; ``collected`` <= ``received`` <= ``reported``.

    Attributes:
        item: The item code as the issuer sent it (program code, alias or local code).
        value: The measured, qualitative or censored value.
        collected: Specimen collection instant (FHIR ``effective[x]``).
        issuer: The issuing institution's id.
        patient: An opaque patient reference (no names or identifiers).
        reported: Report (release) instant (FHIR ``issued``).
        received: Specimen receipt instant in the lab.
        specimen: Specimen type, such as serum.
        method: Analytical method.
        instrument: Analyser.
        loinc: The LOINC code the issuer sent, if any.
        reference_range: The reference range the issuer printed.
        mark: The recognition mark the issuer printed, such as ``京津冀HR``.

    >>> from datetime import datetime
    >>> from zoneinfo import ZoneInfo
    >>> t = datetime(2024, 3, 1, 8, tzinfo=ZoneInfo("Asia/Shanghai"))
    >>> r = LabResult("K", parse_value("4.1", "mmol/L"), t, "H001", "p1", reported=t)
    >>> r.anchor_instant(Anchor.REPORT) == t
    True
    """

    item: str = attrs.field(validator=_non_empty)
    value: Value = attrs.field(validator=_value)
    collected: datetime = attrs.field(validator=_aware)
    issuer: str = attrs.field(validator=_non_empty)
    patient: str = attrs.field(validator=_patient)
    reported: datetime | None = attrs.field(default=None, kw_only=True, validator=_aware)
    received: datetime | None = attrs.field(default=None, kw_only=True, validator=_aware)
    specimen: str | None = attrs.field(default=None, kw_only=True, validator=_opt_str)
    method: str | None = attrs.field(default=None, kw_only=True, validator=_opt_str)
    instrument: str | None = attrs.field(default=None, kw_only=True, validator=_opt_str)
    loinc: str | None = attrs.field(default=None, kw_only=True, validator=_opt_str)
    reference_range: ReferenceRange | None = attrs.field(default=None, kw_only=True)
    mark: str | None = attrs.field(default=None, kw_only=True, validator=_opt_str)

    def __attrs_post_init__(self) -> None:
        """Check the instants are in order."""
        _order(
            ("collected", self.collected), ("received", self.received), ("reported", self.reported)
        )

    @classmethod
    def build(  # noqa: PLR0913 - mirrors the constructor
        cls,
        item: str,
        value: Value | str,
        collected: datetime,
        issuer: str,
        patient: str,
        *,
        unit: str | None = None,
        default_zone: tzinfo | None = None,
        reported: datetime | None = None,
        received: datetime | None = None,
        **fields: object,
    ) -> LabResult:
        """Build a result from loose input: value text with *unit*, instants in *default_zone*.

        >>> from datetime import datetime
        >>> from zoneinfo import ZoneInfo
        >>> r = LabResult.build("Glu", "5.6", datetime(2024, 3, 1, 8), "H1", "p",
        ...                     unit="mmol/L", default_zone=ZoneInfo("Asia/Shanghai"))
        >>> r.collected.isoformat(), r.value.value
        ('2024-03-01T08:00:00+08:00', 5.6)
        """
        the_value = parse_value(value, unit) if isinstance(value, str) else value
        return cls(
            item,
            the_value,
            _zone(collected, "collected", default_zone),
            issuer,
            patient,
            reported=_zone(reported, "reported", default_zone),
            received=_zone(received, "received", default_zone),
            **fields,  # type: ignore[arg-type]
        )

    def anchor_instant(self, anchor: Anchor) -> datetime:
        """The instant a validity window counts from (examination means collection here).

        Raises:
            ResultError: The anchor is ``REPORT`` and the result has no report instant.

        >>> from datetime import datetime, UTC
        >>> r = LabResult("K", Measured(4.1), datetime(2024, 3, 1, tzinfo=UTC), "H1", "p")
        >>> r.anchor_instant(Anchor.EXAMINATION) == r.collected
        True
        >>> r.anchor_instant(Anchor.REPORT)
        Traceback (most recent call last):
        ...
        mutrec.errors.ResultError: result field 'reported' = None: ...
        """
        if anchor is Anchor.REPORT:
            if self.reported is None:
                msg = "reported"
                raise ResultError(msg, None, "the window counts from the report instant")
            return self.reported
        return self.collected


@attrs.frozen
class ImagingResult:
    """An imaging or electrophysiology examination result (检查).

    Attributes:
        item: The item code as the issuer sent it.
        modality: CT, MR, DR, US, NM, ECG …
        performed: The examination instant.
        issuer: The issuing institution's id.
        patient: An opaque patient reference.
        reported: The report instant.
        body_part: The body part examined.
        device: What the device could do (detector rows, field strength …).
        study_uid: The DICOM Study Instance UID, when the images are retrievable.
        image_link: A cloud-film (云胶片) link to the images.
        report_text: The report text.
        mark: The recognition mark printed.

    >>> from datetime import datetime, UTC
    >>> r = ImagingResult("CT-CHEST", Modality.CT, datetime(2024, 3, 1, tzinfo=UTC), "H1", "p",
    ...                   study_uid="1.2.3")
    >>> r.images_available
    True
    """

    item: str = attrs.field(validator=_non_empty)
    modality: Modality = attrs.field(validator=_modality)
    performed: datetime = attrs.field(validator=_aware)
    issuer: str = attrs.field(validator=_non_empty)
    patient: str = attrs.field(validator=_patient)
    reported: datetime | None = attrs.field(default=None, kw_only=True, validator=_aware)
    body_part: str | None = attrs.field(default=None, kw_only=True, validator=_opt_str)
    device: DeviceCapability | None = attrs.field(default=None, kw_only=True, validator=_device)
    study_uid: str | None = attrs.field(default=None, kw_only=True, validator=_opt_str)
    image_link: str | None = attrs.field(default=None, kw_only=True, validator=_opt_str)
    report_text: str | None = attrs.field(default=None, kw_only=True, validator=_opt_str)
    mark: str | None = attrs.field(default=None, kw_only=True, validator=_opt_str)

    def __attrs_post_init__(self) -> None:
        """Check the instants are in order."""
        _order(("performed", self.performed), ("reported", self.reported))

    @property
    def images_available(self) -> bool:
        """Whether the images themselves can be retrieved (study UID or cloud-film link).

        >>> from datetime import datetime, UTC
        >>> ImagingResult("DR-CHEST", Modality.DR, datetime(2024, 3, 1, tzinfo=UTC), "H1",
        ...               "p", report_text="no abnormality").images_available
        False
        """
        return bool(self.study_uid or self.image_link)

    def anchor_instant(self, anchor: Anchor) -> datetime:
        """The instant a validity window counts from (collection means examination here).

        Raises:
            ResultError: The anchor is ``REPORT`` and the result has no report instant.

        >>> from datetime import datetime, UTC
        >>> t = datetime(2024, 3, 1, 9, tzinfo=UTC)
        >>> r = ImagingResult("CT-CHEST", Modality.CT, t, "H1", "p")
        >>> r.anchor_instant(Anchor.COLLECTION) == t
        True
        """
        if anchor is Anchor.REPORT:
            if self.reported is None:
                msg = "reported"
                raise ResultError(msg, None, "the window counts from the report instant")
            return self.reported
        return self.performed


Result: TypeAlias = LabResult | ImagingResult


@attrs.frozen
class Report:
    """A report (报告单) grouping the results one issuer released together.

    Attributes:
        id: The issuer's report id.
        issuer: The issuing institution's id.
        patient: An opaque patient reference.
        results: The results, in printed order.
        issued: The release instant.

    >>> Report("R1", "H1", "p", ()).results
    ()
    """

    id: str = attrs.field(validator=_non_empty)
    issuer: str = attrs.field(validator=_non_empty)
    patient: str = attrs.field(validator=_patient)
    results: tuple[Result, ...] = attrs.field(converter=_result_tuple)
    issued: datetime | None = attrs.field(default=None, kw_only=True, validator=_aware)
