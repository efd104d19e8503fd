"""Read DICOM headers into imaging results, with the scan's own evidence (``mutrec[dicom]``).

:func:`read_dicom` takes a pydicom ``Dataset`` or a file path (read with
``stop_before_pixels``: headers only) and returns a :class:`~mutrec.interop.Reading` with one
:class:`~mutrec.model.results.ImagingResult` or one problem saying why not.
:func:`scan_evidence` returns what the header says about the scan itself.

What each attribute becomes:

- Modality (0008,0060) → modality (DX → DR, PT → PET; others mutrec has no modality for are
  refused); BodyPartExamined (0018,0015) → body part; StudyInstanceUID (0020,000D) → study uid.
- StudyDate/StudyTime (0008,0020/0030) with TimezoneOffsetFromUTC (0008,0201) → performed.
  Without the offset the instant takes *default_zone* only when the caller gives one;
  otherwise it is a problem. A study date without a time is that day's start. A date that is
  not 8 digits, or a time not ``HH[MM[SS[.F]]]``, is a problem.
- InstitutionCodeSequence's code (0008,0082), else InstitutionName (0008,0080) → issuer,
  through *issuer* when given; PatientID (0010,0020) → patient.
- Manufacturer (0008,0070) + ManufacturerModelName (0008,1090) → the device's model and, from
  a :class:`ScannerTable`, its CT detector rows; MagneticFieldStrength (0018,0087) → an MR's
  field strength in tesla.

**No standard DICOM tag holds a CT scanner's detector-row count.** Single and total
collimation width (0018,9306/9307) give the rows a scan *used*, which is at most what the
scanner has: :func:`scan_evidence` reports them with the slice thickness (0018,0050) as
per-study evidence, and the row count comes from the scanner table (scanner grade is data).
When the table does not know the model, the rows used stand in as a lower bound: a
requirement of at least *n* rows is then met only when the scan itself used *n* or more.
"""

from __future__ import annotations

import math
import os
import re
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from typing import Any, Final, NoReturn

import attrs

from mutrec._checks import require
from mutrec.errors import (
    ArgumentError,
    MissingDependencyError,
    MutrecError,
    Problem,
    ResultError,
)
from mutrec.interop._args import DST_REASON, check_issuer, check_zone, id_resolver, in_zone
from mutrec.interop._dicom_scanners import ScannerTable
from mutrec.interop._reading import Reading
from mutrec.model.devices import DeviceCapability, Modality
from mutrec.model.results import ImagingResult

__all__ = ["ScanEvidence", "ScannerTable", "read_dicom", "scan_evidence"]

# DICOM defined terms (PS3.3 C.7.3.1.1.1) → mutrec's modalities.
_MODALITIES: Final = {
    "CT": Modality.CT,
    "MR": Modality.MR,
    "CR": Modality.CR,
    "DX": Modality.DR,
    "MG": Modality.MG,
    "NM": Modality.NM,
    "PT": Modality.PET,
    "US": Modality.US,
    "XA": Modality.XA,
    "ECG": Modality.ECG,
}


class _UnreadError(MutrecError):
    def __init__(self, message: str, hint: str | None = None) -> None:
        self.message, self.hint = message, hint
        super().__init__(message)


def _refuse(message: str, hint: str | None = None) -> NoReturn:
    raise _UnreadError(message, hint)


def _dataset(source: object) -> tuple[Any, str]:
    try:
        import pydicom
    except ImportError:
        package, extra = "pydicom", "dicom"
        raise MissingDependencyError(package, extra, feature="read_dicom") from None
    if isinstance(source, pydicom.Dataset):
        return source, "dataset"
    if not isinstance(source, (str, os.PathLike)):
        arg = "source"
        raise ArgumentError(arg, source, "a pydicom Dataset or a DICOM file's path")
    name = os.fspath(source)
    try:
        return pydicom.dcmread(name, stop_before_pixels=True), str(name)
    except Exception as error:  # noqa: BLE001 - any failure to read the file is its problem
        _refuse(f"not a DICOM file pydicom reads ({type(error).__name__}: {error})")


def _text(ds: Any, keyword: str) -> str:
    value = ds.get(keyword)
    if value is None:
        return ""
    if isinstance(value, (list, tuple)) or type(value).__name__ == "MultiValue":
        value = "\\".join(str(v) for v in value)
    return str(value).strip()


def _single(ds: Any, keyword: str) -> str:
    """An attribute that names one thing (a patient, an institution): several values refused."""
    value = ds.get(keyword)
    if (isinstance(value, (list, tuple)) or type(value).__name__ == "MultiValue") and len(
        [v for v in value if str(v).strip()]
    ) > 1:
        _refuse(f"{keyword} has several values {_text(ds, keyword)[:60]!r}: which one is meant?")
    return _text(ds, keyword)


def _number(ds: Any, keyword: str) -> float | None:
    text = _text(ds, keyword)
    if not text:
        return None
    try:
        number = float(text)
    except ValueError:
        _refuse(f"{keyword} {text[:40]!r} is not a number")
    if not math.isfinite(number):
        _refuse(f"{keyword} {text[:40]!r} is not a finite number")
    return number


_DA: Final = re.compile(r"[0-9]{8}")
_TM: Final = re.compile(r"[0-9]{2}(?:[0-9]{2}(?:[0-9]{2}(?:\.[0-9]+)?)?)?")


def _performed(ds: Any, default_zone: tzinfo | None) -> datetime:
    day, time, offset = (_text(ds, k) for k in ("StudyDate", "StudyTime", "TimezoneOffsetFromUTC"))
    if not day:
        _refuse("StudyDate (0008,0020) is empty", "the study's date is needed")
    try:
        # DA is exactly 8 ASCII digits and TM HH[MM[SS[.F…]]] (PS3.5 6.2): strptime alone
        # reads "2004119" as 2004-11-09 and str.isdigit() takes full-width digits.
        if not _DA.fullmatch(day) or (time and not _TM.fullmatch(time)):
            raise ValueError(day)  # noqa: TRY301 - one message for every bad date or time
        when = datetime.strptime(day, "%Y%m%d")  # noqa: DTZ007 - zoned below, never local
        if time:
            whole, _, fraction = time.partition(".")
            parts = [int(whole[i : i + 2]) for i in range(0, len(whole), 2)] + [0, 0]
            micro = int(fraction[:6].ljust(6, "0")) if fraction else 0
            when = when.replace(hour=parts[0], minute=parts[1], second=parts[2], microsecond=micro)
    except ValueError:
        msg = f"StudyDate/StudyTime {day!r} {time!r} is not a DICOM date and time"
        _refuse(msg)
    if offset:
        if len(offset) != 5 or offset[0] not in "+-" or not offset[1:].isdigit():
            _refuse(f"TimezoneOffsetFromUTC {offset!r} is not +HHMM or -HHMM")
        hours, minutes = int(offset[1:3]), int(offset[3:])
        if hours > 23 or minutes > 59:
            _refuse(f"TimezoneOffsetFromUTC {offset!r} is not an offset")
        delta = timedelta(hours=hours, minutes=minutes) * (-1 if offset[0] == "-" else 1)
        return when.replace(tzinfo=timezone(delta) if delta else UTC)
    if default_zone is None:
        msg = "the study time has no TimezoneOffsetFromUTC (0008,0201) and no zone was given"
        _refuse(msg, "pass default_zone=ZoneInfo('Asia/Shanghai') if the modality is there")
    placed = in_zone(when, default_zone)
    if placed is None:
        _refuse(f"StudyDate/StudyTime {day!r} {time!r} is {DST_REASON} of {default_zone}")
    return placed


@attrs.frozen
class ScanEvidence:
    """What one study's header says about the scan: evidence, not the scanner's capacity.

    Attributes:
        manufacturer: Manufacturer (0008,0070), as sent.
        model: ManufacturerModelName (0008,1090), as sent.
        slice_thickness_mm: SliceThickness (0018,0050).
        single_collimation_mm: Single Collimation Width (0018,9306).
        total_collimation_mm: Total Collimation Width (0018,9307).
        field_strength_t: MagneticFieldStrength (0018,0087).

    >>> ScanEvidence("GE", "LightSpeed VCT", 5.0, 0.625, 40.0).rows_used
    64
    """

    manufacturer: str = ""
    model: str = ""
    slice_thickness_mm: float | None = None
    single_collimation_mm: float | None = None
    total_collimation_mm: float | None = None
    field_strength_t: float | None = None

    @property
    def rows_used(self) -> int | None:
        """Total ÷ single collimation, when both are sent and divide into whole rows."""
        single, total = self.single_collimation_mm, self.total_collimation_mm
        if not single or not total or single <= 0 or total <= 0:
            return None
        ratio = total / single
        rows = round(ratio)
        return rows if 1 <= rows <= 2048 and abs(ratio - rows) <= 0.01 * rows else None


def scan_evidence(source: Any) -> ScanEvidence:
    """The scan's own evidence in a header (a pydicom ``Dataset`` or a file's path).

    Raises:
        mutrec.errors.MissingDependencyError: pydicom is missing (``mutrec[dicom]``).
        ResultError: The file cannot be read, or a number in it is not a number.

    >>> from pydicom.data import get_testdata_file
    >>> evidence = scan_evidence(get_testdata_file("CT_small.dcm"))
    >>> evidence.manufacturer, evidence.slice_thickness_mm, evidence.rows_used
    ('GE MEDICAL SYSTEMS', 5.0, None)
    """
    try:
        ds, _ = _dataset(source)
        return ScanEvidence(
            _text(ds, "Manufacturer"),
            _text(ds, "ManufacturerModelName"),
            _number(ds, "SliceThickness"),
            _number(ds, "SingleCollimationWidth"),
            _number(ds, "TotalCollimationWidth"),
            _number(ds, "MagneticFieldStrength"),
        )
    except _UnreadError as error:
        field = "header"
        shown = os.fspath(source) if isinstance(source, (str, os.PathLike)) else "dataset"
        raise ResultError(field, shown, error.message) from None


def read_dicom(  # noqa: PLR0913 - each keyword is one thing the caller decides
    source: Any,
    *,
    item: str | None = None,
    issuer: Callable[[str], str | None] | Mapping[str, str] | None = None,
    default_zone: tzinfo | None = None,
    scanners: ScannerTable | None = None,
    name: str | None = None,
) -> Reading:
    """Read a DICOM header into an imaging result, or a problem saying why not.

    Args:
        source: A pydicom ``Dataset``, or a DICOM file's path (headers only are read).
        item: The item code (from the order); without it, the first ProcedureCodeSequence
            code, else StudyDescription.
        issuer: Maps the institution's code or name to mutrec's institution id (a mapping, or
            a function returning ``None`` for an unknown one); without it, as sent.
        default_zone: The zone of a study time sent without TimezoneOffsetFromUTC.
        scanners: The CT scanner table giving detector rows; without it, rows come only from
            the scan's collimation (a lower bound).
        name: Names the input in problems (default: the path, or ``dataset``).

    Returns:
        A :class:`~mutrec.interop.Reading` with one result, or one problem.

    Raises:
        ArgumentError: An argument is of the wrong type.
        mutrec.errors.MissingDependencyError: pydicom is missing (``mutrec[dicom]``).

    >>> from zoneinfo import ZoneInfo
    >>> from pydicom.data import get_testdata_file
    >>> reading = read_dicom(get_testdata_file("MR_small.dcm"), item="MR-HEAD")
    >>> result = reading.results[0]
    >>> result.modality.name, result.performed.isoformat(), result.issuer
    ('MR', '2004-08-26T18:50:59-04:00', 'TOSHIBA')
    """
    if item is not None:
        require("item", item, str)
    check_issuer(issuer, "institution code or name")
    check_zone(default_zone)
    if scanners is not None:
        require("scanners", scanners, ScannerTable)
    where = name if name is not None else os.fspath(source) if isinstance(source, str) else ""
    try:
        ds, found = _dataset(source)
        where = name or found
        result = _result(ds, item, issuer, default_zone, scanners)
    except _UnreadError as error:
        return Reading((), (Problem(where or "dicom", "header", error.message, hint=error.hint),))
    except MutrecError as error:
        if isinstance(error, (ArgumentError, MissingDependencyError)):
            raise
        return Reading((), (Problem(where or "dicom", "header", str(error)),))
    return Reading((result,))


def _result(
    ds: Any,
    item: str | None,
    issuer: Callable[[str], str | None] | Mapping[str, str] | None,
    zone: tzinfo | None,
    scanners: ScannerTable | None,
) -> ImagingResult:
    kind = _text(ds, "Modality")
    modality = _MODALITIES.get(kind)
    if modality is None:
        _refuse(f"Modality {kind!r} is not one mutrec recognises results of")
    performed = _performed(ds, zone)
    code = item or _procedure(ds) or _text(ds, "StudyDescription")
    if not code:
        msg = "no item: pass item= (the order's code); no ProcedureCodeSequence, no description"
        _refuse(msg)
    patient = _single(ds, "PatientID")
    if not patient:
        _refuse("PatientID (0010,0020) is empty", "a result needs its patient")
    return ImagingResult(
        code,
        modality,
        performed,
        _issuer(ds, issuer),
        patient,
        body_part=_text(ds, "BodyPartExamined") or None,
        device=_device(ds, modality, scanners),
        study_uid=_text(ds, "StudyInstanceUID") or None,
    )


def _procedure(ds: Any) -> str:
    sequence = ds.get("ProcedureCodeSequence") or []
    return _text(sequence[0], "CodeValue") if len(sequence) else ""


def _issuer(ds: Any, issuer: Callable[[str], str | None] | Mapping[str, str] | None) -> str:
    codes = ds.get("InstitutionCodeSequence") or []
    key = (_single(codes[0], "CodeValue") if len(codes) else "") or _single(ds, "InstitutionName")
    if not key:
        _refuse("no InstitutionCodeSequence or InstitutionName: the issuer is unknown")
    found = id_resolver(issuer)(key)
    if not found:
        _refuse(f"institution {key!r} is not a known institution")
    return found


def _device(ds: Any, modality: Modality, scanners: ScannerTable | None) -> DeviceCapability | None:
    evidence = ScanEvidence(
        _text(ds, "Manufacturer"),
        _text(ds, "ManufacturerModelName"),
        None,
        _number(ds, "SingleCollimationWidth"),
        _number(ds, "TotalCollimationWidth"),
        _number(ds, "MagneticFieldStrength") if modality is Modality.MR else None,
    )
    rows = None
    if modality is Modality.CT:
        listed = scanners.detector_rows(evidence.manufacturer, evidence.model) if scanners else None
        used = evidence.rows_used
        if listed is not None and used is not None and used > listed:
            msg = f"the scan used {used} rows but the scanner table gives {listed}"
            _refuse(msg, "check the scanner table's entry for this model")
        rows = listed if listed is not None else used
    model = " ".join(p for p in (evidence.manufacturer, evidence.model) if p) or None
    if rows is None and evidence.field_strength_t is None and model is None:
        return None
    return DeviceCapability(
        detector_rows=rows, field_strength_t=evidence.field_strength_t, model=model
    )
