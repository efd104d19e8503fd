"""The whitelist of UCUM atoms and prefixes mutrec understands, with their pint spelling.

This table is the only way a unit name reaches pint: the UCUM parser looks every symbol up here
and emits the ``pint`` name beside it, so pint never parses text a report wrote (UCUM ``10*9``
is our scale 1e9, never pint's ``10*9`` = 90; UCUM ``[pH]`` is ours, never pint's picohenry).
Each pint name's dimension and exact factor are in ``data/factors.toml``: a name added here
needs ``python -m mutrec.units._generate`` (a test fails until it is run).

Sources: UCUM 2.2 essence (tests/data/ucum/ucum-essence.xml) for codes, metric flags and values
of customary units; pint's default registry for SI and US customary factors.

Left out on purpose, although UCUM has them: siemens ``S``, henry ``H``, tesla ``T``, gauss
``G``, poise ``P``, stokes ``St`` and tonne ``t``. No lab result is measured in them, and on a
report each letter is a typo or another convention: ``S``/``H`` are seconds/hours, ``pH`` is
not picohenry, ``PG`` not petagauss, ``ft`` not femtotonne, ``G/L``/``T/L`` are French counts
(10*9/L, 10*12/L). Viscosity is written ``mPa.s`` and ``mm2/s`` instead of ``cP`` and ``cSt``.
"""

from __future__ import annotations

import math
from fractions import Fraction
from typing import Final, NamedTuple

__all__ = ["ATOMS", "PREFIXES", "Atom"]


class Atom(NamedTuple):
    """One UCUM atom: the pint expression it stands for, times a pure-number scale."""

    pint: str  # a pint expression over names only ("" for a pure number)
    scale: Fraction = Fraction(1)  # exact, so umol -> mmol is exactly 1000, not 1000.0000000000001
    metric: bool = False  # UCUM: only metric atoms take prefixes


def _metric(pint: str, scale: Fraction = Fraction(1)) -> Atom:
    return Atom(pint, scale, metric=True)


# UCUM 2.2 §2.1: the 20 decimal prefixes (binary ones are not used in lab messaging).
PREFIXES: Final[dict[str, Fraction]] = {
    symbol: Fraction(10) ** power
    for symbol, power in {
        "Y": 24, "Z": 21, "E": 18, "P": 15, "T": 12, "G": 9, "M": 6, "k": 3, "h": 2, "da": 1,
        "d": -1, "c": -2, "m": -3, "u": -6, "n": -9, "p": -12, "f": -15, "a": -18, "z": -21,
        "y": -24,
    }.items()
}  # fmt: skip

_ARBITRARY: Final[dict[str, str]] = {
    "[arb'U]": "arbitrary_unit", "[GPL'U]": "gpl_unit", "[MPL'U]": "mpl_unit",
    "[APL'U]": "apl_unit", "[beth'U]": "bethesda_unit", "[bdsk'U]": "bodansky_unit",
    "[ka'U]": "king_armstrong_unit", "[knk'U]": "kunkel_unit", "[mclg'U]": "maclagan_unit",
    "[todd'U]": "todd_unit", "[tb'U]": "tuberculin_unit", "[AU]": "allergen_unit",
}  # fmt: skip

ATOMS: Final[dict[str, Atom]] = {
    # SI base and derived units (metric).
    "m": _metric("meter"), "s": _metric("second"), "g": _metric("gram"),
    "rad": _metric("radian"), "K": _metric("kelvin"), "C": _metric("coulomb"),
    "cd": _metric("candela"), "mol": _metric("mole"), "sr": _metric("steradian"),
    "Hz": _metric("hertz"), "N": _metric("newton"), "Pa": _metric("pascal"),
    "J": _metric("joule"), "W": _metric("watt"), "A": _metric("ampere"), "V": _metric("volt"),
    "F": _metric("farad"), "Ohm": _metric("ohm"), "Wb": _metric("weber"),
    "Cel": _metric("degree_Celsius"), "lm": _metric("lumen"), "lx": _metric("lux"),
    "Bq": _metric("becquerel"), "Gy": _metric("gray"), "Sv": _metric("sievert"),
    "l": _metric("liter"), "L": _metric("liter"), "bar": _metric("bar"),
    "eV": _metric("electron_volt"), "cal": _metric("calorie"), "dyn": _metric("dyne"),
    "erg": _metric("erg"), "Ci": _metric("curie"),
    # Chemistry and clinical units (metric).
    "eq": _metric("equivalent"), "osm": _metric("osmole"), "kat": _metric("katal"),
    "U": _metric("enzyme_unit"), "[IU]": _metric("international_unit"),
    "[iU]": _metric("international_unit"), "m[Hg]": _metric("ucum_meter_of_mercury"),
    "m[H2O]": _metric("ucum_meter_of_water"),
    # Time (not metric in UCUM: no "kmin").
    "min": Atom("minute"), "h": Atom("hour"), "d": Atom("day"), "wk": Atom("week"),
    # UCUM mean Julian month and year.
    "mo": Atom("day", Fraction("30.4375")), "a": Atom("day", Fraction("365.25")),
    # Pure numbers.
    "%": Atom("percent"), "[ppth]": Atom("", Fraction(1, 10**3)),
    "[ppm]": Atom("", Fraction(1, 10**6)), "[ppb]": Atom("", Fraction(1, 10**9)),
    "[pptr]": Atom("", Fraction(1, 10**12)), "[pi]": Atom("", Fraction(math.pi)),
    "10*": Atom("", Fraction(10)), "10^": Atom("", Fraction(10)), "deg": Atom("degree"),
    # Customary units (UCUM international and US definitions).
    "[in_i]": Atom("inch"), "[ft_i]": Atom("foot"), "[yd_i]": Atom("yard"),
    "[mi_i]": Atom("mile"), "[sin_i]": Atom("inch ** 2"), "[sft_i]": Atom("foot ** 2"),
    "[syd_i]": Atom("yard ** 2"), "[cin_i]": Atom("inch ** 3"),
    "[in_us]": Atom("meter", Fraction(100, 3937)), "[ft_us]": Atom("meter", Fraction(1200, 3937)),
    "[lb_av]": Atom("pound"), "[oz_av]": Atom("ounce"), "[oz_tr]": Atom("troy_ounce"),
    "[dr_av]": Atom("dram"), "[gal_us]": Atom("gallon"), "[qt_us]": Atom("quart"),
    "[pt_us]": Atom("pint"), "[foz_us]": Atom("fluid_ounce"), "[tbs_us]": Atom("tablespoon"),
    "[tsp_us]": Atom("teaspoon"), "[psi]": Atom("psi"), "[degF]": Atom("degree_Fahrenheit"),
    "atm": Atom("atmosphere"), "Torr": Atom("torr"),
    "[in_i'Hg]": Atom("ucum_meter_of_mercury * inch / meter"),
    "[in_i'H2O]": Atom("ucum_meter_of_water * inch / meter"),
    # UCUM 2.2: drop = 1/20 mL, Charrière = 1/3 mm, diopter = 1/m.
    "[drp]": Atom("milliliter", Fraction(1, 20)), "[Ch]": Atom("millimeter", Fraction(1, 3)),
    "[diop]": Atom("1 / meter"),
    # Clinical: microscopy fields, pH, colony-forming and other arbitrary units.
    "[HPF]": Atom("high_power_field"), "[LPF]": Atom("low_power_field"),
    "[pH]": Atom("ph_unit"), "[CFU]": Atom("colony_forming_unit"),
    **{code: Atom(name) for code, name in _ARBITRARY.items()},
}  # fmt: skip
