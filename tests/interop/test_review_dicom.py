"""Review of the DICOM reader: a study date or time not written as DICOM writes it is refused."""

from __future__ import annotations

import warnings

import pytest

from mutrec.interop.dicom import read_dicom

pydicom = pytest.importorskip("pydicom")


def header(day: str, time: str) -> object:
    ds = pydicom.Dataset()
    ds.Modality, ds.PatientID, ds.InstitutionName = "CT", "p1", "H001"
    with warnings.catch_warnings():  # pydicom warns when a test sets an invalid value
        warnings.simplefilter("ignore")
        ds.StudyDate, ds.StudyTime, ds.TimezoneOffsetFromUTC = day, time, "+0800"
    return ds


@pytest.mark.parametrize(
    ("day", "time"),
    [
        ("2004011", "072731"),  # seven digits: strptime read 2004-01-01
        ("2004119", "072731"),  # strptime read 2004-11-09
        ("２００４0119", "072731"),  # full-width digits
        ("20040119", "0727.5"),  # a fraction needs the seconds: not 07:27:00.5
        ("20040119", "２３"),  # full-width digits
    ],
)
def test_a_study_date_or_time_not_in_dicom_form_is_a_problem(day: str, time: str) -> None:
    reading = read_dicom(header(day, time), item="CT-HEAD")
    assert not reading.results
    assert "not a DICOM date and time" in reading.problems[0].message


@pytest.mark.parametrize(
    ("time", "expected"),
    [
        ("", "2004-01-19T00:00:00+08:00"),
        ("07", "2004-01-19T07:00:00+08:00"),
        ("0727", "2004-01-19T07:27:00+08:00"),
        ("072731.5", "2004-01-19T07:27:31.500000+08:00"),
    ],
)
def test_dicom_times_of_every_precision_are_read(time: str, expected: str) -> None:
    (result,) = read_dicom(header("20040119", time), item="CT-HEAD").results
    assert result.performed.isoformat() == expected  # type: ignore[union-attr]


@pytest.mark.parametrize("keyword", ["PatientID", "InstitutionName"])
def test_a_patient_or_institution_with_two_values_is_a_problem(keyword: str) -> None:
    ds = header("20040119", "072731")
    with warnings.catch_warnings():  # pydicom warns when a test sets an invalid value
        warnings.simplefilter("ignore")
        setattr(ds, keyword, "A\\B")  # two values: two patients, two institutions
    reading = read_dicom(ds, item="CT-HEAD")
    assert not reading.results
    assert "values" in reading.problems[0].message
