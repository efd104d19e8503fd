"""Hand-written ORU^R01 messages (v2.5.1 segment definitions) read as a hospital means them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from mutrec.errors import ArgumentError
from mutrec.interop import Reading
from mutrec.interop.hl7v2 import read_oru
from mutrec.model.results import Censored, LabResult, Measured, Polarity, Qualitative
from mutrec.model.windows import Anchor
from tests.interop._hl7_messages import basic, message, msh, obr, obx, pid, spm

SH = ZoneInfo("Asia/Shanghai")
PLUS8 = timezone(timedelta(hours=8))


def only(reading: Reading) -> LabResult:
    assert reading.complete, reading.problems
    assert len(reading) == 1
    result = reading.results[0]
    assert isinstance(result, LabResult)
    return result


def problem(reading: Reading) -> str:
    assert not reading.results, reading.results
    assert len(reading.problems) == 1, reading.problems
    return str(reading.problems[0])


def test_a_final_potassium_reads_every_field() -> None:
    result = only(read_oru(basic()))
    assert result.item == "2823-3"
    assert result.loinc == "2823-3"
    assert isinstance(result.value, Measured)
    assert result.value.value == 4.1
    assert result.value.unit is not None
    assert result.value.unit.code == "mmol/L"
    assert result.collected == datetime(2024, 3, 1, 8, 5, tzinfo=PLUS8)
    assert result.reported == datetime(2024, 3, 1, 11, 40, tzinfo=PLUS8)
    assert result.issuer == "H001"
    assert result.patient == "P0001"
    assert result.reference_range is not None
    assert (result.reference_range.low, result.reference_range.high) == (3.5, 5.3)
    assert result.reference_range.text == "3.5-5.3"


def test_local_code_is_the_item_and_the_loinc_is_kept() -> None:
    code = "LIS-0101^钾^99LIS^2823-3^Potassium^LN"
    result = only(read_oru(basic(obx(code=code))))
    assert (result.item, result.loinc) == ("LIS-0101", "2823-3")


def test_a_loinc_with_a_wrong_check_digit_is_refused() -> None:
    reading = read_oru(basic(obx(code="2823-4^Potassium^LN")))
    assert "not a LOINC code" in problem(reading)


def test_repeated_obx_and_several_obr_groups() -> None:
    text = message(
        msh(),
        pid(),
        obr(),
        obx("4.1", number="1"),
        obx("140", code="2951-2^Sodium^LN", unit="mmol/L", ranges="137-147", number="2"),
        obr(observed="20240302090000+0800", reported="20240302100000+0800"),
        obx("5.6", code="GLU^葡萄糖^L", unit="mmol/L", ranges="3.9-6.1"),
    )
    reading = read_oru(text)
    assert reading.complete
    assert [r.item for r in reading.results] == ["2823-3", "2951-2", "GLU"]
    assert reading.results[2].anchor_instant(Anchor.COLLECTION) == datetime(
        2024, 3, 2, 9, tzinfo=PLUS8
    )


def test_a_corrected_result_is_read() -> None:
    result = only(read_oru(basic(obx("4.4", status="C"))))
    assert isinstance(result.value, Measured)
    assert result.value.value == 4.4


@pytest.mark.parametrize(
    ("status", "words"),
    [
        ("P", "preliminary"),
        ("X", "cannot be obtained"),
        ("D", "deletes"),
        ("W", "posted in error"),
        ("I", "pending"),
        ("", "empty"),
        ("Q", "does not read"),
    ],
)
def test_other_statuses_are_refused_with_the_reason(status: str, words: str) -> None:
    text = problem(read_oru(basic(obx(status=status))))
    assert "OBX-11" in text
    assert words in text


def test_a_preliminary_report_refuses_its_final_looking_obx() -> None:
    text = message(msh(), pid(), obr(status="P"), obx(), obx("140", code="NA^Na^L"))
    reading = read_oru(text)
    assert not reading.results
    assert len(reading.problems) == 2
    assert all("OBR-25" in p.message and "preliminary" in p.message for p in reading.problems)


def test_one_bad_obx_does_not_hide_the_others() -> None:
    text = basic(obx("4.1", number="1"), obx("oops", number="2"), obx("4.3", number="3"))
    reading = read_oru(text)
    assert len(reading) == 2
    assert len(reading.problems) == 1
    assert reading.problems[0].where == "message MSG0001 OBX 2 (2823-3)"
    assert reading.problems[0].line == 5
    assert "is not a number" in reading.problems[0].message


def test_sn_values() -> None:
    censored = only(read_oru(basic(obx("<^0.5", kind="SN", unit="ng/mL", ranges="<0.5"))))
    assert isinstance(censored.value, Censored)
    assert (censored.value.comparator, censored.value.value) == ("<", 0.5)
    assert censored.reference_range is not None
    assert censored.reference_range.high == 0.5
    assert not censored.reference_range.high_inclusive
    plain = only(read_oru(basic(obx("^4.1", kind="SN"))))
    assert isinstance(plain.value, Measured)
    at_least = only(read_oru(basic(obx(">=^300", kind="SN", unit="U/L", ranges=""))))
    assert isinstance(at_least.value, Censored)
    assert at_least.value.comparator == ">="
    for ratio in ("^1^:^40", "^2^-^5", "<>^3"):
        assert "OBX-5 SN" in problem(read_oru(basic(obx(ratio, kind="SN"))))


def test_a_missing_unit_on_nm_gives_a_value_without_unit() -> None:
    result = only(read_oru(basic(obx("1.02", unit="", ranges="1.003-1.030"))))
    assert result.value == Measured(1.02, None)


def test_units_go_through_the_strict_parser() -> None:
    result = only(read_oru(basic(obx("6.5", code="WBC^白细胞^L", unit="×10\\S\\9/L^^ISO+"))))
    assert isinstance(result.value, Measured)
    assert result.value.unit is not None
    assert result.value.unit.code == "10*9/L"
    assert "unit 'mg/dl/'" in problem(read_oru(basic(obx("6.5", unit="mg/dl/"))))


def test_coded_and_text_values_are_qualitative() -> None:
    coded = only(read_oru(basic(obx("260385009^Negative^SCT", kind="CWE", unit="", ranges=""))))
    assert isinstance(coded.value, Qualitative)
    assert coded.value.polarity is Polarity.NEGATIVE
    text = only(read_oru(basic(obx("阳性(+)", kind="ST", unit="", ranges="阴性"))))
    assert isinstance(text.value, Qualitative)
    assert text.value.polarity is Polarity.POSITIVE
    assert text.reference_range is None  # a qualitative range is no numeric range
    assert "not a number" in problem(read_oru(basic(obx("阴性", kind="NM"))))
    assert "'ED' is not read" in problem(read_oru(basic(obx("x", kind="ED"))))
    assert "repeats" in problem(read_oru(basic(obx("4.1~4.2"))))
    assert "no value" in problem(read_oru(basic(obx(""))))


def test_chinese_text_in_utf8_bytes() -> None:
    code = "LIS-K^血清钾^99LIS"
    text = basic(obx("4.1", code=code), charset="UNICODE UTF-8")
    result = only(read_oru(text.encode("utf-8")))
    assert result.item == "LIS-K"


def test_chinese_text_in_gb18030_bytes() -> None:
    value = "阴性（-）"
    text = message(
        msh(facility="H001^北京亅医院", charset="GB 18030-2000"),
        pid(name="张三"),
        obr(specimen="血清"),
        obx(value, kind="ST", code="HBSAG^乙肝表面抗原^L", unit="", ranges="阴性"),
    )
    data = text.encode("gb18030")
    assert b"\x81|" in data  # 亅's second byte is '|': the bytes must not be split first
    result = only(read_oru(data))
    assert isinstance(result.value, Qualitative)
    assert result.value.text == value
    assert result.value.polarity is Polarity.NEGATIVE
    assert result.specimen == "血清"
    assert result.issuer == "H001"


def test_gb18030_bytes_labelled_utf8_are_refused() -> None:
    text = basic(obx("阴性", kind="ST", unit=""), charset="UNICODE UTF-8")
    got = problem(read_oru(text.encode("gb18030")))
    assert "not utf-8" in got
    assert "does not decode" in got


def test_non_ascii_bytes_without_msh18() -> None:
    data = basic(obx("阴性", kind="ST", unit="")).encode("gb18030")
    assert "empty MSH-18" in problem(read_oru(data))
    assert only(read_oru(data, charset="GB18030")).value == Qualitative.parse("阴性")


def test_a_character_set_mutrec_does_not_read() -> None:
    assert "ISO IR87" in problem(read_oru(basic(charset="ISO IR87").encode()))
    with pytest.raises(ArgumentError):
        read_oru(basic(), charset="EBCDIC")


@pytest.mark.parametrize("end", ["\r", "\n", "\r\n"])
def test_segment_ends(end: str) -> None:
    text = message(msh(), pid(), obr(), obx(), obx("140", code="NA^Na^L"), end=end)
    assert len(read_oru(text)) == 2


def test_mllp_frame_and_batch() -> None:
    one = basic(control="A")
    two = basic(obx("3.9"), control="B")
    framed = f"\x0b{one}\x1c\r"
    assert len(read_oru(framed)) == 1
    batch = "FHS|^~\\&\rBHS|^~\\&\r" + one + two + "BTS|2\rFTS|1\r"
    reading = read_oru(batch)
    assert [r.value.value for r in reading.results] == [4.1, 3.9]  # type: ignore[union-attr]


def test_escape_sequences() -> None:
    code = r"A\F\B\S\C\T\D\R\E\E\^名称^L"
    result = only(read_oru(basic(obx("含\\.br\\换行", kind="ST", code=code, unit=""))))
    assert result.item == "A|B^C&D~E\\"
    assert result.value == Qualitative("含\n换行")
    hexed = only(read_oru(basic(obx("\\XE998B4E680A7\\", kind="ST", unit=""))))
    assert hexed.value == Qualitative.parse("阴性")
    assert "not read" in problem(read_oru(basic(obx(r"\C2842\x", kind="ST", unit=""))))
    assert "unterminated" in problem(read_oru(basic(obx(r"4\F", kind="ST", unit=""))))


def test_other_separators_declared_in_msh() -> None:
    text = basic().replace("|", "#").replace("^~\\&", "$*!%").replace("^", "$")
    assert only(read_oru(text)).item == "2823-3"


class TestInstants:
    def test_without_offset_needs_a_zone(self) -> None:
        text = message(msh(), pid(), obr(observed="20240301080500", reported=""), obx())
        got = problem(read_oru(text))
        assert "OBR-7 '20240301080500' has no UTC offset" in got
        result = only(read_oru(text, default_zone=SH))
        assert result.collected == datetime(2024, 3, 1, 8, 5, tzinfo=SH)

    def test_an_offset_wins_over_the_default_zone(self) -> None:
        text = message(msh(), pid(), obr(observed="20240301000500-0500", reported=""), obx())
        result = only(read_oru(text, default_zone=SH))
        assert result.collected == datetime(2024, 3, 1, 5, 5, tzinfo=UTC)

    def test_obx14_wins_over_obr7(self) -> None:
        result = only(read_oru(basic(obx(observed="20240301070000.25+0800"))))
        assert result.collected == datetime(2024, 3, 1, 7, 0, 0, 250000, tzinfo=PLUS8)

    def test_precision_must_reach_the_day(self) -> None:
        day = message(msh(), pid(), obr(observed="20240301+0800", reported=""), obx())
        assert only(read_oru(day)).collected == datetime(2024, 3, 1, tzinfo=PLUS8)
        month = message(msh(), pid(), obr(observed="202403+0800"), obx())
        assert "gives no day" in problem(read_oru(month))

    @pytest.mark.parametrize(
        "when", ["20240230120000+0800", "20240301250000+0800", "2024030112+2500", "tomorrow"]
    )
    def test_impossible_instants(self, when: str) -> None:
        assert "OBR-7" in problem(read_oru(message(msh(), pid(), obr(observed=when), obx())))

    @pytest.mark.parametrize("when", ["00010101000000+0000", "99991231235959+0000"])
    def test_instants_at_the_calendar_edges(self, when: str) -> None:
        text = message(msh(), pid(), obr(observed=when, reported=""), obx())
        assert "outside the calendar" in problem(read_oru(text))

    def test_report_before_collection(self) -> None:
        text = message(msh(), pid(), obr(reported="20240301070000+0800"), obx())
        assert "is before 'collected'" in problem(read_oru(text))

    def test_received_from_obr14_or_spm18(self) -> None:
        received = "20240301090000+0800"
        first = only(read_oru(message(msh(), pid(), obr(received=received), obx())))
        assert first.received == datetime(2024, 3, 1, 9, tzinfo=PLUS8)
        text = message(msh(), pid(), obr(), obx(), spm())
        assert only(read_oru(text)).received is None


class TestIssuerPatientSpecimen:
    def test_the_resolver_maps_the_sending_facility(self) -> None:
        text = basic(facility="BJ-0042^1.2.156.1^ISO")
        assert only(read_oru(text, issuer={"BJ-0042": "H042"})).issuer == "H042"
        assert only(read_oru(text, issuer=lambda key: key.lower())).issuer == "bj-0042"
        assert "'BJ-0042' (MSH-4) is not a known" in problem(read_oru(text, issuer={}))

    def test_the_performing_lab_is_the_issuer(self) -> None:
        performer = "中心实验室^^LAB9^^^^^^^12110000LAB9"
        text = basic(obx(performer=performer), obx("4.0"))
        reading = read_oru(text, issuer={"12110000LAB9": "LAB9", "H001": "H001"})
        assert [r.issuer for r in reading.results] == ["LAB9", "H001"]
        refused = read_oru(text, issuer={"H001": "H001"})
        assert len(refused) == 1
        assert "(OBX-23) is not a known" in refused.problems[0].message

    def test_no_facility(self) -> None:
        assert "MSH-4 sending facility is empty" in problem(read_oru(basic(facility="")))

    def test_no_patient(self) -> None:
        text = message(msh(), pid(patient=""), obr(), obx())
        assert "PID-3" in problem(read_oru(text))
        assert "PID-3" in problem(read_oru(message(msh(), obr(), obx())))

    def test_specimen_from_spm_or_obr15(self) -> None:
        assert only(read_oru(message(msh(), pid(), obr(), obx(), spm()))).specimen == "SER"
        local = spm("01^血清^99SPEC")
        assert only(read_oru(message(msh(), pid(), obr(), obx(), local))).specimen == "血清"
        old = message(msh(), pid(), obr(specimen="SER&Serum&HL70487"), obx())
        assert only(read_oru(old)).specimen == "SER"
        two = message(msh(), pid(), obr(), obx(), spm(), spm("UR^Urine^HL70487"))
        assert "specimens differ" in problem(read_oru(two))
        none = only(read_oru(basic()))
        assert none.specimen is None

    def test_spm17_is_the_collection_when_obr7_is_empty(self) -> None:
        text = message(msh(), pid(), obr(observed=""), obx(), spm(collected="20240301070000+0800"))
        assert only(read_oru(text)).collected == datetime(2024, 3, 1, 7, tzinfo=PLUS8)
        bare = message(msh(), pid(), obr(observed=""), obx())
        assert "no observation instant" in problem(read_oru(bare))


class TestMessages:
    def test_not_an_oru(self) -> None:
        assert "'ADT^A01' is not ORU^R01" in problem(read_oru(basic(kind="ADT^A01")))

    def test_obx_before_obr(self) -> None:
        assert "before any OBR" in problem(read_oru(message(msh(), pid(), obx())))

    def test_not_hl7(self) -> None:
        assert "no MSH segment" in problem(read_oru(""))
        assert "not a segment" in problem(read_oru(basic() + "a raw line\r"))
        assert "before any MSH" in problem(read_oru("PID|1\r" + basic()))
        assert "separators" in problem(read_oru("MSH|^^\\&|x\r"))

    def test_problems_name_the_source(self) -> None:
        reading = read_oru(basic(obx(status="P")), source="feed-a.hl7")
        assert str(reading.problems[0]).startswith("feed-a.hl7:4: message MSG0001 OBX 1")

    @pytest.mark.parametrize(
        ("argument", "value"),
        [("message", None), ("issuer", 3), ("default_zone", "Asia/Shanghai"), ("source", 1)],
    )
    def test_wrong_arguments(self, argument: str, value: object) -> None:
        given: dict[str, object] = {"message": basic(), argument: value}
        with pytest.raises(ArgumentError):
            read_oru(**given)  # type: ignore[arg-type]
