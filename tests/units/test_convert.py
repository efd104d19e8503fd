"""convert and Converter: published values, refusals, and properties."""

from __future__ import annotations

import math
import pickle

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from mutrec.errors import UnitError
from mutrec.units import Converter, analyte, convert, parse_unit


@pytest.mark.parametrize(
    ("value", "from_unit", "to_unit", "name", "expected", "places"),
    [
        # Published values pinned by the brief (conventional <-> SI, domain.md §8).
        (100, "mg/dL", "mmol/L", "glucose", 5.55, 2),
        (1.0, "mg/dL", "umol/L", "creatinine", 88.4, 1),
        (14, "mg/dL", "mmol/L", "BUN", 5.0, 1),
        (200, "mg/dL", "mmol/L", "cholesterol", 5.17, 2),
        (150, "mg/dL", "mmol/L", "triglycerides", 1.69, 2),
        (6.5, "%", "mmol/mol", "HbA1c", 48, 0),
        (7, "%", "mmol/mol", "HbA1c", 53, 0),
        (13.5, "g/dL", "g/L", "hemoglobin", 135, 6),
        # More factors from domain.md §8 (recomputed from molar masses there).
        (1, "mg/dL", "mmol/L", "urea", 0.1665, 4),
        (1, "mg/dL", "umol/L", "uric acid", 59.48, 2),
        (1, "mg/dL", "umol/L", "TBIL", 17.1, 1),
        (1, "mg/dL", "mmol/L", "Ca", 0.2495, 4),
        (1, "mg/dL", "mmol/L", "Mg", 0.4114, 4),
        (1, "mg/dL", "mmol/L", "P", 0.3229, 4),
        (1, "ug/dL", "umol/L", "Fe", 0.1791, 4),
        (1, "pg/mL", "pmol/L", "B12", 0.738, 3),
        (1, "ng/mL", "nmol/L", "folate", 2.266, 3),
        (1, "ng/dL", "pmol/L", "FT4", 12.87, 2),
        (1, "ug/dL", "nmol/L", "cortisol", 27.59, 2),
        (1, "ng/dL", "nmol/L", "testosterone", 0.0347, 4),
        (1, "ng/mL", "nmol/L", "25-OH-D", 2.496, 3),
        # Same-dimension identities in §8: ferritin ng/mL = ug/L, TSH uIU/mL = mIU/L.
        (250, "ng/mL", "ug/L", "ferritin", 250, 9),
        (2.5, "uIU/mL", "mIU/L", "TSH", 2.5, 9),
        # mEq <-> mmol by valence: Ca2+ 5 mEq/L = 2.5 mmol/L; Na+ 1:1.
        (5, "mEq/L", "mmol/L", "calcium", 2.5, 9),
        (140, "mEq/L", "mmol/L", "sodium", 140, 9),
        (10, "mg/dL", "mEq/L", "calcium", 4.990, 3),  # 100 mg/L / 40.078 x 2
        # Enzymes: 60 U/L = 1 ukat/L (U = umol/min, kat = mol/s); ALT "IU/L" is U/L.
        (60, "U/L", "ukat/L", None, 1.0, 9),
        (40, "IU/L", "U/L", "ALT", 40, 9),
        # Counts: 5 K/uL = 5 x 10^9/L (WBC); 4.5 m/uL = 4.5 x 10^12/L (RBC).
        (5, "K/uL", "10*9/L", None, 5, 9),
        (4.5, "m/uL", "×10¹²/L", None, 4.5, 9),
        # Pressure: 1 mmHg = 0.1333220 kPa (UCUM m[Hg] = 133.3220 kPa).
        (40, "mm Hg", "kPa", None, 5.33288, 5),
        # Affine units computed by pint: 37 Cel = 98.6 [degF].
        (37, "Cel", "[degF]", None, 98.6, 9),
    ],
)
def test_published_values(  # noqa: PLR0917 - one parametrized row
    value: float, from_unit: str, to_unit: str, name: str | None, expected: float, places: int
) -> None:
    assert round(convert(value, from_unit, to_unit, analyte=name), places) == expected
    converter = Converter(from_unit, to_unit, analyte=name)
    assert converter(value) == convert(value, from_unit, to_unit, analyte=name)


def test_cross_dimension_without_an_analyte_says_what_is_missing() -> None:
    with pytest.raises(UnitError, match=r"molar mass; pass analyte='glucose'"):
        convert(100, "mg/dL", "mmol/L")
    with pytest.raises(UnitError, match="valence"):
        convert(1, "mEq/L", "mmol/L")
    with pytest.raises(UnitError, match="molar mass, which analyte 'albumin' has not"):
        convert(4, "g/dL", "umol/L", analyte="albumin")
    with pytest.raises(UnitError, match="enzyme flag, which analyte 'tsh' has not"):
        convert(1, "mIU/L", "U/L", analyte="TSH")


def test_incommensurable_units_are_refused() -> None:
    with pytest.raises(UnitError, match="different dimensions"):
        convert(1, "mmol/L", "s", analyte="glucose")
    with pytest.raises(UnitError, match="annotations differ"):
        convert(500, "ng/mL FEU", "ng/mL")  # FEU is about twice DDU: never silently equal
    with pytest.raises(UnitError):
        convert(1, "/[HPF]", "/[LPF]")


def test_hba1c_needs_its_analyte() -> None:
    with pytest.raises(UnitError, match="analyte='hba1c'"):
        convert(7, "%", "mmol/mol")  # a plain ratio would say 70, the right answer is 53
    assert round(convert(53, "mmol/mol", "%", analyte="HbA1c"), 1) == 7.0


def test_unknown_analyte_lists_close_matches() -> None:
    with pytest.raises(UnitError, match="close matches: glucose") as caught:
        convert(1, "mg/dL", "mmol/L", analyte="glucoze")
    assert caught.value.suggestion == "glucose"


def test_units_as_values_and_converter_pickles() -> None:
    converter = Converter(parse_unit("mg/dL"), parse_unit("mmol/L"), analyte=analyte("Glu"))
    assert convert(90, parse_unit("mg/dL"), "mmol/L", analyte="Glu") == converter(90)
    assert pickle.loads(pickle.dumps(converter)) == converter  # noqa: S301 - our own bytes
    assert converter.offset == 0


def test_many_on_sequences_and_arrays() -> None:
    converter = Converter("%", "mmol/mol", analyte="hba1c")
    values = [5.0, 6.5, 7.0]
    as_list = converter.many(values)
    as_array = converter.many(np.array(values))
    assert as_list == [converter(v) for v in values]
    assert isinstance(as_array, np.ndarray)
    assert as_array.dtype == np.float64
    np.testing.assert_allclose(as_array, as_list, rtol=1e-15)
    np.testing.assert_allclose(
        converter.many(np.array([5, 7], dtype=np.float32)), [31.15, 53.01], rtol=1e-6
    )


_PAIRS = [
    ("mg/dL", "mmol/L", "glucose"),
    ("mg/dL", "umol/L", "creatinine"),
    ("mEq/L", "mmol/L", "calcium"),
    ("mg/dL", "mEq/L", "magnesium"),
    ("U/L", "ukat/L", None),
    ("IU/L", "ukat/L", "AST"),
    ("K/uL", "10*9/L", None),
    ("g/dL", "g/L", None),
    ("mm Hg", "kPa", None),
    ("ng/dL", "pmol/L", "FT4"),
    ("uIU/mL", "mIU/L", None),
    ("%", "mmol/mol", "hba1c"),
    ("Cel", "[degF]", None),
]
_VALUES = st.floats(min_value=1e-6, max_value=1e6, allow_nan=False, allow_infinity=False)


@given(st.sampled_from(_PAIRS), _VALUES)
def test_round_trips_agree(pair: tuple[str, str, str | None], value: float) -> None:
    source, target, name = pair
    there = convert(value, source, target, analyte=name)
    back = convert(there, target, source, analyte=name)
    assert math.isclose(back, value, rel_tol=1e-9, abs_tol=1e-9)


@given(st.sampled_from(_PAIRS[:-2]), _VALUES, st.floats(min_value=1e-3, max_value=1e3))
def test_linear_conversions_are_linear(
    pair: tuple[str, str, str | None], value: float, scale: float
) -> None:
    source, target, name = pair
    scaled = convert(scale * value, source, target, analyte=name)
    assert math.isclose(scaled, scale * convert(value, source, target, analyte=name), rel_tol=1e-9)


@given(_VALUES, _VALUES)
def test_hba1c_mapping_is_affine(first: float, second: float) -> None:
    def to_ifcc(value: float) -> float:
        return convert(value, "%", "mmol/mol", analyte="hba1c")

    midpoint = to_ifcc((first + second) / 2)
    assert math.isclose(midpoint, (to_ifcc(first) + to_ifcc(second)) / 2, rel_tol=1e-9)
    assert math.isclose(to_ifcc(first), 10.93 * first - 23.5, rel_tol=1e-12, abs_tol=1e-9)


@given(st.sampled_from(_PAIRS), st.lists(_VALUES, max_size=20))
def test_converter_agrees_with_convert(
    pair: tuple[str, str, str | None], values: list[float]
) -> None:
    source, target, name = pair
    converter = Converter(source, target, analyte=name)
    expected = [convert(v, source, target, analyte=name) for v in values]
    assert converter.many(values) == expected
    np.testing.assert_array_equal(converter.many(np.array(values, dtype=np.float64)), expected)


@pytest.mark.parametrize(
    ("value", "from_unit", "to_unit", "expected"),
    [
        # Both sides are scaled to the mapping's own units (% and mmol/mol) first.
        (7, "%", "umol/mol", 53_010),
        (7, "%", "mol/mol", 0.05301),
        (53.01, "mmol/mol", "%", 7.0),
        (53_010, "umol/mol", "%", 7.0),
        # Same side: a plain ratio.
        (53, "mmol/mol", "umol/mol", 53_000),
        (7, "%", "%", 7),
    ],
)
def test_hba1c_mapping_scales_both_sides_first(
    value: float, from_unit: str, to_unit: str, expected: float
) -> None:
    assert math.isclose(convert(value, from_unit, to_unit, analyte="hba1c"), expected)
    assert math.isclose(Converter(from_unit, to_unit, analyte="HbA1c")(value), expected)


@pytest.mark.parametrize(
    ("from_unit", "to_unit"),
    [("1", "mmol/mol"), ("%", "10*-3"), ("mmol/mol", "1"), ("[ppth]", "%"), ("1", "%")],
)
def test_hba1c_refuses_a_pure_number_it_cannot_place(from_unit: str, to_unit: str) -> None:
    # 0.07 could be an NGSP fraction (7 %) or an IFCC ratio (70 mmol/mol): never guess.
    with pytest.raises(UnitError, match="NGSP"):
        convert(0.07, from_unit, to_unit, analyte="hba1c")


@pytest.mark.parametrize(("from_unit", "to_unit"), [("%", "umol/mol"), ("mmol/mol", "%")])
def test_hba1c_units_need_the_analyte_whatever_their_prefix(from_unit: str, to_unit: str) -> None:
    with pytest.raises(UnitError, match="analyte='hba1c'"):
        convert(7, from_unit, to_unit)


def test_a_ratio_unrelated_to_hba1c_still_converts() -> None:
    assert convert(1, "%", "10*-3") == pytest.approx(10)
    assert convert(7, "%", "umol/mol", analyte="glucose") == pytest.approx(70_000)


def test_thousand_and_milli_enzyme_units_stay_fail_safe() -> None:
    # UCUM U is the enzyme unit (µmol/min). UK TSH "mU/L" and IgE "kU/L" mean WHO IU; mutrec
    # keeps UCUM's reading and refuses to bridge it to IU for a non-enzyme, naming the fix.
    assert parse_unit("mU/L").dimension == "catalytic concentration"
    assert parse_unit("kU/L").dimension == "catalytic concentration"
    with pytest.raises(UnitError) as caught:
        convert(2.5, "mU/L", "mIU/L", analyte="TSH")
    assert "enzyme" in caught.value.reason
    assert "write the unit with [IU]" in caught.value.reason
    with pytest.raises(UnitError):
        convert(2.5, "mU/L", "mIU/L")
    assert convert(2.5, "m[IU]/L", "uIU/mL", analyte="TSH") == pytest.approx(2.5)
    assert convert(100, "kU/L", "U/L") == pytest.approx(100_000)
