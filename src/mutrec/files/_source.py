"""One data file being read: bytes → UTF-8 text → TOML or CSV rows, every failure a problem.

Nothing here raises on bad input: a missing file, a directory, a NUL byte, GBK or UTF-16 text,
a TOML nested 100,000 deep or a CSV field of a megabyte each become a :class:`Problem` with
the file, the line when known, and how to fix it.

>>> import tempfile
>>> from pathlib import Path
>>> with tempfile.TemporaryDirectory() as folder:
...     p = Path(folder, "gbk.csv")
...     _ = p.write_bytes("机构,名称".encode("gbk"))
...     src = Source(p)
...     list(src.rows("institutions"))
...     print(src.problems[0])
[]
gbk.csv:1: (file): not UTF-8 (it looks like GBK/GB18030): byte 0xbb at byte offset 0 ...
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import stat
import tomllib
from collections import Counter
from collections.abc import Iterator
from datetime import tzinfo
from decimal import Decimal
from pathlib import Path
from typing import Any

from mutrec.errors import CatalogueError, Problem

__all__ = ["MAX_BYTES", "Source"]

# Both patterns run on every line of untrusted text: no nested or adjacent quantifiers that
# could backtrack quadratically on a long line (a [ followed by 100,000 spaces).
HEADER = re.compile(r"\s*(\[\[?)([^\]]*)\]")
_KEY = re.compile(r"""\s*(?:"([^"]*)"|'([^']*)'|([A-Za-z0-9_-]+))[ \t]*=""")
# A data file is a few megabytes at most: a bigger one (or /dev/zero) is refused, not read.
MAX_BYTES = 64 * 1024 * 1024
_NOT_UTF8 = {
    codecs.BOM_UTF32_LE: "UTF-32",  # before UTF-16: FF FE 00 00 also starts with FF FE
    codecs.BOM_UTF32_BE: "UTF-32",
    codecs.BOM_UTF16_LE: "UTF-16",
    codecs.BOM_UTF16_BE: "UTF-16",
}
_SAVE_UTF8 = "save it as UTF-8 (in Excel: 'CSV UTF-8'; in Notepad: encoding UTF-8)"


class Source:
    """One file being read: its text, the lines of its TOML headers, and its problems."""

    def __init__(self, path: Path, default_zone: tzinfo | None = None) -> None:
        self.path = path
        # A 5,000-character name would fill every problem: keep its start and its end.
        self.name = path.name if len(path.name) <= 80 else f"{path.name[:60]}...{path.name[-17:]}"
        self.default_zone = default_zone
        self.problems: list[Problem] = []
        self.seen: set[str] = set()
        self.text = ""
        self._headers: dict[tuple[str, int], int] = {}
        self._lines: list[str] = []
        self._keys: dict[int, dict[str, int]] = {}  # table's line -> key -> its first line

    def problem(
        self, where: str, message: str, line: int | None = None, hint: str | None = None
    ) -> None:
        """Record one problem."""
        self.problems.append(Problem(self.name, where, message, line, hint))

    def raise_if_any(self) -> None:
        """Raise every recorded problem at once."""
        if self.problems:
            raise CatalogueError(self.problems)

    def _read_bytes(self) -> bytes | None:
        """The file's bytes; a problem (never an ``OSError``) if it cannot be read as a file."""
        try:
            # stat first: opening a FIFO would block, and /dev/zero never ends.
            mode = self.path.stat().st_mode
            if not stat.S_ISREG(mode):
                what = "a directory" if stat.S_ISDIR(mode) else "not a regular file"
                self.problem("(file)", f"{str(self.path)[:200]!r} is {what}", hint="name a file")
                return None
            with self.path.open("rb") as handle:
                data = handle.read(MAX_BYTES + 1)
        except FileNotFoundError:
            self.problem(
                "(file)",
                "file not found",
                hint="check the name (a relative name is read next to the file naming it)",
            )
            return None
        except (OSError, ValueError) as error:  # a loop, a too-long name, a NUL in the name …
            reason = getattr(error, "strerror", None) or str(error)
            self.problem("(file)", f"cannot be read: {reason}", hint="check the path")
            return None
        if len(data) > MAX_BYTES:
            self.problem("(file)", f"larger than {MAX_BYTES} bytes", hint="split the file")
            return None
        return data

    def _decode(self, data: bytes) -> str | None:
        """Decode UTF-8 (a leading BOM dropped), naming the encoding or byte that is wrong."""
        for bom, encoding in _NOT_UTF8.items():
            if data.startswith(bom):
                self.problem("(file)", f"the file is {encoding} text, not UTF-8", 1, _SAVE_UTF8)
                return None
        # Excel's "CSV UTF-8" starts with a byte-order mark: drop it so it does not become part
        # of the first column's name.
        skip = len(codecs.BOM_UTF8) if data.startswith(codecs.BOM_UTF8) else 0
        if (nul := data.find(b"\0", skip)) >= 0:
            self.problem(
                "(file)",
                f"NUL byte at byte offset {nul}: the file is binary or UTF-16 without a BOM",
                data.count(b"\n", 0, nul) + 1,
                _SAVE_UTF8,
            )
            return None
        try:
            return data[skip:].decode("utf-8")
        except UnicodeDecodeError as error:
            at = skip + error.start
            try:  # Chinese Windows and Excel save GBK (a subset of GB18030) by default
                data.decode("gb18030")
                guess = " (it looks like GBK/GB18030)"
            except UnicodeDecodeError:
                guess = ""
            self.problem(
                "(file)",
                f"not UTF-8{guess}: byte 0x{data[at]:02x} at byte offset {at} ({error.reason})",
                data.count(b"\n", 0, at) + 1,
                _SAVE_UTF8,
            )
            return None

    def read_text(self) -> str | None:
        """Read the file as UTF-8 text, recording a problem (and returning ``None``) if not."""
        data = self._read_bytes()
        text = None if data is None else self._decode(data)
        if text is None:
            return None
        self.text = text
        # TOML counts lines by "\n" only: splitlines() would also split on \f, \x1c, U+2028 …
        self._lines = text.split("\n")
        counts: dict[str, int] = {}
        for number, line in enumerate(self._lines, start=1):
            if m := HEADER.match(line):
                name = m.group(2).strip()
                index = counts.get(name, 0) if m.group(1) == "[[" else 0
                counts[name] = index + 1
                self._headers[name, index] = number
        return self.text

    def load_toml(self, *, exact: bool = False) -> dict[str, Any] | None:
        """Parse the TOML document, recording a syntax error with its line.

        With *exact*, TOML floats are read as :class:`~decimal.Decimal` from their text (for
        money: ``5.1`` stays ``Decimal('5.1')``, never a binary approximation).
        """
        text = self.read_text()
        if text is None:
            return None
        try:
            return tomllib.loads(text, parse_float=Decimal) if exact else tomllib.loads(text)
        except tomllib.TOMLDecodeError as error:
            # Error paths compile their patterns on first use (re caches them), not at import.
            m = re.search(r"at line (\d+)", str(error))
            self.problem(
                "(syntax)",
                f"invalid TOML: {error}",
                int(m.group(1)) if m else None,
                "fix the syntax; https://toml.io explains it",
            )
        except RecursionError:  # tomllib recurses once per nested array or inline table
            self.problem("(syntax)", "arrays or tables nested too deeply", hint="flatten them")
        except ValueError:  # int() refuses more than sys.get_int_max_str_digits() digits
            m = re.search(r"(?<![0-9_])[0-9_]{4000,}", text)  # from a run's start: linear
            self.problem(
                "(syntax)",
                "a number has too many digits",
                None if m is None else text.count("\n", 0, m.start()) + 1,
                "write a number of at most a few digits",
            )
        return None

    def line(self, table: str | None, index: int = 0, key: str | None = None) -> int | None:
        """Best-effort line of *key* in the *index*-th ``[[table]]`` (top level: ``None``)."""
        start = 0 if table is None else self._headers.get((table, index))
        if start is None:
            # An inline array of tables (institutions = [{ … }]): the line of its key.
            return None if table is None or "." in table else self.line(None, 0, table)
        if key is None:
            return start or None
        return self._key_lines(start).get(key, start or None)

    def _key_lines(self, start: int) -> dict[str, int]:
        """The first line of each key of the table starting at line *start*, indexed once.

        A file with thousands of unknown keys would otherwise be rescanned once per key.
        """
        if (found := self._keys.get(start)) is not None:
            return found
        found = {}
        for number in range(start + 1, len(self._lines) + 1):
            text = self._lines[number - 1]
            if HEADER.match(text):
                break
            if m := _KEY.match(text):
                found.setdefault(next(g for g in m.groups() if g is not None), number)
        self._keys[start] = found
        return found

    def rows(self, where: str) -> Iterator[tuple[int, dict[str, str]]]:
        """Yield ``(line, row)`` for each CSV data row, stripping cells.

        Refused with a problem: an empty file, a header without rows, duplicate column names,
        ragged rows, a cell under a nameless column, and whatever :mod:`csv` cannot parse.
        """
        text = self.read_text()
        if text is None:
            return
        # newline="" lets csv see every line ending (CR only, too) and quoted line breaks.
        reader = csv.reader(io.StringIO(text, newline=""))
        try:
            header = [cell.strip() for cell in next(reader, [])]
            if not any(header):
                self.problem(where, "the CSV file is empty", 1, "add a header row")
                return
            if dup := sorted(c for c, n in Counter(header).items() if c and n > 1):
                self.problem(where, f"duplicate columns {dup}", 1, "name each column once")
                return
            count = 0
            for cells in reader:
                if not any(c.strip() for c in cells):
                    continue
                count += 1
                if (row := self._row(where, reader.line_num, header, cells)) is not None:
                    yield reader.line_num, row
        except csv.Error as error:  # a huge field (an unbalanced quote?), a bad quote
            self.problem(
                where,
                f"unreadable CSV: {error}",
                reader.line_num,
                'check the quotes: a cell starting with " runs to the next "',
            )
            return
        if count == 0:
            self.problem(where, "the CSV has a header but no rows", 1, "add rows or remove it")

    def _row(
        self, where: str, line: int, header: list[str], cells: list[str]
    ) -> dict[str, str] | None:
        if len(cells) != len(header):
            # A short row is no harmless blank: in members_csv a missing items cell would mean
            # every item.
            self.problem(
                where,
                f"the row has {len(cells)} cells, the header {len(header)}",
                line,
                "give every row one cell per column (an empty cell is written ,,)",
            )
            return None
        if any(not k and v.strip() for k, v in zip(header, cells, strict=True)):
            self.problem(where, "a cell under a column without a name", line, "name the column")
            return None
        # A blank cell is absent; a cell of only spaces stays " ", so that a list column (items)
        # can refuse it rather than read it as absent (every item).
        return {k: v.strip() or v[:1] for k, v in zip(header, cells, strict=True) if k}
