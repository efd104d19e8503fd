"""Report text that is valid UCUM for something absurd: refuse it, and canonicalise the rest.

UCUM is case-sensitive and has prefixes up to yotta, so a report's capitalised typo is still
"valid": ``Mmol/L`` is megamole per litre, ``Ms`` a megasecond, ``PA`` a petaampere. Report
text (whatever is not a listed spelling) passes through :func:`vet` before it is parsed:

- a big prefix (M G T P E Z Y) on a mass, volume, substance, equivalent, osmole or enzyme atom
  is refused: no lab result is measured in megagrams or petamoles;
- any other big prefix that makes a common lab code in capitals (``Ms`` -> ``ms``, ``PA`` ->
  ``Pa``) is refused, with the common code as the suggestion (a small prefix is left alone:
  ``pA``, picoampere, is no plausible typo of ``Pa``);
- symbols that are the same unit in another spelling are rewritten to one canonical code
  (litre ``l`` -> ``L``, ``[iU]`` -> ``[IU]``, ``10^`` -> ``10*``), so equal units compare equal.

:func:`repair` builds the "did you mean" code token by token (case-fold, a few report aliases),
so a suggestion keeps the text's structure and dimension (``MG/DL`` -> ``mg/dL``).
"""

from __future__ import annotations

import re
from typing import Final, NamedTuple

from mutrec.errors import UnitError
from mutrec.units._atoms import ATOMS
from mutrec.units._ucum import UcumSyntaxError, parse_ucum, split_exponent, split_symbol

__all__ = ["repair", "vet"]

_BIG_PREFIXES: Final = {
    "M": "mega", "G": "giga", "T": "tera", "P": "peta", "E": "exa", "Z": "zetta", "Y": "yotta"
}  # fmt: skip
# pint names of the atoms a lab never measures in big multiples.
_GUARDED: Final = frozenset({
    "gram", "liter", "mole", "equivalent", "osmole", "enzyme_unit", "international_unit", "katal"
})  # fmt: skip
# Canonical UCUM symbols of lab reports: a big-prefixed symbol that case-folds to one of them
# is a typo for it, and an unknown one that does suggests it.
_COMMON: Final = (
    "kg", "g", "mg", "ug", "ng", "pg", "fg", "mol", "mmol", "umol", "nmol", "pmol", "fmol",
    "L", "dL", "cL", "mL", "uL", "nL", "pL", "fL", "s", "ms", "us", "ns", "min", "h", "d",
    "wk", "mo", "a", "m", "cm", "mm", "um", "nm", "U", "mU", "uU", "kU", "kat", "ukat",
    "nkat", "mkat", "eq", "meq", "ueq", "osm", "mosm", "Pa", "kPa", "bar", "mbar", "[IU]",
    "m[IU]", "u[IU]", "k[IU]", "Cel", "%",
)  # fmt: skip
_COMMON_FOLD: Final = {symbol.casefold(): symbol for symbol in _COMMON}
# Same unit, other spelling -> canonical atom (UCUM 2.2: l = L, [iU] = [IU], 10^ = 10*).
_CANONICAL_ATOM: Final = {"l": "L", "[iU]": "[IU]", "10^": "10*"}
# Report words for units, used only to suggest (never to read): the text stays refused.
_ALIASES: Final[dict[str, str | None]] = {
    "gm": "g", "gms": "g", "gr": None, "mcg": "ug", "mcmol": "umol", "cc": "mL",
    "hr": "h", "hrs": "h", "sec": "s", "secs": "s", "mEq": "meq", "mOsm": "mosm",
    "IU": "[IU]", "mIU": "m[IU]", "uIU": "u[IU]", "kIU": "k[IU]", "UI": "[IU]",
    "mM": "mmol/L", "uM": "umol/L", "nM": "nmol/L", "pM": "pmol/L", "M": None,
    "ft": "[ft_i]", "in": "[in_i]", "lb": "[lb_av]", "lbs": "[lb_av]", "oz": "[oz_av]",
    "cP": "mPa.s", "cSt": "mm2/s",  # viscosity: 1 cP = 1 mPa.s, 1 cSt = 1 mm2/s
}  # fmt: skip
# A symbol with its brackets, or an annotation (skipped). An unclosed bracket or brace runs to
# the end of the text (the UCUM parser refuses it later): requiring the closer would make
# finditer rescan the rest of the text from every "[" or "{", quadratic in its length.
_TOKEN: Final = re.compile(r"\{[^}]*\}?|(?:\[[^\]]*\]?|[^./(){}\[\]])+")


class _Symbol(NamedTuple):
    start: int
    end: int
    base: str  # without the exponent
    exponent: str


def _symbols(code: str) -> list[_Symbol]:
    found = []
    for match in _TOKEN.finditer(code):
        text = match[0]
        if text.startswith("{") or (text.isascii() and text.isdigit()):  # annotations, factors
            continue
        base, exponent = split_exponent(text)
        found.append(_Symbol(match.start(), match.end(), base, exponent))
    return found


def _check(base: str) -> tuple[str | None, str | None]:
    """``(canonical, None)``, ``(None, why)`` for a trap, or ``(None, None)`` when unknown."""
    split = split_symbol(base)
    if split is None:
        return None, None
    prefix, atom = split
    canonical = prefix + _CANONICAL_ATOM.get(atom, atom)
    if prefix not in _BIG_PREFIXES:
        return canonical, None
    size, name = _BIG_PREFIXES[prefix], ATOMS[atom].pint.replace("_", " ")
    if ATOMS[atom].pint in _GUARDED:
        return None, f"{base!r} is UCUM for {size}{name} (capital {prefix!r} = {size}): a typo"
    common = _COMMON_FOLD.get(base.casefold())
    if common is not None and common != canonical:
        return None, f"{base!r} is UCUM for {size}{name}: a capitalised {common!r}"
    return canonical, None


def vet(code: str, text: str) -> str:
    """Refuse case and prefix traps in report text, and return its canonical UCUM code.

    Unknown symbols are left for the UCUM parser to report.

    >>> vet("mg/dl", "mg/dl"), vet("10^3/ul", "10^3/ul")
    ('mg/dL', '10*3/uL')
    >>> vet("Mmol/L", "Mmol/L")
    Traceback (most recent call last):
    ...
    mutrec.errors.UnitError: unit 'Mmol/L': 'Mmol' is UCUM for megamole ... (did you mean 'mmol/L'?)
    """
    pieces, last = [], 0
    for symbol in _symbols(code):
        canonical, trap = _check(symbol.base)
        if trap is not None:
            raise UnitError(text, trap, suggestion=repair(code))
        pieces += [code[last : symbol.start], (canonical or symbol.base) + symbol.exponent]
        last = symbol.end
    return "".join([*pieces, code[last:]])


def _replacement(base: str, exponent: str, alone: bool) -> str | None:  # noqa: FBT001
    canonical, _trap = _check(base)
    if canonical is not None:
        return canonical + exponent
    if base in _ALIASES:
        alias = _ALIASES[base]
        compound = alias is not None and ("/" in alias or "." in alias)
        if alias is None or (compound and exponent):
            return None
        return f"({alias})" if compound and not alone else alias + exponent
    common = _COMMON_FOLD.get(base.casefold())
    return None if common is None else common + exponent


def repair(code: str) -> str | None:
    """The code ``code`` most likely meant, fixed symbol by symbol, or None.

    >>> repair("MG/DL"), repair("gm/dL"), repair("Ms"), repair("bogus/L")
    ('mg/dL', 'g/dL', 'ms', None)
    """
    symbols = _symbols(code)
    pieces, last = [], 0
    for symbol in symbols:
        fixed = _replacement(symbol.base, symbol.exponent, alone=len(symbols) == 1)
        if fixed is None:
            return None
        pieces += [code[last : symbol.start], fixed]
        last = symbol.end
    candidate = "".join([*pieces, code[last:]])
    try:
        parse_ucum(candidate)
        return vet(candidate, candidate)
    except (UcumSyntaxError, UnitError):
        return None
