"""The analytes mutrec can convert across dimensions, loaded once from ``data/analytes.toml``."""

from __future__ import annotations

import tomllib
from functools import cache
from typing import Any, NamedTuple

import attrs

from mutrec.errors import UnitError
from mutrec.units._data import read_text
from mutrec.units._limits import MAX_LENGTH, shown

__all__ = ["AffineMapping", "Analyte", "affine_mappings", "analyte", "analytes"]


def _positive_or_none(_instance: object, attribute: attrs.Attribute[Any], value: Any) -> None:
    if value is not None and not value > 0:
        msg = f"Analyte.{attribute.name} must be positive or None, got {value!r}"
        raise ValueError(msg)


@attrs.frozen
class Analyte:
    """A measured substance and the numbers needed to convert its results.

    Attributes:
        key: The stable lower-case English key, such as ``glucose``.
        names: Display names (English, then Chinese).
        aliases: Report abbreviations (``Glu``, ``血糖``), matched case-insensitively.
        molar_mass: g/mol, for mass <-> substance conversions, or None when not used.
        valence: The ion's charge, for mEq <-> mmol, or None.
        enzyme: True when "IU" on its reports means the enzyme unit (1 µmol/min).
        source: Where every number above comes from.

    >>> glucose = analyte("Glu")
    >>> glucose.key, glucose.molar_mass
    ('glucose', 180.156)
    """

    key: str
    names: tuple[str, ...]
    aliases: tuple[str, ...]
    molar_mass: float | None = attrs.field(default=None, validator=_positive_or_none)
    valence: int | None = None
    enzyme: bool = False
    source: str = ""


class AffineMapping(NamedTuple):
    """An analyte mapping between two units: ``to = factor × from + offset`` (HbA1c)."""

    from_code: str
    to_code: str
    factor: float
    offset: float
    from_name: str = "from"  # the scale's name in messages, such as "NGSP"
    to_name: str = "to"


class _Catalogue(NamedTuple):
    by_key: dict[str, Analyte]
    by_name: dict[str, Analyte]  # case-folded keys, names and aliases
    mappings: dict[str, AffineMapping]


@cache
def _catalogue() -> _Catalogue:
    text = read_text("analytes.toml")
    by_key: dict[str, Analyte] = {}
    by_name: dict[str, Analyte] = {}
    mappings: dict[str, AffineMapping] = {}
    for key, entry in tomllib.loads(text).items():
        item = Analyte(
            key=key,
            names=tuple(entry["names"]),
            aliases=tuple(entry.get("aliases", ())),
            molar_mass=entry.get("molar_mass"),
            valence=entry.get("valence"),
            enzyme=entry.get("enzyme", False),
            source=entry["source"],
        )
        by_key[key] = item
        for name in {key, *item.names, *item.aliases}:
            if by_name.setdefault(name.casefold(), item) is not item:
                msg = f"analytes.toml: {name!r} names both {by_name[name.casefold()].key} and {key}"
                raise ValueError(msg)
        if (mapping := entry.get("mapping")) is not None:
            mappings[key] = AffineMapping(
                mapping["from"],
                mapping["to"],
                mapping["factor"],
                mapping["offset"],
                mapping.get("from_name", "from"),
                mapping.get("to_name", "to"),
            )
    return _Catalogue(by_key, by_name, mappings)


def analytes() -> tuple[Analyte, ...]:
    """Every analyte mutrec knows, in file order.

    >>> len(analytes()) >= 25
    True
    """
    return tuple(_catalogue().by_key.values())


def analyte(key_or_alias: str) -> Analyte:
    """Find an analyte by key, name or alias (case-insensitive), or raise UnitError.

    >>> analyte("肌酐").key, analyte("hba1c").names[0]
    ('creatinine', 'hemoglobin A1c')
    >>> analyte("glucos")
    Traceback (most recent call last):
    ...
    mutrec.errors.UnitError: unit 'glucos': unknown analyte; close matches: glucose ...
    """
    given: object = key_or_alias  # typed str, but callers may pass anything
    if not isinstance(given, str) or len(given) > MAX_LENGTH:
        what = f"{len(given):,} characters" if isinstance(given, str) else type(given).__name__
        reason = f"an analyte is a key or alias (str of at most {MAX_LENGTH}), got {what}"
        raise UnitError(shown(key_or_alias), reason)
    catalogue = _catalogue()
    found = catalogue.by_name.get(key_or_alias.strip().casefold())
    if found is not None:
        return found
    import difflib  # only on a miss: it is not worth its import at every start-up

    close = difflib.get_close_matches(key_or_alias.casefold(), catalogue.by_name, n=3)
    keys = list(dict.fromkeys(catalogue.by_name[name].key for name in close))
    listing = f"close matches: {', '.join(keys)}" if keys else "see mutrec.units.analytes()"
    raise UnitError(
        key_or_alias, f"unknown analyte; {listing}", suggestion=keys[0] if keys else None
    )


def affine_mappings() -> dict[str, AffineMapping]:
    """Analyte key -> its affine unit mapping (only HbA1c today)."""
    return _catalogue().mappings
