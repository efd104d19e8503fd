"""Results: lab and imaging results, reports, and their values (from ``model.values``).

Imaging modalities and device capabilities live in :mod:`mutrec.model.devices`; this module
re-exports them, as it does the values.

>>> parse_value("<0.1", "ng/mL")
Censored(comparator='<', value=0.1, unit=Unit(...))
>>> parse_value("阳性").polarity
<Polarity.POSITIVE: 'positive'>
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta, tzinfo
from typing import Any, Final, TypeAlias, overload

import attrs

from mutrec.errors import ResultError
from mutrec.model.devices import DeviceCapability, Modality
from mutrec.model.instants import require_aware
from mutrec.model.reference import ReferenceRange
from mutrec.model.values import (
    Censored,
    Measured,
    Polarity,
    Qualitative,
    Value,
    parse_value,
)
from mutrec.model.windows import Anchor

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
