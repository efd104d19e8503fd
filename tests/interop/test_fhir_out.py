"""Decisions out as FHIR R4 DetectedIssues, and the round trip FHIR in -> decision -> FHIR out."""

from __future__ import annotations

import json
import sys
from datetime import datetime
from functools import cache

import pytest

from mutrec.errors import ArgumentError, MissingDependencyError
from mutrec.files import load_example_region
from mutrec.interop import (
    OUTCOME_SYSTEM,
    REASON_SYSTEM,
    decision_to_fhir,
    read_fhir,
    reason_code_system,
    validate_r4b,
)
from mutrec.policy import ClinicalContext, Decision, Outcome, Policy
from tests.conftest import DATA
from tests.interop.fhir_cases import ISSUER, SH, potassium, report_with_contained

AT = datetime(2024, 3, 3, 9, tzinfo=SH)


@cache
def policy() -> Policy:
    return Policy.from_region(load_example_region())


def decide(data: object, at: datetime = AT) -> list[tuple[Decision, str, str]]:
    """Read FHIR, decide each result at TJ001; (decision, reference, patient) per result."""
    reading = read_fhir(data, issuer=ISSUER)  # type: ignore[arg-type]
    assert reading.complete, reading.problems
    decided = []
    for result, reference in zip(reading.results, reading.references, strict=True):
        decision = policy().evaluate(
            result,
            receiver="TJ001",
            at=at,
            context=ClinicalContext(patient=result.patient),
            result_id=reference,
        )
        decided.append((decision, reference, result.patient))
    return decided


def test_round_trip_a_recognised_potassium() -> None:
    ((decision, reference, patient),) = decide(potassium())
    assert (decision.outcome, decision.item_code) == (Outcome.RECOGNISED, "K")  # by LOINC
    issue = decision_to_fhir(decision, patient=patient)
    assert validate_r4b(issue) == ()
    assert issue["implicated"] == [{"reference": reference}] == [{"reference": "Observation/k1"}]
    assert issue["patient"] == {"reference": "Patient/p1"}
    assert issue["code"]["coding"][0] == {
        "system": OUTCOME_SYSTEM,
        "code": "recognised",
        "display": "Recognised",
    }
    until = [e for e in issue["extension"] if e["url"].endswith("/recognised-until")]
    assert until == [{"url": until[0]["url"], "valueDateTime": "2024-03-08T11:00:00+08:00"}]
    assert issue["detail"].startswith("结论：可以互认")
    (translation,) = issue["_detail"]["extension"]
    assert translation["extension"][1]["valueString"].startswith("Outcome: recognised")
    assert "evidence" not in issue


def test_round_trip_an_expired_result_carries_its_reason_codes() -> None:
    late = datetime(2024, 3, 20, 9, tzinfo=SH)
    ((decision, _, _),) = decide(potassium(), late)
    issue = decision_to_fhir(decision)
    assert validate_r4b(issue) == ()
    codes = [e["code"][0]["coding"][0] for e in issue["evidence"]]
    assert [c["code"] for c in codes] == list(decision.codes)
    assert {c["system"] for c in codes} == {REASON_SYSTEM}
    assert issue["code"]["coding"][0]["code"] == "not_recognised"
    assert "互认时限" in issue["evidence"][0]["code"][0]["text"]


def test_round_trip_a_report_of_contained_results() -> None:
    decided = decide(report_with_contained())
    assert [d.item_code for d, _, _ in decided] == ["K", "Na"]
    for decision, reference, patient in decided:
        issue = decision_to_fhir(decision, patient=patient)
        assert validate_r4b(issue) == ()
        assert issue["implicated"] == [{"reference": reference}]


def test_every_example_result_decided_validates_as_r4b() -> None:
    issued = 0
    for path in sorted((DATA / "fhir-r4-examples").glob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        reading = read_fhir(data, issuer=lambda _p: "BJ001", default_zone=SH)
        for result, reference in zip(reading.results, reading.references, strict=True):
            decision = policy().evaluate(
                result,
                receiver="TJ001",
                at=datetime(2024, 3, 3, 9, tzinfo=SH),
                context=ClinicalContext(patient=result.patient),
                result_id=reference,
            )
            assert validate_r4b(decision_to_fhir(decision, patient=result.patient)) == ()
            issued += 1
    assert issued == 77


def test_the_reason_code_system_validates_and_lists_every_code() -> None:
    system = reason_code_system(policy().reasons)
    assert validate_r4b(system) == ()
    assert {c["code"] for c in system["concept"]} == set(policy().reasons)
    assert all("{" not in c["display"] for c in system["concept"])


def test_a_decision_without_a_result_id_implicates_nothing() -> None:
    decision = Decision(Outcome.RECOGNISED, (), None, AT, None, "TJ001", None, None, "1")
    issue = decision_to_fhir(decision)
    assert "implicated" not in issue
    assert validate_r4b(issue) == ()


@pytest.mark.parametrize(
    ("args", "kwargs"),
    [((None,), {}), (("x",), {}), ((), {"implicated": 3}), ((), {"patient": " "})],
)
def test_bad_arguments_are_argument_errors(
    args: tuple[object, ...], kwargs: dict[str, object]
) -> None:
    decision = Decision(Outcome.RECOGNISED, (), None, AT, None, None, None, None, "1")
    with pytest.raises(ArgumentError):
        decision_to_fhir(*(args or (decision,)), **kwargs)  # type: ignore[arg-type]


def test_validate_r4b_reports_problems_instead_of_raising() -> None:
    assert validate_r4b({"resourceType": "NoSuchThing"})[0].message.startswith("'NoSuchThing'")
    assert validate_r4b({})[0].message.startswith("has no resourceType")
    with pytest.raises(ArgumentError):
        validate_r4b([])  # type: ignore[arg-type]


def test_without_fhir_resources_strict_reading_names_the_extra(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(sys.modules, "fhir.resources.R4B", None)  # import fails as if absent
    with pytest.raises(MissingDependencyError) as raised:
        validate_r4b({"resourceType": "DetectedIssue", "status": "final"})
    assert raised.value.extra == "fhir"
    assert str(raised.value) == 'validate_r4b needs fhir.resources: pip install "mutrec[fhir]"'
    with pytest.raises(MissingDependencyError):
        read_fhir(potassium(), issuer=ISSUER, strict=True)
    assert read_fhir(potassium(), issuer=ISSUER).complete  # the plain reader needs none of it
