"""python-hl7 agrees with the fast splitter; hostile bytes and text give problems, never a crash."""

from __future__ import annotations

from zoneinfo import ZoneInfo

import pytest
from fuzz.nasty import NASTY_TEXT
from hypothesis import example, given
from hypothesis import strategies as st

from mutrec.errors import MutrecError
from mutrec.interop import Reading
from mutrec.interop._hl7check import disagreement
from mutrec.interop._hl7split import field_list, messages, separators
from mutrec.interop.hl7v2 import read_oru
from mutrec.model.results import LabResult
from tests.interop._hl7_messages import basic, message, msh, obr, obx, pid, segment, spm

pytest.importorskip("hl7")

SH = ZoneInfo("Asia/Shanghai")

HAND_WRITTEN = [
    basic(),
    basic(obx("<^0.5", kind="SN"), obx("^1^:^40", kind="SN"), obx("阴性", kind="ST", unit="")),
    basic(obx(r"A\F\B\S\C\T\D\R\E", kind="ST", unit=""), facility="H1^1.2.3^ISO"),
    message(msh(charset="UNICODE UTF-8"), pid(name="张三"), obr(), obx(), spm()),
    message(msh(), pid("P1^^^H1~P2^^^H2"), obr(specimen="SER&Serum&HL70487"), obx("4.1~4.2")),
    message(msh(), pid(), obr(), obx(performer="中心实验室^^LAB9^^^^^^^L9"), obx(status="C")),
]


@pytest.mark.parametrize("text", HAND_WRITTEN)
def test_python_hl7_agrees_on_the_hand_written_messages(text: str) -> None:
    for lines in messages(text):
        segments = [line for _, line in lines]
        assert disagreement(segments, separators(segments[0])) is None


def test_a_disagreement_is_found() -> None:
    # The same segment split with other separators than it declares: the two must differ.
    lines = [line for _, line in messages(basic())[0]]
    wrong = separators(lines[0].replace("^", "$", 1))
    assert disagreement(lines, wrong) is not None


def test_cross_check_reads_the_same() -> None:
    text = HAND_WRITTEN[1]
    assert read_oru(text, cross_check=True) == read_oru(text)


_FIELD_TEXT = st.text(
    st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="|\\"), max_size=12
)


@given(st.lists(st.lists(_FIELD_TEXT, min_size=1, max_size=30), min_size=1, max_size=6))
def test_python_hl7_agrees_on_generated_segments(rows: list[list[str]]) -> None:
    lines = [basic().split("\r")[0]] + ["|".join(["OBX", *row]).rstrip() for row in rows]
    lines = [line for line in lines if line.strip() == line]
    seps = separators(lines[0])
    assert all(field_list(line, seps)[0] for line in lines)
    assert disagreement(lines, seps) is None


def _reads_or_refuses(data: str | bytes, **options: object) -> None:
    try:
        reading = read_oru(data, **options)  # type: ignore[arg-type]
    except MutrecError:
        return
    assert isinstance(reading, Reading)
    for result in reading.results:
        assert isinstance(result, LabResult)
        assert result.collected.utcoffset() is not None


@given(st.binary(max_size=400))
@example(b"MSH|")
@example(b"MSH|^~\\&|||||||||||||||GB18030\r\xff\xfe")
@example(b"\xef\xbb\xbfMSH|^~\\&||||||||||||||||GB18030\r")
def test_hostile_bytes(data: bytes) -> None:
    _reads_or_refuses(data)
    _reads_or_refuses(b"MSH|^~\\&|" + data)


@given(st.text(max_size=400))
@example("MSH|^~\\&|\\X\\|")
@example("MSH\x00")
@example("MSH|^~\\&" + "|" * 40)
def test_hostile_text(text: str) -> None:
    _reads_or_refuses(text)
    _reads_or_refuses("MSH|^~\\&|" + text, default_zone=SH)


@given(st.data())
def test_mutated_messages(data: st.DataObject) -> None:
    text = HAND_WRITTEN[data.draw(st.integers(0, len(HAND_WRITTEN) - 1))]
    for _ in range(data.draw(st.integers(1, 4))):
        at = data.draw(st.integers(0, len(text)))
        piece = data.draw(st.text(max_size=8) | st.sampled_from(["|", "^", "~", "\\", "&", "\r"]))
        cut = data.draw(st.integers(0, 3))
        text = text[:at] + piece + text[at + cut :]
    _reads_or_refuses(text, default_zone=SH)
    _reads_or_refuses(text.encode("utf-8", "surrogatepass"), charset="GB18030")
    _reads_or_refuses(text, cross_check=True)


def test_huge_and_nested_input() -> None:
    many = basic(*(obx(str(n / 10), number=str(n)) for n in range(2000)))
    assert len(read_oru(many)) == 2000
    deep = basic(obx("^" * 100_000 + "4.1", kind="SN"))
    assert len(read_oru(deep).problems) == 1
    long_value = basic(obx("9" * 100_000))
    assert len(read_oru(long_value).problems) == 1


@pytest.mark.parametrize("nasty", NASTY_TEXT)
def test_nasty_text_in_every_field_a_result_reads(nasty: str) -> None:
    for field in (2, 3, 5, 6, 7, 11, 14, 23):
        fields = {1: "1", 2: "NM", 3: "2823-3^K^LN", 5: "4.1", 6: "mmol/L", 11: "F", field: nasty}
        text = basic(segment("OBX", fields))
        _reads_or_refuses(text)
        _reads_or_refuses(text.encode("utf-8", "surrogatepass"))
    _reads_or_refuses(basic(charset=nasty))
    _reads_or_refuses(message(msh(), pid(nasty), obr(observed=nasty), obx()))
