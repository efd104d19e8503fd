"""A parser for the UCUM subset lab messaging uses (UCUM 2.2 §2-§6, case-sensitive form).

It reads prefixes × atoms, ``.``, ``/``, exponents, integer factors, ``10*n`` and
``{annotations}``, and produces a :class:`ParsedUcum`: an exact pure-number scale times a product
of whitelisted pint unit names. pint never sees the UCUM text, so ``10*9/L`` is 1e9 per litre,
never pint's 90 per litre.
"""

from __future__ import annotations

import re
from fractions import Fraction
from typing import Final, NamedTuple, NoReturn

from mutrec.units._atoms import ATOMS, PREFIXES, Atom

__all__ = ["EXPONENT", "ParsedUcum", "UcumSyntaxError", "parse_ucum", "split_symbol"]

# Longest prefix first, so "da" is tried before "d".
_PREFIXES_LONGEST_FIRST: Final = sorted(PREFIXES, key=len, reverse=True)
EXPONENT: Final = re.compile(r"^(?P<base>.*?)(?P<exponent>[+-]?\d+)$")
# UCUM §2.4: annotations hold printable ASCII except curly braces.
_ANNOTATION_TEXT: Final = re.compile(r"^[!-z|~ ]*$")
_BREAKS: Final = frozenset("./(){}")


class UcumSyntaxError(ValueError):
    """The text is not UCUM that mutrec understands; the message says where and why."""


class ParsedUcum(NamedTuple):
    """A UCUM code reduced to ``scale × Π pint_name ** exponent``, plus its annotations."""

    code: str
    scale: Fraction  # exact: prefixes and 10*n are powers of ten
    powers: tuple[tuple[str, int], ...]  # sorted, no zero exponents
    annotations: tuple[str, ...]  # sorted, as written inside the braces
    # Every pint name written, even when it cancels: mmol/mol is {mole}, 10*-3 is {}, % is
    # {percent}; an analyte mapping tells an IFCC ratio from a pure number by it.
    atoms: frozenset[str] = frozenset()

    @property
    def pint_expression(self) -> str:
        """The vetted expression handed to pint (names and integer powers only)."""
        if not self.powers:
            return "dimensionless"
        return " * ".join(f"({name}) ** {exponent}" for name, exponent in self.powers)


class _Product:
    """A mutable accumulator for scale, powers and annotations while parsing."""

    def __init__(self) -> None:
        self.scale = Fraction(1)
        self.powers: dict[str, int] = {}
        self.annotations: list[str] = []

    def multiply(self, other: _Product, sign: int) -> None:
        self.scale *= other.scale if sign > 0 else 1 / other.scale
        for name, exponent in other.powers.items():
            self.powers[name] = self.powers.get(name, 0) + sign * exponent
        self.annotations.extend(other.annotations)


class _Parser:
    def __init__(self, code: str) -> None:
        self.code = code
        self.position = 0

    def fail(self, reason: str) -> NoReturn:
        msg = f"{reason} at position {self.position} of {self.code!r}"
        raise UcumSyntaxError(msg)

    def peek(self) -> str:
        return self.code[self.position] if self.position < len(self.code) else ""

    def term(self) -> _Product:
        result = _Product()
        if self.peek() == "/":  # UCUM allows a leading "/" (per ...)
            self.position += 1
            result.multiply(self.component(), -1)
        else:
            result.multiply(self.component(), +1)
        while self.peek() in {".", "/"} and self.peek():
            sign = +1 if self.peek() == "." else -1
            self.position += 1
            result.multiply(self.component(), sign)
        return result

    def component(self) -> _Product:
        char = self.peek()
        if char == "(":
            self.position += 1
            inner = self.term()
            if self.peek() != ")":
                self.fail("unclosed '('")
            self.position += 1
            if self.peek() == "{":  # UCUM example table: "g/(8.h){shift}"
                inner.annotations.append(self.annotation())
            return inner
        if char == "{":
            product = _Product()
            product.annotations.append(self.annotation())
            return product
        if not char or char in _BREAKS:
            self.fail("expected a unit")
        product = self.symbol()
        if self.peek() == "{":
            product.annotations.append(self.annotation())
        return product

    def annotation(self) -> str:
        end = self.code.find("}", self.position)
        if end < 0:
            self.fail("unclosed '{'")
        text = self.code[self.position + 1 : end]
        if "{" in text or not _ANNOTATION_TEXT.match(text):
            self.fail(f"invalid annotation {{{text}}}")
        self.position = end + 1
        return text

    def symbol(self) -> _Product:
        start = self.position
        while (char := self.peek()) and char not in _BREAKS:
            if char == "[":
                end = self.code.find("]", self.position)
                if end < 0:
                    self.fail("unclosed '['")
                self.position = end + 1
            else:
                self.position += 1
        return self._resolve(self.code[start : self.position])

    def _resolve(self, text: str) -> _Product:
        product = _Product()
        if text.isdigit():  # UCUM factor: a positive integer such as the 24 in mg/(24.h)
            product.scale = Fraction(int(text))
            return product
        exponent = 1
        if (match := EXPONENT.match(text)) and match["base"]:
            text, exponent = match["base"], int(match["exponent"])
        prefix_scale, atom = _lookup(text)
        if atom is None:
            self.fail(f"unknown unit {text!r}")
        product.scale = (prefix_scale * atom.scale) ** exponent
        if atom.pint:
            product.powers[atom.pint] = exponent
        return product


def split_symbol(symbol: str) -> tuple[str, str] | None:
    """``(prefix, atom)`` of a UCUM symbol (UCUM §2.3), or None when it is no known symbol.

    >>> split_symbol("umol"), split_symbol("cd"), split_symbol("kmin")
    (('u', 'mol'), ('', 'cd'), None)
    """
    if symbol in ATOMS:
        return "", symbol
    for prefix in _PREFIXES_LONGEST_FIRST:
        rest = symbol.removeprefix(prefix)
        if rest != symbol and rest in ATOMS and ATOMS[rest].metric:
            return prefix, rest
    return None


def _lookup(symbol: str) -> tuple[Fraction, Atom | None]:
    """Find ``symbol`` as an atom, else as a prefix + metric atom (UCUM §2.3)."""
    found = split_symbol(symbol)
    if found is None:
        return Fraction(1), None
    prefix, atom = found
    return PREFIXES[prefix] if prefix else Fraction(1), ATOMS[atom]


def parse_ucum(code: str) -> ParsedUcum:
    """Parse a case-sensitive UCUM code, or raise :class:`UcumSyntaxError`.

    >>> parsed = parse_ucum("10*9/L")
    >>> parsed.scale, parsed.pint_expression
    (Fraction(1000000000, 1), '(liter) ** -1')
    """
    if not code or code != code.strip() or " " in code:
        msg = f"UCUM codes have no spaces: {code!r}"
        raise UcumSyntaxError(msg)
    parser = _Parser(code)
    product = parser.term()
    if parser.position != len(code):
        parser.fail("unexpected character")
    powers = tuple(sorted((n, e) for n, e in product.powers.items() if e))
    annotations = tuple(sorted(product.annotations))
    return ParsedUcum(code, product.scale, powers, annotations, frozenset(product.powers))
