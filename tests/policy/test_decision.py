"""Findings, outcomes, decisions, overrides: construction, explanation, exact JSON round trip."""

from __future__ import annotations

import json
import pickle
from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mutrec.errors import ResultError, TimeZoneError
from mutrec.policy import (
    Action,
    Decision,
    Finding,
    FrozenData,
    Ground,
    LocalGround,
    Outcome,
    Override,
    Severity,
    combine,
    default_reasons,
)

T0 = datetime(2024, 3, 1, 8, 30, tzinfo=timezone(timedelta(hours=8)))

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(),
)
aware_instants = st.datetimes(
    min_value=datetime(1900, 1, 1),  # noqa: DTZ001 (hypothesis bounds)
    max_value=datetime(2200, 1, 1),  # noqa: DTZ001 (hypothesis bounds)
    timezones=st.timezones(),
).filter(lambda d: d.utcoffset() is not None)
findings = st.builds(
    Finding,
    st.sampled_from(sorted(default_reasons())) | st.just("acme.fasting"),
    st.sampled_from(Severity),
    st.dictionaries(st.text(max_size=8), scalars, max_size=4),
)
opt_text = st.none() | st.text(max_size=12)


@st.composite
def decisions(draw: st.DrawFn) -> Decision:
    """Consistent decisions, as a policy makes them: the outcome is what the findings combine
    to, and a recognised decision expires after it was made (or never)."""
    found = tuple(draw(st.lists(findings, max_size=4)))
    outcome = combine(found)
    evaluated_at = draw(aware_instants)
    expires_at = draw(st.none() | aware_instants)
    if outcome.recognised and expires_at is not None and expires_at <= evaluated_at:
        later = st.timedeltas(timedelta(microseconds=1), timedelta(days=3650))
        expires_at = evaluated_at + draw(later)
    return Decision(
        outcome,
        found,
        expires_at,
        evaluated_at,
        draw(opt_text),
        draw(opt_text),
        draw(opt_text),
        draw(opt_text),
        draw(st.text(max_size=5)),
        draw(opt_text),
    )


def decision(outcome: Outcome = Outcome.RECOGNISED, *found: Finding) -> Decision:
    return Decision(outcome, found, T0 + timedelta(days=7), T0, "r1", "H2", "jjj", "2024.1", "1")


@given(decisions())
def test_decision_json_round_trip_is_exact(d: Decision) -> None:
    text = d.to_json()
    back = Decision.from_json(text)
    assert back == d
    assert back.to_json() == text
    assert [f.data for f in back.findings] == [f.data for f in d.findings]
    for mine, theirs in zip(d.findings, back.findings, strict=True):
        for key, value in mine.data.items():
            assert type(theirs.data[key]) is type(value)


@given(decisions())
def test_decision_pickles(d: Decision) -> None:
    assert pickle.loads(pickle.dumps(d)) == d  # noqa: S301 (our own bytes)


@given(
    decisions(),
    st.sampled_from(Action),
    st.sampled_from(Ground)
    | st.builds(LocalGround, st.just("patient_request"), st.text(), st.text())
    | st.none(),
    st.text(min_size=1).filter(str.strip),
    aware_instants,
    st.text(),
)
def test_override_json_round_trip_is_exact(  # noqa: PLR0917 (hypothesis arguments)
    d: Decision,
    action: Action,
    ground: Ground | LocalGround | None,
    by: str,
    at: datetime,
    note: str,
) -> None:
    try:
        o = Override(d, action, ground, by, at, note)
    except ValueError:
        return  # agrees with the recommendation, or lacks its ground or justification: refused
    assert Override.from_json(o.to_json()) == o
    assert Override.from_json(o.to_json()).to_json() == o.to_json()


def test_combine_orders_block_over_caution_over_info() -> None:
    info = Finding("a.b", Severity.INFO)
    caution = Finding("a.c", Severity.CAUTION)
    block = Finding("a.d", Severity.BLOCK)
    assert combine([info]) is Outcome.RECOGNISED
    assert combine([info, caution]) is Outcome.RECOGNISED_WITH_CAUTION
    assert combine([caution, block, info]) is Outcome.NOT_RECOGNISED


def test_frozen_data_refuses_non_scalars_and_mutation() -> None:
    with pytest.raises(TypeError, match="JSON scalar"):
        FrozenData({"at": T0})  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="finite"):
        FrozenData({"x": float("nan")})
    with pytest.raises(TypeError, match="keys must be str"):
        FrozenData({1: 2})  # type: ignore[arg-type]
    data = FrozenData({"a": 1})
    with pytest.raises(AttributeError):
        data.x = 1
    assert data != FrozenData({"a": True})
    assert data != FrozenData({"a": 1, "b": 2})
    assert data != FrozenData({"b": 1})
    assert data != "a"
    assert hash(data) == hash(FrozenData({"a": 1}))
    assert repr(data) == "FrozenData({'a': 1})"


def test_decision_refuses_naive_instants() -> None:
    with pytest.raises(TimeZoneError):
        Decision(Outcome.RECOGNISED, (), None, datetime(2024, 3, 1), None, None, None, None, "1")  # noqa: DTZ001
    with pytest.raises(TypeError, match="must be a datetime"):
        Decision(Outcome.RECOGNISED, (), "x", T0, None, None, None, None, "1")  # type: ignore[arg-type]


def test_decision_from_json_refuses_naive_and_wrong_schema() -> None:
    raw = decision().to_dict()
    raw["evaluated_at"] = "2024-03-01T08:30:00"
    with pytest.raises(ResultError, match=r"evaluated_at .* no UTC offset"):
        Decision.from_dict(raw)
    raw["evaluated_at"] = None
    with pytest.raises(ValueError, match="must not be null"):
        Decision.from_dict(raw)
    raw["evaluated_at"] = 5
    with pytest.raises(TypeError, match="ISO-8601"):
        Decision.from_dict(raw)
    with pytest.raises(ValueError, match="not a mutrec decision"):
        Decision.from_dict({**raw, "schema": "mutrec.decision/0"})


def test_decision_json_keeps_chinese_and_offsets() -> None:
    d = decision(
        Outcome.NOT_RECOGNISED, Finding("scope.outside", Severity.BLOCK, {"mark": "京津冀HR"})
    )
    raw = json.loads(d.to_json())
    assert raw["evaluated_at"] == "2024-03-01T08:30:00+08:00"
    assert "京津冀HR" in d.to_json()
    assert raw["findings"][0] == {
        "code": "scope.outside",
        "severity": "block",
        "data": {"mark": "京津冀HR"},
    }


def test_explain_both_languages() -> None:
    d = decision(
        Outcome.NOT_RECOGNISED,
        Finding("scope.outside", Severity.BLOCK, {"receiver": "H9", "mark": "京津冀HR"}),
    )
    zh, en = d.explain("zh"), d.explain("en")
    assert zh.startswith("结论：不予互认")
    assert "接诊机构 H9 不在互认标识“京津冀HR”的范围内。" in zh
    assert en.startswith("Outcome: not recognised")
    assert 'outside the scope of the mark "京津冀HR"' in en
    assert "2024-03-08 08:30 (+08:00)" in decision().explain("en")
    with pytest.raises(ValueError, match="lang"):
        d.explain("fr")  # type: ignore[arg-type]


def test_explain_unknown_code_and_missing_placeholder() -> None:
    d = decision(
        Outcome.RECOGNISED_WITH_CAUTION,
        Finding("acme.fasting", Severity.CAUTION, {"hours": 3, "ok": False}),
        Finding("acme.plain", Severity.INFO),
        Finding("window.expired", Severity.BLOCK, {"window": "7d"}),
    )
    en = d.explain("en")
    assert "acme.fasting (hours=3, ok=no)" in en
    assert "- acme.plain" in en
    assert "expired at ?" in en
    assert "ok=否" in d.explain("zh")
    assert "有效至" in d.explain("zh")


def test_terms_are_translated() -> None:
    d = decision(
        Outcome.RECOGNISED_WITH_CAUTION,
        Finding(
            "ground.major_intervention",
            Severity.CAUTION,
            {"item": "Hb", "purpose": "before_transfusion"},
        ),
        Finding("value.missing", Severity.BLOCK, {"value": None}),
    )
    assert "输血前" in d.explain("zh")
    assert "before transfusion" in d.explain("en")
    assert "（—）" in d.explain("zh")


def test_override_refuses_agreeing_with_recommendation() -> None:
    with pytest.raises(ValueError, match="against the recommendation"):
        Override(decision(Outcome.NOT_RECOGNISED), Action.REPEAT, Ground.OTHER, "d1", T0)
    with pytest.raises(ValueError, match="against the recommendation"):
        Override(decision(Outcome.RECOGNISED), Action.ACCEPT, Ground.OTHER, "d1", T0)
    with pytest.raises(ValueError, match="non-blank"):
        Override(decision(), Action.REPEAT, Ground.OTHER, " ", T0)
    with pytest.raises(TypeError, match="ground"):
        Override(decision(), Action.REPEAT, 3, "d", T0)
    with pytest.raises(TimeZoneError):
        Override(decision(), Action.REPEAT, Ground.OTHER, "d", datetime(2024, 1, 1))  # noqa: DTZ001
    with pytest.raises(ValueError, match="not a mutrec override"):
        Override.from_json(decision().to_json())


def test_override_explains_every_ground() -> None:
    for ground in Ground:
        o = Override(decision(), "repeat", ground, "doc-1", T0, "血小板周转快")
        assert f"on ground {ground.number}:" in o.explain("en")
        assert "复查情形" in o.explain("zh")
        assert o.explain("zh").endswith("血小板周转快")
    local = LocalGround("patient_request", "患者要求复查", "the patient asks for a repeat")
    o = Override(decision(Outcome.RECOGNISED_WITH_CAUTION), Action.REPEAT, local, "d", T0)
    assert "on a local ground: the patient asks for a repeat" in o.explain("en")
    assert o.to_dict()["ground"] == {
        "code": "patient_request",
        "zh": "患者要求复查",
        "en": "the patient asks for a repeat",
    }


def test_local_ground_validation() -> None:
    for bad in ("Emergency", "", "a-b", "emergency", "1x", "病人"):
        with pytest.raises(ValueError, match="snake word"):
            LocalGround(bad, "z", "e")


def test_instants_in_utc_render() -> None:
    d = Decision(
        Outcome.RECOGNISED, (), None, datetime(2024, 1, 1, tzinfo=UTC), None, None, None, None, "1"
    )
    assert Decision.from_json(d.to_json()).evaluated_at.utcoffset() == timedelta(0)
