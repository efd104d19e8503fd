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
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Literal, TypeAlias

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
    "parse_value",
]


def _result_tuple(values: Iterable[Result]) -> tuple[Result, ...]:
    return tuple(values)


_opt_str = attrs.validators.optional(attrs.validators.instance_of(str))


def _finite(_instance: object, attribute: attrs.Attribute[float], value: float) -> None:
    if not math.isfinite(value):
        msg = f"{attribute.name!r} must be a finite number (got {value!r})"
        raise ValueError(msg)


def _aware(_instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if value is not None:
        if not isinstance(value, datetime):
            msg = f"{attribute.name!r} must be a datetime (got {value!r})"
            raise TypeError(msg)
        require_aware(value, attribute.name)


def _non_empty(_instance: object, attribute: attrs.Attribute[str], value: object) -> None:
    if not isinstance(value, str) or not value.strip():
        msg = f"{attribute.name!r} must be a non-empty string (got {value!r})"
        raise ValueError(msg)


@attrs.frozen
class Measured:
    """A number with its unit, such as 5.2 mmol/L.

    Attributes:
        value: The number.
        unit: Its unit; ``None`` when the issuer gave none.

    >>> Measured(5.2, parse_unit("mmol/L")).unit.code
    'mmol/L'
    """

    value: float = attrs.field(converter=float, validator=_finite)
    unit: Unit | None = None


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
_CENSORED = re.compile(r"^(<=|>=|<|>|≤|≥)\s*([-+]?(?:\d+\.?\d*|\.\d+)(?:e[-+]?\d+)?)$")
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

    comparator: Comparator = attrs.field(validator=attrs.validators.in_(("<", "<=", ">", ">=")))
    value: float = attrs.field(converter=float, validator=_finite)
    unit: Unit | None = None


Value: TypeAlias = Measured | Qualitative | Censored
_NUMBER = re.compile(r"^[-+]?(?:\d+\.?\d*|\.\d+)(?:e[-+]?\d+)?$")
_REDACTED = re.compile(r"^_+$")


def parse_value(text: str, unit: Unit | str | None = None) -> Value:
    """Read a printed value: a number, a censored ``>300``/``<0.1``, or a qualitative word.

    Full-width characters (``＜０.１``) are read as their ASCII forms.

    *unit* is ``None`` when the issuer gave no unit, and only then is the value unitless.
    Unit text is always read by :func:`~mutrec.units.parse_unit`, so blank text (``""``,
    ``"  "``) is refused like any other text that is not a unit: an empty unit column is
    mapped to ``None`` by the caller that knows it means "no unit", never silently here.

    Raises:
        ResultError: The value is empty or redacted (``___``).
        UnitError: *unit* is text that is not a unit, blank text included.
        TypeError: *unit* is neither a ``Unit``, text nor ``None``.

    >>> parse_value("5.2", "mmol/L")
    Measured(value=5.2, unit=Unit(...))
    >>> parse_value("___")
    Traceback (most recent call last):
    ...
    mutrec.errors.ResultError: result field 'value' = '___': ...
    >>> parse_value("5.2", "")
    Traceback (most recent call last):
    ...
    mutrec.errors.UnitError: unit '': blank: ...
    """
    if isinstance(unit, str):
        the_unit: Unit | None = parse_unit(unit)
    elif unit is None or isinstance(unit, Unit):
        the_unit = unit
    else:
        msg = f"'unit' must be a Unit, unit text or None (got {unit!r})"
        raise TypeError(msg)
    folded = _fold(text).replace(" ", "")
    if not folded:
        msg = "value"
        raise ResultError(msg, text, "the value is empty")
    if _REDACTED.match(folded):
        msg = "value"
        raise ResultError(msg, text, "redacted values cannot be evaluated")
    if _NUMBER.match(folded):
        return Measured(float(folded), the_unit)
    if m := _CENSORED.match(folded):
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

    detector_rows: int | None = attrs.field(default=None, kw_only=True)
    field_strength_t: float | None = attrs.field(default=None, kw_only=True)
    model: str | None = attrs.field(default=None, kw_only=True)


def _order(*pairs: tuple[str, datetime | None]) -> None:
    known = [(n, t) for n, t in pairs if t is not None]
    for (n1, t1), (n2, t2) in itertools.pairwise(known):
        if t2.astimezone(UTC) < t1.astimezone(UTC):  # not wall clocks (see windows.is_current)
            raise ResultError(n2, t2.isoformat(), f"is before {n1!r} ({t1.isoformat()})")


def _zone(value: datetime | None, field: str, zone: tzinfo | None) -> datetime | None:
    return None if value is None else require_aware(value, field, zone)


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
    value: Value
    collected: datetime = attrs.field(validator=_aware)
    issuer: str = attrs.field(validator=_non_empty)
    patient: str = attrs.field(validator=attrs.validators.instance_of(str))
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
            require_aware(collected, "collected", default_zone),
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
    modality: Modality = attrs.field(validator=attrs.validators.instance_of(Modality))
    performed: datetime = attrs.field(validator=_aware)
    issuer: str = attrs.field(validator=_non_empty)
    patient: str = attrs.field(validator=attrs.validators.instance_of(str))
    reported: datetime | None = attrs.field(default=None, kw_only=True, validator=_aware)
    body_part: str | None = attrs.field(default=None, kw_only=True, validator=_opt_str)
    device: DeviceCapability | None = attrs.field(default=None, kw_only=True)
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
    patient: str
    results: tuple[Result, ...] = attrs.field(converter=_result_tuple)
    issued: datetime | None = attrs.field(default=None, kw_only=True, validator=_aware)
