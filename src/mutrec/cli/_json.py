"""Reading JSON ``mutrec check`` input one row at a time: ``[{...}, ...]`` or ``{"rows": [...]}``.

:func:`json.loads` needs the whole document in memory; here each row is decoded on its own
with :meth:`json.JSONDecoder.raw_decode` as soon as its text has arrived, so memory stays flat
in the number of rows. Numbers stay text (``6.80`` keeps its printed precision, and a
5,000-digit number cannot overflow anything).

>>> rows = json_rows(['{"rows": [{"item": "K", "value": 4.10}, [7]]}'], name="x.json")
>>> [(r.cells, r.problem) for r in rows]
[({'item': 'K', 'value': '4.10'}, None), ({}, 'a row must be an object {...}, not ["7"]')]
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any, Final

from mutrec.cli._read import CHUNK_BYTES, MAX_LINE, InputError, RawRow

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator

__all__ = ["json_rows"]

_WHITESPACE: Final = frozenset(" \t\r\n")
_NOT_ROWS: Final = 'JSON input must be a list of row objects, or {"rows": [...]}'


class _Object(dict[str, Any]):
    """A decoded JSON object that remembers a key given twice (the later value would win)."""

    duplicate: str | None = None


def _pairs(pairs: list[tuple[str, Any]]) -> _Object:
    obj = _Object(pairs)
    if len(obj) < len(pairs):
        keys = [key for key, _ in pairs]
        obj.duplicate = next(key for key in keys if keys.count(key) > 1)
    return obj


_DECODER: Final = json.JSONDecoder(
    object_pairs_hook=_pairs, parse_float=str, parse_int=str, parse_constant=str
)


class _Cursor:
    """A window on the text: what has arrived and not yet been consumed."""

    def __init__(self, pieces: Iterator[str], name: str) -> None:
        self.pieces = pieces
        self.name = name
        self.text = ""
        self.pos = 0
        self.first_line = 1  # the line of self.text[0]

    def more(self) -> bool:
        piece = next(self.pieces, None)
        if piece is None:
            return False
        if self.pos > CHUNK_BYTES:  # drop what was consumed
            self.first_line += self.text.count("\n", 0, self.pos)
            self.text = self.text[self.pos :]
            self.pos = 0
        self.text += piece
        return True

    def peek(self) -> str:
        """The next character that is not white space ('' at the end), not consumed."""
        while True:
            while self.pos < len(self.text) and self.text[self.pos] in _WHITESPACE:
                self.pos += 1
            if self.pos < len(self.text):
                return self.text[self.pos]
            if not self.more():
                return ""

    def line(self, pos: int | None = None) -> int:
        return self.first_line + self.text.count("\n", 0, self.pos if pos is None else pos)

    def error(self, message: str, pos: int | None = None) -> InputError:
        at = self.pos if pos is None else pos
        column = at - self.text.rfind("\n", 0, at)
        msg = f"cannot read {self.name} as JSON: {message} (line {self.line(at)}, column {column})"
        return InputError(msg)

    def value(self) -> Any:
        self.peek()
        while True:
            if len(self.text) - self.pos > MAX_LINE:
                msg = f"a value longer than {MAX_LINE:,} characters"
                raise self.error(msg)
            try:
                value, end = _DECODER.raw_decode(self.text, self.pos)
            except json.JSONDecodeError as error:
                if self.more():  # the value may just not have arrived whole yet
                    continue
                raise self.error(error.msg, error.pos) from None
            except RecursionError:
                msg = "nested too deeply to be a row of results"
                raise self.error(msg) from None
            if end == len(self.text) and self.more():  # a number may go on in the next piece
                continue
            self.pos = end
            return value

    def expect(self, char: str) -> None:
        if self.peek() != char:
            msg = f"Expecting {char!r}"
            raise self.error(msg)
        self.pos += 1


def _row(value: Any, line: int) -> RawRow:
    if not isinstance(value, dict):
        text = json.dumps(value, ensure_ascii=False)
        shown = text if len(text) <= 40 else text[:39] + "…"
        return RawRow(line, {}, f"a row must be an object {{...}}, not {shown}")
    if isinstance(value, _Object) and value.duplicate is not None:
        return RawRow(line, {}, f"key {value.duplicate!r} appears twice in the row")
    return RawRow(line, dict(value))


def _array(cursor: _Cursor) -> Iterator[RawRow]:
    cursor.expect("[")
    if cursor.peek() == "]":
        cursor.pos += 1
        return
    while True:
        cursor.peek()
        line = cursor.line()
        yield _row(cursor.value(), line)
        if cursor.peek() == "]":
            cursor.pos += 1
            return
        cursor.expect(",")


def _object(cursor: _Cursor) -> Iterator[RawRow]:
    cursor.expect("{")
    found = False
    if cursor.peek() == "}":
        cursor.pos += 1
    else:
        while True:
            if cursor.peek() != '"':
                msg = "Expecting property name enclosed in double quotes"
                raise cursor.error(msg)
            key = cursor.value()
            cursor.expect(":")
            if key == "rows" and cursor.peek() == "[":
                found = True
                yield from _array(cursor)
            else:
                cursor.value()  # other members (a schema tag, metadata) are not rows
            if cursor.peek() == "}":
                cursor.pos += 1
                break
            cursor.expect(",")
    if not found:
        msg = f"cannot read {cursor.name} as JSON: {_NOT_ROWS}"
        raise InputError(msg)


def json_rows(pieces: Iterable[str], *, name: str) -> Iterator[RawRow]:
    """The rows of a JSON document arriving in *pieces* of text, each as soon as it is whole.

    Raises:
        InputError: Not JSON, not rows, nested too deeply (raised while iterating).

    >>> next(json_rows(["[[[["], name="x.json"))
    Traceback (most recent call last):
    mutrec.cli._read.InputError: cannot read x.json as JSON: Expecting value (line 1, column 5)
    """
    cursor = _Cursor(iter(pieces), name)
    first = cursor.peek()
    if first == "":
        msg = f"{name} is empty: it needs a list of row objects"
        raise InputError(msg)
    if first == "[":
        yield from _array(cursor)
    elif first == "{":
        yield from _object(cursor)
    else:
        msg = f"{_NOT_ROWS}, not {first!r}"
        raise cursor.error(msg)
    if cursor.peek():
        msg = "Extra data after the JSON document"
        raise cursor.error(msg)
