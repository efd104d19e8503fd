"""Readable, stable names for the dimensions of lab units.

The name is derived from pint's dimensionality, as mutrec's factor table records it
(``data/factors.toml``, generated from pint and checked against it), and is what
:attr:`mutrec.units.Unit.dimension` shows. Two units with the same name convert by a pure factor;
names are never reused across incommensurable dimensions (each arbitrary unit names itself).
"""

from __future__ import annotations

from typing import Final

__all__ = ["dimension_name"]

_Dims = tuple[tuple[str, int], ...]

# Dimensions whose base unit is arbitrary (UCUM §4.6) or a clinical label: the "amount" of the
# quantity, named after the UCUM code of its unit.
_AMOUNTS: Final[dict[str, str]] = {
    "[substance]": "substance",
    "[mass]": "mass",
    "[equivalent]": "equivalent",
    "[osmole]": "osmole",
    "[international_unit]": "arbitrary ([IU])",
    "[arbitrary_unit]": "arbitrary ([arb'U])",
    "[colony_forming_unit]": "arbitrary ([CFU])",
    "[gpl_unit]": "arbitrary ([GPL'U])",
    "[mpl_unit]": "arbitrary ([MPL'U])",
    "[apl_unit]": "arbitrary ([APL'U])",
    "[bethesda_unit]": "arbitrary ([beth'U])",
    "[bodansky_unit]": "arbitrary ([bdsk'U])",
    "[king_armstrong_unit]": "arbitrary ([ka'U])",
    "[kunkel_unit]": "arbitrary ([knk'U])",
    "[maclagan_unit]": "arbitrary ([mclg'U])",
    "[todd_unit]": "arbitrary ([todd'U])",
    "[tuberculin_unit]": "arbitrary ([tb'U])",
    "[allergen_unit]": "arbitrary ([AU])",
}

_VOLUME: Final = (("[length]", -3),)
_NAMES: Final[dict[_Dims, str]] = {
    (): "dimensionless",
    (("[length]", -3),): "number concentration",
    (("[length]", 3),): "volume",
    (("[length]", 1),): "length",
    (("[length]", 2),): "area",
    (("[length]", 1), ("[time]", -1)): "velocity",
    (("[length]", 3), ("[time]", -1)): "volume rate",
    (("[mass]", 1), ("[time]", -1)): "mass rate",
    (("[substance]", 1), ("[time]", -1)): "catalytic activity",
    (("[length]", -3), ("[substance]", 1), ("[time]", -1)): "catalytic concentration",
    (("[mass]", -1), ("[substance]", 1), ("[time]", -1)): "catalytic content",
    (("[length]", -1), ("[mass]", 1), ("[time]", -2)): "pressure",
    (("[length]", -3), ("[mass]", 1)): "mass concentration",
    (("[time]", 1),): "time",
    (("[time]", -1),): "frequency",
    (("[temperature]", 1),): "temperature",
    (("[high_power_field]", -1),): "number per high-power field",
    (("[low_power_field]", -1),): "number per low-power field",
    (("[ph]", 1),): "pH",
    (("[mass]", -1), ("[osmole]", 1)): "osmolality",
    (("[length]", -3), ("[osmole]", 1)): "osmolarity",
}


def dimension_name(dims: _Dims) -> str:
    """Name a dimensionality given as sorted ``(dimension, power)`` pairs.

    >>> dimension_name((("[length]", -3), ("[substance]", 1)))
    'substance concentration'
    >>> dimension_name((("[length]", -2),))
    'other: [length]^-2'
    """
    dims = tuple(pair for pair in dims if pair[1])  # "[length]^0" says nothing
    if dims in _NAMES:
        return _NAMES[dims]
    # The "amount" is the one arbitrary or chemical base dimension in the numerator.
    amounts = [(name, power) for name, power in dims if name in _AMOUNTS and power == 1]
    if len(amounts) == 1:
        amount = _AMOUNTS[amounts[0][0]]
        rest = tuple(pair for pair in dims if pair != amounts[0])
        if not rest:
            return f"amount of {amount}" if amount in {"substance", "equivalent"} else amount
        if rest == _VOLUME:
            return f"{amount} concentration"
        if rest == (("[mass]", -1),):
            return f"{amount} content"
        if rest == (("[time]", -1),):
            return f"{amount} rate"
    return "other: " + " ".join(f"{name}^{power}" for name, power in dims)
