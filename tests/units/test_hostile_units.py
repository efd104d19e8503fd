"""Hostile unit text and wrong argument types: read exactly as UCUM defines, or a UnitError.

FAIL SAFE: a unit mutrec cannot read for certain is refused with a message that says what was
wrong; nothing escapes as a raw Python exception, and nothing is read with a wrong magnitude.
The bounds are documented in ``mutrec.units._limits``.
"""

from __future__ import annotations

import math
from decimal import Decimal
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mutrec.errors import UnitError
from mutrec.units import Analyte, Converter, Unit, analyte, convert, parse_unit
from mutrec.units._guards import _symbols
from mutrec.units._limits import MAX_LENGTH
from mutrec.units._spellings import normalise
from mutrec.units._ucum import UcumSyntaxError, parse_ucum, split_exponent

N = 100_000


def _refused(text: object, fragment: str) -> UnitError:
    with pytest.raises(UnitError) as caught:
        parse_unit(text)  # type: ignore[arg-type]
    assert fragment in str(caught.value), str(caught.value)[:300]
    return caught.value


@pytest.mark.parametrize(
    ("text", "fragment", "suggestion"),
    [
        # UCUM §8 allows positive integer factors only: 0 would make every value 0 (or divide).
        ("0", "a factor of 0", None),
        ("mg/0", "a factor of 0", None),
        ("0.g", "a factor of 0", None),
        # UCUM §8: "the period is only used as a multiplication operator, thus 2.5 means 2 × 5".
        ("1.5", "reads it as 1 × 5", None),
        ("2.5", "reads it as 2 × 5", None),
        ("mg/1.5", "reads it as 1 × 5", None),
        ("10.9/L", "reads it as 10 × 9", "10*9/L"),  # a lost caret: 10^9, not 90
        ("10.12/L", "reads it as 10 × 12", "10*12/L"),
        ("mL/min/(1.73.m2)", "reads it as 1 × 73", "mL/min/{1.73_m2}"),
        ("mL/min/1.73.m2", "reads it as 1 × 73", "mL/min/{1.73_m2}"),
        # Not ASCII digits: str.isdigit() is True for all of them, int() for some.
        ("፩", "U+1369 ETHIOPIC DIGIT ONE", None),
        ("٣", "U+0663 ARABIC-INDIC DIGIT THREE", None),
        ("10*٣/L", "U+0663 ARABIC-INDIC DIGIT THREE", None),
        ("m٣", "U+0663", None),
        ("mg/(२४.h)", "U+0968 DEVANAGARI DIGIT TWO", None),
        # Control characters and lone surrogates.
        ("\x00", "U+0000", None),
        ("mg\x00/dL", "U+0000", None),
        ("\ud800", "U+D800", None),
        ("mg/dL\udfff", "U+DFFF", None),
        ("mg\u200b/dL", "U+200B ZERO WIDTH SPACE", None),
        # Blank.
        ("", "blank", None),
        ("   ", "blank", None),
        ("\t", "blank", None),
        ("\t\n\u3000", "blank", None),
        # Exponents and powers of ten out of range (|n| ≤ 6 on units, ≤ 24 on 10*n).
        ("m999999999", "exponent 999999999 on 'm' out of range", None),
        ("m7", "exponent 7 on 'm' out of range", None),
        ("s-7", "exponent -7 on 's' out of range", None),
        ("m0", "exponent 0 on 'm' erases the unit", None),
        ("mg.m-0", "exponent 0 on 'm' erases the unit", None),
        ("10^-999", "power of ten 10*-999 out of range", None),
        ("10*25/L", "power of ten 10*25 out of range", None),
        ("10*" + "9" * 90, "out of range", None),  # 90 digits: int() copes, the bound refuses
        ("1e400", "unknown unit '1e'", None),
        # A whole code's scale beyond 10^±60: yottametre to the sixth is 10^144.
        ("Ym6", "beyond 10^±60", None),
        ("10*24.10*24.10*24/L", "beyond 10^±60", None),
        # Nesting deeper than 4 levels of parentheses.
        ("(((((m)))))", "nested deeper than 4 levels", None),
    ],
)
def test_hostile_text_is_refused_with_the_reason(
    text: str, fragment: str, suggestion: str | None
) -> None:
    error = _refused(text, fragment)
    assert error.text == text
    assert error.suggestion == suggestion
    if suggestion is not None:
        assert parse_unit(suggestion).code == suggestion


@pytest.mark.parametrize(
    ("text", "code", "dimension"),
    [
        # Full-width and other compatibility forms fold (NFKC) to exactly the same ASCII.
        ("１０*９/L", "10*9/L", "number concentration"),
        ("１０＾９／Ｌ", "10*9/L", "number concentration"),
        ("𝟙", "1", "dimensionless"),
        ("㎎/㎗", "mg/dL", "mass concentration"),
        # eGFR per 1.73 m2 of body surface, as reports write it, is UCUM's annotation.
        ("ml/min/1.73m²", "mL/min/{1.73_m2}", "volume rate"),
        ("mL/min/1.73 m2", "mL/min/{1.73_m2}", "volume rate"),
        ("mL/min/{1.73_m2}", "mL/min/{1.73_m2}", "volume rate"),
        # The bounds leave every real code alone.
        ("10*24/L", "10*24/L", "number concentration"),
        ("10*-24", "10*-24", "dimensionless"),
        ("10*0/L", "10*0/L", "number concentration"),  # exactly 1: a number, not an erased unit
        ("m6", "m6", "other: [length]^6"),
        ("10.uN.s/(cm5.m2)", "10.uN.s/(cm5.m2)", "other: [length]^-6 [mass]^1 [time]^-1"),
        ("((((m))))", "((((m))))", "length"),
        ("1/2", "1/2", "dimensionless"),  # an exact half: UCUM reads what it says
        ("mg/(24.h)", "mg/(24.h)", "mass rate"),
    ],
)
def test_real_text_is_read_exactly(text: str, code: str, dimension: str) -> None:
    assert parse_unit(text) == Unit(code, dimension)


def test_decimal_lookalikes_never_convert_with_a_wrong_magnitude() -> None:
    # Read as UCUM, 1.73.m2 is 73 m2 and 10.9/L is 90/L: refused, never converted.
    with pytest.raises(UnitError, match="1 × 73"):
        convert(90, "mL/min/(1.73.m2)", "mL/min/{1.73_m2}")
    with pytest.raises(UnitError, match="10 × 9"):
        convert(5, "10.9/L", "10*9/L")
    assert convert(5, "10*9/L", "10*3/uL") == pytest.approx(5)


@pytest.mark.parametrize(
    "text",
    [
        "(" * N,
        ")" * N,
        "[" * N,
        "{" * N,
        "/" * N,
        ("1." * N)[:N],
        ("mg." * N)[:N],
        "10*" + "9" * 5_000,  # past int()'s 4,300-digit limit
        "10*" + "9" * N,
        "m" + "9" * N,
        ("10^" * N)[:N],
        "x10E" + "9" * N,
        "{" + "a" * N + "}",
        "[" + "a" * N,
        ("mg/(24.h){x}" * N)[:N],
        " " * N,
        "\ud800" * N,
        "٣" * N,
        "μ" * N,
        "１" * N,
        "a" * (MAX_LENGTH + 1),
    ],
    ids=lambda text: f"{text[:6]!r}x{len(text)}",
)
def test_long_adversarial_text_is_refused_before_any_parsing(text: str) -> None:
    error = _refused(text, "too long")
    assert error.text == text


def test_normalisation_cannot_lengthen_text_past_the_bound() -> None:
    # "㎎" is one character that NFKC makes two ("mg"): 60 of them are 120 characters.
    _refused("㎎" * 60, "too long once normalised")


@pytest.mark.parametrize(
    "text",
    ["(" * N, "[" * N, "{" * N, ("mg." * N)[:N], "m" + "9" * N, "[a" * N, "\ud800" * N],
    ids=lambda text: f"{text[:4]!r}x{len(text)}",
)
def test_internals_stay_linear_past_the_length_bound(text: str) -> None:
    # The cap makes parsing cheap; these private steps would still be linear without it
    # (no regex that rescans, no lazy quantifier before digits): they return on 100,000.
    assert isinstance(_symbols(text), list)
    assert isinstance(split_exponent(text), tuple)
    assert isinstance(normalise(text), str)
    with pytest.raises(UcumSyntaxError, match="longer than 100"):
        parse_ucum(text)


@pytest.mark.parametrize(
    ("value", "fragment"),
    [
        (4.1, "got float"),
        (None, "got NoneType"),
        (5, "got int"),
        (True, "got bool"),
        (b"mg/dL", "got bytes; decode bytes first"),
        (["mg/dL"], "got list"),  # unhashable: must not reach the cache as a TypeError
        ({"unit": "mg"}, "got dict"),
    ],
)
def test_parse_unit_refuses_what_is_not_text(value: object, fragment: str) -> None:
    _refused(value, fragment)


class _Unhashable(str):
    __slots__ = ()

    def __hash__(self) -> int:
        raise TypeError


def test_a_str_subclass_reads_as_its_text() -> None:
    # A str subclass whose hash fails must not reach a cache as a raw TypeError.
    text = _Unhashable("mg/dL")
    assert parse_unit(text).code == "mg/dL"
    assert type(Unit(text, "mass concentration").code) is str
    assert convert(1.0, text, "g/L") == pytest.approx(0.01)
    assert Converter(text, "g/L")(1.0) == pytest.approx(0.01)


def test_an_analyte_with_unhashable_fields_converts_without_the_cache() -> None:
    glucose = analyte("glucose")
    by_hand = Analyte(glucose.key, list(glucose.names), [], glucose.molar_mass)  # type: ignore[arg-type]
    expected = convert(100.0, "mg/dL", "mmol/L", analyte="glucose")
    assert convert(100.0, "mg/dL", "mmol/L", analyte=by_hand) == expected
    assert Converter("mg/dL", "mmol/L", analyte=by_hand)(100.0) == expected


@pytest.mark.parametrize(
    ("value", "fragment"),
    [
        ("100", "the value '100' is a str, not a real number; read text with"),
        (None, "the value None is a NoneType"),
        (True, "the value True is a bool"),
        (1 + 2j, "is a complex"),
        (float("nan"), "the value nan is not a finite number"),
        (float("inf"), "the value inf is not a finite number"),
        (-math.inf, "not a finite number"),
        (Decimal("NaN"), "not a finite number"),
        (Decimal("sNaN"), "not a finite number"),
        (10**400, "beyond the range of a float"),
        (Fraction(10**400, 3), "beyond the range of a float"),
        (1e308, "the value 1e+308 converts to inf, beyond the range of a float"),
        (-1e308, "converts to -inf"),
    ],
)
def test_convert_refuses_values_that_are_not_finite_numbers(value: object, fragment: str) -> None:
    with pytest.raises(UnitError, match="g/L -> mg/L") as caught:
        convert(value, "g/L", "mg/L")  # type: ignore[arg-type]
    assert fragment in caught.value.reason
    with pytest.raises(UnitError) as again:
        Converter("g/L", "mg/L")(value)  # type: ignore[arg-type]
    assert fragment in again.value.reason


@pytest.mark.parametrize(
    ("value", "expected"),
    [(3, 3000.0), (Fraction(1, 2), 500.0), (Decimal("1.5"), 1500.0), (np.float32(2), 2000.0)],
)
def test_convert_accepts_what_is_obviously_a_number(value: object, expected: float) -> None:
    assert convert(value, "g/L", "mg/L") == expected  # type: ignore[arg-type]
    assert Converter("g/L", "mg/L")(value) == expected  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("call", "fragment"),
    [
        (lambda: convert(1, ["mg"], "g/L"), "got list"),  # type: ignore[arg-type]
        (lambda: convert(1, "mg/dL", 5), "got int"),  # type: ignore[arg-type]
        (lambda: convert(1, "mg/dL", "mmol/L", analyte=5), "an analyte must be"),  # type: ignore[arg-type]
        (lambda: convert(1, "mg/dL", "mmol/L", analyte=["glucose"]), "got list"),  # type: ignore[arg-type]
        (lambda: Converter(1, 2), "got int"),  # type: ignore[arg-type]
        (lambda: Converter("mg/dL", None), "got NoneType"),  # type: ignore[arg-type]
        (lambda: Converter("mg/dL", "mmol/L", analyte=180.16), "got float"),  # type: ignore[arg-type]
        (lambda: analyte(5), "got int"),  # type: ignore[arg-type]
        (lambda: analyte("g" * N), "100,000 characters"),
        (lambda: Unit(5, "mass"), "Unit.code must be a non-blank str"),  # type: ignore[arg-type]
        (lambda: Unit("g", None), "Unit.dimension must be a non-blank str"),  # type: ignore[arg-type]
        (lambda: convert(1, Unit("(" * N, "x"), "g"), "longer than 100"),
        (lambda: convert(1, Unit("mg/0", "x"), "g"), "a factor of 0"),
    ],
)
def test_wrong_argument_types_are_unit_errors(call: object, fragment: str) -> None:
    with pytest.raises(UnitError) as caught:
        call()  # type: ignore[operator]
    assert fragment in str(caught.value)


@pytest.mark.parametrize(
    ("values", "fragment"),
    [
        ("123", "not str"),
        (b"123", "not bytes"),
        (5, "got 5"),
        (["1"], "the value '1' is a str"),
        ([1.0, None], "the value None"),
        ([1.0, True], "the value True is a bool"),
        ([1.0, float("nan")], "the value nan is not a finite number"),
        ([1.0, 1e308], "converts to inf"),
        ([1.0, 10**400], "beyond the range of a float"),
        (np.array([1.0, np.nan]), "the value nan is not a finite number"),
        (np.array([1.0, 1e308]), "converts to inf"),
        (np.array(["1"]), "dtype <U1"),
        (np.array([1 + 2j]), "dtype complex128"),
        (np.array([True]), "dtype bool"),
        (np.array([1.0, None], dtype=object), "dtype object"),
    ],
)
def test_many_refuses_what_is_not_numbers(values: object, fragment: str) -> None:
    with pytest.raises(UnitError) as caught:
        Converter("g/L", "mg/L").many(values)  # type: ignore[call-overload]
    assert fragment in caught.value.reason


def test_many_accepts_numbers_of_any_plain_kind() -> None:
    converter = Converter("g/L", "mg/L")
    assert converter.many([]) == []
    assert converter.many((1, 2.0, Fraction(1, 2))) == [1000.0, 2000.0, 500.0]  # type: ignore[arg-type]
    assert converter.many(iter([1.0])) == [1000.0]  # type: ignore[call-overload]
    assert converter.many([1e300, 1e300]) == [1e303, 1e303]  # a sum that overflows is fine
    np.testing.assert_array_equal(converter.many(np.array([1, 2], dtype=np.int64)), [1e3, 2e3])


# Characters a unit field may hold after a careless export, a hostile sender or a bad decoder.
_NASTY = [
    *"0123456789./*^()[]{}_-+%'",
    *"mgLdlsuUhnkKMGTPIE",
    *"０１９／（）ｍｇＬ＾",  # full-width
    *["٣", "፩", "𝟙", "२", "µ", "μ", "×", "⁹", "²", "⁻", "秒", "个"],
    *["\x00", " ", "\t", "\n", "\u3000", "\xa0", "\u200b", "\ufeff", "\ud800", "\udfff"],
]
_FRAGMENTS = st.sampled_from(
    [
        *[
            "mg",
            "L",
            "/",
            ".",
            "10*9",
            "10^",
            "(",
            ")",
            "{a}",
            "[IU]",
            "m2",
            "s-1",
            "24",
            "0",
            "1.5",
        ],
        *["dL", "mmol", "h", "u", "×10", "⁹", "1.73", "K", "ml", "%", "mEq", "IU", " "],
    ]
)
_TEXTS = st.one_of(
    st.text(st.sampled_from(_NASTY), max_size=40),
    st.lists(_FRAGMENTS, max_size=12).map("".join),
    st.builds(
        lambda piece, times: piece * times,
        st.text(st.sampled_from(_NASTY), min_size=1, max_size=4),
        st.integers(1, 30_000),
    ),
)


@settings(max_examples=300, deadline=None)
@given(_TEXTS)
def test_any_text_reads_idempotently_or_is_a_unit_error(text: str) -> None:
    try:
        unit = parse_unit(text)
    except UnitError:
        return  # refused: fine; any other exception fails the test
    assert isinstance(unit, Unit)
    again = parse_unit(unit.code)
    assert again == unit  # the canonical code reads back to itself


@settings(max_examples=100, deadline=None)
@given(
    st.one_of(st.floats(), st.integers(), st.text(max_size=3), st.none(), st.booleans()),
    st.sampled_from(["g/L", "mg/dL", "10*9/L", "mmol/L", "1.5", "0", "%", "Cel"]),
    st.sampled_from(["mg/L", "g/dL", "10*3/uL", "umol/L", "[degF]", "mmol/mol"]),
)
def test_any_conversion_is_a_finite_float_or_a_unit_error(
    value: object, source: str, target: str
) -> None:
    try:
        result = convert(value, source, target)  # type: ignore[arg-type]
    except UnitError:
        return  # refused: fine; any other exception (even another MutrecError) fails the test
    assert isinstance(result, float)
    assert math.isfinite(result)
