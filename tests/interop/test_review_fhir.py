"""Review of the FHIR reader: contradictions and doubtful facts are problems, never a guess."""

from __future__ import annotations

import copy
import json
from typing import Any

from mutrec.interop import FhirReading
from mutrec.interop.fhir import read_fhir
from mutrec.model.results import LabResult

UCUM = "http://unitsofmeasure.org"
OBSERVATION: dict[str, Any] = {
    "resourceType": "Observation",
    "id": "k1",
    "status": "final",
    "code": {"coding": [{"system": "http://loinc.org", "code": "2823-3"}], "text": "钾"},
    "subject": {"reference": "Patient/p1"},
    "performer": [{"reference": "Organization/bj1"}],
    "effectiveDateTime": "2024-03-01T08:00:00+08:00",
    "issued": "2024-03-01T11:00:00+08:00",
    "valueQuantity": {"value": 4.1, "system": UCUM, "code": "mmol/L", "unit": "mmol/L"},
}
ISSUERS = {"Organization/bj1": "BJ001", "Organization/tj1": "TJ001"}


def observation(**changes: Any) -> dict[str, Any]:
    found = copy.deepcopy(OBSERVATION)
    for key, value in changes.items():
        if value is None:
            found.pop(key, None)
        else:
            found[key] = value
    return found


def refused(reading: FhirReading, words: str) -> None:
    assert not reading.results, reading.results
    assert any(words in p.message for p in reading.problems), reading.problems


def only(reading: FhirReading) -> LabResult:
    assert reading.complete, reading.problems
    (result,) = reading.results
    assert isinstance(result, LabResult)
    return result


def test_a_key_sent_twice_in_one_object_is_a_problem() -> None:
    text = json.dumps(observation(), ensure_ascii=False)
    twice = text[:-1] + ', "valueQuantity": {"value": 9.9, "unit": "mmol/L"}}'
    refused(read_fhir(twice, issuer=ISSUERS), "'valueQuantity' twice")
    refused(read_fhir(twice.encode(), issuer=ISSUERS), "'valueQuantity' twice")
    assert only(read_fhir(text, issuer=ISSUERS)).value.value == 4.1  # type: ignore[union-attr]


def test_a_ucum_code_and_a_unit_text_that_disagree_are_a_problem() -> None:
    wrong = {"value": 4.1, "system": UCUM, "code": "mmol/L", "unit": "mg/dL"}
    refused(read_fhir(observation(valueQuantity=wrong), issuer=ISSUERS), "disagree")
    bound = {"value": 3.5, "system": UCUM, "code": "mmol/L", "unit": "mg/dL"}
    ranged = observation(referenceRange=[{"low": bound}])
    refused(read_fhir(ranged, issuer=ISSUERS), "disagree")
    # Spellings of the same unit, and display text that is no unit, are not a disagreement.
    for code, text in [("10*9/L", "x10^9/L"), ("umol/L", "µmol/l"), ("a", "yrs")]:
        same = {"value": 4.1, "system": UCUM, "code": code, "unit": text}
        value = only(read_fhir(observation(valueQuantity=same), issuer=ISSUERS)).value
        assert str(value.unit) == code  # type: ignore[union-attr]


def test_a_loinc_code_is_checked_as_the_hl7_reader_checks_it() -> None:
    for code in ("2823-4", "abc", "2823"):  # wrong check digit, not a LOINC code
        coded = {"coding": [{"system": "http://loinc.org", "code": code}], "text": "钾"}
        refused(read_fhir(observation(code=coded), issuer=ISSUERS), "not a LOINC code")
    assert only(read_fhir(observation(), issuer=ISSUERS)).loinc == "2823-3"


def test_a_subject_reference_without_an_id_is_a_problem() -> None:
    for reference in ("Patient/", "Patient/ ", "#", "Patient/_history/1"):
        subject = {"reference": reference}
        refused(read_fhir(observation(subject=subject), issuer=ISSUERS), "names no patient")


def _report_of(member: dict[str, Any], subject: str) -> dict[str, Any]:
    return {
        "resourceType": "Bundle",
        "type": "collection",
        "entry": [
            {
                "fullUrl": "urn:uuid:r1",
                "resource": {
                    "resourceType": "DiagnosticReport",
                    "id": "r1",
                    "status": "final",
                    "code": {"text": "electrolytes"},
                    "subject": {"reference": subject},
                    "result": [{"reference": "urn:uuid:o1"}],
                },
            },
            {"fullUrl": "urn:uuid:o1", "resource": member},
            {"fullUrl": "urn:uuid:pt", "resource": {"resourceType": "Patient", "id": "p1"}},
        ],
    }


def test_an_observation_of_another_patient_than_its_report_is_a_problem() -> None:
    refused(read_fhir(_report_of(observation(), "Patient/p2"), issuer=ISSUERS), "patient")
    # The same patient, named by its Type/id, its fullUrl or a server URL, is no contradiction.
    for same in ("Patient/p1", "urn:uuid:pt", "https://fhir.example/r4/Patient/p1"):
        assert only(read_fhir(_report_of(observation(), same), issuer=ISSUERS)).patient == (
            "Patient/p1"
        )
    inherited = only(read_fhir(_report_of(observation(subject=None), "Patient/p1"), issuer=ISSUERS))
    assert inherited.patient == "Patient/p1"


def test_two_effective_instants_are_a_problem() -> None:
    period = {"start": "2024-03-01T07:00:00+08:00"}
    refused(read_fhir(observation(effectivePeriod=period), issuer=ISSUERS), "several effective")
    one = only(
        read_fhir(observation(effectiveDateTime=None, effectivePeriod=period), issuer=ISSUERS)
    )
    assert one.collected.isoformat() == "2024-03-01T07:00:00+08:00"


def test_a_result_of_a_report_with_two_kinds_of_specimen_and_none_of_its_own_is_a_problem() -> None:
    bundle = _report_of(observation(), "Patient/p1")
    report = bundle["entry"][0]["resource"]
    report["specimen"] = [{"reference": "urn:uuid:s1"}, {"reference": "urn:uuid:s2"}]
    for n, kind in ((1, "serum"), (2, "urine")):
        specimen = {"resourceType": "Specimen", "id": f"s{n}", "type": {"text": kind}}
        bundle["entry"].append({"fullUrl": f"urn:uuid:s{n}", "resource": specimen})
    refused(read_fhir(bundle, issuer=ISSUERS), "specimens differ")
    own = bundle["entry"][1]["resource"]
    own["specimen"] = {"reference": "urn:uuid:s2"}
    assert only(read_fhir(bundle, issuer=ISSUERS)).specimen == "urine"


def test_a_printed_range_that_contradicts_its_bounds_is_a_problem() -> None:
    low = {"value": 3.5, "system": UCUM, "code": "mmol/L"}
    high = {"value": 5.3, "system": UCUM, "code": "mmol/L"}
    contradicting = [{"low": low, "high": high, "text": "1.0-2.0"}]
    refused(read_fhir(observation(referenceRange=contradicting), issuer=ISSUERS), "contradicts")
    agreeing = [{"low": low, "high": high, "text": "3.5-5.3 mmol/L"}]
    rng = only(read_fhir(observation(referenceRange=agreeing), issuer=ISSUERS)).reference_range
    assert rng is not None
    assert (rng.low, rng.high) == (3.5, 5.3)


def test_a_printed_range_is_in_the_value_s_unit_as_in_obx_7() -> None:
    rng = only(read_fhir(observation(referenceRange=[{"text": "3.5-5.3"}]), issuer=ISSUERS))
    assert rng.reference_range is not None
    assert str(rng.reference_range.unit) == "mmol/L"
    other = [{"text": "63-99 mg/dL"}]  # another unit than the value's: no range, as in OBX-7
    assert (
        only(read_fhir(observation(referenceRange=other), issuer=ISSUERS)).reference_range is None
    )


def test_text_with_a_lone_surrogate_is_a_problem_not_a_patient() -> None:
    # JSON may escape half a surrogate pair; the text it makes cannot be written as UTF-8.
    text = json.dumps(observation(subject={"reference": "Patient/p\ud800"}))
    assert "\\ud800" in text
    refused(read_fhir(text, issuer=ISSUERS), "surrogate")
    refused(read_fhir(observation(code={"text": "\udc00K"}), issuer=ISSUERS), "surrogate")
    (result,) = read_fhir(observation(id="k\ud800"), issuer=ISSUERS).references
    assert result == "Observation"  # an id that is no text is no id
