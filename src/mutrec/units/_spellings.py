"""From a report's unit text to a UCUM code: normalise, look the spelling up, or refuse it.

The spellings are data (``data/spellings.toml``), loaded once. This step never guesses: text it
cannot vouch for is either valid UCUM (checked by :mod:`mutrec.units._ucum`) or a UnitError.
"""

from __future__ import annotations

import re
import tomllib
import unicodedata
from functools import cache
from typing import Final, NamedTuple

from mutrec.errors import UnitError
from mutrec.units._data import read_text
from mutrec.units._guards import repair, vet
from mutrec.units._limits import MAX_LENGTH, character_problem

__all__ = ["Spellings", "closest_code", "spellings", "to_ucum"]

_SUPERSCRIPTS: Final = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹⁻⁺", "0123456789-+")
_SUPERSCRIPT_RUN: Final = re.compile(r"[⁰¹²³⁴⁵⁶⁷⁸⁹⁻⁺]+")
# "×10^9/L", "x10E9/L", "10^9/L", "10**9/L", "*10^9/L": a power of ten written by hand.
# Every pattern here is anchored or a single character class, and ASCII (re.ASCII: \d is 0-9
# only, never "٣"), and runs on at most MAX_LENGTH characters: none can backtrack badly.
_POWER_OF_TEN: Final = re.compile(
    r"^[×xX*]?\s*10\s*(?:\^|\*\*|\*|[Ee])\s*(?P<exponent>[+-]?\d+)\s*(?P<rest>.*)$", re.ASCII
)
# "K/mm3", "m/L", "M/nL": thousands or millions per volume that UCUM would read as kelvin or
# metre per volume. Listed spellings (K/uL, m/uL) are resolved before this guard runs.
_COUNT_LOOKALIKE: Final = re.compile(r"^(?P<letter>[KMm])/(?P<volume>[umndcp]?[lL]|[umc]?m3)$")
_SPACE_AROUND_OPERATOR: Final = re.compile(r" ?([./]) ?")  # normalise() leaves single spaces
# "109/L", "×1012/L": 10⁹/L with the superscript lost in copy-paste. UCUM reads the integer
# factor 109; no lab count is per 109 litres. Other factors (mg/(24.h), 10.L/min) stay UCUM.
_LOST_SUPERSCRIPT: Final = re.compile(r"^[×xX*]?10(?P<exponent>3|6|9|12)(?P<rest>/.*)$")
_BLANK_REASON: Final = (
    "blank: no unit given; write '1' or an annotation such as '{INR}' for a unitless result"
)


class Refusal(NamedTuple):
    """Why a listed text is not a unit, and the unit it probably meant."""

    reason: str
    suggestion: str | None


class Spellings(NamedTuple):
    """The spelling table, with case-folded indexes for case-insensitive lookups."""

    codes: dict[str, str]
    refused: dict[str, Refusal]
    folded_codes: dict[str, str]  # only folds that map to a single code
    folded_refused: dict[str, Refusal]


@cache
def spellings() -> Spellings:
    """Load ``data/spellings.toml`` once.

    >>> spellings().codes["K/uL"]
    '10*3/uL'
    """
    data = tomllib.loads(read_text("spellings.toml"))
    codes: dict[str, str] = dict(data["spellings"])
    refused = {
        text: Refusal(entry["reason"], entry.get("suggestion"))
        for text, entry in data["refused"].items()
    }
    folded: dict[str, set[str]] = {}
    for text, code in codes.items():
        folded.setdefault(text.casefold(), set()).add(code)
    # A fold shared by two codes ("m/uL" millions, "M/uL"...) is only trusted when they agree.
    folded_codes = {fold: next(iter(cs)) for fold, cs in folded.items() if len(cs) == 1}
    # Refusals marked exact are case-sensitive: "G/L" is refused, "g/L" is grams per litre.
    exact = {text for text, entry in data["refused"].items() if entry.get("exact", False)}
    folded_refused = {
        text.casefold(): refusal for text, refusal in refused.items() if text not in exact
    }
    return Spellings(codes, refused, folded_codes, folded_refused)


def normalise(text: str) -> str:
    """Fold the typography of a unit's text (NFKC, superscripts, µ, spaces) without reading it.

    >>> normalise("×10⁹/L"), normalise("μmol／L"), normalise(" mm  Hg ")
    ('×10^9/L', 'umol/L', 'mm Hg')
    """
    # Superscripts first: NFKC would turn "10⁹" into "109".
    text = _SUPERSCRIPT_RUN.sub(lambda m: "^" + m[0].translate(_SUPERSCRIPTS), text)
    text = unicodedata.normalize("NFKC", text)
    text = text.replace("μ", "u")  # NFKC already maps the micro sign U+00B5 to U+03BC
    return " ".join(text.split())


def _lookup(text: str, table: Spellings) -> str | None:
    """Exact matches win over case-insensitive ones ("ratio" is a unit, "Ratio" is refused).

    A case-insensitive match is refused when the text is itself a UCUM trap: "MEQ/L" reads as
    mEq/L, but "Meq/L" (megaequivalent) is refused like "Mmol/L".
    """
    if (refusal := table.refused.get(text)) is not None:
        raise UnitError(text, refusal.reason, suggestion=refusal.suggestion)
    if (code := table.codes.get(text)) is not None:
        return code
    folded = text.casefold()
    if (refusal := table.folded_refused.get(folded)) is not None:
        raise UnitError(text, refusal.reason, suggestion=refusal.suggestion)
    if (code := table.folded_codes.get(folded)) is not None:
        try:
            vet(text, text)
        except UnitError as error:
            raise UnitError(text, error.reason, suggestion=code) from None
        return code
    return None


def to_ucum(text: str) -> str:
    """Turn a report's unit text into the UCUM code to parse, or raise UnitError.

    >>> to_ucum("×10⁹/L"), to_ucum("K/uL"), to_ucum("mEq/L"), to_ucum("mg/dL")
    ('10*9/L', '10*3/uL', 'meq/L', 'mg/dL')
    """
    if not text.strip():
        raise UnitError(text, _BLANK_REASON)
    table = spellings()
    normal = normalise(text)
    if len(normal) > MAX_LENGTH:  # NFKC can lengthen text: "㎎" is "mg"
        reason = f"too long once normalised: {len(normal)} characters, at most {MAX_LENGTH}"
        raise UnitError(text, reason)
    if (code := _lookup(normal, table)) is not None:
        return code
    if match := _POWER_OF_TEN.match(normal):
        normal = f"10*{int(match['exponent'])}{match['rest']}"
        if (code := _lookup(normal, table)) is not None:
            return code
    normal = _SPACE_AROUND_OPERATOR.sub(r"\1", normal)
    if lookalike := _COUNT_LOOKALIKE.match(normal):
        power = "10*3" if lookalike["letter"] == "K" else "10*6"
        reason = (
            f"ambiguous: UCUM reads {lookalike['letter']!r} as "
            f"{'kelvin' if lookalike['letter'] == 'K' else 'a length'}, lab reports mean a count"
        )
        raise UnitError(text, reason, suggestion=f"{power}/{lookalike['volume']}")
    if lost := _LOST_SUPERSCRIPT.match(normal):
        power = f"10*{lost['exponent']}{lost['rest']}"
        reason = (
            f"ambiguous: UCUM reads {normal!r} as the number 10{lost['exponent']}, a report means "
            f"10^{lost['exponent']} whose superscript was lost"
        )
        raise UnitError(text, reason, suggestion=repair(power) or power)
    if " " in normal:
        reason = "not a known spelling, and UCUM has no spaces"
        raise UnitError(text, reason, suggestion=closest_code(normal))
    if (problem := character_problem(normal)) is not None:  # before any symbol is looked up
        raise UnitError(text, problem)
    return vet(normal, text)


def _denominator(text: str) -> str:
    return text.rpartition("/")[2].casefold() if "/" in text else ""


def closest_code(text: str) -> str | None:
    """The UCUM code ``text`` most likely meant, if one is close enough to say.

    First symbol by symbol (case-fold, report aliases), which keeps the text's structure and
    dimension; then a close known spelling with the same denominator (``.../L`` stays per litre).

    >>> closest_code("mEq/l"), closest_code("MG/DL"), closest_code("mg/dL FEU")
    ('meq/L', 'mg/dL', None)
    """
    if (fixed := repair(text)) is not None:
        return fixed
    table = spellings()
    candidates = {**{code: code for code in table.codes.values()}, **table.codes}
    plausible = [name for name in candidates if _denominator(name) == _denominator(text)]
    import difflib  # only for a refused text: it is not worth its import at every start-up

    matches = difflib.get_close_matches(text, plausible, n=1, cutoff=0.8)
    return candidates[matches[0]] if matches else None
