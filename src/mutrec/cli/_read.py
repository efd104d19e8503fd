r"""Reading ``mutrec check`` input lazily: bytes, then text, then rows; file problems named.

Every step is a generator, so memory stays flat in the number of rows: a file of a million
rows is read in 64 KiB pieces and each row is handed on before the next is read. What makes
the whole file unreadable (an undecodable byte, a broken header, broken JSON) is an
:class:`InputError` naming the file, the line and the fix; what spoils one row only is left
for the row (:class:`RawRow.problem`), so one bad row never hides the others.

>>> text = ["item,value,collected,issuer,patient\n", "K,4.1,2024-03-11T08:00+08:00,H1,P1\n"]
>>> row = next(read_rows(text, "csv", name="x.csv", given=frozenset({"receiver", "at"})))
>>> row.line, row.cells["item"], row.cells["collected"]
(2, 'K', '2024-03-11T08:00+08:00')
"""

from __future__ import annotations

import codecs
import csv
import difflib
import io
from typing import TYPE_CHECKING, Any, Final

import attrs

from mutrec._checkio import COLUMNS, required_columns
from mutrec.errors import MutrecError

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Iterator

__all__ = ["InputError", "RawRow", "check_header", "decode", "lines", "read_rows"]

CHUNK_BYTES: Final = 1 << 16
# A physical line (or one JSON row) longer than this is not a row of results: refusing it
# keeps memory bounded when a file has no line breaks at all.
MAX_LINE: Final = 1 << 20

_LISTED: Final = 6
_GB18030_HINT: Final = (
    "files saved by Excel on Chinese Windows are usually GB18030: rerun with --encoding gb18030"
)
# A doctor's note may span lines (Alt+Enter in an Excel cell); no other column can, so a line
# break in one means a double quote was left open and the rows after it were swallowed.
_MULTILINE: Final = frozenset({"other_need"})


class InputError(MutrecError, ValueError):
    """The input as a whole cannot be read; the message says where and how to fix it.

    >>> str(InputError("x.csv is empty"))
    'x.csv is empty'
    """


@attrs.frozen
class RawRow:
    """One row as read, before it is understood.

    Attributes:
        line: The line of the file where the row starts (from 1).
        cells: The row's cells by column name (CSV: text; JSON: as decoded, numbers as text).
        problem: Why the row cannot be read at all (too many cells, a NUL byte), or ``None``.
    """

    line: int
    cells: dict[str, Any]
    problem: str | None = None


def _utf16_bom(first: bytes) -> bool:
    return first.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE))


def decode(chunks: Iterable[bytes], encoding: str | None, *, name: str) -> Iterator[str]:
    r"""Decode *chunks* as *encoding* (default: UTF-8, with or without BOM, or BOM'd UTF-16).

    Raises:
        InputError: A byte that is not of the encoding, with its offset, line and the fix.

    >>> list(decode([b"\xef\xbb\xbfitem\n"], None, name="x.csv"))
    ['item\n']
    >>> list(decode([b"item\n\xbc\xd8\n"], None, name="x.csv"))  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    mutrec.cli._read.InputError: cannot read x.csv: byte 0xbc at offset 5 (line 2) is not UTF-8; ...
    """
    decoder: codecs.IncrementalDecoder | None = None
    chosen = ""
    label = encoding or "UTF-8"
    fed = newlines = 0
    for chunk in _then_end(chunks):
        if decoder is None:
            chosen = encoding or ("utf-16" if _utf16_bom(chunk) else "utf-8")
            # Excel's "CSV UTF-8" starts with a BOM; utf-8-sig drops it and reads plain UTF-8.
            if codecs.lookup(chosen).name == "utf-8":
                chosen = "utf-8-sig"
            decoder = codecs.getincrementaldecoder(chosen)("strict")
            label = encoding or ("UTF-16" if chosen == "utf-16" else "UTF-8")
        final = not chunk
        data = chunk
        pending = len(decoder.getstate()[0])
        try:
            text = decoder.decode(data, final=final)
        except UnicodeDecodeError as error:
            # The decoder reports positions in what it held back plus this chunk.
            offset = fed - pending + error.start
            before = error.object[: error.start].decode(chosen, "replace")
            line = newlines + before.count("\n") + 1
            bad = error.object[error.start : error.start + 1].hex()
            fix = _GB18030_HINT if label == "UTF-8" else "rerun with the file's --encoding"
            msg = f"cannot read {name}: byte 0x{bad} at offset {offset} (line {line}) "
            msg += f"is not {label}; {fix}"
            raise InputError(msg) from None
        fed += len(data)
        newlines += text.count("\n")
        if text:
            yield text


def _then_end(chunks: Iterable[bytes]) -> Iterator[bytes]:
    # The decoder is told the input ended by one empty piece, so only the last one is empty.
    for chunk in chunks:
        if chunk:
            yield chunk
    yield b""


def lines(texts: Iterable[str], *, name: str) -> Iterator[str]:
    r"""Split decoded text into lines, each with its ending (``\r\n``, ``\n`` or a lone ``\r``).

    Raises:
        InputError: A line longer than 1 MiB (no line breaks: not a table of results).

    >>> list(lines(["a\r", "\nb\rc", "", "d\r\r\n"], name="x"))
    ['a\r\n', 'b\r', 'cd\r', '\r\n']
    """
    carry = ""
    count = 0
    for text in texts:
        # StringIO with newline="" splits at \r\n, \n and \r only, in C (str.splitlines would
        # also split at \x1c or \u2028, which may sit inside a cell).
        found = io.StringIO(carry + text, newline="").readlines()
        if not found:
            continue
        # The last piece may be unfinished, or a \r whose \n is in the next piece of text.
        carry = "" if found[-1].endswith("\n") else found.pop()
        count += len(found)
        yield from found
        if len(carry) > MAX_LINE:
            msg = f"cannot read {name}: line {count + 1} is longer than {MAX_LINE:,} characters"
            raise InputError(msg)
    if carry:
        yield carry


def read_rows(  # noqa: PLR0913 (keyword-only options)
    source: Iterable[str],
    fmt: str,
    *,
    name: str,
    delimiter: str = ",",
    given: frozenset[str] = frozenset(),
    header: Callable[[list[str]], list[str]] | None = None,
) -> Iterator[RawRow]:
    """The rows of *source* (lines for CSV, text pieces for JSON), one at a time.

    Args:
        source: The decoded input.
        fmt: ``"csv"`` or ``"json"``.
        name: The file's name, for messages.
        delimiter: The CSV delimiter.
        given: Columns the command line supplies (``receiver``, ``at``).
        header: The problems of a CSV header other than ``mutrec check``'s own columns (a
            column map's check); ``None``: the header must be ``mutrec check``'s columns.

    Raises:
        InputError: The file cannot be read (raised when the rows are iterated).
    """
    if fmt == "json":
        from mutrec.cli._json import json_rows

        return json_rows(source, name=name)
    return _csv_rows(source, name=name, delimiter=delimiter, given=given, header_check=header)


def _csv_rows(
    source: Iterable[str],
    *,
    name: str,
    delimiter: str,
    given: frozenset[str],
    header_check: Callable[[list[str]], list[str]] | None,
) -> Iterator[RawRow]:
    reader = csv.reader(source, delimiter=delimiter)
    try:
        header = next(reader, None)
        while header is not None and not any(cell.strip() for cell in header):
            header = next(reader, None)  # blank lines above the header
        if header is None:
            msg = f"{name} is empty: it needs a header row (item, collected, issuer, …)"
            raise InputError(msg)
        if header_check is None:
            names = check_header(header, name=name, delimiter=delimiter, given=given)
        else:
            names = [cell.strip() for cell in header]
            if problems := header_check(names):
                shown = problems if len(problems) <= _LISTED else [*problems[:_LISTED], "…"]
                msg = f"cannot read {name} with the column map: {'; '.join(shown)}"
                raise InputError(msg)
        last = reader.line_num
        for cells in reader:
            first, last = last + 1, reader.line_num
            if any(cell.strip() for cell in cells):  # rows Excel leaves as ",,,," are not rows
                yield _csv_row(names, cells, first, last)
    except csv.Error as error:
        msg = f"cannot read {name} as CSV: line {reader.line_num}: {error}"
        if "field limit" in str(error):
            msg += " (a quote left open?)"
        raise InputError(msg) from None


def _csv_row(names: list[str], cells: list[str], first: int, last: int) -> RawRow:
    # The cells are kept even on a problem, so the error can name the row's result_id.
    row = dict(zip(names, map(str.strip, cells), strict=False))
    problem = None
    if len(cells) > len(names):
        problem = (
            f"{len(cells)} cells but the header has {len(names)} columns "
            "(a delimiter inside a value? put the value in double quotes)"
        )
    else:
        # One look at the whole row first: nearly every row has no problem to look for.
        joined = "".join(cells)
        if "" in row or "\0" in joined or (last > first and ("\n" in joined or "\r" in joined)):
            found = (
                _cell_problem(n, cell, first, last) for n, cell in zip(names, cells, strict=False)
            )
            problem = next((p for p in found if p), None)
    row.pop("", None)
    return RawRow(first, row, problem)


def _cell_problem(column: str, cell: str, first: int, last: int) -> str | None:
    if "\0" in cell:
        where = column or "(unnamed)"
        return f"column {where} holds a NUL byte (is the file UTF-16? try --encoding utf-16)"
    if not column and cell.strip():
        return f"a value ({cell.strip()[:20]!r}) under a column with no name"
    if last > first and ("\n" in cell or "\r" in cell) and column not in _MULTILINE:
        return f"lines {first}-{last} are one row: a double quote left open in a cell?"
    return None


def _suggest(word: str, choices: Iterable[str]) -> str | None:
    close = difflib.get_close_matches(word.lower(), sorted(choices), n=1, cutoff=0.7)
    return close[0] if close else None


def check_header(
    header: list[str], *, name: str, delimiter: str, given: frozenset[str]
) -> list[str]:
    """The column names of *header*; every problem of it at once as one :class:`InputError`.

    >>> check_header(["item", "colected"], name="x.csv", delimiter=",",
    ...              given=frozenset({"issuer", "patient", "receiver", "at", "value"}))
    Traceback (most recent call last):
    mutrec.cli._read.InputError: cannot read x.csv: unknown column 'colected' (did you mean 'collected'?)
    """  # noqa: E501 (doctest output)
    names = [cell.strip() for cell in header]
    for other, label in ((";", "';'"), ("\t", "tab")):
        if other != delimiter and any(other in n for n in names):
            msg = (
                f"cannot read {name}: the header holds {label}s, not {delimiter!r}s: the file "
                f"looks {label}-separated: rerun with --delimiter {label}"
            )
            raise InputError(msg)
    problems: list[str] = []
    seen: dict[str, int] = {}
    for position, column in enumerate(names, start=1):
        if column and column in seen:
            problems.append(f"column {column!r} appears twice (columns {seen[column]}, {position})")
        seen.setdefault(column, position)
    present = set(names)
    explained: set[str] = set()
    unknown = [column for column in names if column and column not in COLUMNS]
    for column in unknown:
        # Guessing is for a header with a typo or two, not for a row of data taken for one.
        guess = _suggest(column, COLUMNS - present) if len(unknown) <= len(COLUMNS) else None
        if guess:
            explained.add(guess)
            problems.append(f"unknown column {column!r} (did you mean {guess!r}?)")
        else:
            problems.append(
                f"unknown column {column!r} (the columns are listed by `mutrec check --help`)"
            )
    missing = [c for c in required_columns(present | given) if c not in explained]
    if missing:
        options = {"receiver": "receiver (or --receiver)", "at": "at (or --at)"}
        listed = ", ".join(options.get(c, c) for c in missing)
        problems.append(f"missing required column{'s' if len(missing) > 1 else ''}: {listed}")
    if problems:
        count = f"{len(problems)} problems in the header: " if len(problems) > 1 else ""
        # A row of data taken for the header would list every cell: the first few say enough.
        shown = problems if len(problems) <= _LISTED else [*problems[:_LISTED], "…"]
        msg = f"cannot read {name}: {count}{'; '.join(shown)}"
        raise InputError(msg)
    return names
