"""A wall time the default zone skips or repeats (daylight saving) names no instant: a problem.

Review of the readers: the LIS column map already refused such times; FHIR, HL7 v2, DICOM and
``mutrec check --default-zone`` placed them on one side of the change, a guess.
"""

from __future__ import annotations

import copy
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from mutrec._checkio import Defaults, parse_rows
from mutrec.interop.fhir import read_fhir
from mutrec.interop.hl7v2 import read_oru
from mutrec.model.results import LabResult
from mutrec.policy import RowError

NY = ZoneInfo("America/New_York")
SH = ZoneInfo("Asia/Shanghai")
# 2024-03-10 02:30 does not happen in New York; 2024-11-03 01:30 happens twice.
GAP, FOLD = ("2024-03-10", "02:30:00"), ("2024-11-03", "01:30:00")

OBSERVATION: dict[str, Any] = {
    "resourceType": "Observation",
    "id": "k1",
    "status": "final",
    "code": {"coding": [{"system": "http://loinc.org", "code": "2823-3"}]},
    "subject": {"reference": "Patient/p1"},
    "performer": [{"reference": "Organization/bj1"}],
    "valueQuantity": {"value": 4.1, "system": "http://unitsofmeasure.org", "code": "mmol/L"},
}
ISSUERS = {"Organization/bj1": "BJ001"}


@pytest.mark.parametrize(("day", "time"), [GAP, FOLD])
def test_fhir_refuses_a_wall_time_the_zone_skips_or_repeats(day: str, time: str) -> None:
    observation = {**copy.deepcopy(OBSERVATION), "effectiveDateTime": f"{day}T{time}"}
    reading = read_fhir(observation, issuer=ISSUERS, default_zone=NY)
    assert not reading.results
    assert "daylight saving" in reading.problems[0].message


def test_fhir_reads_an_ordinary_wall_time_in_the_zone() -> None:
    observation = {**copy.deepcopy(OBSERVATION), "effectiveDateTime": "2024-03-10T04:30:00"}
    reading = read_fhir(observation, issuer=ISSUERS, default_zone=NY)
    assert reading.complete
    (result,) = reading.results
    assert isinstance(result, LabResult)
    assert result.collected.isoformat() == "2024-03-10T04:30:00-04:00"


def _oru(when: str) -> str:
    return (
        "MSH|^~\\&|LIS|H001|||20240301120000+0800||ORU^R01|M1|P|2.5.1\r"
        "PID|1||P123\r"
        f"OBR|1|||K|||{when}\r"
        "OBX|1|NM|2823-3^K^LN||4.1|mmol/L|||||F\r"
    )


@pytest.mark.parametrize(("day", "time"), [GAP, FOLD])
def test_hl7_refuses_a_wall_time_the_zone_skips_or_repeats(day: str, time: str) -> None:
    stamp = day.replace("-", "") + time.replace(":", "")
    reading = read_oru(_oru(stamp), default_zone=NY)
    assert not reading.results
    assert "daylight saving" in reading.problems[0].message
    assert read_oru(_oru(stamp), default_zone=SH).complete  # no daylight saving there


@pytest.mark.parametrize(("day", "time"), [GAP, FOLD])
def test_dicom_refuses_a_wall_time_the_zone_skips_or_repeats(day: str, time: str) -> None:
    pydicom = pytest.importorskip("pydicom")
    from mutrec.interop.dicom import read_dicom

    ds = pydicom.Dataset()
    ds.Modality, ds.PatientID, ds.InstitutionName = "CT", "p1", "H001"
    ds.StudyDate, ds.StudyTime = day.replace("-", ""), time.replace(":", "")
    reading = read_dicom(ds, item="CT-HEAD", default_zone=NY)
    assert not reading.results
    assert "daylight saving" in reading.problems[0].message


@pytest.mark.parametrize(("day", "time"), [GAP, FOLD])
def test_check_rows_refuse_a_wall_time_the_default_zone_skips_or_repeats(
    day: str, time: str
) -> None:
    row = {
        "item": "K",
        "value": "4.1",
        "unit": "mmol/L",
        "collected": f"{day}T{time}",
        "issuer": "BJ001",
        "patient": "p1",
        "receiver": "TJ001",
        "at": "2024-12-01T08:00:00+08:00",
    }
    (out,) = parse_rows([row], Defaults(zone=NY))
    assert isinstance(out, RowError)
    assert out.field == "collected"
    assert "daylight saving" in out.message
