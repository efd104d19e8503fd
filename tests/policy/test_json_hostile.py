"""Hostile JSON: any text read as a decision or override is the record, or a MutrecError."""

from __future__ import annotations

import contextlib
import json
import pickle
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mutrec.errors import MutrecError, ResultError
from mutrec.policy import Action, Decision, Finding, Ground, Outcome, Override, Severity
from mutrec.policy._findings import MAX_INT_BITS, RecordError, trusted_finding

T0 = datetime(2024, 3, 1, 8, 30, tzinfo=timezone(timedelta(hours=8)))
BLOCK = Finding("window.expired", Severity.BLOCK, {"window": "7d"})
CAUTION = Finding("ground.emergency", Severity.CAUTION, {"item": "K"})
INFO = Finding("acme.note", Severity.INFO, {"n": 1})


def decision(outcome: Outcome = Outcome.RECOGNISED, *found: Finding) -> Decision:
    return Decision(outcome, found, T0 + timedelta(days=7), T0, "r1", "H2", "jjj", "2024.1", "1")


def document(**changes: Any) -> dict[str, Any]:
    raw = decision(Outcome.RECOGNISED_WITH_CAUTION, INFO, CAUTION, INFO).to_dict()
    raw.update(changes)
    return raw


def refused(raw: object, *fragments: str) -> RecordError:
    """Read *raw* (a document or JSON text); it must be refused with every fragment said."""
    text = raw if isinstance(raw, (str, bytes, bytearray)) else json.dumps(raw, ensure_ascii=False)
    with pytest.raises(RecordError) as info:
        Decision.from_json(text)  # type: ignore[arg-type]
    for fragment in fragments:
        assert fragment in str(info.value)
    return info.value


# --- outcomes the findings contradict ---


@pytest.mark.parametrize(
    ("outcome", "found"),
    [
        (Outcome.RECOGNISED, (BLOCK,)),
        (Outcome.RECOGNISED_WITH_CAUTION, (CAUTION, BLOCK)),
        (Outcome.RECOGNISED, (INFO, CAUTION)),
        (Outcome.NOT_RECOGNISED, ()),
        (Outcome.NOT_RECOGNISED, (CAUTION, INFO)),
        (Outcome.RECOGNISED_WITH_CAUTION, (INFO,)),
    ],
)
def test_an_outcome_its_findings_contradict_is_refused(
    outcome: Outcome, found: tuple[Finding, ...]
) -> None:
    raw = decision(outcome, *found).to_dict()
    error = refused(raw, "outcome", "contradicts the findings")
    assert error.field == "outcome"


def test_consistent_outcomes_read_back() -> None:
    for d in (
        decision(Outcome.RECOGNISED, INFO),
        decision(Outcome.RECOGNISED_WITH_CAUTION, CAUTION),
        decision(Outcome.NOT_RECOGNISED, CAUTION, BLOCK),
    ):
        assert Decision.from_json(d.to_json()) == d


def test_a_recognised_decision_expired_before_it_was_made_is_refused() -> None:
    for outcome in ("recognised", "recognised_with_caution"):
        for expiry in (T0, T0 - timedelta(seconds=1)):
            found = [] if outcome == "recognised" else document()["findings"]
            raw = document(outcome=outcome, findings=found, expires_at=expiry.isoformat())
            refused(raw, "expires_at", "is not after evaluated_at")
    raw = decision(Outcome.NOT_RECOGNISED, BLOCK).to_dict()
    raw["expires_at"] = (T0 - timedelta(days=1)).isoformat()
    assert Decision.from_dict(raw).expires_at == T0 - timedelta(days=1)


# --- unknown values, wrong shapes ---


def test_unknown_outcome_and_severity_say_where_and_what_is_allowed() -> None:
    refused(document(outcome="accepted"), "decision outcome = 'accepted'", "'recognised'")
    raw = document()
    raw["findings"][2]["severity"] = "fatal"
    error = refused(raw, "findings[2].severity = 'fatal'", "'block'")
    assert error.field == "findings[2].severity"
    raw["findings"][2]["severity"] = None
    refused(raw, "findings[2].severity = None")


@pytest.mark.parametrize(
    ("raw", "where"),
    [
        ([], "decision $ = []: must be a JSON object"),
        ('"recognised"', "decision $ = 'recognised'"),
        (document(findings={}), "findings = {}: must be a JSON list"),
        (document(findings="none"), "findings = 'none'"),
        (document(findings=[[]]), "findings[0] = []: must be a JSON object"),
        (document(findings=[{"code": "a.b", "severity": "info", "data": []}]), "findings[0].data"),
        (document(findings=[{"code": 1, "severity": "info", "data": {}}]), "findings[0].code = 1"),
        (
            document(findings=[{"code": "a.b", "severity": "info", "data": {"x": {"y": 1}}}]),
            "findings[0].data.x = {'y': 1}: must be a JSON scalar",
        ),
        (
            document(findings=[{"code": "a.b", "severity": "info", "data": {"x": [1]}}]),
            "findings[0].data.x = [1]",
        ),
        (document(result_id=5), "result_id = 5: must be a string or null"),
        (document(policy_version=None), "policy_version = None: must be a string"),
        (document(evaluated_at=20240301), "evaluated_at = 20240301"),
    ],
)
def test_wrong_shapes_are_refused_with_their_path(raw: object, where: str) -> None:
    refused(raw, where)


def test_wrong_schema_missing_and_unknown_keys_are_refused() -> None:
    refused(document(schema="mutrec.decision/4"), "schema = 'mutrec.decision/4'", "decision/3")
    raw = document()
    del raw["item_code"]
    refused(raw, "item_code: missing")
    refused(document(expires_on=None), "unknown key 'expires_on'", "remove it")
    bad = document()
    bad["findings"][0]["weight"] = 1
    refused(bad, "findings[0].weight", "unknown key")


@pytest.mark.parametrize("text", [None, 7, 2.5, ["{}"], {"schema": "x"}, object()])
def test_what_is_not_text_is_refused(text: object) -> None:
    with pytest.raises(RecordError, match="must be JSON text"):
        Decision.from_json(text)  # type: ignore[arg-type]
    with pytest.raises(RecordError, match="must be JSON text"):
        Override.from_json(text)  # type: ignore[arg-type]


# --- what Python's json lets through ---


@pytest.mark.parametrize("token", ["NaN", "Infinity", "-Infinity"])
def test_non_finite_tokens_are_refused(token: str) -> None:
    text = json.dumps(document()).replace('"n": 1', f'"n": {token}')
    assert token in text
    refused(text, f"{token} is not a JSON number")


def test_a_number_too_large_for_a_float_is_refused() -> None:
    text = json.dumps(document()).replace('"n": 1', '"n": 1e400')
    refused(text, "findings[0].data.n = inf", "must be a finite number")


def test_huge_integers_are_refused_not_raised() -> None:
    huge = "1" + "0" * 5000
    refused(json.dumps(document()).replace('"n": 1', f'"n": {huge}'), "a number too long to read")
    wide = "9" * 4250  # under Python's text limit, over what a finding may hold
    refused(json.dumps(document()).replace('"n": 1', f'"n": {wide}'), "findings[0].data.n")


@pytest.mark.parametrize("opening", ["[", '{"a":', '{"schema": "mutrec.decision/1", "x": ['])
def test_deep_nesting_is_refused(opening: str) -> None:
    refused(opening * 100_000, "nested too deeply")


def test_shallow_nesting_in_data_is_a_shape_error() -> None:
    text = json.dumps(document()).replace('"n": 1', '"n": ' + "[" * 50 + "]" * 50)
    refused(text, "findings[0].data.n", "must be a JSON scalar")


def test_duplicate_keys_are_refused() -> None:
    text = json.dumps(document())
    doubled = text.replace('"outcome":', '"outcome": "recognised", "outcome":', 1)
    refused(doubled, "'outcome'", "appears twice")


def test_malformed_json_says_line_and_column() -> None:
    refused('{"schema": ', "is not JSON", "line 1 column 12")
    refused("", "is not JSON")


def test_bytes_must_be_utf8_and_a_bom_is_accepted() -> None:
    d = decision(Outcome.NOT_RECOGNISED, Finding("scope.outside", Severity.BLOCK, {"m": "京津冀"}))
    assert Decision.from_json(d.to_json().encode()) == d
    assert Decision.from_json(b"\xef\xbb\xbf" + d.to_json().encode()) == d
    assert Decision.from_json("\ufeff" + d.to_json()) == d
    refused(d.to_json().encode("gb18030"), "is not UTF-8 text")
    refused(d.to_json().encode("utf-16"), "is not UTF-8 text")
    refused(bytearray(b"\xff"), "byte 0 is 0xff")


def test_lone_surrogates_are_refused() -> None:
    text = json.dumps(document(result_id="x")).replace('"result_id": "x"', '"result_id": "\\ud800"')
    refused(text, "result_id", "lone surrogate")


# --- instants ---


@pytest.mark.parametrize(
    ("instant", "says"),
    [
        ("2024-03-01T08:30:00", "no UTC offset"),
        ("2024-03-01", "no UTC offset"),
        ("0001-01-01T00:00:00+08:00", "outside years 1 to 9999"),
        ("9999-12-31T23:59:59-05:00", "outside years 1 to 9999"),
        ("2024-03-01T08:30:00+25:00", "is not an ISO-8601 instant"),
        ("2024-02-30T08:30:00+08:00", "is not an ISO-8601 instant"),
        ("yesterday", "is not an ISO-8601 instant"),
        ("", "is not an ISO-8601 instant"),
    ],
)
def test_bad_instants_are_refused(instant: str, says: str) -> None:
    refused(document(evaluated_at=instant, expires_at=None), "evaluated_at", says)
    refused(document(expires_at=instant), "expires_at", says)


def test_instants_at_the_edges_of_the_calendar_read_back() -> None:
    first = datetime(1, 1, 1, tzinfo=UTC)
    last = datetime(9999, 12, 31, 23, 59, 59, 999999, tzinfo=UTC)
    d = Decision(Outcome.RECOGNISED, (), last, first, None, None, None, None, "1")
    assert Decision.from_json(d.to_json()) == d
    edge = datetime(1, 1, 1, 8, tzinfo=timezone(timedelta(hours=8)))
    d = Decision(Outcome.RECOGNISED, (), None, edge, None, None, None, None, "1")
    assert Decision.from_json(d.to_json()) == d


# --- a decision always serialises ---


@pytest.mark.parametrize("bad", [float("nan"), float("inf"), -float("inf")])
def test_findings_refuse_non_finite_numbers(bad: float) -> None:
    with pytest.raises(RecordError, match="finite") as info:
        Finding("value.out_of_range", Severity.BLOCK, {"value": bad})
    assert isinstance(info.value, ValueError)
    assert info.value.field == "data.value"


def test_findings_refuse_integers_too_wide_to_write() -> None:
    Finding("a.b", Severity.INFO, {"n": 1 << MAX_INT_BITS - 1})
    with pytest.raises(RecordError, match="too wide"):
        Finding("a.b", Severity.INFO, {"n": 1 << MAX_INT_BITS})


def test_a_trusted_finding_with_nan_fails_loudly_when_written() -> None:
    slipped = trusted_finding("value.out_of_range", Severity.BLOCK, {"value": float("nan")})
    d = decision(Outcome.NOT_RECOGNISED, BLOCK, slipped)
    with pytest.raises(RecordError) as info:
        d.to_json()
    assert info.value.field == "findings[1].data.value"
    assert "must be a finite number" in str(info.value)
    assert "fix the rule that reported 'value.out_of_range'" in str(info.value)
    with pytest.raises(RecordError) as info:
        Override(d, Action.ACCEPT, None, "doc-1", T0, "stable").to_json()
    assert str(info.value).startswith("override decision.findings[1].data.value = nan")


def test_a_trusted_finding_holding_a_datetime_is_named_when_written() -> None:
    odd = trusted_finding("acme.odd", Severity.INFO, {"at": T0})  # type: ignore[dict-item]
    with pytest.raises(RecordError, match="must be a JSON scalar"):
        decision(Outcome.RECOGNISED, odd).to_json()


def test_record_errors_pickle_and_are_result_errors() -> None:
    error = refused(document(outcome="x"), "outcome")
    back = pickle.loads(pickle.dumps(error))  # noqa: S301 (our own bytes)
    assert (back.record, back.field, back.value, str(back)) == (
        "decision",
        "outcome",
        "x",
        str(error),
    )
    assert isinstance(back, ResultError)
    missing = refused({**document(), "note": 1}, "note")
    assert str(pickle.loads(pickle.dumps(missing))) == str(missing)  # noqa: S301 (our own bytes)


# --- overrides ---


def override_document(**changes: Any) -> dict[str, Any]:
    o = Override(decision(), Action.REPEAT, Ground.EMERGENCY, "doc-1", T0, "抢救")
    raw = o.to_dict()
    raw.update(changes)
    return raw


@pytest.mark.parametrize(
    ("changes", "says"),
    [
        ({"schema": "mutrec.override/3"}, "override schema = 'mutrec.override/3'"),
        ({"action": "ignore"}, "override action = 'ignore': unknown action"),
        ({"ground": "whim"}, "override ground = 'whim': unknown ground"),
        ({"ground": 4}, "override ground = 4"),
        ({"ground": ["emergency"]}, "override ground = ['emergency']"),
        ({"ground": {"code": "x"}}, "override ground.zh: missing"),
        ({"ground": {"code": "Bad", "zh": "z", "en": "e"}}, "ground.code = 'Bad'"),
        ({"by": " "}, "non-blank"),
        ({"by": None}, "override by = None: must be a string"),
        ({"at": "2024-03-01T08:30:00"}, "override at = '2024-03-01T08:30:00': has no UTC offset"),
        ({"note": 3}, "override note = 3"),
        ({"decision": []}, "override decision = []: must be a JSON object"),
        ({"decision": {**decision().to_dict(), "outcome": "nope"}}, "override decision.outcome"),
        (
            {"decision": decision(Outcome.RECOGNISED, BLOCK).to_dict()},
            "override decision.outcome = 'recognised': contradicts",
        ),
        ({"action": "accept", "ground": None}, "agrees with outcome 'recognised'"),
        ({"ground": None}, "a repeat needs a ground"),
        ({"extra": 1}, "unknown key 'extra'"),
    ],
)
def test_hostile_overrides_are_refused_with_their_path(changes: dict[str, Any], says: str) -> None:
    text = json.dumps(override_document(**changes), ensure_ascii=False)
    with pytest.raises(RecordError) as info:
        Override.from_json(text)
    assert says in str(info.value)


def test_override_json_refuses_what_decision_json_refuses() -> None:
    with pytest.raises(RecordError, match="nested too deeply"):
        Override.from_json("[" * 100_000)
    with pytest.raises(RecordError, match="NaN is not a JSON number"):
        Override.from_json('{"schema": NaN}')
    with pytest.raises(RecordError, match="must be a JSON object"):
        Override.from_dict(None)


# --- properties: any input reads as a record or is refused as a MutrecError ---

json_scalars = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=8)
)
json_values = st.recursive(
    json_scalars,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3)
    ),
    max_leaves=8,
)
hostile_tokens = st.sampled_from(
    ["NaN", "Infinity", "-Infinity", "1e400", "1" + "0" * 5000, "[" * 5000, "{}", '"\\ud800"']
)


def reads_or_refuses(text: str | bytes) -> None:
    try:
        d = Decision.from_json(text)
    except MutrecError:
        return
    assert Decision.from_json(d.to_json()) == d


@given(
    st.sampled_from(sorted(document())),
    json_values | hostile_tokens.map(lambda token: ("token", token)),
)
def test_any_value_in_any_decision_field_reads_or_is_refused(key: str, value: object) -> None:
    raw = document()
    if isinstance(value, tuple):  # a token json.dumps cannot write: splice it in
        text = json.dumps({**raw, key: "__TOKEN__"}).replace('"__TOKEN__"', value[1])
    else:
        text = json.dumps({**raw, key: value})
    reads_or_refuses(text)


@given(st.integers(0, 2), st.sampled_from(["code", "severity", "data"]), json_values)
def test_any_value_in_any_finding_field_reads_or_is_refused(
    index: int, key: str, value: object
) -> None:
    raw = document()
    raw["findings"][index][key] = value
    reads_or_refuses(json.dumps(raw))


@given(st.text(max_size=40) | st.binary(max_size=40))
def test_any_text_reads_or_is_refused(text: str | bytes) -> None:
    reads_or_refuses(text)
    with contextlib.suppress(MutrecError):
        Override.from_json(text)


@given(hostile_tokens, st.integers(0, 400))
def test_hostile_tokens_anywhere_are_refused_or_read(token: str, cut: int) -> None:
    valid = decision(Outcome.RECOGNISED_WITH_CAUTION, CAUTION).to_json()
    reads_or_refuses(valid[:cut] + token + valid[cut:])


@given(st.sampled_from(sorted(override_document())), json_values)
def test_any_value_in_any_override_field_reads_or_is_refused(key: str, value: object) -> None:
    text = json.dumps({**override_document(), key: value})
    try:
        o = Override.from_json(text)
    except MutrecError:
        return
    assert Override.from_json(o.to_json()) == o


python_values = json_values | st.builds(object) | st.datetimes() | st.just(float("nan"))


@given(st.dictionaries(st.sampled_from([*document(), "x"]), python_values, max_size=12))
def test_any_python_mapping_reads_as_a_decision_or_is_refused(raw: dict[str, object]) -> None:
    with contextlib.suppress(MutrecError):
        Decision.from_dict({**document(), **raw})


# --- the value in the catalogue's unit (mutrec.decision/2) ---


def test_a_value_comes_with_its_unit_and_is_finite() -> None:
    refused(document(value=5.55, unit=None), "value = 5.55", "give both or none")
    refused(document(value=None, unit="mmol/L"), "give both or none")
    refused(document(value=True, unit="mmol/L"), "value = True", "finite number")
    refused(document(value="5.55", unit="mmol/L"), "value = '5.55'", "finite number")
    refused(document(value=[5.55], unit="mmol/L"), "finite number")
    refused('{"value": 1e400}'.replace("{", json.dumps(document())[:-1] + ", ", 1), "value")
    good = document(value=5.55, unit="mmol/L")
    assert Decision.from_json(json.dumps(good)).value == 5.55


def test_version_1_decisions_still_read_without_a_value() -> None:
    raw = document()
    for key in ("value", "unit", "issuer_id", "patient_id", "item_text"):
        del raw[key]
    raw["schema"] = "mutrec.decision/1"
    decision = Decision.from_json(json.dumps(raw))
    assert (decision.value, decision.unit) == (None, None)
    refused({**raw, "value": None, "unit": None}, "unknown key 'value'")  # /1 had none


# --- the issuer, patient and item as sent (mutrec.decision/3) ---


def test_version_2_decisions_still_read_without_the_source_facts() -> None:
    raw = document()
    for key in ("issuer_id", "patient_id", "item_text"):
        del raw[key]
    raw["schema"] = "mutrec.decision/2"
    decision = Decision.from_json(json.dumps(raw))
    assert (decision.issuer_id, decision.patient_id, decision.item_text) == (None, None, None)
    refused({**raw, "issuer_id": "BJ001"}, "unknown key 'issuer_id'")  # /2 had none


def test_the_source_facts_are_text_or_null() -> None:
    refused(document(issuer_id=3), "issuer_id = 3")
    refused(document(patient_id=["p1"]), "patient_id")
    refused(document(item_text={"a": 1}), "item_text")
    good = document(issuer_id="BJ001", patient_id="p1", item_text="LIS-0101")
    decision = Decision.from_json(json.dumps(good))
    assert (decision.issuer_id, decision.patient_id, decision.item_text) == (
        "BJ001",
        "p1",
        "LIS-0101",
    )
    assert Decision.from_json(decision.to_json()) == decision
