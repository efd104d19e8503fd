"""Reading FHIR R4 documents: imaging studies, Bundles, text input and the options."""

from __future__ import annotations

import copy
from datetime import datetime
from typing import Any

import pytest

from mutrec.errors import ArgumentError
from mutrec.interop import FhirReading, Reading, issuer_table, read_fhir
from mutrec.model.devices import DeviceCapability, Modality
from mutrec.model.results import ImagingResult
from tests.interop.fhir_cases import (
    HOSPITALS,
    SCANNER,
    SH,
    UCUM,
    bundle,
    ct_study,
    only_lab,
    only_problem,
    potassium,
    read,
    report_with_contained,
)


def test_an_imaging_study_with_its_device_and_report() -> None:
    report = {
        "resourceType": "DiagnosticReport",
        "id": "rep",
        "status": "final",
        "code": {"text": "头部CT"},
        "issued": "2024-03-01T15:00:00+08:00",
        "imagingStudy": [{"reference": "ImagingStudy/ct1"}],
        "conclusion": "未见异常",
    }
    reading = read(bundle(report, ct_study(), SCANNER))
    assert reading.complete, reading.problems
    (result,) = reading.results
    assert isinstance(result, ImagingResult)
    assert (result.item, result.modality, result.body_part) == ("头部CT", Modality.CT, "HEAD")
    assert result.device == DeviceCapability(
        detector_rows=64, model="Siemens SOMATOM Definition AS"
    )
    assert (result.study_uid, result.report_text) == ("1.2.840.99.1", "未见异常")
    assert result.reported == datetime(2024, 3, 1, 15, tzinfo=SH)
    assert result.issuer == "BJ001"


@pytest.mark.parametrize(
    ("changes", "words"),
    [
        ({"procedure": [{"concept": {"text": "CT"}}]}, "R5"),
        ({"modality": [{"coding": [{"code": "CT"}]}]}, "R5"),
        ({"status": "registered"}, "status"),
        ({"modality": [{"code": "PT"}, {"code": "CT"}]}, "several modalities"),
        ({"modality": [{"code": "XX"}]}, "not one mutrec reads"),
        ({"procedureCode": None}, "which item"),
        ({"started": None}, "started"),
    ],
)
def test_imaging_refusals(changes: dict[str, Any], words: str) -> None:
    study = ct_study(**changes)
    study = {k: v for k, v in study.items() if v is not None}
    assert words in only_problem(read(bundle(study, SCANNER)))


def test_a_transaction_with_urn_uuids_and_a_delete() -> None:
    observation = potassium(performer=[{"reference": "urn:uuid:0f0e"}])
    organization = {"resourceType": "Organization", "identifier": [
        {"system": HOSPITALS, "value": "110102001"}]}  # fmt: skip
    transaction = {
        "resourceType": "Bundle",
        "type": "transaction",
        "entry": [
            {"fullUrl": "urn:uuid:0f0e", "resource": organization,
             "request": {"method": "POST", "url": "Organization"}},
            {"fullUrl": "urn:uuid:1a1b", "resource": observation,
             "request": {"method": "POST", "url": "Observation"}},
            {"request": {"method": "DELETE", "url": "Observation/old"}},
        ],
    }  # fmt: skip
    reading = read(transaction)
    assert only_lab(reading).issuer == "BJ001"
    assert reading.references == ("Observation/k1",)
    assert reading.wheres == ("entry[1].resource",)


@pytest.mark.parametrize("kind", ["document", "history", "message", None])
def test_bundles_of_other_types_are_refused(kind: str | None) -> None:
    assert "Bundle type" in only_problem(read(bundle(potassium(), kind=kind)))  # type: ignore[arg-type]


def test_a_searchset_reads_its_matches_and_uses_its_includes() -> None:
    searchset = bundle(potassium(), kind="searchset")
    assert only_lab(read(searchset)).item == "钾"


def test_listed_results_missing_from_the_document_are_each_a_problem() -> None:
    report = report_with_contained()
    report["result"].append({"reference": "Observation/elsewhere"})
    reading = read(report)
    assert len(reading.results) == 2
    assert [p.where for p in reading.problems] == ["result[2]"]


@pytest.mark.parametrize(
    ("data", "words"),
    [
        ("{", "not JSON"),
        (b"\xff\xfe", "not UTF-8"),
        ('{"resourceType": "Observation", "valueQuantity": {"value": NaN}}', "NaN"),
        ("[" * 100_000 + "]" * 100_000, "nested too deeply"),
        ("[]", "JSON object"),
        ('{"resourceType": "Patient"}', "mutrec reads"),
    ],
)
def test_text_that_is_not_a_fhir_resource_is_a_problem(data: str | bytes, words: str) -> None:
    assert words in only_problem(read(data))


@pytest.mark.parametrize("data", [None, 3, ["x"], object()])
def test_an_argument_that_is_not_a_resource_is_an_argument_error(data: object) -> None:
    with pytest.raises(ArgumentError):
        read_fhir(data)  # type: ignore[arg-type]


def test_options_are_checked() -> None:
    with pytest.raises(ArgumentError):
        read_fhir(potassium(), issuer="BJ001")  # type: ignore[arg-type]
    with pytest.raises(ArgumentError):
        read_fhir(potassium(), default_zone="Asia/Shanghai")  # type: ignore[arg-type]
    with pytest.raises(ArgumentError):
        issuer_table({"Organization/x": 3})  # type: ignore[dict-item]


def test_readings_add_up() -> None:
    one = read(potassium())
    both = one + read(report_with_contained())
    assert isinstance(both, FhirReading)
    assert len(both) == 3
    assert both.references[0] == "Observation/k1"
    assert len((one + Reading()).references) == 1


def test_strict_validation_turns_an_r4b_violation_into_a_problem() -> None:
    observation = potassium()
    observation["valueQuantity"] = {"value": 4.1, "code": "mmol/L", "system": UCUM, "bogus": 1}
    assert read(observation).complete  # mutrec reads only what it needs
    reading = read(observation, strict=True)
    assert not reading.results
    assert any("R4B" in p.message for p in reading.problems)
    assert only_lab(read(copy.deepcopy(potassium()), strict=True)).item == "钾"
