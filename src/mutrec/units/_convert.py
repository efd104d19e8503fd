"""Converting values between units: :func:`convert` and the fast :class:`Converter`.

pint is the source of truth for every factor, but it is asked once per (from, to, analyte), at
construction, under the registry's lock; the hot path is one multiply and one add per value.
"""

from __future__ import annotations

import sys
from functools import lru_cache
from typing import TYPE_CHECKING, Any, overload

import attrs

from mutrec.errors import UnitError
from mutrec.units import _registry
from mutrec.units._analytes import AffineMapping, Analyte, affine_mappings, analyte
from mutrec.units._bridges import bridge
from mutrec.units._ucum import ParsedUcum, UcumSyntaxError
from mutrec.units._unit import Unit, parse_unit, parsed

if TYPE_CHECKING:
    from collections.abc import Sequence

    import numpy as np
    from numpy.typing import NDArray

__all__ = ["Converter", "convert"]


def _as_unit(unit: str | Unit) -> Unit:
    return parse_unit(unit) if isinstance(unit, str) else unit


def _as_analyte(which: str | Analyte | None) -> Analyte | None:
    return analyte(which) if isinstance(which, str) else which


def _side(unit: ParsedUcum, mapping: AffineMapping) -> str:
    """Which side of ``mapping`` a unit is on.

    "from" or "to"; "neither" for a pure number that could be on either (1 or 10*-3 for HbA1c);
    "unrelated" for another dimension.
    """
    dims = _registry.dimensionality(unit.pint_expression)
    for side, code in (("from", mapping.from_code), ("to", mapping.to_code)):
        reference = parsed(code)
        # Same atoms, even cancelled ones: umol/mol is an IFCC ratio like mmol/mol, 10*-3 is not.
        if unit.atoms == reference.atoms and dims == _registry.dimensionality(
            reference.pint_expression
        ):
            return side
    related = {_registry.dimensionality(parsed(c).pint_expression) for c in mapping[:2]}
    return "neither" if dims in related else "unrelated"


def _mapped(  # noqa: PLR0913, PLR0917 - one private step of _linear
    description: str,
    source: ParsedUcum,
    target: ParsedUcum,
    key: str,
    mapping: AffineMapping,
    analyte_key: str | None,
) -> tuple[float, float] | None:
    """The conversion through an analyte's affine mapping (HbA1c), or None when it does not apply.

    Both sides are first scaled to the mapping's own units by pint (umol/mol -> mmol/mol), so
    the mapping is never applied to a number in another unit.
    """
    sides = (_side(source, mapping), _side(target, mapping))
    crossing = sides in {("from", "to"), ("to", "from")}
    if analyte_key != key:
        if crossing and analyte_key is None:
            reason = f"ambiguous: a plain ratio for most analytes, an affine mapping for {key}"
            raise UnitError(description, f"{reason}; pass analyte={key!r} for {key}")
        return None
    if "neither" in sides and "unrelated" not in sides:
        reason = (
            f"ambiguous for {key}: a pure number could be on the {mapping.from_name} scale "
            f"({mapping.from_code}) or the {mapping.to_name} scale ({mapping.to_code}); "
            f"write the unit as {mapping.from_code} or {mapping.to_code}"
        )
        raise UnitError(description, reason)
    if not crossing:
        return None
    start, end = (source.code, target.code) if sides[0] == "from" else (target.code, source.code)
    into, _ = _linear(start, mapping.from_code, None)  # both linear: no offsets
    out_of, _ = _linear(mapping.to_code, end, None)
    factor, offset = out_of * mapping.factor * into, out_of * mapping.offset
    if sides[0] == "from":
        return factor, offset
    return 1 / factor, -offset / factor


@lru_cache(maxsize=4096)
def _linear(from_code: str, to_code: str, analyte_key: str | None) -> tuple[float, float]:
    """``(factor, offset)`` with ``to = factor × from + offset``; cached per argument triple."""
    description = f"{from_code} -> {to_code}"
    try:
        source, target = parsed(from_code), parsed(to_code)
    except UcumSyntaxError as error:
        raise UnitError(description, f"not a canonical UCUM code ({error})") from None
    if source.annotations != target.annotations:
        shown = [" ".join(f"{{{a}}}" for a in p.annotations) or "none" for p in (source, target)]
        reason = f"annotations differ ({shown[0]} vs {shown[1]}): they measure different things"
        raise UnitError(description, reason)
    for key, mapping in affine_mappings().items():
        mapped = _mapped(description, source, target, key, mapping, analyte_key)
        if mapped is not None:
            return mapped
    source_dims = _registry.dimensionality(source.pint_expression)
    target_dims = _registry.dimensionality(target.pint_expression)
    bridges: list[tuple[float, str]] = []
    if source_dims != target_dims:
        found = analyte(analyte_key) if analyte_key is not None else None
        bridges = bridge(description, source_dims, target_dims, found)
    try:
        factor, offset = _registry.linear_map(
            source.pint_expression, target.pint_expression, bridges
        )
    except _registry.IncommensurableError as error:
        raise UnitError(description, f"pint cannot convert: {error}") from None
    # The UCUM scales (prefix-free numbers such as 10*9) stay outside pint, on purpose.
    scale = float(source.scale / target.scale)
    return factor * scale, offset / float(target.scale)


@lru_cache(maxsize=4096)
def _conversion(
    from_unit: str | Unit, to_unit: str | Unit, which: str | Analyte | None
) -> tuple[float, float]:
    """Cached on the caller's own arguments, so a repeated convert() skips every lookup."""
    found = _as_analyte(which)
    return _linear(
        _as_unit(from_unit).code, _as_unit(to_unit).code, None if found is None else found.key
    )


def convert(
    value: float,
    from_unit: str | Unit,
    to_unit: str | Unit,
    *,
    analyte: str | Analyte | None = None,
) -> float:
    """Convert one value; across dimensions (mg/dL -> mmol/L) ``analyte`` supplies the data.

    Args:
        value: The number, in ``from_unit``.
        from_unit: The unit of ``value``, as text or a :class:`Unit`.
        to_unit: The unit wanted.
        analyte: Key or alias of the analyte, needed for mass <-> substance (molar mass),
            mEq <-> mmol (valence), IU <-> U (enzymes) and HbA1c % <-> mmol/mol.

    Returns:
        The value in ``to_unit``.

    Raises:
        UnitError: A unit is unreadable, the dimensions differ and the analyte cannot bridge
            them (the message says what is missing), or the analyte is unknown.

    >>> round(convert(100, "mg/dL", "mmol/L", analyte="glucose"), 2)
    5.55
    >>> round(convert(6.5, "%", "mmol/mol", analyte="HbA1c"))
    48
    >>> convert(100, "mg/dL", "mmol/L")
    Traceback (most recent call last):
    ...
    mutrec.errors.UnitError: unit 'mg/dL -> mmol/L': needs an analyte with a molar mass; ...
    """
    factor, offset = _conversion(from_unit, to_unit, analyte)
    return value * factor + offset


@attrs.frozen(init=False)
class Converter:
    """A conversion computed once, then applied fast to many values.

    Attributes:
        from_unit: The unit values come in.
        to_unit: The unit values go out.
        analyte: The analyte that bridged dimensions, if one was given.
        factor: Multiplier of the conversion (``to = factor × from + offset``).
        offset: Offset of the conversion; non-zero only for affine ones (HbA1c, °C).

    >>> to_mmol = Converter("mg/dL", "mmol/L", analyte="glucose")
    >>> round(to_mmol(100), 3), [round(v, 2) for v in to_mmol.many([90.0, 126.0])]
    (5.551, [5.0, 6.99])
    """

    from_unit: Unit
    to_unit: Unit
    analyte: Analyte | None
    factor: float
    offset: float

    def __init__(
        self, from_unit: str | Unit, to_unit: str | Unit, analyte: str | Analyte | None = None
    ) -> None:
        """Read the units and the analyte, and compute the factor and offset once."""
        source, target, found = _as_unit(from_unit), _as_unit(to_unit), _as_analyte(analyte)
        factor, offset = _conversion(source, target, found)
        self.__attrs_init__(source, target, found, factor, offset)

    def __call__(self, value: float) -> float:
        """Convert one value: a multiply and an add, no pint.

        >>> Converter("g/dL", "g/L")(13.5)
        135.0
        """
        return value * self.factor + self.offset

    @overload
    def many(self, values: NDArray[np.floating[Any]]) -> NDArray[np.float64]: ...
    @overload
    def many(self, values: Sequence[float]) -> list[float]: ...
    def many(
        self, values: Sequence[float] | NDArray[np.floating[Any]]
    ) -> list[float] | NDArray[np.float64]:
        """Convert a sequence (to a list) or a numpy array (vectorised, to a float64 array).

        >>> Converter("mmol/L", "umol/L").many([1.0, 2.5])
        [1000.0, 2500.0]
        """
        # numpy is optional: if it was never imported, ``values`` cannot be an array.
        numpy = sys.modules.get("numpy")
        if numpy is not None and isinstance(values, numpy.ndarray):
            array: NDArray[np.float64] = numpy.asarray(values, dtype=numpy.float64)
            return array * self.factor + self.offset if self.offset else array * self.factor
        factor, offset = self.factor, self.offset
        return [value * factor + offset for value in values]
