"""Scenario tests of the field rules on the example region, with the published cases.

- Jiangsu (苏卫医政〔2022〕18号): 二级甲等 and above recognise each other, 二级乙等 and below
  recognise each other, lower levels accept higher — both ways of one pair; Inner Mongolia:
  lower levels accept higher, by level only.
- A medical alliance member recognises an item outside the regional catalogue (2024 guidance).
- Blood group after a transfusion (UK minimum retesting intervals): 3 days, not 3 months.
- The doctor's ground 2 for any item; overrides dated before their decision are refused.

The grade and context-window rules are default rules; the policies here are the default ones.
"""

from __future__ import annotations

import json
import shutil
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mutrec.errors import ArgumentError, MutrecError, RecordError
from mutrec.examples import path
from mutrec.files.region import Region, load_region
from mutrec.model.patient import PatientContext, Sex
from mutrec.model.programs import ProgramKind
from mutrec.model.results import LabResult, Report, parse_value
from mutrec.policy import (
    ClinicalContext,
    Decision,
    Outcome,
    Override,
    Policy,
    Severity,
    default_reasons,
    default_rules,
)
from tests.policy.scenarios import LAB, SETTINGS, SH, at, lab, region

REACHED: dict[str, tuple[Policy, Decision]] = {}
ALLIANCE = "示例县医共体"
NOW = datetime(2026, 3, 10, 9, tzinfo=SH)  # inside the 2025–27 cycle and the alliance
JIANGSU = """
[acceptance]
source = "苏卫医政〔2022〕18号"
rules = [
  { issuer_min = "二级甲等", receiver_min = "二级甲等" },
  { issuer_max = "二级乙等", receiver_max = "二级乙等" },
  { issuer_not_lower = true },
]
"""
MONGOLIA = """
[acceptance]
compare = "level"
source = "内蒙古 2022"
rules = [{ issuer_not_lower = true }]
"""


def field_policy(the_region: Region) -> Policy:
    return Policy.from_region(the_region, settings=SETTINGS, version="field-1")


def region_with(tmp_path: Path, table: str) -> Region:
    folder = tmp_path / "region"
    shutil.copytree(path("region"), folder)
    program = folder / "program-jjjl.toml"
    text = program.read_text(encoding="utf-8")
    # The table goes before [policy]: after it, its keys would belong to [policy].
    program.write_text(text.replace("[policy]", table + "\n[policy]"), encoding="utf-8")
    return load_region(folder)


def decide(
    policy: Policy, result: LabResult, receiver: str, when: datetime, **ctx: object
) -> Decision:
    ctx.setdefault("patient", "p1")
    decision = policy.evaluate(
        result,
        receiver=receiver,
        at=when,
        context=ClinicalContext(**ctx),  # type: ignore[arg-type]
    )
    for code in decision.codes:
        REACHED.setdefault(code, (policy, decision))
    assert Decision.from_json(decision.to_json()) == decision
    return decision


# --- hospital grade --------------------------------------------------------------------------


def test_jiangsu_matrix_both_ways(tmp_path: Path) -> None:
    policy = field_policy(region_with(tmp_path, JIANGSU))
    # TJ002 is 二级乙等, TJ001 三级甲等: the lower accepts the higher, not the other way.
    up = decide(policy, lab(issuer="TJ002"), "TJ001", at(3))
    assert up.outcome is Outcome.NOT_RECOGNISED
    assert up.codes == ("grade.not_accepted",)
    assert dict(up.findings[0].data)["issuer_tier"] == "二级乙等"
    text = policy.explain(up, "zh")
    assert "三级甲等机构不互认二级乙等机构" in text
    assert "苏卫医政〔2022〕18号" in text
    down = decide(policy, lab(issuer="TJ001"), "TJ002", at(3))
    assert down.outcome is Outcome.RECOGNISED, down.codes


def test_jiangsu_second_grade_a_and_above_recognise_each_other(tmp_path: Path) -> None:
    policy = field_policy(region_with(tmp_path, JIANGSU))
    # BJ003 二级甲等 → TJ001 三级甲等: both at or above 二级甲等.
    assert decide(policy, lab(issuer="BJ003"), "TJ001", at(3)).outcome is Outcome.RECOGNISED
    assert decide(policy, lab(issuer="BJ001"), "BJ003", at(3)).outcome is Outcome.RECOGNISED


def test_an_ungraded_receiver_is_a_missing_datum_never_a_guess(tmp_path: Path) -> None:
    policy = field_policy(region_with(tmp_path, JIANGSU))
    # BJ004 is 一级 without a grade: where 一级 sits against 二级乙等 is unknown.
    decision = decide(policy, lab(issuer="TJ001"), "BJ004", at(3))
    assert decision.outcome is Outcome.NOT_RECOGNISED
    assert "grade.unknown_tier" in decision.codes
    assert dict(decision.findings[-1].data)["who"] == "receiver"


def test_inner_mongolia_lower_levels_accept_higher(tmp_path: Path) -> None:
    policy = field_policy(region_with(tmp_path, MONGOLIA))
    # By level only: BJ004 (一级, no grade) is placed, and accepts a 三级 issuer.
    assert decide(policy, lab(issuer="TJ001"), "BJ004", at(3)).outcome is Outcome.RECOGNISED
    refused = decide(policy, lab(issuer="BJ003"), "TJ001", at(3))
    assert refused.codes == ("grade.not_accepted",)
    assert decide(policy, lab(issuer="BJ001"), "TJ001", at(3)).outcome is Outcome.RECOGNISED


def test_a_program_without_a_matrix_ignores_grades() -> None:
    policy = field_policy(region())
    assert decide(policy, lab(issuer="TJ002"), "TJ001", at(3)).outcome is Outcome.RECOGNISED


# --- medical alliances -----------------------------------------------------------------------


def crp(issuer: str = "HB102", days: float = 1) -> LabResult:
    t = NOW - timedelta(days=days)
    return LabResult(
        "CRP", parse_value("8.2", "mg/L"), t, issuer, "p1", reported=t, specimen="serum"
    )


def test_an_alliance_member_recognises_an_item_outside_the_regional_catalogue() -> None:
    the_region = region()
    assert the_region.programs[ALLIANCE].kind is ProgramKind.ALLIANCE
    assert the_region.programs[LAB].catalogue_at(NOW, "CRP") is None
    policy = field_policy(the_region)
    decision = decide(policy, crp(), "HB101", NOW)
    assert decision.outcome is Outcome.RECOGNISED, decision.codes
    assert decision.program_id == ALLIANCE


def test_outside_the_alliance_the_item_is_not_recognised() -> None:
    policy = field_policy(region())
    outside = decide(policy, crp(), "TJ001", NOW)  # TJ001 is not a member
    assert outside.outcome is Outcome.NOT_RECOGNISED
    assert outside.codes == ("scope.outside",)
    no_qc = decide(policy, crp(issuer="HB103"), "HB101", NOW)  # a member without an EQA record
    assert no_qc.codes == ("qc.no_record",)


def test_an_alliance_of_all_items_recognises_regional_items_among_members(
    tmp_path: Path,
) -> None:
    folder = tmp_path / "region"
    shutil.copytree(path("region"), folder)
    alliance = folder / "alliance-county.toml"
    text = alliance.read_text(encoding="utf-8")
    alliance.write_text(
        text.replace('catalogues = ["示例县医共体互认项目"]', 'items = "all"'), encoding="utf-8"
    )
    policy = field_policy(load_region(folder))
    t = NOW - timedelta(days=1)
    k = LabResult("K", parse_value("4.1", "mmol/L"), t, "HB101", "p1", reported=t, specimen="serum")
    decision = decide(policy, k, "HB102", NOW)
    assert decision.outcome is Outcome.RECOGNISED, decision.codes
    assert decision.program_id == ALLIANCE
    # The regional program alone would refuse it: HB101 is not a regional member.
    regional = field_policy(region())
    assert decide(regional, k, "HB102", NOW).outcome is Outcome.NOT_RECOGNISED


# --- windows by clinical context -------------------------------------------------------------


def blood_group(days: float) -> LabResult:
    t = NOW - timedelta(days=days)
    return LabResult(
        "ABO-RhD", parse_value("A型 RhD阳性", None), t, "HB102", "p1", reported=t,
        specimen="whole blood",
    )  # fmt: skip


@pytest.mark.parametrize(("days", "outcome"), [(2, Outcome.RECOGNISED), (4, None)])
def test_blood_group_after_a_transfusion_holds_three_days(
    days: int, outcome: Outcome | None
) -> None:
    policy = field_policy(region())
    transfused = {"transfusion": NOW - timedelta(days=10), "pregnancy": None}
    decision = decide(policy, blood_group(days), "HB101", NOW, events=transfused)
    if outcome is None:
        assert decision.codes == ("context.expired",)
        assert dict(decision.findings[0].data)["span"] == "3d"
    else:
        assert decision.outcome is outcome, decision.codes
        assert decision.expires_at == blood_group(days).collected + timedelta(days=3)


def test_blood_group_without_a_transfusion_holds_three_months() -> None:
    policy = field_policy(region())
    none = {"transfusion": None, "pregnancy": None}
    assert decide(policy, blood_group(20), "HB101", NOW, events=none).outcome is (
        Outcome.RECOGNISED
    )


def test_a_sample_drawn_before_the_transfusion_is_not_current() -> None:
    policy = field_policy(region())
    events = {"transfusion": NOW - timedelta(days=1), "pregnancy": None}
    decision = decide(policy, blood_group(2), "HB101", NOW, events=events)
    assert decision.codes == ("context.expired",)


def test_an_unstated_transfusion_applies_the_shorter_window() -> None:
    policy = field_policy(region())
    fresh = decide(policy, blood_group(2), "HB101", NOW)
    assert fresh.outcome is Outcome.RECOGNISED
    assert set(fresh.codes) == {"context.assumed_shorter"}
    stale = decide(policy, blood_group(4), "HB101", NOW)
    assert stale.outcome is Outcome.NOT_RECOGNISED
    assert set(stale.codes) == {"context.expired_unknown"}


def test_a_pregnant_patient_gets_the_shorter_window() -> None:
    policy = field_policy(region())
    facts = PatientContext(Sex.FEMALE, pregnant=True)
    decision = decide(
        policy, blood_group(4), "HB101", NOW, events={"transfusion": None}, patient_facts=facts
    )
    assert decision.codes == ("context.expired",)


def lipid(days: float) -> LabResult:
    t = NOW - timedelta(days=days)
    return LabResult(
        "TC", parse_value("5.2", "mmol/L"), t, "BJ001", "p1", reported=t, specimen="serum"
    )


def test_lipids_before_a_therapy_change_are_not_current() -> None:
    policy = field_policy(region())
    changed = {"therapy_change": NOW - timedelta(days=5)}
    assert decide(policy, lipid(10), "TJ001", NOW, events=changed).codes == ("context.expired",)
    assert decide(policy, lipid(3), "TJ001", NOW, events=changed).outcome is Outcome.RECOGNISED


def test_an_unstated_therapy_change_is_a_caution_per_the_data() -> None:
    policy = field_policy(region())
    decision = decide(policy, lipid(10), "TJ001", NOW)
    assert decision.outcome is Outcome.RECOGNISED_WITH_CAUTION
    assert decision.codes == ("context.unknown",)


# --- ground 2 as the doctor names it ---------------------------------------------------------


def test_the_doctor_may_name_any_item_as_changing_fast() -> None:
    policy = field_policy(region())
    glu = lab("Glu", "5.1")
    assert "ground.rapid_change" not in decide(policy, glu, "TJ001", at(3), rapid_change=True).codes
    named = decide(policy, glu, "TJ001", at(3), rapid_items={"Glu"})
    assert named.codes == ("ground.rapid_change",)
    # K is on the program's list: the grounds rule says it once, not twice.
    both = decide(policy, lab(), "TJ001", at(3), rapid_change=True, rapid_items=["K"])
    assert both.codes.count("ground.rapid_change") == 1


# --- overrides -------------------------------------------------------------------------------


def test_an_override_dated_before_its_decision_is_refused() -> None:
    policy = field_policy(region())
    decision = decide(policy, lab(), "TJ001", at(3))
    assert decision.outcome is Outcome.RECOGNISED
    early = decision.evaluated_at - timedelta(minutes=1)
    with pytest.raises(ArgumentError, match="at or after the decision"):
        policy.override(decision, action="repeat", ground="emergency", by="d1", at=early)
    fine = policy.override(
        decision, action="repeat", ground="emergency", by="d1", at=decision.evaluated_at
    )
    record = json.loads(fine.to_json())
    record["at"] = (decision.evaluated_at - timedelta(days=1)).isoformat()
    with pytest.raises(RecordError, match="at or after the decision"):
        Override.from_json(json.dumps(record))


@given(st.integers(min_value=-(10**6), max_value=10**6))
def test_an_override_is_refused_exactly_when_it_predates_the_decision(seconds: int) -> None:
    policy = field_policy(region())
    decision = policy.evaluate(
        lab(), receiver="TJ001", at=at(3), context=ClinicalContext(patient="p1")
    )
    when = decision.evaluated_at + timedelta(seconds=seconds)
    try:
        Override(decision, "repeat", "other", "d1", when)
    except ArgumentError:
        assert seconds < 0
    else:
        assert seconds >= 0


# --- nasty contexts --------------------------------------------------------------------------

NASTY = st.one_of(
    st.none(),
    st.text(max_size=5),
    st.integers(),
    st.floats(),
    st.datetimes(),
    st.datetimes(timezones=st.just(SH)),
    st.lists(st.text(max_size=3), max_size=3),
    st.dictionaries(st.text(max_size=12), st.none() | st.datetimes(), max_size=3),
    st.dictionaries(
        st.sampled_from(["transfusion", "pregnancy", "therapy_change"]),
        st.none() | st.datetimes(timezones=st.just(SH)) | st.datetimes(),
        max_size=3,
    ),
)


@given(events=NASTY, items=NASTY)
def test_nasty_events_and_items_are_refused_or_decided(events: object, items: object) -> None:
    try:
        context = ClinicalContext(patient="p1", events=events, rapid_items=items)  # type: ignore[arg-type]
    except MutrecError:
        return
    policy = field_policy(region())
    for result in (blood_group(2), lipid(3)):
        decision = policy.evaluate(result, receiver="HB101", at=NOW, context=context)
        assert decision.outcome in set(Outcome)


def test_every_field_reason_code_is_reached_and_explained_in_both_languages() -> None:
    # Runs last in this module: the scenarios above fed REACHED.
    codes = {code for code in default_reasons() if code.startswith(("grade.", "context."))}
    assert codes - set(REACHED) == set()
    for code in codes:
        policy, decision = REACHED[code]
        reason = policy.reasons[code]
        assert (
            reason.severity is next(f.severity for f in decision.findings if f.code == code)
            or reason.severity is Severity.BLOCK
        )
        for lang in ("zh", "en"):
            text = policy.explain(decision, lang)
            assert "?" not in text.replace("？", ""), (code, lang, text)


def test_an_alliance_marks_nothing() -> None:
    policy = field_policy(region())
    report = Report("R1", "HB102", "p1", [crp()])
    lines = policy.mark(report, ALLIANCE, NOW)
    assert [line.marked for line in lines] == [False]
    assert lines[0].item_code == "CRP"


class _Quiet:
    """Reports nothing: placed first, it sends every evaluation down the plain path."""

    code_prefix = "quiet"

    def check(self, subject: object, /) -> tuple[()]:
        del subject
        return ()


def test_the_fast_pass_and_the_plain_path_agree_on_the_field_rules(tmp_path: Path) -> None:
    the_region = region_with(tmp_path, JIANGSU)
    fast = Policy.from_region(the_region, settings=SETTINGS, version="v")
    plain = Policy.from_region(
        the_region, [_Quiet(), *default_rules()], settings=SETTINGS, version="v"
    )
    transfused = {"transfusion": NOW - timedelta(days=10)}
    cases = [
        (lab(issuer="TJ002"), "TJ001", at(3), {}),
        (lab(issuer="TJ001"), "BJ004", at(3), {}),
        (blood_group(2), "HB101", NOW, {"events": transfused}),
        (blood_group(4), "HB101", NOW, {}),
        (lipid(10), "TJ001", NOW, {}),
        (crp(), "HB101", NOW, {"rapid_items": ["CRP"]}),
    ]
    for result, receiver, when, ctx in cases:
        context = ClinicalContext(patient="p1", **ctx)  # type: ignore[arg-type]
        a = fast.evaluate(result, receiver=receiver, at=when, context=context)
        b = plain.evaluate(result, receiver=receiver, at=when, context=context)
        assert a == b, (a.codes, b.codes)
