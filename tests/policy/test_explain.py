"""Explanations render finding data readably per language; the data stays machine-readable."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from mutrec.policy import (
    Action,
    Decision,
    Finding,
    Ground,
    LocalGround,
    Outcome,
    Override,
    Severity,
    default_reasons,
)

T0 = datetime(2024, 3, 1, 8, 30, tzinfo=timezone(timedelta(hours=8)))
BLOCKED = Finding("window.expired", Severity.BLOCK, {"window": "7d"})


def expired(window: str) -> Finding:
    return Finding(
        "window.expired",
        Severity.BLOCK,
        {"window": window, "expires_at": "2024-03-08T12:00:00+08:00", "at": T0.isoformat()},
    )


@pytest.mark.parametrize(
    ("window", "zh", "en"),
    [
        ("7d", "7天", "7 days"),
        ("1d", "1天", "1 day"),
        ("1mo", "1个月", "1 month"),
        ("3mo", "3个月", "3 months"),
        ("24h", "24小时", "24 hours"),
        ("1h", "1小时", "1 hour"),
        ("7dates", "7个自然日", "7 calendar dates"),
        ("1dates", "1个自然日", "1 calendar date"),
    ],
)
def test_window_spans_render_per_language(window: str, zh: str, en: str) -> None:
    finding = expired(window)
    assert default_reasons().explain(finding, "zh").startswith(f"结果已超过互认时限：{zh}，已于")
    assert f"past its validity window of {en}:" in default_reasons().explain(finding, "en")
    assert finding.data["window"] == window  # the data stays machine-readable


def test_span_rendering_leaves_the_json_alone() -> None:
    d = Decision(Outcome.NOT_RECOGNISED, (expired("7d"),), None, T0, None, None, None, None, "1")
    assert d.to_dict()["findings"][0]["data"]["window"] == "7d"
    assert "7 days" in d.explain("en")
    assert "7d" not in d.explain("en")
    assert "7天" in d.explain("zh")


def test_a_window_that_is_not_a_span_shows_as_it_is() -> None:
    finding = expired("a week")
    assert "past its validity window of a week:" in default_reasons().explain(finding, "en")


def test_accept_cites_no_ground_but_the_doctors_justification() -> None:
    d = Decision(Outcome.NOT_RECOGNISED, (BLOCKED,), None, T0, None, None, None, None, "1")
    o = Override(d, Action.ACCEPT, None, "doc-1", T0, "同一天复查值稳定，临床判断可用")
    assert o.ground is None
    en, zh = o.explain("en"), o.explain("zh")
    assert "ground" not in en
    assert "复查情形" not in zh
    assert en == (
        "Doctor doc-1 decided at 2024-03-01 08:30 (+08:00) to accept the prior result, "
        "on the doctor's judgement: 同一天复查值稳定，临床判断可用."
    )
    assert zh == (
        "医师 doc-1 于 2024-03-01 08:30 (+08:00) 决定采纳原结果，"
        "理由（医师判断）：同一天复查值稳定，临床判断可用。"
    )
    assert o.to_dict()["ground"] is None
    assert Override.from_json(o.to_json()) == o


def test_accept_requires_a_justification_and_refuses_a_ground() -> None:
    d = Decision(Outcome.NOT_RECOGNISED, (BLOCKED,), None, T0, None, None, None, None, "1")
    with pytest.raises(ValueError, match="justification"):
        Override(d, Action.ACCEPT, None, "doc-1", T0)
    with pytest.raises(ValueError, match="justification"):
        Override(d, Action.ACCEPT, None, "doc-1", T0, "  ")
    with pytest.raises(ValueError, match="re-examination ground"):
        Override(d, Action.ACCEPT, Ground.OTHER, "doc-1", T0, "reason")
    local = LocalGround("patient_request", "患者要求复查", "the patient asks for a repeat")
    with pytest.raises(ValueError, match="re-examination ground"):
        Override(d, Action.ACCEPT, local, "doc-1", T0, "reason")
    with pytest.raises(ValueError, match="non-blank"):
        Override(d, Action.ACCEPT, None, " ", T0, "reason")


def test_repeat_requires_a_ground() -> None:
    d = Decision(Outcome.RECOGNISED, (), None, T0, None, None, None, None, "1")
    with pytest.raises(ValueError, match="repeat needs a ground"):
        Override(d, Action.REPEAT, None, "doc-1", T0)


def test_record_accepts_without_a_ground() -> None:
    d = Decision(Outcome.NOT_RECOGNISED, (BLOCKED,), None, T0, None, None, None, None, "1")
    o = Override.record(d, "accept", None, "doc-1", T0, "clinical judgement")
    assert o.ground is None
    with pytest.raises(ValueError, match="re-examination ground"):
        Override.record(d, "accept", "other", "doc-1", T0, "clinical judgement")


def test_version_1_records_still_read() -> None:
    d = Decision(Outcome.NOT_RECOGNISED, (BLOCKED,), None, T0, "r1", None, None, None, "1")
    old = {
        "schema": "mutrec.override/1",
        "decision": d.to_dict(),
        "action": "accept",
        "ground": "other",
        "by": "doc-1",
        "at": T0.isoformat(),
        "note": "",
    }
    o = Override.from_dict(old)
    assert o.action is Action.ACCEPT
    assert o.ground is None
    assert "mutrec.override/1" in o.note
    assert "other" in o.note
    with_note = Override.from_dict({**old, "note": "值稳定"})
    assert with_note.note == "值稳定"
    repeat = Override.from_dict(
        {
            **old,
            "decision": Decision(
                Outcome.RECOGNISED, (), None, T0, None, None, None, None, "1"
            ).to_dict(),
            "action": "repeat",
            "ground": "emergency",
        }
    )
    assert repeat.ground is Ground.EMERGENCY
    assert repeat.to_dict()["schema"] == "mutrec.override/2"


def test_explain_is_unchanged_for_utc() -> None:
    d = Decision(
        Outcome.RECOGNISED, (), None, datetime(2024, 3, 1, tzinfo=UTC), None, None, None, None, "1"
    )
    assert d.explain("en") == "Outcome: recognised; no repeat is needed."
