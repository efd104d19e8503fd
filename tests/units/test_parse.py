"""parse_unit: UCUM, Chinese and US report spellings, refusals, and why the layer exists."""

from __future__ import annotations

import pickle
import subprocess
import sys
from pathlib import Path

import attrs
import openpyxl
import pint
import pytest

from mutrec.errors import UnitError
from mutrec.units import Unit, parse_unit

DATA = Path(__file__).parents[1] / "data"
UCUM_TABLE = DATA / "ucum" / "TableOfExampleUcumCodesForElectronicMessaging.xlsx"


@pytest.mark.parametrize(
    ("text", "code", "dimension"),
    [
        # UCUM codes as lab messages carry them (UCUM example table, FHIR R4 examples).
        ("10*9/L", "10*9/L", "number concentration"),
        ("10*12/L", "10*12/L", "number concentration"),
        ("umol/L", "umol/L", "substance concentration"),
        ("[IU]/L", "[IU]/L", "arbitrary ([IU]) concentration"),
        ("meq/L", "meq/L", "equivalent concentration"),
        ("mm[Hg]", "mm[Hg]", "pressure"),
        ("%", "%", "dimensionless"),
        ("{INR}", "{INR}", "dimensionless"),
        ("/[HPF]", "/[HPF]", "number per high-power field"),
        ("/[LPF]", "/[LPF]", "number per low-power field"),
        ("10*3/uL", "10*3/uL", "number concentration"),
        ("U/L", "U/L", "catalytic concentration"),
        ("ukat/L", "ukat/L", "catalytic concentration"),
        ("mosm/kg", "mosm/kg", "osmolality"),
        ("mm/h", "mm/h", "velocity"),
        ("mg/(24.h)", "mg/(24.h)", "mass rate"),
        ("mL/min/{1.73_m2}", "mL/min/{1.73_m2}", "volume rate"),
        ("g/(8.h){shift}", "g/(8.h){shift}", "mass rate"),
        # Chinese report spellings.
        ("×10^9/L", "10*9/L", "number concentration"),
        ("×10⁹/L", "10*9/L", "number concentration"),
        ("×10¹²/L", "10*12/L", "number concentration"),
        ("10^9/L", "10*9/L", "number concentration"),
        ("x10E9/L", "10*9/L", "number concentration"),
        ("μmol/L", "umol/L", "substance concentration"),  # U+03BC GREEK SMALL LETTER MU
        ("µmol/L", "umol/L", "substance concentration"),  # U+00B5 MICRO SIGN
        ("mmol/L", "mmol/L", "substance concentration"),
        ("g/L", "g/L", "mass concentration"),
        ("IU/L", "[IU]/L", "arbitrary ([IU]) concentration"),
        ("mIU/L", "m[IU]/L", "arbitrary ([IU]) concentration"),
        ("fL", "fL", "volume"),
        ("pg", "pg", "mass"),
        ("秒", "s", "time"),
        ("ｍｍｏｌ／Ｌ", "mmol/L", "substance concentration"),  # full-width
        ("μIU/mL", "u[IU]/mL", "arbitrary ([IU]) concentration"),
        # US lab spellings.
        ("K/uL", "10*3/uL", "number concentration"),
        ("m/uL", "10*6/uL", "number concentration"),
        ("mEq/L", "meq/L", "equivalent concentration"),
        ("mm Hg", "mm[Hg]", "pressure"),
        ("sec", "s", "time"),
        ("#/hpf", "/[HPF]", "number per high-power field"),
        ("/hpf", "/[HPF]", "number per high-power field"),
        ("#/uL", "/uL", "number concentration"),
        ("uIU/mL", "u[IU]/mL", "arbitrary ([IU]) concentration"),
        ("ng/mL FEU", "ng{FEU}/mL", "mass concentration"),
        ("mg / dL", "mg/dL", "mass concentration"),
    ],
)
def test_parse_unit_reads_ucum_and_report_spellings(text: str, code: str, dimension: str) -> None:
    unit = parse_unit(text)
    assert unit == Unit(code, dimension)
    assert str(unit) == code


@pytest.mark.parametrize(
    ("text", "suggestion"),
    [
        ("N/A", None),
        ("", None),
        ("   ", None),
        ("Ratio", "{ratio}"),
        ("+/-", None),
        ("units", "[pH]"),
        ("log10 IU/mL", "[IU]/mL"),
        ("K/nL", "10*3/nL"),  # UCUM would read kelvin per nL
        ("m/L", "10*6/L"),  # UCUM would read metre per litre
        ("mg/dl/", None),
        ("mmol per L", None),
        ("bogus", None),
    ],
)
def test_parse_unit_refuses_non_units_and_ambiguous_text(text: str, suggestion: str | None) -> None:
    with pytest.raises(UnitError) as caught:
        parse_unit(text)
    assert caught.value.text == text
    assert caught.value.reason
    if suggestion is not None:
        assert caught.value.suggestion == suggestion


def test_unknown_unit_suggests_a_close_spelling() -> None:
    with pytest.raises(UnitError) as caught:
        parse_unit("mEq/dl ")  # not listed, not UCUM ("Eq" is no atom)
    # Per decilitre, as written: "meq/L" (the closest listed spelling) would be ten times off.
    assert caught.value.suggestion == "meq/dL"


def test_plain_pint_misreads_ucum_and_us_spellings_but_mutrec_does_not() -> None:
    registry = pint.UnitRegistry()
    # pint reads "10*9/L" as the number 90 per litre ...
    misread = registry.Quantity("10*9/L")
    assert misread.magnitude == 90
    assert parse_unit("10*9/L").dimension == "number concentration"
    # ... and "K/uL" as kelvin per microlitre.
    kelvin = registry.Quantity(1, "K/uL")
    assert "[temperature]" in kelvin.dimensionality
    assert parse_unit("K/uL").code == "10*3/uL"


def test_unit_is_a_plain_frozen_picklable_value() -> None:
    unit = parse_unit("mmol/L")
    assert pickle.loads(pickle.dumps(unit)) == unit  # noqa: S301 - our own bytes
    assert all(isinstance(getattr(unit, field.name), str) for field in attrs.fields(Unit))
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        unit.code = "mg/dL"  # type: ignore[misc]
    with pytest.raises(ValueError, match="code"):
        Unit(" ", "dimensionless")


def test_importing_mutrec_units_does_not_import_pint() -> None:
    code = "import sys, mutrec.units; print('pint' in sys.modules)"
    result = subprocess.run(  # noqa: S603 - fixed argv
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "False"


def _ucum_example_codes() -> list[str]:
    workbook = openpyxl.load_workbook(UCUM_TABLE, read_only=True)
    try:
        rows = workbook.worksheets[0].iter_rows(min_row=3, values_only=True)
        return [str(row[1]) for row in rows if row[1] is not None]
    finally:
        workbook.close()


def test_ucum_example_table_parses() -> None:
    codes = _ucum_example_codes()
    assert len(codes) == 848
    refused: dict[str, str] = {}
    for code in codes:
        try:
            parse_unit(code)
        except UnitError as error:
            refused[code] = error.reason
    parsed = len(codes) - len(refused)
    print(f"UCUM example table: {parsed} of {len(codes)} codes parse; refused: {refused}")  # noqa: T201 - report the count
    assert set(refused) == {
        # Logarithmic, or not a UCUM 2.2 atom.
        "dB", "[MET].min/wk",
        # Single letters that are physics units in UCUM and something else on a lab report:
        # K kelvin (thousands), F farad (degrees Fahrenheit), H henry (hours; the table's own
        # "pmol/H/mg{protein}" means per hour), S siemens (seconds), T tesla (French tera).
        "K", "F", "H", "pmol/H/mg{protein}", "S", "T",
        # Atoms left out of the lab whitelist (tesla, tonne, poise, stokes): "pT", "t" ("ft" is
        # femtotonne), "cP" and "cSt" (serum viscosity is written mPa.s and mm2/s).
        "pT", "t", "cP", "cSt",
        # Megasecond: valid UCUM, but in report text "Ms" is a capitalised "ms".
        "Ms",
    }  # fmt: skip
    assert parsed == 835
    assert refused["pmol/H/mg{protein}"]
