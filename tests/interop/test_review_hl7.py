"""Review of the HL7 v2 reader: contradictions and doubtful facts are problems, never a guess."""

from __future__ import annotations

from mutrec.interop import Reading
from mutrec.interop.hl7v2 import read_oru
from mutrec.model.results import LabResult, Polarity, Qualitative

MSH = "MSH|^~\\&|LIS|H001|||20240301120000+0800||ORU^R01|M1|P|2.5.1"
PID = "PID|1||P123"
OBR = "OBR|1|||K|||20240301080000+0800"


def oru(*segments: str) -> str:
    return "\r".join(segments) + "\r"


def obx(units: str = "mmol/L") -> str:
    return f"OBX|1|NM|2823-3^K^LN||4.1|{units}|3.5-5.3||||F"


def refused(reading: Reading, words: str) -> None:
    assert not reading.results, reading.results
    assert any(words in p.message for p in reading.problems), reading.problems


def only(reading: Reading) -> LabResult:
    assert reading.complete, reading.problems
    (result,) = reading.results
    assert isinstance(result, LabResult)
    return result


def test_units_whose_code_and_text_disagree_are_a_problem() -> None:
    refused(read_oru(oru(MSH, PID, OBR, obx("mmol/L^mg/dL^UCUM"))), "disagree")
    for units in ("mmol/L^mmol/l^UCUM", "mmol/L^millimole per litre^UCUM", "^mmol/L"):
        value = only(read_oru(oru(MSH, PID, OBR, obx(units)))).value
        assert str(value.unit) == "mmol/L"  # type: ignore[union-attr]


def test_an_obx_after_another_patient_s_pid_is_not_given_the_earlier_order() -> None:
    # OBR (patient A), then PID B, then an OBX with no OBR of its own: whose result is it?
    reading = read_oru(oru(MSH, "PID|1||A", OBR, "PID|1||B", obx()))
    refused(reading, "PID")
    both = read_oru(oru(MSH, "PID|1||A", OBR, obx(), "PID|1||B", OBR, obx()))
    assert [r.patient for r in both.results] == ["A", "B"]


def test_a_message_with_a_lone_surrogate_is_a_problem() -> None:
    reading = read_oru(oru(MSH, "PID|1||P\ud800", OBR, obx()))
    refused(reading, "surrogate")


def test_a_coded_value_is_qualitative_as_fhir_s_value_codeable_concept() -> None:
    # 260385009 is SNOMED CT's "Negative": a code, never the number 260,385,009.
    coded = "OBX|1|CWE|5196-1^HBsAg^LN||260385009^^SCT||||||F"
    value = only(read_oru(oru(MSH, PID, OBR, coded))).value
    assert isinstance(value, Qualitative)
    assert value.text == "260385009"
    named = "OBX|1|CWE|5196-1^HBsAg^LN||260385009^Negative^SCT||||||F"
    value = only(read_oru(oru(MSH, PID, OBR, named))).value
    assert isinstance(value, Qualitative)
    assert value.polarity is Polarity.NEGATIVE
