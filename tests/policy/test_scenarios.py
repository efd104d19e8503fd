"""Scenario tests on the bundled example region: every rule, every ground, every reason code.

The region is illustrative (invented institutions and EQA outcomes on real item lists and
windows); the decisions here follow from its data, which the comments cite.
"""

from __future__ import annotations

import shutil
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import attrs
import pytest

from mutrec.errors import ArgumentError, CatalogueError, TimeZoneError
from mutrec.examples import path
from mutrec.files.region import load_region
from mutrec.model.catalogue import Catalogue
from mutrec.model.patient import CareSetting
from mutrec.model.programs import Program
from mutrec.model.results import LabResult, Measured, Modality, Report, Result, parse_value
from mutrec.policy import (
    Decision,
    Ground,
    Lang,
    LocalGround,
    Outcome,
    Policy,
    ProgramSettings,
    Purpose,
    Severity,
    default_reasons,
)
from tests.policy.scenarios import (
    IMAGING,
    LAB,
    SETTINGS,
    SH,
    at,
    context,
    imaging,
    lab,
    policy,
    region,
)

REACHED: dict[str, Decision] = {}
NOW = datetime(2026, 3, 10, 9, tzinfo=SH)  # the 2025–27 cycle, and the county alliance
JIANGSU = """
[acceptance]
source = "苏卫医政〔2022〕18号"
rules = [
  { issuer_min = "二级甲等", receiver_min = "二级甲等" },
  { issuer_max = "二级乙等", receiver_max = "二级乙等" },
  { issuer_not_lower = true },
]
"""


def decide(
    result: object, receiver: str = "TJ001", when: datetime | None = None, **ctx: object
) -> Decision:
    decision = policy().evaluate(
        result,  # type: ignore[arg-type]
        receiver=receiver,
        at=at(3) if when is None else when,
        context=context(**ctx),
    )
    for code in decision.codes:
        REACHED.setdefault(code, decision)
    assert Decision.from_json(decision.to_json()) == decision
    return decision


def only(decision: Decision) -> str:
    assert len(decision.findings) == 1, decision.codes
    return decision.findings[0].code


def test_recognised_lab_result_expires_with_its_window() -> None:
    # K: 7 days from the report instant (Hubei reference limit) → 2024-03-08 12:00.
    d = decide(lab())
    assert d.outcome is Outcome.RECOGNISED
    assert d.findings == ()
    assert d.expires_at == at(8, 12)
    assert (d.program_id, d.catalogue_version, d.item_code) == (LAB, "2023-2024", "K")
    assert "有效至 2024-03-08 12:00 (+08:00)" in d.explain("zh")
    assert "recognised until 2024-03-08 12:00 (+08:00)" in d.explain("en")


def test_emergency_window_is_shorter() -> None:
    d = decide(lab(), setting=CareSetting.EMERGENCY)
    assert d.expires_at == at(2, 12)  # 24 hours in the emergency setting
    assert d.outcome is Outcome.NOT_RECOGNISED
    assert d.codes == ("window.expired", "ground.emergency")


def test_item_resolves_by_alias_loinc_and_local_code() -> None:
    for name in ("钾离子", "ｋ", "LIS-0101"):
        assert decide(lab(name)).item_code == "K"
    assert decide(lab("X", loinc="2823-3")).item_code == "K"


def test_catalogue_not_listed_and_no_catalogue() -> None:
    single = Policy(
        [region().programs[LAB]], institutions=region().institutions, quality=region().quality
    )
    d = single.evaluate(
        lab("Ferritin", "50", "ng/mL"), receiver="TJ001", at=at(3), context=context()
    )
    assert only(d) == "catalogue.not_listed"
    REACHED.setdefault("catalogue.not_listed", d)
    # The lab catalogue is in force 2023-07-01 .. 2024-06-30.
    old = attrs.evolve(
        lab(),
        collected=at(1, 8, month=3) - timedelta(days=365),
        reported=at(1, 12, month=3) - timedelta(days=365),
    )
    d = decide(old)
    assert only(d) == "catalogue.no_catalogue"
    assert d.outcome is Outcome.NOT_RECOGNISED


def test_unknown_item_under_several_programs() -> None:
    d = decide(lab("Ferritin", "50", "ng/mL"))
    assert only(d) == "policy.no_program"
    assert d.program_id is None


def test_membership() -> None:
    # BJ004 is no member (and has no quality record either).
    assert decide(lab(issuer="BJ004")).codes == ("membership.not_member", "qc.no_record")
    # TJ002 left on 2023-12-31 and came back on 2024-03-01.
    assert decide(lab(issuer="TJ002")).outcome is Outcome.RECOGNISED
    feb = attrs.evolve(
        lab(issuer="TJ002"), collected=at(20, 8, month=2), reported=at(20, 9, month=2)
    )
    assert "membership.not_member" in decide(feb, when=at(21, month=2)).codes
    # BJ003 is a member for 13 items only.
    assert only(decide(lab("ALT", "20", "U/L", issuer="BJ003"))) == "membership.not_member"
    nameless = lab()
    object.__setattr__(nameless, "issuer", "")
    assert "membership.unknown_issuer" in decide(nameless).codes


def test_scope() -> None:
    assert only(decide(lab(), receiver="ZZ999")) == "scope.unknown_receiver"
    assert only(decide(lab(), receiver="")) == "scope.unknown_receiver"
    narrow = Policy.from_region(
        region(), settings={LAB: attrs.evolve(SETTINGS[LAB], scope_regions=("11", "12", "13"))}
    )
    d = narrow.evaluate(lab(), receiver="SD001", at=at(3), context=context())
    assert only(d) == "scope.outside"
    REACHED.setdefault("scope.outside", d)
    # Without scope regions the scope is the members: BJ004 is none. (Explicit settings
    # replace the program's [policy] table as a whole, so this has no scope regions.)
    members = Policy.from_region(region(), settings={LAB: ProgramSettings()})
    assert only(members.evaluate(lab(), receiver="BJ004", at=at(3), context=context())) == (
        "scope.outside"
    )
    assert members.evaluate(lab(), receiver="SD001", at=at(3), context=context()).outcome is (
        Outcome.RECOGNISED
    )


def test_quality() -> None:
    # TJ003 failed chemistry in the provincial EQA for 2024 H1.
    d = decide(lab(issuer="TJ003"))
    assert only(d) == "qc.failed"
    assert d.findings[0].data["period"] == "2024-01-01/2024-06-30"
    assert decide(lab("WBC", "6.1", "10*9/L", issuer="TJ003")).outcome is Outcome.RECOGNISED
    # SD002 has a quality record for Hb only.
    assert only(decide(lab("WBC", "6.1", "10*9/L", issuer="SD002"))) == "qc.no_record"
    lenient = Policy.from_region(
        region(), settings={LAB: ProgramSettings(severities={"qc.no_record": "caution"})}
    )
    d = lenient.evaluate(
        lab("WBC", "6.1", "10*9/L", issuer="SD002"), receiver="TJ001", at=at(3), context=context()
    )
    assert d.outcome is Outcome.RECOGNISED_WITH_CAUTION


def test_window() -> None:
    assert only(decide(lab(), when=at(9))) == "window.expired"
    assert decide(lab(), when=at(8, 11)).outcome is Outcome.RECOGNISED
    assert only(decide(lab(), when=at(8, 12))) == "window.expired"  # the end is exclusive
    assert only(decide(lab(day=5))) == "window.future"
    assert only(decide(lab(reported=False))) == "window.no_time"
    k = region().programs[LAB].catalogues[0].get("K")
    assert k is not None
    bare = attrs.evolve(k, window=None)
    catalogue = region().programs[LAB].catalogues[0]
    items = tuple(bare if i.code == "K" else i for i in catalogue.items)
    program = attrs.evolve(
        region().programs[LAB], catalogues=(attrs.evolve(catalogue, items=items),)
    )
    no_window = Policy([program], institutions=region().institutions, quality=region().quality)
    d = no_window.evaluate(lab(), receiver="TJ001", at=at(3), context=context())
    assert only(d) == "window.no_window"
    REACHED.setdefault("window.no_window", d)


def test_imaging() -> None:
    d = decide(imaging(), receiver="BJ002")
    assert d.outcome is Outcome.RECOGNISED
    assert d.expires_at == at(31, 10)  # 30 days from the examination
    assert only(decide(imaging(rows=8), receiver="BJ002")) == "imaging.device_insufficient"
    assert only(decide(imaging(rows=None), receiver="BJ002")) == "imaging.no_device"
    assert decide(imaging(device=False), receiver="BJ002").codes == ("imaging.no_device",)
    assert only(decide(imaging(images=False), receiver="BJ002")) == "imaging.no_images"
    mr = imaging("MR-HEAD", tesla=1.0, rows=None, modality=imaging().modality.MR)
    assert decide(mr, receiver="BJ002").findings[0].data["actual"] == "1.0 T"
    chest_film = imaging("DR-CHEST", rows=None, device=False, modality=Modality.DR)
    assert decide(chest_film, receiver="BJ002").outcome is Outcome.RECOGNISED


def test_value() -> None:
    assert only(decide(lab(value="40"))) == "value.implausible"
    assert only(decide(lab(unit="U/L"))) == "value.unconvertible"
    assert only(decide(lab(unit=None))) == "value.unconvertible"
    # 18 mg/dL of potassium is 4.6 mmol/L: converted with its molar mass, then plausible.
    assert decide(lab(value="18", unit="mg/dL")).outcome is Outcome.RECOGNISED
    # Censored: no plausibility check, but ">10" may be past K's critical 6.2: a caution.
    assert decide(lab(value=">10")).codes == ("value.critical",)
    assert decide(lab("anti-HCV", "阴性", None)).outcome is Outcome.RECOGNISED
    empty = lab()
    object.__setattr__(empty, "value", None)
    assert only(decide(empty)) == "value.missing"


def test_patient() -> None:
    assert only(decide(lab(), patient=None)) == "patient.unknown"
    assert only(decide(lab(patient=""))) == "patient.unknown"
    assert only(decide(lab(patient="p2"))) == "patient.mismatch"


@pytest.mark.parametrize(
    ("fields", "ground"),
    [
        ({"condition_changed": True}, Ground.CONDITION_CHANGED),
        ({"rapid_change": True}, Ground.RAPID_CHANGE),
        ({"purposes": [Purpose.BEFORE_SURGERY]}, Ground.MAJOR_INTERVENTION),
        ({"purposes": [Purpose.BEFORE_TRANSFUSION]}, Ground.MAJOR_INTERVENTION),
        ({"setting": CareSetting.EMERGENCY}, Ground.EMERGENCY),
        ({"resuscitation": True}, Ground.EMERGENCY),
        ({"purposes": [Purpose.FORENSIC]}, Ground.MEDICO_LEGAL),
        ({"purposes": [Purpose.DISABILITY]}, Ground.MEDICO_LEGAL),
        ({"purposes": [Purpose.SICK_LEAVE_RETIREMENT]}, Ground.MEDICO_LEGAL),
        ({"other_need": "疑似检验误差"}, Ground.OTHER),
    ],
)
def test_each_ground_tells_the_doctor_a_repeat_is_justified(
    fields: dict[str, object], ground: Ground
) -> None:
    # K is critical to interventions and fast-changing in the example settings.
    d = decide(lab(), "TJ001", at(1, 13), **fields)
    assert ground.code in d.codes
    finding = d.findings[d.codes.index(ground.code)]
    assert finding.severity is Severity.CAUTION
    assert f"ground {ground.number}" in d.explain("en")
    assert "可以复查" in d.explain("zh")
    assert d.outcome is Outcome.RECOGNISED_WITH_CAUTION


def test_grounds_limited_to_program_items() -> None:
    # ALT is neither critical nor fast-changing in the example settings.
    d = decide(lab("ALT", "20", "U/L"), purposes=[Purpose.BEFORE_SURGERY], rapid_change=True)
    assert d.codes == ()


def test_local_ground() -> None:
    d = decide(lab(), local_grounds=["patient_request"])
    assert d.codes == ("ground.local",)
    assert "患者要求复查" in d.explain("zh")
    assert "the patient asks for a repeat" in d.explain("en")
    match = r"'context.local_grounds' = 'astrology': expected a local ground of program .*"
    with pytest.raises(ArgumentError, match=match + "it has: patient_request"):
        decide(lab(), local_grounds=["astrology"])


def test_missing_data_never_recognised() -> None:
    worst = lab(reported=False, patient="")
    object.__setattr__(worst, "value", None)
    d = decide(worst, receiver="ZZ999", patient=None)
    assert d.outcome is Outcome.NOT_RECOGNISED
    assert set(d.codes) == {
        "scope.unknown_receiver",
        "window.no_time",
        "value.missing",
        "patient.unknown",
    }


def test_naive_at_is_refused() -> None:
    with pytest.raises(TimeZoneError):
        policy().evaluate(lab(), receiver="TJ001", at=at(3).replace(tzinfo=None), context=context())
    with pytest.raises(ArgumentError, match="aware datetime"):
        policy().evaluate(lab(), receiver="TJ001", at="2024-03-03", context=context())  # type: ignore[arg-type]


def test_override_on_statutory_and_local_grounds() -> None:
    d = decide(lab())
    o = policy().override(
        d, action="repeat", ground=Ground.CONDITION_CHANGED, by="doc-1", at=at(3), note="血钾波动"
    )
    assert "ground 1" in o.explain("en")
    local = policy().override(d, action="repeat", ground="patient_request", by="doc-1", at=at(3))
    assert isinstance(local.ground, LocalGround)
    assert local.ground.code == "patient_request"
    with pytest.raises(ValueError, match="unknown ground"):
        policy().override(d, action="repeat", ground="whim", by="doc-1", at=at(3))


def test_mark() -> None:
    report = Report(
        "R1",
        "TJ003",
        "p1",
        (
            lab(issuer="TJ003"),
            lab("WBC", "6", "10*9/L", issuer="TJ003"),
            lab("Ferritin", "50", "ng/mL", issuer="TJ003"),
        ),
    )
    lines = policy().mark(report, LAB, at(1, 12))
    assert [line.marked for line in lines] == [False, True, False]
    assert lines[0].findings[0].code == "qc.failed"
    assert lines[1].form == "京津冀HR"
    assert lines[2].findings[0].code == "catalogue.not_listed"
    jilin = Policy.from_region(
        region(), settings={IMAGING: ProgramSettings(mark_forms={"imaging": "吉林省HR"})}
    )
    ct = jilin.mark(Report("R2", "BJ001", "p1", (imaging(),)), IMAGING, at(1, 16))
    assert ct[0].form == "吉林省HR"
    early = policy().mark(Report("R3", "BJ001", "p1", (lab(),)), LAB, at(1, 7))
    assert early[0].findings[0].code == "window.future"


def test_order_check_picks_newest_passing_prior_and_fee() -> None:
    priors: list[Result] = [
        lab(day=1),  # passes
        lab(day=2, issuer="TJ003"),  # newer, but TJ003 failed chemistry EQA
        lab("Glu", "5.2", day=1),
        imaging(day=1, rows=8),
    ]
    check = policy().check_order(
        ["K", "葡萄糖", "CT-HEAD", "ALT"], priors, receiver="TJ001", at=at(3), context=context()
    )
    k, glu, ct, alt = check.lines
    assert k.recognised
    assert k.result is priors[0]
    assert [d.codes for d in k.rejected] == [("qc.failed",)]
    assert k.fee_saved > 0
    assert k.bucket is not None
    assert glu.item_code == "Glu"
    assert glu.recognised
    assert not ct.recognised
    assert ct.rejected[0].codes == ("scope.outside", "imaging.device_insufficient")
    assert alt.result is None
    assert alt.rejected == ()
    assert check.fee_saved == k.fee_saved + glu.fee_saved
    assert check.currency == "CNY"


# --- the facts a result carries, checked against its item (issue: fail safe on real input) ---


@pytest.mark.parametrize("text", ["溶血", "阴性", "N/A", "see comment", "3-5", "4,1", "nan", "inf"])
def test_text_where_a_number_belongs_is_not_recognised(text: str) -> None:
    d = decide(lab(value=text))
    assert d.codes == ("value.not_numeric",)
    assert d.findings[0].data["value"] == text
    assert f'"{text}"' in d.explain("en")


def test_a_number_for_a_qualitative_item_is_not_recognised() -> None:
    d = decide(lab("anti-HCV", "0.12", None))
    assert d.codes == ("value.not_qualitative",)
    assert decide(lab("anti-HCV", "阴性", None)).outcome is Outcome.RECOGNISED


def test_urine_glucose_is_not_a_serum_glucose() -> None:
    d = decide(lab("Glu", "5.2", specimen="urine"))
    assert d.codes == ("specimen.mismatch",)
    assert "尿葡萄糖不是血清葡萄糖" in d.explain("zh")
    assert decide(lab("Glu", "5.2", specimen="血清")).outcome is Outcome.RECOGNISED
    assert decide(lab("Glu", "5.2", specimen="Blood")).codes == ("specimen.unclear",)
    assert decide(lab("Glu", "5.2", specimen=None)).codes == ("specimen.missing",)
    assert decide(lab("Glu", "5.2", specimen="  ")).codes == ("specimen.missing",)


def test_a_region_may_soften_a_missing_specimen_but_not_a_wrong_one() -> None:
    soft = Policy.from_region(
        region(),
        settings={LAB: attrs.evolve(SETTINGS[LAB], severities={"specimen.missing": "caution"})},
    )
    missing = soft.evaluate(lab(specimen=None), receiver="TJ001", at=at(3), context=context())
    assert missing.outcome is Outcome.RECOGNISED_WITH_CAUTION
    wrong = soft.evaluate(lab(specimen="urine"), receiver="TJ001", at=at(3), context=context())
    assert wrong.outcome is Outcome.NOT_RECOGNISED


@pytest.mark.parametrize(
    "code", ["qc.failed", "membership.not_member", "scope.outside", "imaging.device_insufficient",
             "value.unconvertible", "specimen.mismatch", "value.not_numeric"]
)  # fmt: skip
def test_national_preconditions_cannot_be_softened(code: str) -> None:
    with pytest.raises(CatalogueError, match=f"severities.{code}: must stay block"):
        ProgramSettings(severities={code: "caution"})


@pytest.mark.parametrize(
    ("item", "modality", "body_part", "code"),
    [
        ("CT-HEAD", Modality.US, "HEAD", "imaging.modality_mismatch"),
        ("CT-HEAD", Modality.MR, "HEAD", "imaging.modality_mismatch"),
        ("CT-HEAD", Modality.PET, "HEAD", "imaging.modality_mismatch"),
        ("DR-CHEST", Modality.DR, "ABDOMEN", "imaging.body_part_mismatch"),
        ("DR-CHEST", Modality.DR, "", "imaging.no_body_part"),
    ],
)
def test_an_examination_is_the_item_it_claims(
    item: str, modality: Modality, body_part: str, code: str
) -> None:
    d = decide(imaging(item, modality=modality, body_part=body_part), receiver="BJ002")
    assert code in d.codes
    assert d.outcome is Outcome.NOT_RECOGNISED
    chest = imaging("DR-CHEST", modality=Modality.DR, body_part="胸部", rows=None, device=False)
    assert decide(chest, receiver="BJ002").outcome is Outcome.RECOGNISED


def test_a_report_released_after_the_decision_is_not_current() -> None:
    d = decide(lab(), when=at(1, 10))  # collected 08:00, reported 12:00
    assert d.codes == ("window.report_future",)
    assert d.expires_at is None


def test_a_fresh_report_on_an_old_draw_is_not_current() -> None:
    old_draw = attrs.evolve(lab(), collected=at(1, 8) - timedelta(days=60))
    d = decide(old_draw)
    assert d.codes == ("window.specimen_too_old",)
    assert "48小时" in d.explain("zh") or "48 小时" in d.explain("zh")
    assert decide(lab("Glu", "5.2")).outcome is Outcome.RECOGNISED  # Glu has no cap


def test_the_same_instant_in_any_zone_expires_at_the_same_instant() -> None:
    utc = attrs.evolve(
        lab(),
        collected=lab().collected.astimezone(ZoneInfo("UTC")),
        reported=at(1, 23).astimezone(ZoneInfo("UTC")),  # 15:00 UTC = 23:00 in Shanghai
    )
    local = attrs.evolve(lab(), reported=at(1, 23))
    assert decide(utc).expires_at == decide(local).expires_at == at(8, 23)


def test_a_window_past_the_calendar_is_not_recognised() -> None:
    late = datetime(9999, 12, 10, 9, tzinfo=SH)
    scan = attrs.evolve(imaging(), performed=late, reported=late + timedelta(hours=1))
    d = decide(scan, receiver="BJ002", when=late + timedelta(days=5))
    assert "window.out_of_range" in d.codes
    assert d.outcome is Outcome.NOT_RECOGNISED


@pytest.mark.parametrize("blank", [" ", "\t", "\u3000"])
def test_a_blank_patient_is_unknown_never_a_match(blank: str) -> None:
    assert only(decide(lab(patient=blank), patient=blank)) == "patient.unknown"


def test_a_critical_prior_value_asks_to_recheck_the_patient() -> None:
    d = decide(lab(value="6.8"))
    assert d.codes == ("value.critical",)
    assert d.outcome is Outcome.RECOGNISED_WITH_CAUTION
    assert "重新评估患者" in d.explain("zh")
    assert decide(lab("Glu", ">30", "mmol/L")).codes == ("value.critical",)  # may be higher


def test_a_recognised_number_is_carried_in_the_catalogue_unit() -> None:
    d = decide(lab("Glu", "100", "mg/dL"))
    assert d.outcome is Outcome.RECOGNISED
    assert (round(d.value or 0, 2), d.unit) == (5.55, "mmol/L")  # never a bare foreign unit
    assert Decision.from_json(d.to_json()) == d
    assert (decide(lab("anti-HCV", "阴性", None)).value, decide(lab(value=">10")).value) == (
        None,
        None,
    )  # a reading, a censored value: no number to carry


def test_a_value_past_float_range_is_unconvertible_and_the_decision_still_serialises() -> None:
    d = decide(lab(value="1e308", unit="mol/L"))  # x 1000 to mmol/L: past float's range
    assert d.codes == ("value.unconvertible",)
    assert Decision.from_json(d.to_json()) == d


def test_no_fee_is_saved_on_a_prior_that_is_not_a_number() -> None:
    check = policy().check_order(
        ["K"], [lab(value="溶血")], receiver="TJ001", at=at(3), context=context()
    )
    assert not check.lines[0].recognised
    assert check.fee_saved == 0


def test_marking_checks_what_the_result_is() -> None:
    view = policy().view(IMAGING)
    report = Report(
        "R1", "BJ001", "p1",
        [imaging(rows=8), imaging(images=False), imaging("CT-HEAD", modality=Modality.US)],
    )  # fmt: skip
    lines = policy().mark(report, IMAGING, at(2))
    assert [line.marked for line in lines] == [False, False, False]
    assert [line.findings[0].code for line in lines] == [
        "imaging.device_insufficient",
        "imaging.no_images",
        "imaging.modality_mismatch",
    ]
    lab_report = Report("R2", "BJ001", "p1", [lab(value="溶血"), lab()])
    assert [line.marked for line in policy().mark(lab_report, LAB, at(2))] == [False, True]
    assert view.program.name == IMAGING


def test_acceptance_by_hospital_grade(tmp_path: Path) -> None:
    # Jiangsu (苏卫医政〔2022〕18号) on a copy of the example region: TJ002 (二级乙等) to TJ001
    # (三级甲等) is refused, the other way accepted; BJ004 (一级, no grade) cannot be placed.
    folder = tmp_path / "region"
    shutil.copytree(path("region"), folder)
    program = folder / "program-jjjl.toml"
    program.write_text(
        program.read_text(encoding="utf-8").replace("[policy]", JIANGSU + "\n[policy]"),
        encoding="utf-8",
    )
    jiangsu = Policy.from_region(load_region(folder), settings=SETTINGS, version="test-1")

    def graded(issuer: str, receiver: str) -> Decision:
        decision = jiangsu.evaluate(
            lab(issuer=issuer), receiver=receiver, at=at(3), context=context()
        )
        for code in decision.codes:
            REACHED.setdefault(code, decision)
        return decision

    assert graded("TJ002", "TJ001").codes == ("grade.not_accepted",)
    assert graded("TJ001", "TJ002").outcome is Outcome.RECOGNISED
    assert graded("TJ001", "BJ004").codes[-1] == "grade.unknown_tier"
    assert decide(lab(issuer="TJ002")).codes == ()  # the example program has no matrix


def blood_group(days: float, issuer: str = "HB102") -> LabResult:
    drawn = NOW - timedelta(days=days)
    return LabResult(
        "ABO-RhD", parse_value("A型 RhD阳性", None), drawn, issuer, "p1", reported=drawn,
        specimen="whole blood",
    )  # fmt: skip


def test_windows_by_clinical_context() -> None:
    # The county alliance's blood group (UK minimum retesting intervals): 3 days after a
    # transfusion in the last 3 months; an unstated transfusion applies the shorter window.
    transfused = {"transfusion": NOW - timedelta(days=10), "pregnancy": None}
    recent = decide(blood_group(2), "HB101", NOW, events=transfused)
    assert recent.outcome is Outcome.RECOGNISED
    assert only(decide(blood_group(4), "HB101", NOW, events=transfused)) == "context.expired"
    assumed = decide(blood_group(2), "HB101", NOW)
    assert set(assumed.codes) == {"context.assumed_shorter"}
    assert assumed.outcome is Outcome.RECOGNISED
    assert set(decide(blood_group(4), "HB101", NOW).codes) == {"context.expired_unknown"}
    drawn = NOW - timedelta(days=10)
    lipid = LabResult(
        "TC", parse_value("5.2", "mmol/L"), drawn, "BJ001", "p1", reported=drawn,
        specimen="serum",
    )  # fmt: skip
    assert only(decide(lipid, when=NOW)) == "context.unknown"  # a caution, per the data
    changed = {"therapy_change": NOW - timedelta(days=5)}
    assert only(decide(lipid, when=NOW, events=changed)) == "context.expired"


def test_the_doctor_names_an_item_that_changes_fast() -> None:
    # Glu is not on the program's rapid_items: ground 2 when the doctor names it.
    assert decide(lab("Glu", "5.1"), rapid_change=True).codes == ()
    assert only(decide(lab("Glu", "5.1"), rapid_items=["Glu"])) == "ground.rapid_change"


def test_every_reason_code_is_reached_and_explained_in_both_languages() -> None:
    # Runs last in this module (pytest keeps file order): every scenario above fed REACHED.
    missing = set(default_reasons()) - set(REACHED)
    assert not missing, sorted(missing)
    for code, decision in REACHED.items():
        langs: tuple[Lang, ...] = ("zh", "en")
        for lang in langs:
            text = decision.explain(lang)
            line = list(text.splitlines()[1:])
            assert line, (code, lang)
            assert "?" not in text.replace("？", ""), (code, lang, text)


def test_lab_result_type_is_checked_by_policy() -> None:
    assert isinstance(lab(), LabResult)
    assert isinstance(lab().value, Measured)
    assert isinstance(region().programs[LAB], Program)
    assert isinstance(region().programs[LAB].catalogues[0], Catalogue)
