"""Reading FHIR R4 results: the mapping, inheritance from reports, and every refusal's reason."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

import pytest

from mutrec.interop import Reading, issuer_table, read_fhir
from mutrec.model.results import Censored, LabResult, Measured, Polarity, Qualitative
from tests.interop.fhir_cases import (
    HOSPITALS,
    SH,
    UCUM,
    bundle,
    only_lab,
    only_problem,
    potassium,
    read,
    report_with_contained,
)


def test_an_observation_maps_every_field() -> None:
    reading = read(potassium())
    result = only_lab(reading)
    assert (result.item, result.loinc, result.issuer, result.patient) == (
        "钾",
        "2823-3",
        "BJ001",
        "Patient/p1",
    )
    assert result.collected == datetime(2024, 3, 1, 8, tzinfo=SH)
    assert result.reported == datetime(2024, 3, 1, 11, tzinfo=SH)
    assert isinstance(result.value, Measured)
    assert result.value.value == 4.1
    assert result.value.unit is not None
    assert result.value.unit.code == "mmol/L"
    assert result.reference_range is not None
    assert (result.reference_range.low, result.reference_range.high) == (3.5, 5.3)
    assert reading.references == ("Observation/k1",)
    assert reading.wheres == ("",)
    assert isinstance(reading, Reading)


def test_text_and_bytes_read_like_the_dict() -> None:
    text = json.dumps(potassium(), ensure_ascii=False)
    assert read(text) == read(potassium()) == read(text.encode())


def test_a_local_coding_is_the_item_so_the_crosswalk_can_map_it() -> None:
    code = {"coding": [{"system": "https://lis.bj001.example", "code": "LIS-0101"}], "text": "钾"}
    assert only_lab(read(potassium(code=code))).item == "LIS-0101"


def test_contained_observations_inherit_the_reports_times_subject_performer() -> None:
    reading = read(report_with_contained())
    assert reading.complete, reading.problems
    k, na = reading.results
    assert isinstance(k, LabResult)
    assert isinstance(na, LabResult)
    assert (k.loinc, na.loinc) == ("2823-3", "2951-2")
    for result in (k, na):
        assert result.collected == datetime(2024, 3, 1, 8, tzinfo=SH)
        assert result.reported == datetime(2024, 3, 1, 11, tzinfo=SH)
        assert (result.patient, result.issuer) == ("Patient/p1", "BJ001")
    assert na.specimen == "血清"
    assert reading.references == ("DiagnosticReport/r1", "DiagnosticReport/r1")
    assert reading.wheres == ("contained[0]", "contained[1]")


def test_bundled_observations_inherit_through_a_panel() -> None:
    member = potassium(effectiveDateTime=None, issued=None, subject=None, performer=None)
    panel = {
        "resourceType": "Observation",
        "id": "panel",
        "status": "final",
        "code": {"text": "电解质"},
        "effectiveDateTime": "2024-03-01T07:30:00+08:00",
        "hasMember": [{"reference": "Observation/k1"}],
    }
    report = {
        "resourceType": "DiagnosticReport",
        "id": "r1",
        "status": "final",
        "code": {"text": "电解质"},
        "subject": {"reference": "Patient/p1"},
        "performer": [{"reference": "Organization/bj1"}],
        "issued": "2024-03-01T11:00:00+08:00",
        "result": [{"reference": "Observation/panel"}],
    }
    result = only_lab(read(bundle(report, panel, member)))
    assert result.collected == datetime(2024, 3, 1, 7, 30, tzinfo=SH)  # the panel's
    assert result.reported == datetime(2024, 3, 1, 11, tzinfo=SH)  # the report's
    assert result.issuer == "BJ001"


def test_an_observations_own_times_win_over_the_reports() -> None:
    report = report_with_contained()
    report["contained"][0]["effectiveDateTime"] = "2024-03-01T06:00:00+08:00"
    k = read(report).results[0]
    assert isinstance(k, LabResult)
    assert k.collected == datetime(2024, 3, 1, 6, tzinfo=SH)


def test_two_reports_that_disagree_are_a_problem_not_a_choice() -> None:
    member = potassium(effectiveDateTime=None)
    reports = [
        {
            "resourceType": "DiagnosticReport",
            "id": f"r{n}",
            "status": "final",
            "code": {"text": "x"},
            "effectiveDateTime": f"2024-03-0{n}T08:00:00+08:00",
            "result": [{"reference": "Observation/k1"}],
        }
        for n in (1, 2)
    ]
    assert "disagree" in only_problem(read(bundle(*reports, member)))


@pytest.mark.parametrize(
    ("when", "expected"),
    [
        ("2024-03-01", datetime(2024, 3, 1, tzinfo=SH)),
        ("2024-03-01T08:00:00", datetime(2024, 3, 1, 8, tzinfo=SH)),
        ("2024-03-01T08:00:00.123456789+08:00", datetime(2024, 3, 1, 8, 0, 0, 123456, tzinfo=SH)),
    ],
)
def test_a_date_or_a_zoneless_time_takes_only_the_zone_the_caller_names(
    when: str, expected: datetime
) -> None:
    observation = potassium(effectiveDateTime=when, issued=None)
    assert only_lab(read(observation, default_zone=SH)).collected == expected
    if "+" not in when:
        assert "default_zone" in only_problem(read(observation))


@pytest.mark.parametrize(
    "when", ["2024", "2024-03", "2024-02-30", "2024-03-01T24:00:00Z", "0001-01-01T00:00:00Z",
             "9999-12-31T23:59:59Z", "2024-03-01T08:00:00+25:00", "yesterday", 20240301]
)  # fmt: skip
def test_instants_that_are_not_instants_are_problems(when: object) -> None:
    assert only_problem(read(potassium(effectiveDateTime=when, issued=None), default_zone=SH))


@pytest.mark.parametrize(
    "status", ["preliminary", "registered", "cancelled", "entered-in-error", "unknown", None, 3]
)
def test_only_final_amended_corrected_are_read(status: object) -> None:
    assert "status" in only_problem(read(potassium(status=status)))
    for good in ("final", "amended", "corrected"):
        assert only_lab(read(potassium(status=good))).item == "钾"


def test_a_report_that_is_not_final_refuses_its_results() -> None:
    report = report_with_contained()
    report["status"] = "preliminary"
    reading = read(report)
    assert not reading.results
    assert len(reading.problems) == 3  # the report and each of its two results
    assert all("preliminary" in p.message for p in reading.problems)


@pytest.mark.parametrize(
    ("changes", "words"),
    [
        ({"triggeredBy": [{"type": "reflex"}]}, "R5"),
        ({"instantiatesCanonical": "http://x"}, "R5"),
        ({"valueQuantity": None, "dataAbsentReason": {"text": "标本溶血"}}, "标本溶血"),
        ({"valueQuantity": None}, "no value"),
        ({"valueQuantity": {"value": 4.1, "unit": "Mmol/L"}}, "megamole"),
        ({"valueQuantity": {"value": "4.1", "code": "mmol/L", "system": UCUM}}, "number"),
        ({"valueQuantity": {"value": 4.1, "system": "http://snomed.info/sct", "code": "x"}},
         "UCUM"),
        ({"valueRatio": {}}, "several values"),
        ({"valueQuantity": None, "valueBoolean": True}, "not a value mutrec reads"),
        ({"subject": None}, "subject"),
        ({"subject": {"reference": "Group/g1"}}, "not a Patient"),
        ({"performer": None}, "performer"),
        ({"performer": [{"reference": "Practitioner/x"}]}, "resolves to an institution"),
        ({"code": {"coding": []}}, "names no item"),
        ({"code": {"coding": [{"system": "http://loinc.org", "code": "2823-3"},
                              {"system": "http://loinc.org", "code": "2951-2"}]}}, "several LOINC"),
        ({"effectiveDateTime": None, "effectiveTiming": {}}, "Timing"),
        ({"effectiveDateTime": None, "effectivePeriod": {"end": "2024-03-01"}}, "no start"),
        ({"issued": "2024-02-01T08:00:00+08:00"}, "before"),
        ({"referenceRange": [{"low": {"value": 6}, "high": {"value": 3}}]}, "empty"),
    ],
)  # fmt: skip
def test_each_doubtful_datum_is_a_problem_with_its_reason(
    changes: dict[str, Any], words: str
) -> None:
    assert words in only_problem(read(potassium(**changes)))


def test_no_resolver_means_no_issuer() -> None:
    assert "issuer resolver" in only_problem(read_fhir(potassium()))


def test_a_mapping_of_issuers_reads_as_issuer_table_reads_it() -> None:
    reading = read_fhir(potassium(), issuer={"Organization/bj1": "BJ001"})
    assert reading.complete
    assert only_lab(reading).issuer == "BJ001"
    assert "issuer" in only_problem(read_fhir(potassium(), issuer={"Organization/x": "BJ001"}))


def test_performers_naming_two_institutions_are_a_problem() -> None:
    two = issuer_table({"Organization/bj1": "BJ001", "Organization/tj1": "TJ001"})
    performers = [{"reference": "Organization/bj1"}, {"reference": "Organization/tj1"}]
    assert "several institutions" in only_problem(read(potassium(performer=performers), issuer=two))


def test_a_resolver_returning_nonsense_is_a_problem() -> None:
    assert "not an institution id" in only_problem(read(potassium(), issuer=lambda _p: 3))


def test_an_issuer_by_identifier_through_a_bundled_organization() -> None:
    organization = {
        "resourceType": "Organization",
        "id": "o9",
        "identifier": [{"system": HOSPITALS, "value": "110102001"}],
    }
    observation = potassium(performer=[{"reference": "Organization/o9"}])
    assert only_lab(read(bundle(organization, observation))).issuer == "BJ001"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ({"valueString": "阴性"}, Polarity.NEGATIVE),
        ({"valueCodeableConcept": {"coding": [{"display": "Positive"}]}}, Polarity.POSITIVE),
        ({"valueCodeableConcept": {"text": "++"}}, Polarity.POSITIVE),
        ({"valueString": "Yellow"}, None),
    ],
)
def test_strings_and_concepts_are_qualitative(value: dict[str, Any], expected: object) -> None:
    result = only_lab(read(potassium(valueQuantity=None, **value)))
    assert isinstance(result.value, Qualitative)
    assert result.value.polarity is expected


def test_a_comparator_makes_a_censored_value() -> None:
    quantity = {"value": 0.1, "comparator": "<", "system": UCUM, "code": "ng/mL"}
    result = only_lab(read(potassium(valueQuantity=quantity)))
    assert isinstance(result.value, Censored)
    assert (result.value.comparator, result.value.value) == ("<", 0.1)


def test_unit_text_is_read_strictly_when_the_code_is_not_ucum() -> None:
    quantity = {"value": 28, "unit": "mmol/L", "system": "http://snomed.info/sct", "code": "1"}
    result = only_lab(read(potassium(valueQuantity=quantity)))
    assert isinstance(result.value, Measured)
    assert result.value.unit is not None
    assert result.value.unit.code == "mmol/L"


def test_ucum_codes_are_not_misread() -> None:
    quantity = {"value": 5.6, "system": UCUM, "code": "10*9/L", "unit": "x10^9/L"}
    result = only_lab(read(potassium(valueQuantity=quantity)))
    assert isinstance(result.value, Measured)
    assert result.value.unit is not None
    assert result.value.unit.code == "10*9/L"


@pytest.mark.parametrize(
    ("ranges", "bounds"),
    [
        ([{"text": "3.5-5.3"}], (3.5, 5.3)),
        ([{"text": "3.5～5.3 mmol/L"}], (3.5, 5.3)),
        ([{"text": "<5"}], (None, 5.0)),
        ([{"text": "see report"}], None),
        ([{"low": {"value": 3.5}, "appliesTo": [{"text": "female"}]}], None),
        ([{"low": {"value": 3.5}, "age": {"low": {"value": 18}}}], None),
        ([{"low": {"value": 1}}, {"low": {"value": 2}}], None),
        ([{"low": {"value": 1}, "type": {"coding": [{"code": "therapeutic"}]}}], None),
    ],
)
def test_the_one_normal_range_is_kept_and_patient_dependent_ones_are_not(
    ranges: list[dict[str, Any]], bounds: tuple[float | None, float | None] | None
) -> None:
    rng = only_lab(read(potassium(referenceRange=ranges))).reference_range
    if bounds is None:
        assert rng is None
    else:
        assert rng is not None
        assert (rng.low, rng.high) == bounds


def test_components_are_results_of_their_own() -> None:
    observation = potassium(valueQuantity=None, code={"text": "血压"})
    observation["component"] = [
        {"code": {"text": "收缩压"}, "valueQuantity": {"value": 120, "system": UCUM,
                                                     "code": "mm[Hg]"}},
        {"code": {"text": "舒张压"}, "dataAbsentReason": {"text": "not measured"}},
    ]  # fmt: skip
    reading = read(observation)
    assert [r.item for r in reading.results] == ["收缩压"]
    assert reading.wheres == ("component[0]",)
    assert [p.where for p in reading.problems] == ["component[1].dataAbsentReason"]
