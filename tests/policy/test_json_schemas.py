"""The JSON Schemas shipped for decisions, batches and overrides describe what mutrec writes."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import jsonschema
import pytest
from referencing import Registry, Resource

from mutrec._demo import demo_decisions
from mutrec.errors import ArgumentError
from mutrec.model import ImagingResult, LabResult
from mutrec.policy import (
    BATCH_SCHEMA,
    DECISION_SCHEMA,
    OVERRIDE_SCHEMA,
    SCHEMA_NAMES,
    Decision,
    Ground,
    LocalGround,
    Override,
    Request,
    evaluate_many,
    json_schema,
)
from tests.policy.scenarios import at, context, imaging, lab, policy

_REGISTRY: Registry[Any] = Registry().with_resources(
    (json_schema(name)["$id"], Resource.from_contents(json_schema(name))) for name in SCHEMA_NAMES
)


def _validate(document: dict[str, Any], name: str) -> None:
    validator = jsonschema.Draft202012Validator(json_schema(name), registry=_REGISTRY)
    validator.validate(document)


def _decisions() -> list[Decision]:
    """Real decisions of every outcome: the demo's, and the scenarios' expired, refused, imaging."""
    p = policy()
    cases: list[tuple[LabResult | ImagingResult, datetime]] = [
        (lab(), at(3)),
        (lab(), at(30)),  # expired
        (lab(issuer="NOPE"), at(3)),  # not a member
        (lab("K", "溶血", None), at(3)),  # not a number
        (lab("NOPE"), at(3)),  # not in any catalogue
        (imaging(), at(3)),
        (imaging(rows=4), at(3)),  # device below the requirement
    ]
    made = [p.evaluate(r, receiver="TJ001", at=when, context=context()) for r, when in cases]
    return [*demo_decisions(), *made]


def test_the_schemas_are_valid_draft_2020_12() -> None:
    for name in SCHEMA_NAMES:
        jsonschema.Draft202012Validator.check_schema(json_schema(name))


@pytest.mark.parametrize("decision", _decisions(), ids=lambda d: ",".join(d.codes) or "ok")
def test_real_decisions_validate(decision: Decision) -> None:
    _validate(decision.to_dict(), "decision")


def test_the_schema_lists_exactly_the_keys_the_writer_writes() -> None:
    decision = _decisions()[0]
    schema = json_schema("decision")
    assert set(schema["required"]) == set(schema["properties"]) == set(decision.to_dict())
    assert schema["properties"]["schema"]["const"] == DECISION_SCHEMA
    assert json_schema("batch")["properties"]["schema"]["const"] == BATCH_SCHEMA
    assert json_schema("override")["properties"]["schema"]["const"] == OVERRIDE_SCHEMA


def test_a_batch_with_bad_rows_validates() -> None:
    p = policy()
    rows = [
        Request(lab(), "TJ001", at(3), context()),
        Request(lab(), "TJ001", "yesterday", context()),  # type: ignore[arg-type]
    ]
    batch = evaluate_many(p, rows)  # the second row's instant is text: a row error
    assert batch.errors
    _validate(batch.to_dict(), "batch")


@pytest.mark.parametrize(
    ("action", "ground", "note"),
    [
        ("repeat", Ground.EMERGENCY, ""),
        ("accept", None, "stable patient, trend known"),
        (
            "repeat",
            LocalGround("lab_recalibrated", "仪器校准后复查", "analyser recalibrated"),
            "",
        ),
    ],
)
def test_real_overrides_validate(action: str, ground: object, note: str) -> None:
    # A repeat goes against a recognised decision, an accept against a refused one.
    wanted = action == "repeat"
    decision = next(d for d in _decisions() if d.outcome.recognised is wanted)
    override = Override(decision, action, ground, "d1", decision.evaluated_at, note)
    _validate(override.to_dict(), "override")


def test_a_document_that_breaks_the_shape_is_refused() -> None:
    broken = {**_decisions()[0].to_dict(), "outcome": "maybe"}
    with pytest.raises(jsonschema.ValidationError):
        _validate(broken, "decision")
    naive = {**_decisions()[0].to_dict(), "evaluated_at": "2024-03-01T08:00:00"}
    with pytest.raises(jsonschema.ValidationError):
        _validate(naive, "decision")


def test_an_unknown_schema_name_is_an_argument_error() -> None:
    with pytest.raises(ArgumentError, match="'decision', 'batch', 'override'"):
        json_schema("decisions")
    assert json_schema("decision") is not json_schema("decision")  # a copy each time
