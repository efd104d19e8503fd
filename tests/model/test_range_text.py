"""Ranges as reports print them: one reader for FHIR text, HL7 OBX-7 and platform rows."""

from __future__ import annotations

import pytest
from fuzz.nasty import NASTY_TEXT
from hypothesis import given
from hypothesis import strategies as st

from mutrec.model import ReferenceRange
from mutrec.units import parse_unit


@pytest.mark.parametrize(
    ("text", "low", "high", "low_in", "high_in"),
    [
        ("3.5-5.3", 3.5, 5.3, True, True),
        (" 3.5 ～ 5.3 ", 3.5, 5.3, True, True),
        ("3.5至5.3", 3.5, 5.3, True, True),
        ("82--100", 82.0, 100.0, True, True),
        ("-2-3", -2.0, 3.0, True, True),
        ("<5", None, 5.0, True, False),
        ("≤5", None, 5.0, True, True),
        ("＞60", 60.0, None, False, True),
        (">=60", 60.0, None, True, True),
    ],
)
def test_printed_ranges_read(
    text: str, low: float | None, high: float | None, low_in: bool, high_in: bool
) -> None:
    r = ReferenceRange.from_text(text)
    assert r is not None
    assert (r.low, r.high, r.low_inclusive, r.high_inclusive, r.text) == (
        low,
        high,
        low_in,
        high_in,
        text,
    )


def test_a_unit_after_the_numbers_is_read_and_must_agree_with_the_results() -> None:
    mmol = parse_unit("mmol/L")
    r = ReferenceRange.from_text("3.5-5.3 mmol/L")
    assert r is not None
    assert r.unit == mmol
    assert ReferenceRange.from_text("3.5-5.3", mmol) == ReferenceRange(
        3.5, 5.3, unit=mmol, text="3.5-5.3"
    )
    assert ReferenceRange.from_text("3.5-5.3 mg/dL", mmol) is None  # two units: doubtful


@pytest.mark.parametrize(
    "text",
    ["阴性", "", "5.3-3.5", "3.5-5.3 not a unit", "see note", "1e3-2e3", "３.５-５.３", "3.5-"],
)
def test_text_that_is_no_numeric_range_is_none(text: str) -> None:
    assert ReferenceRange.from_text(text) is None


@given(st.one_of(st.sampled_from(NASTY_TEXT), st.text(max_size=300)))
def test_any_text_gives_a_range_or_none(text: str) -> None:
    r = ReferenceRange.from_text(text)
    assert r is None or isinstance(r, ReferenceRange)
