"""Reading platform rows with a profile: the Guangxi shape, the DE-coded XML upload, marks."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mutrec import ClinicalContext, Policy, load_example_region
from mutrec.errors import ArgumentError, CatalogueError, ResultError
from mutrec.interop import (
    Evidence,
    PlatformReading,
    load_profile,
    mark_disagreements,
    read_platform,
)
from mutrec.model.devices import Modality
from mutrec.model.results import ImagingResult, LabResult, Report
from tests.interop.platform_cases import (
    DE_XML,
    GUANGXI,
    HEADERS,
    WBC,
    csv_text,
    exam_row,
    header,
    indicator,
    json_text,
)

SH = ZoneInfo("Asia/Shanghai")
GX = load_profile("guangxi")
DE = load_profile("national-de")


def _check_guangxi(reading: PlatformReading) -> None:
    expected_results = [want for _, want in GUANGXI if want[0] == "result"]
    expected_problems = [want[1] for _, want in GUANGXI if want[0] == "problem"]
    kinds = [type(r.value).__name__ for r in reading.results if isinstance(r, LabResult)]
    assert kinds == [k for _, k in expected_results]
    assert len(reading.problems) == len(expected_problems)
    for problem, words in zip(reading.problems, expected_problems, strict=True):
        assert words in problem.message, problem
    assert len(reading.results) + len(reading.problems) == 20


@pytest.mark.parametrize("form", ["rows", "csv", "json", "json-bytes"])
def test_guangxi_twenty_rows_each_a_result_or_a_problem(form: str) -> None:
    rows = [row for row, _ in GUANGXI]
    payloads: tuple[object, object] = (HEADERS, rows)
    if form == "csv":
        payloads = (csv_text(HEADERS), csv_text(rows))
    elif form == "json":
        payloads = (json_text(HEADERS), json_text(rows))
    elif form == "json-bytes":
        payloads = (json_text(HEADERS).encode(), json_text(rows).encode())
    reading = read_platform(GX, *payloads, source="gx.json")
    _check_guangxi(reading)


def test_guangxi_values_times_ranges_and_evidence() -> None:
    reading = read_platform(GX, HEADERS, [row for row, _ in GUANGXI])
    wbc, mcv = reading.results[0], reading.results[1]
    assert isinstance(mcv, LabResult)
    assert isinstance(wbc, LabResult)
    assert wbc.item == WBC
    assert wbc.patient == "01|450102199001011234"
    assert wbc.issuer == "BJ001"
    assert wbc.specimen == "血清"
    assert wbc.collected == datetime(2024, 9, 23, 8, 10, tzinfo=SH)
    assert wbc.received == datetime(2024, 9, 23, 8, 40, tzinfo=SH)
    assert wbc.reported == datetime(2024, 9, 23, 10, 38, 53, tzinfo=SH)
    assert wbc.reference_range is not None
    assert (wbc.reference_range.low, wbc.reference_range.high) == (3.5, 9.5)
    assert wbc.mark == "广西"
    assert mcv.reference_range is not None
    assert mcv.reference_range.text == "82-100"
    ev = reading.evidence[1]
    assert (ev.abnormal, ev.abnormal_code, ev.marked, ev.report) == ("low", "22", True, "R1")
    censored = reading.results[5].value  # type: ignore[union-attr]
    assert (censored.comparator, censored.value) == ("<", 0.1)  # type: ignore[union-attr]
    assert reading.results[6].value.comparator == ">"  # type: ignore[union-attr]
    unmarked, unsaid = reading.evidence[11], reading.evidence[12]
    assert (unmarked.marked, unmarked.mark_scope, reading.results[11].mark) == (False, None, None)
    assert (unsaid.marked, unsaid.mark_code) == (None, None)
    assert reading.results[10].value.text == "0-2"  # type: ignore[union-attr]


def test_fields_the_profile_does_not_map_are_problems_not_silence() -> None:
    rows = [indicator("R1", WBC, "6.2", "10^9/L", resultStatus="F")]
    reading = read_platform(GX, [header("R1")], rows)
    assert len(reading.results) == 1
    assert [p.where for p in reading.problems] == ["result.resultStatus"]


def test_a_report_without_results_and_two_reports_with_one_number() -> None:
    reading = read_platform(GX, [header("R1"), header("R5")], [indicator("R1", WBC, "6")])
    assert "'R5' has no result" in reading.problems[0].message
    twice = [header("R1"), header("R1", SPECIMEN_NAME="全血")]
    reading = read_platform(GX, twice, [indicator("R1", WBC, "6")])
    assert "two different report rows" in reading.problems[0].message


def test_a_row_and_its_report_disagreeing_is_a_problem() -> None:
    rows = [indicator("R1", WBC, "6", orgCode="BJ002")]
    reading = read_platform(GX, [header("R1")], rows)
    assert "issuer: the row says 'BJ002', its report 'BJ001'" in reading.problems[0].message


def test_platform_codes_map_through_the_code_list_and_region() -> None:
    region = load_example_region()
    reading = read_platform(GX, HEADERS, [row for row, _ in GUANGXI[:3]], region=region)
    assert [r.item for r in reading.results] == ["WBC", "K"]
    assert "0100601A" in reading.problems[0].message  # MCV: no item of the region carries it


def test_issuer_table() -> None:
    rows = [indicator("R1", WBC, "6")]
    reading = read_platform(GX, [header("R1")], rows, issuer={"BJ001": "BJ001"})
    assert reading.complete
    reading = read_platform(GX, [header("R1")], rows, issuer={"X": "BJ001"})
    assert "issuer map" in reading.problems[0].message


def test_exam_rows() -> None:
    reading = read_platform(GX, [exam_row()])
    assert reading.complete, reading.problems
    (exam,) = reading.results
    assert isinstance(exam, ImagingResult)
    assert (exam.item, exam.modality, exam.body_part) == ("CT-CHEST", Modality.CT, "胸部")
    assert exam.device is not None
    assert exam.device.model == "SOMATOM Definition AS"
    assert (exam.image_link, exam.report_text) == ("https://film.example/s/1", "未见异常")
    assert exam.performed == datetime(2024, 9, 23, 9, tzinfo=SH)
    assert reading.evidence[0].unknown == ("study_uid",)
    no_images = read_platform(GX, [exam_row(image_exist_mark="0")]).results[0]
    assert no_images.image_link is None  # type: ignore[union-attr]
    odd = read_platform(GX, [exam_row(check_type_name="PET-CT")])
    assert "modality text" in odd.problems[0].message


def test_de_coded_xml_upload() -> None:
    region = load_example_region()
    reading = read_platform(DE, DE_XML, source="upload.xml", region=region)
    assert [r.item for r in reading.results] == ["K", "Na"]
    assert len(reading.problems) == 1
    assert "value is missing" in reading.problems[0].message
    assert reading.problems[0].where == "report[0].items[0].item[2]"
    k, na = reading.results
    assert isinstance(k, LabResult)
    assert k.collected == datetime(2024, 3, 1, 8, tzinfo=SH)
    assert k.patient == "01|450102199001011234"
    assert na.value.comparator == "<"  # type: ignore[union-attr]
    assert [e.abnormal for e in reading.evidence] == ["normal", "abnormal"]
    assert reading.evidence[0].report == "L-2024-0001"


def test_mark_disagreements_both_ways() -> None:
    policy = Policy.from_region(load_example_region())
    rows = [
        indicator("R1", "002503010010000", "4.1", "mmol/L", orgCode="TJ003", mtuRecMark="1"),
        indicator("R2", "002501010010000", "6.2", "10*9/L", orgCode="TJ003", mtuRecMark="2"),
    ]
    times = {"SAMPLE_TIME": "2024-03-01 08:00:00", "ACCEPT_SAMPLE_TIME": "2024-03-01 08:30:00",
             "TEST_REPORT_DATE": "2024-03-01 11:00:00", "ORG_CODE": "TJ003"}  # fmt: skip
    heads = [header("R1", **times), header("R2", **times, SPECIMEN_NAME="全血")]
    reading = read_platform(GX, heads, rows, region=load_example_region())
    assert reading.complete, reading.problems
    at = datetime(2024, 3, 2, 9, tzinfo=SH)
    context = ClinicalContext(patient="01|450102199001011234")
    decisions = [
        policy.evaluate(r, receiver="BJ001", at=at, context=context) for r in reading.results
    ]
    found = mark_disagreements(reading, decisions)
    kinds = {d.item: d.kind for d in found}
    # TJ003 failed the chemistry EQA: its potassium, marked, is not recognised; its WBC, not
    # marked, is.
    assert kinds == {"K": "marked_but_not_recognised", "WBC": "recognised_but_not_marked"}
    assert "qc.failed" in next(d for d in found if d.item == "K").reasons
    with pytest.raises(ArgumentError):
        mark_disagreements(reading, decisions[:1])


def test_bad_arguments_and_unreadable_payloads() -> None:
    with pytest.raises(ArgumentError):
        read_platform("guangxi", [])  # type: ignore[arg-type]
    with pytest.raises(ArgumentError):
        read_platform(GX, [], form="yaml")
    with pytest.raises(ResultError, match="not JSON"):
        read_platform(GX, "[{")
    with pytest.raises(ResultError, match="DTD"):
        read_platform(GX, '<!DOCTYPE a [<!ENTITY b "c">]><a>&b;</a>')
    ragged = "testReportNo,dataCode\nR1,X,extra\n"
    assert "cells" in read_platform(GX, ragged).problems[0].message


def test_evidence_type() -> None:
    assert Evidence("x").unknown == ()


def test_a_profile_file_with_mistakes(tmp_path: Path) -> None:
    bad = tmp_path / "p.toml"
    bad.write_text(
        'kind = "platform"\nschema_version = 1\nname = "x"\nzone = "Mars/Base"\n'
        '[result]\nkey = "n"\nvalu = "v"\n[abnormal_codes]\n"1" = "fine"\n'
        '[modalities]\n"X" = "XR"\n',
        encoding="utf-8",
    )
    with pytest.raises(CatalogueError) as caught:
        load_profile(bad)
    messages = " | ".join(p.message for p in caught.value.problems)
    for words in ("unknown time zone", "not a field mutrec reads", "'fine' is not one of",
                  "unknown modality", "is missing"):  # fmt: skip
        assert words in messages


NASTY = st.one_of(
    st.text(max_size=30),
    st.sampled_from(["NA", "/", "", "小于", "大于-1e999", "1e999", "nan", "＜０.１", "0" * 18,
                     "-", "阳性", "4,1", "1-3", "82-100", "\u0000", "2024-02-30 10:00:00",
                     "0001-01-01 00:00:00", "9999-12-31 23:59:59", "2024-09-23 10:38:53"]),
)  # fmt: skip
FIELDS = ("testIndexResult", "testIndexUint", "normalRefLimit", "anomalyCode", "mtuRecMark",
          "dataCode", "orgCode")  # fmt: skip


@settings(max_examples=200, deadline=None)
@given(
    values=st.lists(st.tuples(st.sampled_from(FIELDS), NASTY), max_size=5),
    head=st.tuples(st.sampled_from(["SAMPLE_TIME", "ID_NO", "TEST_REPORT_DATE"]), NASTY),
)
def test_nasty_cells_give_a_result_or_a_problem_per_row(
    values: list[tuple[str, str]], head: tuple[str, str]
) -> None:
    row = indicator("R1", WBC, "6.2", "10^9/L")
    row.update(dict(values))
    reading = read_platform(GX, [header("R1", **dict([head]))], [row])
    assert len(reading.results) + len(reading.problems) >= 1
    assert len(reading.results) <= 1


def test_mark_lines_compare_too() -> None:
    region = load_example_region()
    policy = Policy.from_region(region)
    times = {"SAMPLE_TIME": "2024-03-01 08:00:00", "TEST_REPORT_DATE": "2024-03-01 11:00:00",
             "ACCEPT_SAMPLE_TIME": "2024-03-01 08:30:00", "ORG_CODE": "TJ003"}  # fmt: skip
    rows = [indicator("R1", "002503010010000", "4.1", "mmol/L", orgCode="TJ003")]
    reading = read_platform(GX, [header("R1", **times)], rows, region=region)
    results = tuple(reading.results)
    report = Report("R1", "TJ003", results[0].patient, results)
    lines = policy.mark(report, "京津冀鲁检验互认(示例)", at=datetime(2024, 3, 1, 12, tzinfo=SH))
    (found,) = mark_disagreements(reading, lines)
    assert (found.kind, found.reasons) == ("marked_but_not_recognised", ("qc.failed",))


@pytest.mark.parametrize(
    "payload",
    [
        '<!DOCTYPE r [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;&a;">]><r><x>&b;</x></r>',
        '<!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><r><x>&x;</x></r>',
        "<r><x>" + "y" * (100 * 1024 * 1024) + "</x></r>",
        b"<r><x>" + b"y" * (100 * 1024 * 1024) + b"</x></r>",
        "[" * 100_000,
    ],
    ids=["billion-laughs", "external-entity", "100MB-text", "100MB-bytes", "deep-json"],
)
def test_hostile_uploads_are_refused(payload: str | bytes) -> None:
    with pytest.raises(ResultError):
        read_platform(GX, payload)
