"""A parser for the UCUM subset lab messaging uses (UCUM 2.2 §2-§6, case-sensitive form).

It reads prefixes × atoms, ``.``, ``/``, exponents, integer factors, ``10*n`` and
``{annotations}``, and produces a :class:`ParsedUcum`: an exact pure-number scale times a product
of whitelisted pint unit names, whose dimensions and factors :mod:`mutrec.units._factors` knows
without pint. pint never sees the UCUM text, so ``10*9/L`` is 1e9 per litre, never pint's 90 per
litre.

Valid UCUM that no report means is refused (FAIL SAFE), and so is input beyond the bounds of
:mod:`mutrec.units._limits`:

- a factor of ``0`` (UCUM §8 allows positive integers only; ``mg/0`` would divide by zero);
- two integer factors joined by a period, ``1.5`` or ``(1.73.m2)``: UCUM has no decimal
  numbers and reads them as 1 × 5 and 1 × 73 (§8: "the period is only used as a
  multiplication operator, thus 2.5 means 2 × 5"), while the writer meant 1.5 and 1.73;
- a zero exponent (``m0`` erases the metre), and exponents, powers of ten, nesting, lengths
  and scales out of their documented ranges.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Final, NamedTuple, NoReturn

from mutrec.units._atoms import ATOMS, PREFIXES, Atom
from mutrec.units._limits import (
    MAX_DEPTH,
    MAX_EXPONENT,
    MAX_LENGTH,
    MAX_SCALE_POWER,
    MAX_TEN_POWER,
    character_problem,
)

__all__ = [
    "DecimalLookalikeError",
    "ParsedUcum",
    "UcumSyntaxError",
    "parse_ucum",
    "pint_expression",
    "split_exponent",
    "split_symbol",
]

# Longest prefix first, so "da" is tried before "d".
_PREFIXES_LONGEST_FIRST: Final = sorted(PREFIXES, key=len, reverse=True)
# ASCII only: str.isdigit() and the regex \d also accept "٣" and "፩".
_ASCII_DIGITS: Final = "0123456789"
_DIGITS: Final = frozenset(_ASCII_DIGITS)
# UCUM §2.4: annotations hold printable ASCII except curly braces (spaces are refused earlier).
_ANNOTATION_CHARACTERS: Final = frozenset(map(chr, range(ord("!"), ord("~") + 1))) - set("{}")
_BREAKS: Final = frozenset("./(){}")
_POWERS_OF_TEN: Final = frozenset({"10*", "10^"})
_LARGEST: Final = Fraction(10) ** MAX_SCALE_POWER
_SMALLEST: Final = 1 / _LARGEST


class UcumSyntaxError(ValueError):
    """The text is not UCUM that mutrec understands; the message says where and why."""


class DecimalLookalikeError(UcumSyntaxError):
    """Two integer factors joined by a period (``1.5``): UCUM reads 1 × 5, the writer meant 1.5.

    Attributes:
        number: The text as written, such as ``1.73``.
        start: Where it starts in the code.
    """

    def __init__(self, message: str, number: str, start: int) -> None:
        """Record the message, the number as written and where it starts."""
        super().__init__(message)
        self.number = number
        self.start = start


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
        return pint_expression(self.powers)


def pint_expression(powers: tuple[tuple[str, int], ...]) -> str:
    """The pint expression of a product of whitelisted names and integer powers.

    >>> pint_expression((("liter", -1), ("mole", 1))), pint_expression(())
    ('(liter) ** -1 * (mole) ** 1', 'dimensionless')
    """
    if not powers:
        return "dimensionless"
    return " * ".join(f"({name}) ** {exponent}" for name, exponent in powers)


class _Product:
    """A mutable accumulator for scale, powers and annotations while parsing."""

    def __init__(self) -> None:
        self.scale = Fraction(1)
        self.powers: dict[str, int] = {}
        self.annotations: list[str] = []
        self.factor = False  # a bare integer factor (UCUM §8), such as the 24 in mg/(24.h)

    def multiply(self, other: _Product, sign: int) -> None:
        self.scale *= other.scale if sign > 0 else 1 / other.scale
        for name, exponent in other.powers.items():
            self.powers[name] = self.powers.get(name, 0) + sign * exponent
        self.annotations.extend(other.annotations)


class _Parser:
    def __init__(self, code: str) -> None:
        self.code = code
        self.position = 0
        self.depth = 0

    def fail(self, reason: str) -> NoReturn:
        msg = f"{reason} at position {self.position} of {self.code!r}"
        raise UcumSyntaxError(msg)

    def peek(self) -> str:
        return self.code[self.position] if self.position < len(self.code) else ""

    def term(self) -> _Product:
        result = _Product()
        sign = +1
        if self.peek() == "/":  # UCUM allows a leading "/" (per ...)
            self.position += 1
            sign = -1
        start = self.position
        previous = self.component()
        result.multiply(previous, sign)
        while self.peek() in {".", "/"} and self.peek():
            sign = +1 if self.peek() == "." else -1
            self.position += 1
            begin = self.position
            component = self.component()
            if sign > 0 and previous.factor and component.factor:
                self.decimal(start)
            result.multiply(component, sign)
            previous, start = component, begin
        return result

    def decimal(self, start: int) -> NoReturn:
        number = self.code[start : self.position]
        whole, _, fraction = number.partition(".")
        msg = (
            f"{number!r} is not the decimal {number}: UCUM has no decimal numbers and reads it "
            f"as {whole} × {fraction} (UCUM §8: the period only multiplies)"
        )
        raise DecimalLookalikeError(msg, number, start)

    def component(self) -> _Product:
        char = self.peek()
        if char == "(":
            self.depth += 1
            if self.depth > MAX_DEPTH:
                self.fail(f"parentheses nested deeper than {MAX_DEPTH} levels")
            self.position += 1
            inner = self.term()
            if self.peek() != ")":
                self.fail("unclosed '('")
            self.position += 1
            self.depth -= 1
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
        if not _ANNOTATION_CHARACTERS.issuperset(text):
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
        if _DIGITS.issuperset(text):  # UCUM §8 factor: a positive integer, as in mg/(24.h)
            factor = int(text)  # at most MAX_LENGTH ASCII digits: far below int()'s limit
            if not factor:
                self.fail("a factor of 0, where UCUM §8 allows positive integers only")
            product.scale, product.factor = Fraction(factor), True
            return product
        text, written = split_exponent(text)
        prefix_scale, atom = _lookup(text)
        if atom is None:
            self.fail(f"unknown unit {text!r}")
        exponent = int(written) if written else 1
        self._bound(text, exponent)
        product.scale = (prefix_scale * atom.scale) ** exponent
        if atom.pint:
            product.powers[atom.pint] = exponent
        return product

    def _bound(self, symbol: str, exponent: int) -> None:
        """Refuse exponents out of range before they reach an exact power (see _limits)."""
        if symbol in _POWERS_OF_TEN:
            if abs(exponent) > MAX_TEN_POWER:
                self.fail(
                    f"power of ten {symbol}{exponent} out of range: at most {MAX_TEN_POWER} "
                    "either way, the range of UCUM's prefixes"
                )
        elif not exponent:
            self.fail(f"exponent 0 on {symbol!r} erases the unit")
        elif abs(exponent) > MAX_EXPONENT:
            self.fail(
                f"exponent {exponent} on {symbol!r} out of range: at most {MAX_EXPONENT} "
                "either way, as no lab unit has a higher power"
            )


def split_exponent(symbol: str) -> tuple[str, str]:
    """``(base, exponent)`` of a UCUM symbol; the exponent is "" when none is written.

    No regular expression (a lazy ``.*?`` before trailing digits backtracks quadratically), ASCII
    digits only. A symbol that is all digits has no base, so no exponent: it is a factor.

    >>> split_exponent("m2"), split_exponent("10*-3"), split_exponent("24"), split_exponent("L")
    (('m', '2'), ('10*', '-3'), ('24', ''), ('L', ''))
    """
    start = len(symbol.rstrip(_ASCII_DIGITS))
    if start == len(symbol):
        return symbol, ""
    if start and symbol[start - 1] in "+-":
        start -= 1
    if not start:
        return symbol, ""
    return symbol[:start], symbol[start:]


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
    >>> parse_ucum("mL/min/(1.73.m2)")
    Traceback (most recent call last):
    ...
    mutrec.units._ucum.DecimalLookalikeError: '1.73' is not the decimal 1.73: ... as 1 × 73 ...
    """
    if not code:
        msg = "an empty code"
        raise UcumSyntaxError(msg)
    if len(code) > MAX_LENGTH:
        msg = f"longer than {MAX_LENGTH} characters ({len(code):,})"
        raise UcumSyntaxError(msg)
    if (problem := character_problem(code)) is not None:
        raise UcumSyntaxError(problem)
    parser = _Parser(code)
    product = parser.term()
    if parser.position != len(code):
        parser.fail("unexpected character")
    if not _SMALLEST <= product.scale <= _LARGEST:
        msg = (
            f"the scale of {code!r} is beyond 10^±{MAX_SCALE_POWER}: no lab unit comes near "
            "(the UCUM example table spans 10^-18 to 10^15)"
        )
        raise UcumSyntaxError(msg)
    powers = tuple(sorted((n, e) for n, e in product.powers.items() if e))
    annotations = tuple(sorted(product.annotations))
    return ParsedUcum(code, product.scale, powers, annotations, frozenset(product.powers))
