"""Cross-dimension conversions an analyte makes possible, as quantities to multiply in.

Mass <-> substance needs a molar mass, equivalents <-> substance a valence, and WHO-style
"IU" <-> enzyme units needs to know the analyte is an enzyme (IUB 1964: 1 IU = 1 µmol/min).
Each bridge is keyed by the dimensional ratio from-unit / to-unit it cancels.
"""

from __future__ import annotations

from typing import Final

from mutrec.errors import UnitError
from mutrec.units._analytes import Analyte

__all__ = ["bridge"]

_Dims = tuple[tuple[str, int], ...]
# A product of pint names with their powers, as in ParsedUcum.powers (sorted by name).
_Powers = tuple[tuple[str, int], ...]
_MOLE_PER_GRAM: Final[_Powers] = (("gram", -1), ("mole", 1))
_GRAM_PER_MOLE: Final[_Powers] = (("gram", 1), ("mole", -1))
_MOLE_PER_EQUIVALENT: Final[_Powers] = (("equivalent", -1), ("mole", 1))
_EQUIVALENT_PER_MOLE: Final[_Powers] = (("equivalent", 1), ("mole", -1))
_ENZYME_UNIT_PER_IU: Final[_Powers] = (("enzyme_unit", 1), ("international_unit", -1))
_IU_PER_ENZYME_UNIT: Final[_Powers] = (("enzyme_unit", -1), ("international_unit", 1))

_MASS_PER_SUBSTANCE: Final[_Dims] = (("[mass]", 1), ("[substance]", -1))
_SUBSTANCE_PER_MASS: Final[_Dims] = (("[mass]", -1), ("[substance]", 1))
_EQUIVALENT_PER_SUBSTANCE: Final[_Dims] = (("[equivalent]", 1), ("[substance]", -1))
_SUBSTANCE_PER_EQUIVALENT: Final[_Dims] = (("[equivalent]", -1), ("[substance]", 1))
_MASS_PER_EQUIVALENT: Final[_Dims] = (("[equivalent]", -1), ("[mass]", 1))
_EQUIVALENT_PER_MASS: Final[_Dims] = (("[equivalent]", 1), ("[mass]", -1))
_IU_PER_ENZYME: Final[_Dims] = (("[international_unit]", 1), ("[substance]", -1), ("[time]", 1))
_ENZYME_PER_IU: Final[_Dims] = (("[international_unit]", -1), ("[substance]", 1), ("[time]", -1))

_NEEDS_MOLAR_MASS: Final = frozenset({_MASS_PER_SUBSTANCE, _SUBSTANCE_PER_MASS})
_NEEDS_VALENCE: Final = frozenset({_EQUIVALENT_PER_SUBSTANCE, _SUBSTANCE_PER_EQUIVALENT})
_NEEDS_BOTH: Final = frozenset({_MASS_PER_EQUIVALENT, _EQUIVALENT_PER_MASS})
_NEEDS_ENZYME: Final = frozenset({_IU_PER_ENZYME, _ENZYME_PER_IU})
_EXAMPLE: Final = {
    "molar mass": "glucose",
    "valence": "calcium",
    "molar mass and a valence": "calcium",
    "enzyme flag": "alt",
}


def ratio(source: _Dims, target: _Dims) -> _Dims:
    """The dimensions of ``source / target``, sorted, without zero powers."""
    powers = dict(source)
    for name, power in target:
        powers[name] = powers.get(name, 0) - power
    return tuple(sorted((name, power) for name, power in powers.items() if power))


def _need(source: _Dims, target: _Dims) -> str | None:
    kind = ratio(source, target)
    if kind in _NEEDS_MOLAR_MASS:
        return "molar mass"
    if kind in _NEEDS_VALENCE:
        return "valence"
    if kind in _NEEDS_BOTH:
        return "molar mass and a valence"
    if kind in _NEEDS_ENZYME:
        return "enzyme flag"
    return None


def bridge(
    description: str, source: _Dims, target: _Dims, analyte: Analyte | None
) -> list[tuple[float, _Powers]]:
    """The quantities ``(magnitude, powers)`` to multiply a ``source`` quantity by.

    Raises UnitError naming what is missing when the analyte cannot bridge the dimensions.
    """
    need = _need(source, target)
    if need is None:
        raise UnitError(description, "the units measure different dimensions")
    if analyte is None:
        example = _EXAMPLE[need]
        reason = f"needs an analyte with a {need}; pass analyte={example!r} (for example)"
        raise UnitError(description, reason)
    kind = ratio(source, target)
    mass, valence = analyte.molar_mass, analyte.valence
    missing = (
        (need in {"molar mass", "molar mass and a valence"} and mass is None)
        or (need in {"valence", "molar mass and a valence"} and valence is None)
        or (need == "enzyme flag" and not analyte.enzyme)
    )
    if missing:
        reason = f"needs a {need}, which analyte {analyte.key!r} has not"
        if need == "enzyme flag":
            # UCUM U is the enzyme unit; UK TSH "mU/L" and IgE "kU/L" mean WHO units.
            reason += (
                "; if the report's U means WHO International Units (TSH mU/L, IgE kU/L), "
                "write the unit with [IU] (m[IU]/L, k[IU]/L)"
            )
        raise UnitError(description, reason)
    charge = abs(valence) if valence is not None else 0
    molar_mass = mass if mass is not None else 0.0
    table: dict[_Dims, list[tuple[float, _Powers]]] = {
        _MASS_PER_SUBSTANCE: [(1 / molar_mass if molar_mass else 0.0, _MOLE_PER_GRAM)],
        _SUBSTANCE_PER_MASS: [(molar_mass, _GRAM_PER_MOLE)],
        _EQUIVALENT_PER_SUBSTANCE: [(1 / charge if charge else 0.0, _MOLE_PER_EQUIVALENT)],
        _SUBSTANCE_PER_EQUIVALENT: [(charge, _EQUIVALENT_PER_MOLE)],
        _MASS_PER_EQUIVALENT: [
            (1 / molar_mass if molar_mass else 0.0, _MOLE_PER_GRAM),
            (charge, _EQUIVALENT_PER_MOLE),
        ],
        _EQUIVALENT_PER_MASS: [
            (1 / charge if charge else 0.0, _MOLE_PER_EQUIVALENT),
            (molar_mass, _GRAM_PER_MOLE),
        ],
        _IU_PER_ENZYME: [(1.0, _ENZYME_UNIT_PER_IU)],
        _ENZYME_PER_IU: [(1.0, _IU_PER_ENZYME_UNIT)],
    }
    return table[kind]
