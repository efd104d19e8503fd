"""Review of the FHIR ImagingStudy reader: two answers to one question are a problem."""

from __future__ import annotations

import copy
from typing import Any

from mutrec.interop.fhir import read_fhir
from mutrec.model.results import ImagingResult

STUDY: dict[str, Any] = {
    "resourceType": "ImagingStudy",
    "id": "s1",
    "status": "available",
    "subject": {"reference": "Patient/p1"},
    "started": "2024-03-01T08:00:00+08:00",
    "procedureCode": [{"text": "CT chest"}],
    "identifier": [{"system": "urn:dicom:uid", "value": "urn:oid:1.2.3"}],
    "series": [
        {
            "uid": "1.2.3.1",
            "modality": {"system": "http://dicom.nema.org/resources/ontology/DCM", "code": "CT"},
            "performer": [{"actor": {"reference": "Device/d1"}}],
        }
    ],
}
DEVICE: dict[str, Any] = {
    "resourceType": "Device",
    "id": "d1",
    "manufacturer": "GE",
    "modelNumber": "LightSpeed VCT",
    "property": [{"type": {"text": "detector rows"}, "valueQuantity": [{"value": 64}]}],
}
ISSUERS = {"Device/d1": "BJ001"}


def bundle(study: dict[str, Any], device: dict[str, Any]) -> dict[str, Any]:
    return {
        "resourceType": "Bundle",
        "type": "collection",
        "entry": [{"resource": study}, {"resource": device}],
    }


def test_a_device_stating_two_row_counts_is_a_problem() -> None:
    device = copy.deepcopy(DEVICE)
    device["property"].append({"type": {"text": "排数"}, "valueQuantity": [{"value": 16}]})
    reading = read_fhir(bundle(STUDY, device), issuer=ISSUERS)
    assert not reading.results
    assert "detector_rows" in reading.problems[0].message
    (result,) = read_fhir(bundle(STUDY, DEVICE), issuer=ISSUERS).results
    assert isinstance(result, ImagingResult)
    assert result.device is not None
    assert result.device.detector_rows == 64


def test_a_study_with_two_dicom_uids_is_a_problem() -> None:
    study = copy.deepcopy(STUDY)
    study["identifier"].append({"system": "urn:dicom:uid", "value": "urn:oid:9.9.9"})
    reading = read_fhir(bundle(study, DEVICE), issuer=ISSUERS)
    assert not reading.results
    assert "study UIDs" in reading.problems[0].message
    study["identifier"][1]["value"] = "urn:oid:1.2.3"  # the same UID twice is one UID
    (result,) = read_fhir(bundle(study, DEVICE), issuer=ISSUERS).results
    assert isinstance(result, ImagingResult)
    assert result.study_uid == "1.2.3"
