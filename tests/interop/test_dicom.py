"""DICOM headers: the sample files inside pydicom, scanner grade as data, hostile datasets."""

from __future__ import annotations

import subprocess
import sys
import warnings
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mutrec.errors import ArgumentError, CatalogueError, MutrecError
from mutrec.interop import Reading, ScanEvidence, ScannerTable, read_dicom, scan_evidence
from mutrec.model.results import ImagingResult, Modality

pydicom = pytest.importorskip("pydicom")
from pydicom.data import get_testdata_file  # noqa: E402
from pydicom.dataset import Dataset  # noqa: E402

SH = ZoneInfo("Asia/Shanghai")


def sample(name: str) -> str:
    path = get_testdata_file(name)
    assert isinstance(path, str)
    return path


def only(reading: Reading) -> ImagingResult:
    assert reading.complete, reading.problems
    (result,) = reading.results
    assert isinstance(result, ImagingResult)
    return result


def test_ct_small() -> None:
    result = only(read_dicom(sample("CT_small.dcm"), item="CT-HEAD"))
    assert result.modality is Modality.CT
    assert result.performed == datetime(
        2004, 1, 19, 7, 27, 30, tzinfo=timezone(-timedelta(hours=5))
    )
    assert result.study_uid == "1.3.6.1.4.1.5962.1.2.1.20040119072730.12322"
    assert result.issuer == "JFK IMAGING CENTER"
    assert result.patient == "1CT1"
    assert result.body_part is None  # the sample sends no BodyPartExamined
    assert result.device is not None
    assert result.device.model == "GE MEDICAL SYSTEMS RHAPSODE"
    assert result.device.detector_rows is None  # no tag holds it, and no collimation is sent
    evidence = scan_evidence(sample("CT_small.dcm"))
    assert evidence.slice_thickness_mm == 5.0
    assert evidence.rows_used is None


def test_mr_small() -> None:
    result = only(read_dicom(sample("MR_small.dcm"), item="MR-HEAD"))
    assert result.modality is Modality.MR
    assert result.performed.isoformat() == "2004-08-26T18:50:59-04:00"
    assert result.device is not None
    assert result.device.field_strength_t is None  # MR_small sends no MagneticFieldStrength
    assert scan_evidence(sample("MR_small.dcm")).slice_thickness_mm == 0.8


def test_an_mr_with_body_part_and_field_strength_but_no_offset() -> None:
    path = sample("examples_overlay.dcm")
    reading = read_dicom(path, item="MR-ABD")
    assert "no TimezoneOffsetFromUTC" in reading.problems[0].message
    result = only(read_dicom(path, item="MR-ABD", default_zone=SH))
    assert result.body_part == "ABDOMEN"
    assert result.device is not None
    assert result.device.field_strength_t == pytest.approx(1.494, abs=1e-3)
    assert result.device.model == "SIEMENS Avanto"
    assert result.performed == datetime(2005, 11, 30, 13, 26, 45, 921000, tzinfo=SH)
    assert result.issuer == "AKH - WIEN"


def test_a_ct_head_from_an_unnamed_manufacturer_gets_no_rows() -> None:
    path = sample("J2K_pixelrep_mismatch.dcm")
    options = {"item": "CT-HEAD", "default_zone": SH, "scanners": ScannerTable.bundled()}
    assert "issuer is unknown" in read_dicom(path, **options).problems[0].message  # type: ignore[arg-type]
    ds = pydicom.dcmread(path, stop_before_pixels=True)
    ds.InstitutionName = "H009"
    result = only(read_dicom(ds, **options))  # type: ignore[arg-type]
    assert result.body_part == "HEAD"
    assert result.device is not None
    assert result.device.detector_rows is None  # 'Supria' with an empty Manufacturer


def header(**values: object) -> Dataset:
    ds = Dataset()
    defaults: dict[str, object] = {
        "Modality": "CT",
        "StudyDate": "20240301",
        "StudyTime": "083000",
        "TimezoneOffsetFromUTC": "+0800",
        "PatientID": "p1",
        "InstitutionName": "H001",
        "StudyInstanceUID": "1.2.3",
        "Manufacturer": "GE MEDICAL SYSTEMS",
        "ManufacturerModelName": "LightSpeed VCT",
    }
    with warnings.catch_warnings():  # pydicom warns when a test sets an invalid value
        warnings.simplefilter("ignore")
        for key, value in (defaults | values).items():
            if value is not None:
                setattr(ds, key, value)
    return ds


def test_scanner_table_gives_detector_rows() -> None:
    table = ScannerTable.bundled()
    assert table.illustrative
    result = only(read_dicom(header(), item="CT-CHEST", scanners=table))
    assert result.device is not None
    assert result.device.detector_rows == 64
    assert result.performed == datetime(2024, 3, 1, 0, 30, tzinfo=UTC)
    spelled = header(Manufacturer="GE Healthcare", ManufacturerModelName="lightspeed  vct")
    assert only(read_dicom(spelled, item="x", scanners=table)).device.detector_rows == 64  # type: ignore[union-attr]


def test_collimation_is_a_lower_bound_or_a_contradiction() -> None:
    unknown = header(
        ManufacturerModelName="Mystery 9", SingleCollimationWidth=0.625, TotalCollimationWidth=20.0
    )
    device = only(read_dicom(unknown, item="x", scanners=ScannerTable.bundled())).device
    assert device is not None
    assert device.detector_rows == 32
    too_many = header(SingleCollimationWidth=0.5, TotalCollimationWidth=80.0)
    reading = read_dicom(too_many, item="x", scanners=ScannerTable.bundled())
    assert "used 160 rows but the scanner table gives 64" in reading.problems[0].message
    assert ScanEvidence(single_collimation_mm=0.6, total_collimation_mm=1.0).rows_used is None


def test_the_issuer_resolver_and_the_item() -> None:
    assert only(read_dicom(header(), item="x", issuer={"H001": "INST-1"})).issuer == "INST-1"
    assert (
        "not a known institution" in read_dicom(header(), item="x", issuer={}).problems[0].message
    )
    described = header(StudyDescription="CT CHEST PLAIN")
    assert only(read_dicom(described)).item == "CT CHEST PLAIN"
    assert "no item" in read_dicom(header()).problems[0].message


@pytest.mark.parametrize(
    ("values", "words"),
    [
        ({"Modality": "SR"}, "Modality 'SR'"),
        ({"StudyDate": None}, "StudyDate"),
        ({"StudyTime": "25"}, "not a DICOM date and time"),
        ({"StudyDate": "20240230"}, "not a DICOM date and time"),
        ({"TimezoneOffsetFromUTC": "+2400"}, "not an offset"),
        ({"TimezoneOffsetFromUTC": "0800"}, "+HHMM"),
        ({"PatientID": ""}, "PatientID"),
        ({"InstitutionName": None}, "issuer is unknown"),
        ({"Modality": "MR", "MagneticFieldStrength": 15000}, "field strength in tesla"),
        ({"StudyDate": "00010101", "TimezoneOffsetFromUTC": "+0000"}, "outside the calendar"),
    ],
)
def test_headers_not_read(values: dict[str, object], words: str) -> None:
    reading = read_dicom(header(**values), item="x")
    assert not reading.results
    assert words in str(reading.problems[0])


def test_a_date_without_time_is_the_day_start() -> None:
    result = only(read_dicom(header(StudyTime=None), item="x"))
    assert result.performed.date() == date(2024, 3, 1)
    assert result.performed.hour == 0


def test_files_that_are_not_dicom(tmp_path: Path) -> None:
    bad = tmp_path / "x.dcm"
    bad.write_bytes(b"not dicom at all")
    assert "not a DICOM file" in str(read_dicom(bad, item="x").problems[0])
    assert "not a DICOM file" in str(read_dicom(tmp_path / "missing.dcm").problems[0])
    with pytest.raises(ArgumentError):
        read_dicom(3)
    with pytest.raises(MutrecError):
        scan_evidence(bad)


def test_scanner_table_files(tmp_path: Path) -> None:
    path = tmp_path / "scanners.toml"
    path.write_text('[[scanners]]\nmanufacturer = "A"\nmodel = "B"\ndetector_rows = 0\n')
    with pytest.raises(CatalogueError, match="detector_rows"):
        ScannerTable.from_toml(path)
    path.write_text('[[scanners]]\nmanufacturer = "A"\nmodel = "B"\ndetector_rows = 16\n')
    table = ScannerTable.from_toml(path)
    assert not table.illustrative
    assert table.detector_rows("a", "b") == 16


@given(
    st.dictionaries(
        st.sampled_from(
            [
                "Modality",
                "StudyDate",
                "StudyTime",
                "TimezoneOffsetFromUTC",
                "PatientID",
                "InstitutionName",
                "ManufacturerModelName",
                "SingleCollimationWidth",
                "TotalCollimationWidth",
            ]
        ),
        st.text(max_size=30),
    )
)
def test_hostile_headers(values: dict[str, str]) -> None:
    ds = header()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for key, value in values.items():
            try:
                setattr(ds, key, value)
            except (ValueError, TypeError, OverflowError):
                continue
    try:
        reading = read_dicom(ds, item="x", scanners=ScannerTable.bundled())
    except MutrecError:
        return
    assert isinstance(reading, Reading)


def test_import_mutrec_loads_neither_parser() -> None:
    code = (
        "import sys, mutrec, mutrec.interop; print('pydicom' in sys.modules, 'hl7' in sys.modules)"
    )
    out = subprocess.run(  # noqa: S603 - this interpreter, a fixed program
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert out.stdout.split() == ["False", "False"]
