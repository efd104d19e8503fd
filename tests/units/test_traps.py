"""Report text that plain UCUM would silently misread: refused, with the unit it likely meant.

UCUM is case-sensitive and has prefixes up to yotta and physics atoms (henry, gauss, tesla...),
so a capitalised typo or a lost superscript is still "valid UCUM" for something absurd.
"""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mutrec.errors import UnitError
from mutrec.units import convert, parse_unit


def _refused(text: str) -> UnitError:
    with pytest.raises(UnitError) as caught:
        parse_unit(text)
    assert caught.value.text == text
    assert caught.value.reason
    return caught.value


@pytest.mark.parametrize(
    ("text", "suggestion"),
    [
        # Big prefixes on mass, volume, substance and enzyme atoms: megamole, megagram...
        ("Mmol/L", "mmol/L"),
        ("Mg/dL", "mg/dL"),
        ("Mg/L", "mg/L"),
        ("Pmol/L", "pmol/L"),
        ("Pg/mL", "pg/mL"),
        ("ML", "mL"),
        ("MU/L", "mU/L"),
        ("Meq/L", "meq/L"),
        ("Gg", None),  # gigagram: refused, no lab code folds to it
        # A valid UCUM symbol whose case-fold is a different, common lab code.
        ("Ms", "ms"),  # megasecond
        ("Mm/h", "mm/h"),  # megametre per hour (ESR is mm/h)
        ("PA", "Pa"),  # petaampere
        ("EU/dL", "{Ehrlich'U}/dL"),  # urobilinogen in Ehrlich units, not exa-enzyme units
    ],
)
def test_capitalised_typos_are_refused_with_the_likely_code(
    text: str, suggestion: str | None
) -> None:
    error = _refused(text)
    assert error.suggestion == suggestion
    if suggestion is not None:
        assert parse_unit(suggestion).code == suggestion


def test_small_prefixes_and_other_atoms_are_not_traps() -> None:
    # Only capital big prefixes are suspicious: picoampere is no typo of pascal.
    assert parse_unit("pA").dimension == "other: [current]^1"
    assert parse_unit("MBq").dimension == "frequency"
    assert parse_unit("MEQ/L").code == "meq/L"  # a listed spelling in capitals, not mega-eq


def test_a_capitalised_prefix_never_converts_by_a_million() -> None:
    with pytest.raises(UnitError, match="mmol/L"):
        convert(1, "Mmol/L", "mmol/L")
    assert convert(1, "mmol/L", "umol/L") == 1000


@pytest.mark.parametrize(
    ("text", "suggestion"),
    [
        ("109/L", "10*9/L"),
        ("1012/L", "10*12/L"),
        ("103/uL", "10*3/uL"),
        ("106/uL", "10*6/uL"),
        ("×109/L", "10*9/L"),
        ("x1012/L", "10*12/L"),
        ("109/l", "10*9/L"),
    ],
)
def test_a_power_of_ten_that_lost_its_superscript_is_refused(text: str, suggestion: str) -> None:
    error = _refused(text)
    assert error.suggestion == suggestion
    assert "superscript" in error.reason


@pytest.mark.parametrize(
    ("text", "code"),
    [("mg/(24.h)", "mg/(24.h)"), ("10.L/min", "10.L/min"), ("/100{WBCs}", "/100{WBCs}")],
)
def test_ucum_integer_factors_still_read(text: str, code: str) -> None:
    assert parse_unit(text).code == code


@pytest.mark.parametrize(
    ("text", "suggestion"),
    [
        ("pH", "[pH]"),  # UCUM: picohenry
        ("PH", "[pH]"),
        ("PG", "pg"),  # UCUM: petagauss
        ("S", "s"),  # UCUM: siemens
        ("H", "h"),  # UCUM: henry
        ("pmol/H/mg{protein}", "pmol/h/mg{protein}"),  # in the UCUM example table
        ("ft", "[ft_i]"),  # UCUM: femtotonne
        ("T", None),  # UCUM: tesla
        ("cP", "mPa.s"),  # centipoise: serum viscosity is mPa.s (1 cP = 1 mPa.s)
        ("cSt", "mm2/s"),  # centistokes
        ("C", "Cel"),  # UCUM: coulomb; a report means degrees Celsius
        ("F", "[degF]"),  # UCUM: farad; a report means degrees Fahrenheit
    ],
)
def test_single_letters_are_not_read_as_physics_units(text: str, suggestion: str | None) -> None:
    assert _refused(text).suggestion == suggestion


@pytest.mark.parametrize(("text", "suggestion"), [("G/L", "10*9/L"), ("T/L", "10*12/L")])
def test_french_giga_and_tera_per_litre_are_refused_with_the_ucum_count(
    text: str, suggestion: str
) -> None:
    # French/EU haematology prints leucocytes in G/L and erythrocytes in T/L, but a capital G
    # is just as often a typo of g/L: never read as a count (nor as gauss/tesla) silently.
    error = _refused(text)
    assert error.suggestion == suggestion
    assert "g/L" in error.reason or "10*12" in error.reason
    assert parse_unit("g/L").dimension == "mass concentration"  # the refusal is case-sensitive


@pytest.mark.parametrize(
    ("text", "suggestion"),
    [
        ("MOL/L", "mol/L"),
        ("MMOL/L", "mmol/L"),
        ("MG/DL", "mg/dL"),
        ("gm/dL", "g/dL"),
        ("UMOL/L", "umol/L"),
        ("mEq/dl", "meq/dL"),  # never meq/L: that would be ten times off
        ("mcg/mL", "ug/mL"),
        ("mM", "mmol/L"),  # millimolar, not millimetre
        ("KU/L", "kU/L"),
        ("DL", "dL"),
        ("UI/L", "[IU]/L"),  # French/Spanish unités internationales
    ],
)
def test_suggestions_keep_the_structure_and_dimension(text: str, suggestion: str) -> None:
    error = _refused(text)
    assert error.suggestion == suggestion
    parse_unit(suggestion)  # every suggestion is itself a unit mutrec reads


@pytest.mark.parametrize("text", ["MOL/L", "MMOL/L", "MG/DL", "gm/dL", "×109/L", "bogus/L", "zz"])
def test_no_suggestion_is_a_count_for_a_non_count(text: str) -> None:
    error = _refused(text)
    assert error.suggestion != "10*6/uL"


_LITRES = st.sampled_from(["l", "L"])
_PREFIXES = st.sampled_from(["", "d", "m", "u", "n", "f", "c"])
_NUMERATORS = st.sampled_from(["mg", "umol", "mmol", "10*3", "10*9", "[IU]", "U", "g", "meq"])


@given(_NUMERATORS, _PREFIXES, _LITRES)
def test_litre_case_variants_are_one_unit(numerator: str, prefix: str, litre: str) -> None:
    text = f"{numerator}/{prefix}{litre}"
    canonical = f"{numerator}/{prefix}L"
    assert parse_unit(text) == parse_unit(canonical)
    assert parse_unit(text).code == canonical
    assert parse_unit(f"{prefix}{litre}") == parse_unit(f"{prefix}L")


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("mg/dl", "mg/dL"),
        ("umol/l", "umol/L"),
        ("10*3/ul", "10*3/uL"),
        ("fl", "fL"),
        ("ml", "mL"),
        ("k[iU]/l", "k[IU]/L"),  # UCUM: [iU] is the same unit as [IU]
        ("10^9/L", "10*9/L"),
        ("mL/min/{1.73_m2}", "mL/min/{1.73_m2}"),  # annotations are kept as written
        ("ml/min/{1.73_m2}", "mL/min/{1.73_m2}"),
    ],
)
def test_codes_are_canonical(text: str, code: str) -> None:
    assert parse_unit(text).code == code
    assert parse_unit(text) == parse_unit(code)
