"""``mutrec check``: read rows lazily, decide them in chunks, write each as it is decided.

Memory is flat in the number of rows: the file is read in pieces (:mod:`mutrec.cli._read`),
:data:`CHUNK` requests are evaluated at a time, each decision is written and dropped, and the
counts are added up as they pass (:class:`~mutrec.cli._output.Tally`).
"""

from __future__ import annotations

import codecs
import sys
import time
from datetime import datetime
from itertools import chain, islice
from pathlib import Path
from typing import TYPE_CHECKING, Final

from mutrec.cli._read import CHUNK_BYTES, InputError, decode, lines, read_rows

if TYPE_CHECKING:
    import argparse
    from collections.abc import Callable, Iterable, Iterator
    from datetime import tzinfo
    from typing import BinaryIO, TextIO

    from mutrec.cli._output import Writer
    from mutrec.cli._read import RawRow
    from mutrec.files import Region
    from mutrec.files.columns import RowMapper
    from mutrec.policy import Decision, Policy, Request, RowError

__all__ = ["CHUNK", "ROW_ERRORS", "Outcome", "check", "evaluate_chunks"]

CHUNK: Final = 500
"""Requests evaluated together: large enough to amortise, small enough to stay in memory."""

ROW_ERRORS: Final = 3
"""The exit status when rows could not be decided (argparse already uses 2 for usage)."""

Outcome = tuple["Decision | None", "RowError | None"]
"""A row's decision, or the error that kept it from being decided."""

_DELIMITERS: Final = {",": ",", ";": ";", "tab": "\t", "\\t": "\t", "\t": "\t", "|": "|"}


class Progress:
    """A one-line progress count on a terminal's standard error; silent anywhere else."""

    def __init__(self, stream: TextIO, name: str) -> None:
        """Count rows of *name* on *stream* if it is a terminal."""
        self.stream = stream
        self.name = name
        self.total = ""
        self.enabled = stream.isatty()
        self.shown = float("-inf")
        self.width = 0

    def _show(self, text: str) -> None:
        line = f"checking {self.name}: {text}"
        # Padded over the previous line: a shorter one would leave its tail on the screen.
        self.stream.write("\r" + line.ljust(self.width))
        self.stream.flush()
        self.width = len(line)

    def reading(self) -> None:
        """Say the file is being read through (before the first row is decided)."""
        if self.enabled:
            self._show("reading the file")

    def update(self, rows: int, total: int | None = None, *, force: bool = False) -> None:
        """Show *rows* done (of *total*); redrawn at most ten times a second, costing nothing."""
        if total is not None:
            self.total = f"/{total:,}"
        now = time.monotonic()
        if not self.enabled or (now - self.shown < 0.1 and not force):
            return
        self.shown = now
        self._show(f"{rows:,}{self.total} rows")

    def close(self, rows: int) -> None:
        """Show the final count and end the line."""
        if self.enabled:
            self.update(rows, force=True)
            self.stream.write("\n")
            self.stream.flush()


def _encoding(name: str | None) -> str | None:
    if name is None:
        return None
    try:
        info = codecs.lookup(name)
    except LookupError:
        info = None
    # base64 or rot13 are codecs too, but not of text: refused like an unknown name.
    if info is None or not getattr(info, "_is_text_encoding", True):
        msg = f"unknown encoding {name!r}: use a name like utf-8, gb18030 or utf-16"
        raise InputError(msg)
    return info.name


def _delimiter(text: str) -> str:
    if text not in _DELIMITERS:
        msg = f"--delimiter {text!r}: use one of ',', ';', '|' or tab"
        raise InputError(msg)
    return _DELIMITERS[text]


def _chunks(stream: BinaryIO) -> Iterator[bytes]:
    while piece := stream.read(CHUNK_BYTES):
        yield piece


def _file_chunks(path: Path) -> Iterator[bytes]:
    # Opened here so the file is closed however the reading ends (a generator's close).
    if path.suffix == ".gz":  # exports are often shipped compressed (MIMIC-IV: .csv.gz)
        import gzip

        with gzip.open(path, "rb") as unzipped:
            try:
                yield from _chunks(unzipped)  # type: ignore[arg-type]
            except (OSError, EOFError) as error:
                msg = f"cannot read {path}: not a whole gzip file ({error})"
                raise InputError(msg) from None
        return
    with path.open("rb") as stream:
        yield from _chunks(stream)


def _source(args: argparse.Namespace) -> tuple[str, Callable[[], Iterator[str]], bool]:
    """The input's name, a way to read its text in pieces, and whether it can be read twice."""
    encoding = _encoding(args.encoding)
    if args.file == "-":
        name = "standard input"
        binary = getattr(sys.stdin, "buffer", None)
        if binary is None:  # a text stream that is not a console (tests, embedding)
            return name, lambda: iter(lambda: sys.stdin.read(CHUNK_BYTES), ""), False
        return name, lambda: decode(_chunks(binary), encoding, name=name), False
    path = Path(args.file)
    if path.is_dir():
        msg = f"cannot read {path}: it is a directory; give a CSV or JSON file"
        raise InputError(msg)
    path.stat()  # a missing or unreadable file is reported here, before any output
    return str(path), lambda: decode(_file_chunks(path), encoding, name=str(path)), True


def _format(args: argparse.Namespace, name: str, texts: Iterator[str]) -> tuple[str, Iterator[str]]:
    """The input format (from the suffix, else the first character), and the same text."""
    if args.input_format != "auto":
        return args.input_format, texts
    suffix = Path(name.removesuffix(".gz")).suffix.lower()
    if suffix in {".json", ".csv"}:
        return suffix[1:], texts
    first = next(texts, "")
    fmt = "json" if first.lstrip()[:1] in {"[", "{"} else "csv"
    return fmt, chain([first], texts)


def _region(directory: str | None) -> Region:
    from mutrec.files import load_example_region, load_region

    if directory is None:
        return load_example_region()
    if not Path(directory, "region.toml").is_file():
        msg = f"{directory} is not a region directory: it has no region.toml"
        raise InputError(msg)
    return load_region(directory)


def _mapper(args: argparse.Namespace, region: Region) -> RowMapper | None:
    """The column map of ``--columns``, bound to *region* (its dictionary beside the input)."""
    if not args.columns:
        return None
    from mutrec.files.columns import load_column_map, read_dictionary

    cmap = load_column_map(args.columns)
    rows = None
    if cmap.dictionary is not None:
        if args.file == "-":
            msg = f"the column map reads {cmap.dictionary} beside the input: give a file, not -"
            raise InputError(msg)
        rows = read_dictionary(Path(args.file).parent / cmap.dictionary)
    return cmap.bind(region, dictionary=rows)


def _options(args: argparse.Namespace) -> tuple[tzinfo | None, frozenset[str]]:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    zone = None
    if args.default_zone:
        try:
            zone = ZoneInfo(args.default_zone)
        except (ZoneInfoNotFoundError, ValueError):
            msg = f"unknown time zone {args.default_zone!r}: use an IANA name like Asia/Shanghai"
            raise InputError(msg) from None
    if args.at:
        try:  # a bad --at is a problem of the command, not of each row
            datetime.fromisoformat(args.at)
        except ValueError:
            msg = f"--at {args.at!r} is not an ISO-8601 instant such as 2024-03-15T10:00+08:00"
            raise InputError(msg) from None
    given = {"receiver"} if args.receiver else set()
    return zone, frozenset(given | ({"at"} if args.at else set()))


def _decide(policy: Policy, requests: list[Request]) -> list[Outcome]:
    from mutrec.policy import RowError

    try:
        batch = policy.evaluate_many(requests)
    except Exception as error:  # noqa: BLE001 (one row's failure is that row's error)
        # What evaluate_many does not catch (a datetime overflow) must not take the other
        # rows of the chunk down: each is tried alone, and only the culprit fails.
        if len(requests) > 1:
            return [pair for request in requests for pair in _decide(policy, [request])]
        return [(None, RowError(0, requests[0].result_id, type(error).__name__, str(error)))]
    errors = {e.index: e for e in batch.errors}
    missing = RowError(0, None, "InternalError", "neither a decision nor an error")
    return [
        (d, None if d is not None else errors.get(i, missing))
        for i, d in enumerate(batch.decisions)
    ]


def evaluate_chunks(
    policy: Policy, parsed: Iterable[Request | RowError]
) -> Iterator[list[Outcome]]:
    """Decide *parsed* :data:`CHUNK` rows at a time, in order; errors keep their row's place.

    Lazy: a chunk of the input is read only when the previous chunk's results were taken.
    """
    from mutrec.policy import Request

    items = iter(parsed)
    while chunk := list(islice(items, CHUNK)):
        requests = [item for item in chunk if isinstance(item, Request)]
        decided = iter(_decide(policy, requests) if requests else [])
        yield [next(decided) if isinstance(item, Request) else (None, item) for item in chunk]


def _writer(args: argparse.Namespace, out: TextIO) -> Writer:
    from mutrec.cli._output import CsvWriter, JsonWriter, TableWriter

    if args.format == "json":
        return JsonWriter(out)
    if args.format == "csv":
        return CsvWriter(out, args.lang)
    return TableWriter(out, args.lang, explain=args.explain)


def check(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """Run ``mutrec check``; return 0, or :data:`ROW_ERRORS` when rows could not be decided.

    Raises:
        InputError: The input cannot be read (nothing is written when found before row 1).
    """
    import attrs

    from mutrec._checkio import Defaults, parse_rows
    from mutrec.cli._output import Tally
    from mutrec.policy import Policy

    zone, given = _options(args)
    delimiter = _delimiter(args.delimiter)
    region = _region(args.region)
    policy = Policy.from_region(region)
    mapper = _mapper(args, region)
    name, texts, again = _source(args)

    def header(names: list[str]) -> list[str]:
        from mutrec._checkio import required_columns

        assert mapper is not None  # noqa: S101 (only passed with a map)
        cmap = mapper.map_
        missing = required_columns({*cmap.columns, *cmap.constants, *given})
        return cmap.header_problems(names) + [
            f"the map gives no {column} (map it, make it a constant, or pass --{column})"
            for column in missing
        ]

    def rows_of(texts: Iterator[str]) -> Iterator[RawRow]:
        fmt, texts = _format(args, name, texts)
        if mapper is not None and fmt != "csv":
            msg = f"a column map reads CSV: {name} is {fmt}"
            raise InputError(msg)
        source: Iterable[str] = lines(texts, name=name) if fmt == "csv" else texts
        return read_rows(
            source,
            fmt,
            name=name,
            delimiter=delimiter,
            given=given,
            header=None if mapper is None else header,
        )

    # A file is read once through before any output, so what is wrong with the file as a whole
    # (a byte not of the encoding, JSON broken near the end) stops the check before a single
    # decision is written; it also gives the progress count its total. It costs little
    # next to deciding the rows.
    progress = Progress(err, name)
    progress.reading()
    total = sum(1 for _ in rows_of(texts())) if again else None
    rows = rows_of(texts())
    first = next(rows, None)  # standard input: a broken header is reported before any output
    if first is None:
        msg = f"{name} has no rows to check"
        raise InputError(msg)
    defaults = Defaults(receiver=args.receiver, at=args.at, zone=zone)
    tally = Tally(region, summary=args.summary)
    writer = _writer(args, out)
    progress.update(0, total, force=True)
    try:
        writer.start()
        index = 0
        for chunk in evaluate_chunks(policy, parse_rows(chain([first], rows), defaults, mapper)):
            for decision, error in chunk:
                placed = None if error is None else attrs.evolve(error, index=index)
                writer.row(index, decision, placed)
                index += 1
            tally.add([decision for decision, _ in chunk])
            progress.update(index)
        progress.close(index)
        writer.finish(tally, tally.summary() if args.summary else None)
    finally:
        writer.close()
    if tally.undecided:
        print(f"mutrec: {tally.undecided} of {tally.rows} rows could not be decided", file=err)
        return 0 if args.allow_row_errors else ROW_ERRORS
    return 0
