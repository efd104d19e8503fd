"""Dimensions and factors of units from mutrec's own table, so reading a unit never needs pint.

``data/factors.toml`` gives every pint name of the UCUM atom table (:mod:`mutrec.units._atoms`)
its exact factor to the coherent SI unit and its dimension. It is generated from pint by
:mod:`mutrec.units._generate` and checked against pint by the tests, so pint stays the source of
truth while a cold process pays a TOML read (about 1 ms) instead of pint's registry (about
0.4 s). A unit's dimension, and any conversion between two products of these names, is
computed here exactly with fractions and rounded once; pint is left only what the table
declines: an affine temperature inside a product (``Cel/h``), for which pint has rules of its
own (it reads a temperature difference there) that mutrec does not copy.
"""

from __future__ import annotations

import tomllib
from collections.abc import Sequence
from fractions import Fraction
from functools import cache, lru_cache
from typing import NamedTuple

from mutrec.units._data import read_text

__all__ = ["Base", "IncommensurableError", "dimensionality", "linear_map", "si_map", "table"]

_Dims = tuple[tuple[str, int], ...]
_Powers = tuple[tuple[str, int], ...]
_ONE = Fraction(1)
_ZERO = Fraction(0)


class IncommensurableError(ValueError):
    """The units measure different dimensions, so no factor converts one into the other."""


class Base(NamedTuple):
    """One pint name: ``SI value = factor × value + offset``, in the dimension ``dims``."""

    factor: Fraction
    offset: Fraction
    dims: _Dims  # sorted (base dimension, power) pairs, no zero powers


@cache
def table() -> dict[str, Base]:
    """Load ``data/factors.toml`` once.

    >>> table()["liter"]
    Base(factor=Fraction(1, 1000), offset=Fraction(0, 1), dims=(('[length]', 3),))
    """
    text = read_text("factors.toml")
    return {
        name: Base(Fraction(row[0]), Fraction(row[2]) if row[2:] else _ZERO, _dims(row[1]))
        for name, row in tomllib.loads(text)["units"].items()
    }


def _dims(text: str) -> _Dims:
    """Read ``[length]^-1 [mass] [time]^-2`` (a power of 1 is not written)."""
    pairs = (item.partition("^") for item in text.split())
    return tuple(sorted((base, int(power) if power else 1) for base, _, power in pairs))


@lru_cache(maxsize=4096)
def dimensionality(powers: _Powers) -> _Dims:
    """The dimension of ``Π name ** power`` as sorted ``(dimension, power)`` pairs.

    >>> dimensionality((("liter", -1), ("mole", 1)))
    (('[length]', -3), ('[substance]', 1))
    """
    units = table()
    total: dict[str, int] = {}
    for name, exponent in powers:
        for base, power in units[name].dims:
            total[base] = total.get(base, 0) + power * exponent
    return tuple(sorted((base, power) for base, power in total.items() if power))


def si_map(powers: _Powers) -> tuple[Fraction, Fraction] | None:
    """Exact ``(factor, offset)`` with ``SI value = factor × value + offset``.

    None for an affine unit (``Cel``, ``[degF]``) with a power other than 1 or inside a
    product: pint has rules of its own for those, and mutrec leaves them to it.

    >>> si_map((("gram", 1), ("liter", -1)))
    (Fraction(1, 1), Fraction(0, 1))
    >>> si_map((("degree_Fahrenheit", 1),))
    (Fraction(5, 9), Fraction(45967, 180))
    >>> si_map((("degree_Celsius", 1), ("hour", -1))) is None
    True
    """
    units = table()
    if len(powers) == 1 and powers[0][1] == 1:
        unit = units[powers[0][0]]
        return unit.factor, unit.offset
    if any(units[name].offset for name, _ in powers):
        return None
    factor = _ONE
    for name, exponent in powers:
        factor *= units[name].factor ** exponent
    return factor, _ZERO


def linear_map(
    source: _Powers, target: _Powers, bridges: Sequence[tuple[float, _Powers]] = ()
) -> tuple[Fraction, Fraction] | None:
    """Exact ``(factor, offset)`` with ``to = factor × from + offset``, as pint would compute.

    ``bridges`` are ``(magnitude, powers)`` quantities multiplied in on the way, such as an
    analyte's ``1 / molar_mass`` mol/g. Returns None for an affine unit the table leaves to
    pint (see :func:`si_map`). Raises IncommensurableError when the dimensions differ.

    >>> linear_map((("liter", -1),), (("milliliter", -1),))
    (Fraction(1, 1000), Fraction(0, 1))
    >>> linear_map((("degree_Celsius", 1),), (("degree_Fahrenheit", 1),))
    (Fraction(9, 5), Fraction(32, 1))
    """
    start, end = si_map(source), si_map(target)
    if start is None or end is None or (bridges and (start[1] or end[1])):
        return None
    dims = dict(dimensionality(source))
    factor = start[0]
    for magnitude, powers in bridges:
        bridged = si_map(powers)
        if bridged is None:  # pragma: no cover - bridges name no affine unit
            return None
        factor *= Fraction(magnitude) * bridged[0]
        for base, power in dimensionality(powers):
            dims[base] = dims.get(base, 0) + power
    if tuple(sorted((b, p) for b, p in dims.items() if p)) != dimensionality(target):
        raise IncommensurableError(_incommensurable(source, target))
    return factor / end[0], (start[1] - end[1]) / end[0]


def _incommensurable(source: _Powers, target: _Powers) -> str:
    def shown(dims: _Dims) -> str:
        return " * ".join(f"{base} ** {power}" for base, power in dims) or "dimensionless"

    return f"cannot convert from {shown(dimensionality(source))} to {shown(dimensionality(target))}"
