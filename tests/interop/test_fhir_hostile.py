"""Hostile FHIR: whatever arrives, read_fhir returns results and problems, never another error."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from mutrec.errors import MutrecError
from mutrec.interop import FhirReading, decision_to_fhir, read_fhir
from mutrec.model.results import ImagingResult, LabResult
from mutrec.policy import Decision, Outcome
from tests.interop.fhir_cases import ISSUER, SCANNER, SH, bundle, ct_study, potassium

KEYS = (
    "resourceType", "id", "status", "code", "coding", "system", "text", "display", "subject",
    "reference", "performer", "effectiveDateTime", "effectivePeriod", "start", "issued",
    "valueQuantity", "value", "unit", "comparator", "valueString", "valueCodeableConcept",
    "dataAbsentReason", "referenceRange", "low", "high", "appliesTo", "age", "specimen",
    "contained", "result", "hasMember", "component", "entry", "resource", "fullUrl", "type",
    "modality", "series", "bodySite", "started", "procedureCode", "identifier", "actor",
    "property", "valueQuantity", "request", "method", "interpretation", "imagingStudy",
)  # fmt: skip
TEXTS = st.one_of(
    st.text(max_size=30),
    st.sampled_from(["", " ", "final", "Observation", "Bundle", "#s", "Patient/p1", "NaN",
                     "2024-03-01", "0001-01-01T00:00:00Z", "9999-12-31T23:59:59+14:00",
                     "http://loinc.org", "http://unitsofmeasure.org", "10*9/L", "Mmol/L",
                     "\ud800", "x" * 5000, "<", "CT", "urn:uuid:1"]),
)  # fmt: skip
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**5000), max_value=10**5000),
    st.floats(allow_nan=True, allow_infinity=True),
    TEXTS,
)
JSON = st.recursive(
    SCALARS,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(st.one_of(st.sampled_from(KEYS), st.text(max_size=5)), inner, max_size=5),
    ),
    max_leaves=25,
)


def check(reading: object) -> None:
    assert isinstance(reading, FhirReading)
    assert len(reading.results) == len(reading.references) == len(reading.wheres)
    assert all(isinstance(r, (LabResult, ImagingResult)) for r in reading.results)


def read_safely(data: Any, **options: Any) -> None:
    try:
        reading = read_fhir(data, issuer=ISSUER, **options)
    except MutrecError:
        return
    check(reading)


def set_path(resource: dict[str, Any], path: list[str], value: object) -> None:
    target: Any = resource
    for key in path[:-1]:
        if not isinstance(target, dict) or not isinstance(target.get(key), dict):
            return
        target = target[key]
    if isinstance(target, dict):
        target[path[-1]] = value


@given(st.lists(st.sampled_from(KEYS), min_size=1, max_size=3), JSON)
def test_an_observation_with_any_element_replaced(path: list[str], value: object) -> None:
    observation = potassium()
    set_path(observation, path, value)
    read_safely(observation)
    read_safely(observation, default_zone=SH, strict=False)


@given(st.lists(st.sampled_from(KEYS), min_size=1, max_size=3), JSON)
def test_a_bundle_with_any_element_replaced(path: list[str], value: object) -> None:
    document = bundle(potassium(), ct_study(), SCANNER)
    entry = document["entry"][len(path) % 3]["resource"]
    set_path(entry, path, value)
    set_path(document, path[:1], value) if path[0] in {"type", "entry"} else None
    read_safely(document)


@given(st.dictionaries(st.sampled_from(KEYS), JSON, max_size=8), st.sampled_from(
    ["Observation", "DiagnosticReport", "ImagingStudy", "Bundle", "Patient"]))  # fmt: skip
def test_any_resource_shape(resource: dict[str, Any], kind: str) -> None:
    resource["resourceType"] = kind
    read_safely(resource)


@given(st.one_of(st.text(max_size=200), st.binary(max_size=200)))
def test_any_text_or_bytes(data: str | bytes) -> None:
    read_safely(data)


@given(
    st.datetimes(
        min_value=datetime(1, 1, 1),  # noqa: DTZ001 - hypothesis wants naive bounds
        max_value=datetime(9999, 12, 31, 23, 59),  # noqa: DTZ001
    ),
    st.integers(min_value=-14 * 60, max_value=14 * 60),
)
def test_instants_anywhere_on_the_calendar(when: datetime, minutes: int) -> None:
    zone = timezone(timedelta(minutes=minutes))
    observation = potassium(effectiveDateTime=when.replace(tzinfo=zone).isoformat(), issued=None)
    reading = read_fhir(observation, issuer=ISSUER)
    check(reading)
    assert len(reading.results) + len(reading.problems) == 1


def test_deep_nesting_and_huge_values_are_problems() -> None:
    deep: Any = {}
    for _ in range(100_000):
        deep = {"coding": [deep]}
    observation = potassium(code=deep)
    observation["valueQuantity"] = {"value": 10**10000, "system": "http://unitsofmeasure.org"}
    reading = read_fhir(observation, issuer=ISSUER)
    assert not reading.results
    assert reading.problems
    nested = json.dumps(potassium()).replace('"final"', "[" * 50_000 + "]" * 50_000)
    assert read_fhir(nested).problems


def test_twenty_thousand_empty_entries_are_each_a_problem() -> None:
    document = {"resourceType": "Bundle", "type": "collection", "entry": [{}] * 20_000}
    reading = read_fhir(document)
    assert len(reading.problems) == 20_000


@given(st.text(max_size=50), st.text(max_size=50))
def test_any_decision_text_serialises(receiver: str, reference: str) -> None:
    decision = Decision(
        Outcome.RECOGNISED, (), None, datetime(2024, 3, 1, tzinfo=UTC), None, receiver,
        None, None, "1",
    )  # fmt: skip
    try:
        issue = decision_to_fhir(decision, implicated=reference)
    except MutrecError:
        return
    json.dumps(copy.deepcopy(issue))
