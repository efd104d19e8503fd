"""FHIR R4 resources built the way hospital systems send them, shared by the FHIR tests."""

from __future__ import annotations

import copy
from typing import Any
from zoneinfo import ZoneInfo

from mutrec.interop import FhirReading, issuer_table, read_fhir
from mutrec.model.results import LabResult

SH = ZoneInfo("Asia/Shanghai")
UCUM = "http://unitsofmeasure.org"
HOSPITALS = "https://hospitals.example/id"
ISSUER = issuer_table({"Organization/bj1": "BJ001", f"{HOSPITALS}|110102001": "BJ001"})


def potassium(**changes: Any) -> dict[str, Any]:
    """A final potassium Observation of BJ001 (example region item K, LOINC 2823-3)."""
    observation: dict[str, Any] = {
        "resourceType": "Observation",
        "id": "k1",
        "status": "final",
        "code": {
            "coding": [{"system": "http://loinc.org", "code": "2823-3", "display": "Potassium"}],
            "text": "钾",
        },
        "subject": {"reference": "Patient/p1"},
        "performer": [{"reference": "Organization/bj1"}],
        "effectiveDateTime": "2024-03-01T08:00:00+08:00",
        "issued": "2024-03-01T11:00:00+08:00",
        "valueQuantity": {"value": 4.1, "unit": "mmol/L", "system": UCUM, "code": "mmol/L"},
        "specimen": {"reference": "#s"},
        "contained": [
            {"resourceType": "Specimen", "id": "s", "type": {"coding": [
                {"system": "http://terminology.hl7.org/CodeSystem/v2-0487", "code": "SER",
                 "display": "Serum"}]}}
        ],
        "referenceRange": [
            {"low": {"value": 3.5, "system": UCUM, "code": "mmol/L"},
             "high": {"value": 5.3, "system": UCUM, "code": "mmol/L"}}
        ],
    }  # fmt: skip
    for key, value in changes.items():
        if value is None:
            observation.pop(key, None)
        else:
            observation[key] = value
    return observation


def report_with_contained() -> dict[str, Any]:
    """A DiagnosticReport whose contained Observations carry no times, subject or performer."""
    member = potassium()
    for key in ("subject", "performer", "effectiveDateTime", "issued", "contained"):
        del member[key]
    member["specimen"] = {"reference": "#s1"}
    sodium = copy.deepcopy(member)
    sodium["id"] = "na1"
    sodium["code"] = {"coding": [{"system": "http://loinc.org", "code": "2951-2"}]}
    sodium["valueQuantity"] = {"value": 140, "system": UCUM, "code": "mmol/L"}
    return {
        "resourceType": "DiagnosticReport",
        "id": "r1",
        "status": "final",
        "code": {"text": "电解质"},
        "subject": {"reference": "Patient/p1"},
        "performer": [{"reference": "#org"}],
        "effectiveDateTime": "2024-03-01T08:00:00+08:00",
        "issued": "2024-03-01T11:00:00+08:00",
        "contained": [
            member,
            sodium,
            {"resourceType": "Specimen", "id": "s1", "type": {"text": "血清"}},
            {
                "resourceType": "Organization",
                "id": "org",
                "identifier": [{"system": HOSPITALS, "value": "110102001"}],
            },
        ],
        "result": [{"reference": "#k1"}, {"reference": "#na1"}],
    }


def ct_study(**changes: Any) -> dict[str, Any]:
    """A head CT ImagingStudy whose series names the 64-row scanner (a Device)."""
    study: dict[str, Any] = {
        "resourceType": "ImagingStudy",
        "id": "ct1",
        "status": "available",
        "identifier": [{"system": "urn:dicom:uid", "value": "urn:oid:1.2.840.99.1"}],
        "modality": [{"system": "http://dicom.nema.org/resources/ontology/DCM", "code": "CT"}],
        "subject": {"reference": "Patient/p1"},
        "started": "2024-03-01T10:00:00+08:00",
        "procedureCode": [{"text": "头部CT"}],
        "series": [
            {
                "uid": "1.2.840.99.1.1",
                "modality": {"system": "http://dicom.nema.org/resources/ontology/DCM",
                             "code": "CT"},
                "bodySite": {"system": "http://snomed.info/sct", "code": "69536005",
                             "display": "HEAD"},
                "performer": [{"actor": {"reference": "Device/scanner"}},
                              {"actor": {"reference": "Organization/bj1"}}],
            }
        ],
    }  # fmt: skip
    study.update(changes)
    return study


SCANNER: dict[str, Any] = {
    "resourceType": "Device",
    "id": "scanner",
    "manufacturer": "Siemens",
    "modelNumber": "SOMATOM Definition AS",
    "property": [
        {"type": {"text": "detector rows"}, "valueQuantity": [{"value": 64}]},
    ],
}


def bundle(*resources: dict[str, Any], kind: str = "collection") -> dict[str, Any]:
    """A Bundle of *resources*, each entry with a fullUrl under https://fhir.example/."""
    return {
        "resourceType": "Bundle",
        "type": kind,
        "entry": [
            {"fullUrl": f"https://fhir.example/{r['resourceType']}/{r.get('id', i)}", "resource": r}
            for i, r in enumerate(resources)
        ],
    }


def read(data: Any, **options: Any) -> FhirReading:
    options.setdefault("issuer", ISSUER)
    return read_fhir(data, **options)


def only_lab(reading: FhirReading) -> LabResult:
    assert reading.complete, reading.problems
    (result,) = reading.results
    assert isinstance(result, LabResult)
    return result


def only_problem(reading: FhirReading) -> str:
    assert not reading.results
    (problem,) = reading.problems
    return f"{problem.where}: {problem.message} ({problem.hint})"
