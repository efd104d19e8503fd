"""mutrec's factor table (``units/data/factors.toml``) against pint, and a cold start without it.

The table lets a process read units, load a region and convert without building pint's registry.
pint stays the source of truth: the table must be what pint generates, and every unit mutrec
reads from the UCUM example table and MIMIC-IV must get pint's dimension and factor from it.
"""

from __future__ import annotations

import csv
import gzip
import math
import subprocess
import sys
import zipfile
from fractions import Fraction
from importlib import resources
from pathlib import Path

import openpyxl
import pytest

import mutrec
from mutrec.errors import UnitError
from mutrec.units import _factors, _generate, _registry, analytes, convert, parse_unit
from mutrec.units._bridges import bridge
from mutrec.units._convert import _float, _linear
from mutrec.units._ucum import ParsedUcum, pint_expression
from mutrec.units._unit import parsed

DATA = Path(__file__).parents[1] / "data"
UCUM_TABLE = DATA / "ucum" / "TableOfExampleUcumCodesForElectronicMessaging.xlsx"
LABEVENTS = DATA / "mimic-iv-demo-2.2" / "hosp" / "labevents.csv.gz"
TOLERANCE = 1e-12  # relative: pint's floats carry a few ulps (its litre is 0.0010000000000000002)


def _readable(texts: list[str]) -> list[ParsedUcum]:
    units = []
    for text in texts:
        try:
            units.append(parsed(parse_unit(text).code))
        except UnitError:
            continue
    return units


@pytest.fixture(scope="module")
def ucum_units() -> list[ParsedUcum]:
    """Every code of the UCUM example table that mutrec reads (835 of 848)."""
    workbook = openpyxl.load_workbook(UCUM_TABLE, read_only=True)
    try:
        rows = workbook.worksheets[0].iter_rows(min_row=3, values_only=True)
        codes = [str(row[1]) for row in rows if row[1] is not None]
    finally:
        workbook.close()
    units = _readable(codes)
    assert len(units) == 835
    return units


@pytest.fixture(scope="module")
def mimic_units() -> list[ParsedUcum]:
    """Every MIMIC-IV demo ``valueuom`` spelling that mutrec reads."""
    with gzip.open(LABEVENTS, "rt", newline="", encoding="utf-8") as file:
        spellings = sorted({row["valueuom"] for row in csv.DictReader(file)})
    units = _readable(spellings)
    assert len(units) == 42  # 51 spellings, 9 refused on purpose (test_mimic.py)
    return units


def _pint_si(unit: ParsedUcum) -> tuple[float, float] | None:
    """pint's own ``(factor, offset)`` to SI base units, the scale included; None if it refuses."""
    registry = _registry._registry()
    pint_unit = registry.parse_units(unit.pint_expression)
    scale = float(unit.scale)
    try:
        zero = registry.Quantity(0.0, pint_unit).to_base_units().magnitude
        one = registry.Quantity(1.0, pint_unit).to_base_units().magnitude
    except Exception:  # noqa: BLE001 - pint's offset errors share no public base class
        return None
    return (float(one) - float(zero)) * scale, float(zero)


def _close(ours: float, pints: float) -> bool:
    return math.isclose(ours, pints, rel_tol=TOLERANCE, abs_tol=TOLERANCE * 1e-300)


def _assert_agrees_with_pint(units: list[ParsedUcum]) -> None:
    for unit in units:
        dims = _factors.dimensionality(unit.powers)
        assert dims == _registry.dimensionality(unit.pint_expression), unit.code
        ours = _factors.si_map(unit.powers)
        pints = _pint_si(unit)
        if ours is None:  # an affine unit in a product: left to pint, as before
            continue
        assert pints is not None, unit.code
        factor, offset = float(ours[0] * unit.scale), float(ours[1])
        assert _close(factor, pints[0]), (unit.code, factor, pints[0])
        assert math.isclose(offset, pints[1], rel_tol=TOLERANCE, abs_tol=1e-9), unit.code


def test_the_shipped_table_is_what_pint_generates() -> None:
    shipped = (resources.files("mutrec.units") / "data" / "factors.toml").read_text("utf-8")
    assert shipped == _generate.render(_generate.table()), "run python -m mutrec.units._generate"
    assert sorted(_factors.table()) == _generate.names()


def test_every_ucum_example_code_has_pints_dimension_and_factor(
    ucum_units: list[ParsedUcum],
) -> None:
    _assert_agrees_with_pint(ucum_units)


def test_every_mimic_spelling_has_pints_dimension_and_factor(
    mimic_units: list[ParsedUcum],
) -> None:
    _assert_agrees_with_pint(mimic_units)


def _pint_linear(from_code: str, to_code: str, key: str | None) -> tuple[float, float]:
    """The conversion as mutrec computed it before the table: every factor from pint."""
    source, target = parsed(from_code), parsed(to_code)
    source_dims = _registry.dimensionality(source.pint_expression)
    target_dims = _registry.dimensionality(target.pint_expression)
    bridges: list[tuple[float, str]] = []
    if source_dims != target_dims:
        found = next(item for item in analytes() if item.key == key)
        bridges = [
            (magnitude, pint_expression(powers))
            for magnitude, powers in bridge("test", source_dims, target_dims, found)
        ]
    factor, offset = _registry.linear_map(source.pint_expression, target.pint_expression, bridges)
    return factor * float(source.scale / target.scale), offset / float(target.scale)


def test_conversions_within_a_dimension_match_pint(ucum_units: list[ParsedUcum]) -> None:
    # Each readable code against the first code of its dimension and annotations, both ways.
    first: dict[tuple[object, ...], ParsedUcum] = {}
    checked = 0
    for unit in ucum_units:
        if _factors.si_map(unit.powers) is None:
            continue
        key = (_factors.dimensionality(unit.powers), unit.annotations)
        reference = first.setdefault(key, unit)
        for start, end in ((unit, reference), (reference, unit)):
            try:
                ours = _linear(start.code, end.code, None)
            except UnitError:
                continue  # a factor beyond a float, refused both before and now
            pints = _pint_linear(start.code, end.code, None)
            assert _close(ours[0], pints[0]), (start.code, end.code, ours, pints)
            assert math.isclose(ours[1], pints[1], rel_tol=TOLERANCE, abs_tol=1e-9)
            checked += 1
    assert checked > 1500


@pytest.mark.parametrize(
    ("from_code", "to_code", "needs"),
    [
        ("mg/dL", "mmol/L", "molar_mass"),
        ("ug/dL", "umol/L", "molar_mass"),
        ("pmol/L", "pg/mL", "molar_mass"),
        ("meq/L", "mmol/L", "valence"),
        ("mmol/L", "meq/L", "valence"),
        ("mg/dL", "meq/L", "both"),
        ("meq/L", "mg/dL", "both"),
        ("U/L", "[IU]/L", "enzyme"),
        ("[IU]/L", "ukat/L", "enzyme"),
    ],
)
def test_bridged_conversions_match_pint_for_every_analyte(
    from_code: str, to_code: str, needs: str
) -> None:
    checked = 0
    for item in analytes():
        usable = {
            "molar_mass": item.molar_mass is not None,
            "valence": item.valence is not None,
            "both": item.molar_mass is not None and item.valence is not None,
            "enzyme": item.enzyme,
        }[needs]
        if not usable:
            continue
        ours = _linear(from_code, to_code, item.key)
        pints = _pint_linear(from_code, to_code, item.key)
        assert _close(ours[0], pints[0]), (item.key, ours, pints)
        assert ours[1] == pints[1] == 0
        checked += 1
    assert checked


def test_the_table_is_exact_where_pints_floats_are_not() -> None:
    assert _factors.table()["liter"].factor == Fraction(1, 1000)
    assert convert(1.0, "mL", "cm3") == 1.0  # pint's floats said 1.0000000000000002
    assert convert(1.0, "[lb_av]", "kg") == 0.45359237  # and 0.4535923700000001
    # pint evaluated two points, 274.15 - 273.15 = 0.9999999999999773 K per Cel.
    assert _linear("Cel", "K", None) == (1.0, 273.15)  # canonical codes: parse_unit refuses K


def test_what_the_table_declines_is_left_to_pint() -> None:
    # An affine unit inside a product: pint treats it as a temperature difference.
    assert _factors.si_map(parsed("Cel/h").powers) is None
    assert convert(2.0, "Cel/h", "K/h") == 2.0
    with pytest.raises(UnitError, match="different dimensions"):
        convert(1.0, "Cel", "g")


def test_incommensurable_products_are_refused_by_the_table() -> None:
    with pytest.raises(_factors.IncommensurableError, match=r"\[length\] \*\* -3"):
        _factors.linear_map(parsed("mol/L").powers, parsed("mol/g").powers)


def _run(code: str) -> str:
    result = subprocess.run(  # noqa: S603 - fixed argv
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    return result.stdout.strip()


def test_reading_units_and_loading_a_region_do_not_import_pint() -> None:
    code = (
        "import sys, mutrec; mutrec.parse_unit('mmol/L'); mutrec.load_example_region(); "
        "mutrec.convert(100, 'mg/dL', 'mmol/L', analyte='glucose'); "
        "print('pint' in sys.modules)"
    )
    assert _run(code) == "False"


def test_units_regions_and_conversions_work_without_pint_installed() -> None:
    # sys.modules["pint"] = None makes "import pint" raise ImportError, as if not installed.
    code = (
        "import sys; sys.modules['pint'] = None; import mutrec; "
        "region = mutrec.load_example_region(); "
        "print(mutrec.parse_unit('K/uL').dimension, "
        "round(mutrec.convert(37, 'Cel', '[degF]'), 6), "
        "round(mutrec.convert(7, '%', 'mmol/mol', analyte='hba1c'), 6), "
        "round(mutrec.convert(1, 'mg/dL', 'umol/L', analyte='creatinine'), 2))"
    )
    assert _run(code) == "number concentration 98.6 53.01 88.4"


def test_the_generator_writes_the_shipped_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys, "argv", ["_generate", str(tmp_path)])
    _generate.main()
    shipped = (resources.files("mutrec.units") / "data" / "factors.toml").read_text("utf-8")
    assert (tmp_path / "factors.toml").read_text("utf-8") == shipped


def test_dimension_text_reads_back() -> None:
    for base in _factors.table().values():
        assert _factors._dims(_generate.dimension_text(base.dims)) == base.dims


def test_a_factor_beyond_a_float_becomes_an_infinity_that_is_refused() -> None:
    assert _float(Fraction(10) ** 400) == math.inf
    assert _float(-(Fraction(10) ** 400)) == -math.inf
    assert _float(Fraction(1, 10) ** 400) == 0.0


def test_the_data_files_are_read_from_a_zip_too(tmp_path: Path) -> None:
    # _data reads through the package's loader, not the file system: a zipped mutrec works.
    package = Path(mutrec.__file__).parent
    archive = tmp_path / "mutrec.zip"
    with zipfile.ZipFile(archive, "w") as zipped:
        for file in package.rglob("*"):
            if file.is_file() and "__pycache__" not in file.parts:
                zipped.write(file, file.relative_to(package.parent))
    code = (
        "import sys; sys.path.insert(0, sys.argv[1]); import mutrec.units as u; "
        "print(u.__file__.startswith(sys.argv[1]), u.parse_unit('mg/dL').dimension, "
        "round(u.convert(1, 'mg/dL', 'mmol/L', analyte='glucose'), 5))"
    )
    result = subprocess.run(  # noqa: S603 - fixed argv
        [sys.executable, "-c", code, str(archive)], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "True mass concentration 0.05551"
