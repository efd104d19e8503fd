"""`mutrec check` on the files people really have: encodings, delimiters, headers, statuses."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from mutrec.cli import main

if TYPE_CHECKING:
    from collections.abc import Iterator

DATA = Path(__file__).parent / "data"
RESULTS = (DATA / "results.csv").read_text(encoding="utf-8")
HEADER = "result_id,item,value,unit,collected,reported,issuer,patient,receiver,at,specimen"
GOOD = (
    "L1,Glu,6.1,mmol/L,2024-03-11T08:00+08:00,2024-03-11T11:00+08:00,BJ001,P1,BJ003,"
    "2024-03-15T10:00+08:00,serum"
)


def run(*argv: str | Path) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main([str(a) for a in argv], out=out, err=err)
    assert "Traceback" not in out.getvalue() + err.getvalue()
    return code, out.getvalue(), err.getvalue()


def write(tmp_path: Path, data: str | bytes, name: str = "rows.csv") -> Path:
    path = tmp_path / name
    if isinstance(data, str):
        path.write_text(data, encoding="utf-8", newline="")
    else:
        path.write_bytes(data)
    return path


def one_line_error(code: int, out: str, err: str) -> str:
    assert code == 1
    assert out == ""
    assert err.startswith("mutrec: error: ")
    assert err.count("\n") == 1
    return err


# --- encodings ---


def test_utf8_with_bom_reads_like_without(tmp_path: Path) -> None:
    plain = run("check", DATA / "results.csv", "--format", "csv")
    bom = write(tmp_path, "\ufeff".encode() + RESULTS.encode())  # Excel's "CSV UTF-8"
    assert run("check", bom, "--format", "csv") == plain
    assert plain[0] == 0


def test_gb18030_file_without_encoding_names_byte_line_and_the_fix(tmp_path: Path) -> None:
    path = write(tmp_path, RESULTS.encode("gb18030"))  # 钾 on line 3 is not UTF-8
    err = one_line_error(*run("check", path))
    offset = RESULTS.encode("gb18030").index("钾".encode("gb18030"))
    assert f"cannot read {path}: byte 0x{'钾'.encode('gb18030')[0]:x} at offset {offset}" in err
    assert "(line 3) is not UTF-8" in err
    assert "--encoding gb18030" in err


def test_gb18030_file_with_encoding_is_read(tmp_path: Path) -> None:
    path = write(tmp_path, RESULTS.encode("gb18030"))
    assert run("check", path, "--encoding", "gb18030", "--format", "csv") == run(
        "check", DATA / "results.csv", "--format", "csv"
    )


def test_excel_unicode_text_utf16_tab_separated_is_read(tmp_path: Path) -> None:
    text = RESULTS.replace(",", "\t")
    path = write(tmp_path, text.encode("utf-16"), "rows.txt")  # with its BOM, as Excel saves
    code, out, _ = run("check", path, "--delimiter", "tab", "--format", "csv")
    assert code == 0
    assert out == run("check", DATA / "results.csv", "--format", "csv")[1]


@pytest.mark.parametrize(
    ("codec", "message"),
    [
        ("klingon", "unknown encoding 'klingon': use a name like utf-8, gb18030 or utf-16"),
        ("base64", "unknown encoding 'base64'"),  # a codec, but not of text
    ],
)
def test_unknown_encoding_is_one_line(codec: str, message: str) -> None:
    assert message in one_line_error(*run("check", DATA / "results.csv", "--encoding", codec))


def test_wrong_explicit_encoding_points_at_the_byte(tmp_path: Path) -> None:
    path = write(tmp_path, RESULTS.encode("utf-8"))
    err = one_line_error(*run("check", path, "--encoding", "ascii"))
    assert "is not ascii; rerun with the file's --encoding" in err


# --- delimiters and headers ---


@pytest.mark.parametrize(
    ("separator", "hint"), [(";", "--delimiter ';'"), ("\t", "--delimiter tab")]
)
def test_header_with_another_separator_hints_at_delimiter(
    tmp_path: Path, separator: str, hint: str
) -> None:
    path = write(tmp_path, RESULTS.replace(",", separator))
    err = one_line_error(*run("check", path))
    assert hint in err
    assert "problems" not in err  # the hint, not one complaint per column


def test_delimiter_option_reads_semicolons(tmp_path: Path) -> None:
    path = write(tmp_path, RESULTS.replace(",", ";"))
    code, out, _ = run("check", path, "--delimiter", ";", "--format", "csv")
    assert code == 0
    assert out == run("check", DATA / "results.csv", "--format", "csv")[1]
    assert "--delimiter ':'" in one_line_error(*run("check", path, "--delimiter", ":"))


def test_duplicate_column_is_one_file_error(tmp_path: Path) -> None:
    path = write(tmp_path, f"{HEADER},item\n{GOOD},K\n{GOOD},K\n")
    err = one_line_error(*run("check", path))
    assert "column 'item' appears twice (columns 2, 12)" in err


def test_missing_column_is_one_file_error(tmp_path: Path) -> None:
    header = HEADER.replace(",issuer", "")
    row = GOOD.replace(",BJ001", "")
    err = one_line_error(*run("check", write(tmp_path, f"{header}\n{row}\n{row}\n")))
    assert err.endswith(": missing required column: issuer\n")


def test_misspelt_column_is_exactly_one_problem_with_suggestion(tmp_path: Path) -> None:
    path = write(tmp_path, RESULTS.replace(",collected,", ",colected,"))
    err = one_line_error(*run("check", path))
    problem = "unknown column 'colected' (did you mean 'collected'?)"
    assert err == f"mutrec: error: cannot read {path}: {problem}\n"  # one problem, no "missing"


def test_several_header_problems_are_counted_in_one_line(tmp_path: Path) -> None:
    path = write(tmp_path, "result_id,item,valeu,item\nX,K,4,K\n")
    err = one_line_error(*run("check", path))
    assert "3 problems in the header: column 'item' appears twice" in err
    assert "unknown column 'valeu' (did you mean 'value'?)" in err
    assert "missing required columns: collected, issuer, patient, receiver (or --receiver)" in err


def test_a_header_of_many_unknown_columns_lists_the_first_few(tmp_path: Path) -> None:
    header = ",".join(f"c{n}" for n in range(10_000))
    err = one_line_error(*run("check", write(tmp_path, f"{header}\n{header}\n")))
    assert "10001 problems in the header: unknown column 'c0'" in err
    assert err.endswith("; …\n")
    assert len(err) < 1_000


def test_json_row_with_a_misspelt_key_suggests_the_column() -> None:
    out = run("check", DATA / "results.json", "--format", "csv")[1]
    assert "unknown column (did you mean 'collected'?)" in out.splitlines()[3]


# --- exit statuses ---


def test_row_errors_exit_3_unless_allowed() -> None:
    code, out, err = run("check", DATA / "bad-rows.csv", "--format", "csv")
    assert code == 3
    assert len(out.splitlines()) == 10  # every row is still reported
    assert err == "mutrec: 8 of 9 rows could not be decided\n"
    code, out_allowed, err = run(
        "check", DATA / "bad-rows.csv", "--format", "csv", "--allow-row-errors"
    )
    assert code == 0
    assert out_allowed == out
    assert err == "mutrec: 8 of 9 rows could not be decided\n"


def test_exit_statuses_are_documented_and_usage_errors_stay_2() -> None:
    for argv in (["--help"], ["check", "--help"]):
        code, out, _ = run(*argv)
        assert code == 0
        assert "exit status:" in out
        assert "3  some rows could not be decided" in out
        assert "2  usage error" in out
    code, out, err = run("check")
    assert code == 2
    assert "the following arguments are required: FILE" in err


# --- the catch-all ---


def test_unexpected_exception_is_one_line_exit_1(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*_: object) -> int:
        msg = "the disk\nis on fire"
        raise RuntimeError(msg)

    monkeypatch.setattr("mutrec.cli._check.check", broken)
    code, out, err = run("check", DATA / "results.csv")
    assert code == 1
    assert out == ""
    assert err == (
        "mutrec: internal error: RuntimeError: the disk is on fire "
        "(please report; rerun with --debug for the traceback)\n"
    )


def test_debug_shows_the_traceback(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*_: object) -> int:
        raise RuntimeError

    monkeypatch.setattr("mutrec.cli._check.check", broken)
    out, err = io.StringIO(), io.StringIO()
    assert main(["check", str(DATA / "results.csv"), "--debug"], out=out, err=err) == 1
    assert err.getvalue().startswith("Traceback (most recent call last):")
    assert err.getvalue().endswith(
        "mutrec: internal error: RuntimeError: (no message) "
        "(please report; rerun with --debug for the traceback)\n"
    )


def test_interrupt_is_quiet(monkeypatch: pytest.MonkeyPatch) -> None:
    def interrupted(*_: object) -> int:
        raise KeyboardInterrupt

    monkeypatch.setattr("mutrec.cli._check.check", interrupted)
    code, out, err = run("check", DATA / "results.csv")
    assert (code, out, err) == (130, "", "\nmutrec: interrupted\n")


# --- output, streamed, is what the whole batch gives ---


def test_streamed_json_is_the_whole_batch_document(monkeypatch: pytest.MonkeyPatch) -> None:
    from mutrec._checkio import Defaults, parse_rows
    from mutrec.cli import _check
    from mutrec.cli._read import read_rows
    from mutrec.files import load_example_region
    from mutrec.policy import Batch, Policy, Request, RowError
    from mutrec.stats import summarise

    monkeypatch.setattr(_check, "CHUNK", 2)  # several chunks; the summary is added up
    code, out, _ = run("check", DATA / "bad-rows.csv", "--format", "json", "--summary")
    assert code == 3
    # The same rows decided all at once, in memory, as the library's batch.
    region = load_example_region()
    text = (DATA / "bad-rows.csv").read_text(encoding="utf-8").splitlines(keepends=True)
    parsed = list(parse_rows(read_rows(text, "csv", name="x"), Defaults()))
    batch = Policy.from_region(region).evaluate_many([p for p in parsed if isinstance(p, Request)])
    assert batch.errors == ()  # every bad row of this file is refused while reading it
    decided = iter(batch.decisions)
    decisions = tuple(None if isinstance(p, RowError) else next(decided) for p in parsed)
    whole = Batch(decisions, tuple(p for p in parsed if isinstance(p, RowError)))
    document = {**whole.to_dict(), "summary": summarise(whole, region=region).to_dict()}
    assert out == json.dumps(document, ensure_ascii=False, indent=2) + "\n"


# --- streaming: rows are read as they are needed, never all at once ---


class Source:
    """200,000 good rows, made only as they are asked for; counts how many were made."""

    def __init__(self, rows: int = 200_000) -> None:
        self.rows = rows
        self.made = 0

    def lines(self) -> Iterator[str]:
        yield HEADER + "\n"
        while self.made < self.rows:
            self.made += 1
            yield GOOD.replace("L1", f"L{self.made}") + "\n"


def test_csv_reader_returns_an_iterator_that_reads_as_it_goes() -> None:
    from mutrec.cli._read import read_rows

    source = Source()
    rows = read_rows(source.lines(), "csv", name="big.csv")
    assert iter(rows) is rows  # an iterator, not a list
    assert source.made == 0  # nothing read until asked
    assert [next(rows).cells["result_id"] for _ in range(3)] == ["L1", "L2", "L3"]
    assert source.made == 3


def test_evaluating_consumes_the_rows_one_chunk_at_a_time() -> None:
    from mutrec._checkio import Defaults, parse_rows
    from mutrec.cli._check import CHUNK, evaluate_chunks
    from mutrec.cli._read import read_rows
    from mutrec.files import load_example_region
    from mutrec.policy import Policy

    source = Source()
    parsed = parse_rows(read_rows(source.lines(), "csv", name="big.csv"), Defaults())
    chunks = evaluate_chunks(Policy.from_region(load_example_region()), parsed)
    assert source.made == 0
    first = next(chunks)
    assert len(first) == CHUNK
    assert source.made == CHUNK
    assert [d.outcome.value for d, _ in first[:2] if d] == ["recognised", "recognised"]
    next(chunks)
    assert source.made == 2 * CHUNK


def test_decoding_and_splitting_lines_are_lazy() -> None:
    from mutrec.cli._read import decode, lines

    source = Source()
    pieces = (line.encode("gb18030") for line in source.lines())
    split = lines(decode(pieces, "gb18030", name="big.csv"), name="big.csv")
    assert next(split) == HEADER + "\n"
    assert next(split).startswith("L1,Glu,")
    assert source.made <= 2


def test_json_rows_arrive_before_the_document_ends() -> None:
    from mutrec.cli._json import json_rows

    made = []

    def pieces() -> Iterator[str]:
        yield '{"rows": ['
        for n in range(1, 200_001):
            made.append(n)
            yield f'{"," if n > 1 else ""}{{"result_id": "J{n}", "item": "K"}}'
        yield "]}"

    rows = json_rows(pieces(), name="big.json")
    assert iter(rows) is rows
    assert [next(rows).cells["result_id"] for _ in range(2)] == ["J1", "J2"]
    assert len(made) <= 3


class LazyStdin:
    """Standard input producing 200,000 rows on demand (a text stream, as in a console)."""

    def __init__(self) -> None:
        self.source = Source()
        self.lines = self.source.lines()

    def read(self, size: int) -> str:
        text = ""
        for line in self.lines:
            text += line
            if len(text) >= size:
                break
        return text


class Reader(io.StringIO):
    """Output whose reader stops after the first decision, as `| head -2` does."""

    def write(self, text: str) -> int:
        written = super().write(text)
        if self.getvalue().count("\n") >= 2:
            raise BrokenPipeError
        return written


def test_the_first_decision_is_written_before_most_rows_are_read(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    stdin = LazyStdin()
    monkeypatch.setattr("sys.stdin", stdin)
    out = Reader()
    assert main(["check", "-", "--format", "csv"], out=out, err=io.StringIO()) == 0
    assert out.getvalue().splitlines()[1].startswith("0,L1,Glu,recognised,")
    assert stdin.source.made < 2_000  # of 200,000: a chunk and one piece of text


# --- hostile input: each is one row's error, or one line about the file ---

ROW_ERRORS = [
    ("value", "9" * 5000, "longer than 1000 characters"),
    ("item", "", "'item' = '': is required"),
    ("item", "  ", "'item' = '': is required"),
    ("patient", "", "'patient' = '': is required"),
    ("collected", "0001-01-01T00:00+08:00", "the year is outside 1900-2999"),
    ("at", "9999-12-31T23:59+08:00", "the year is outside 1900-2999"),
    ("collected", "yesterday", "not an ISO-8601 instant"),
    ("issuer", "BJ\x00001", "holds a NUL byte (is the file UTF-16? try --encoding utf-16)"),
    ("reported", "x" * 100_000, "'reported' = 'xxxxxxxx"),  # the message quotes 60 characters
]


@pytest.mark.parametrize("cell", ["abc", "NaN", "6,1", "溶血"])
def test_text_where_a_number_belongs_is_not_recognised(tmp_path: Path, cell: str) -> None:
    cells = dict(zip(HEADER.split(","), GOOD.split(","), strict=True))
    cells["value"] = cell
    row = io.StringIO()
    csv.writer(row, lineterminator="\n").writerow(cells.values())
    code, out, _ = run("check", write(tmp_path, f"{HEADER}\n{row.getvalue()}"), "--format", "csv")
    assert code == 0  # decided: not recognised, with the reason
    assert out.splitlines()[1].startswith("0,L1,Glu,not_recognised,value.not_numeric,")


@pytest.mark.parametrize(("column", "cell", "message"), ROW_ERRORS)
def test_hostile_cell_is_that_rows_error(
    tmp_path: Path, column: str, cell: str, message: str
) -> None:
    cells = dict(zip(HEADER.split(","), GOOD.split(","), strict=True))
    cells[column] = cell
    row = io.StringIO()
    csv.writer(row, lineterminator="\n").writerow(cells.values())  # quoted where needed
    path = write(tmp_path, f"{HEADER}\n{row.getvalue()}{GOOD}\n")
    code, out, err = run("check", path, "--format", "csv")
    assert code == 3
    bad, good = out.splitlines()[1:]
    assert message in bad
    assert len(bad) < 400
    assert good.startswith("1,L1,Glu,recognised,")
    assert err == "mutrec: 1 of 2 rows could not be decided\n"


def test_number_columns_refuse_text_and_5000_digits(tmp_path: Path) -> None:
    row = "I1,CT-CHEST,,,2024-03-08T09:00+08:00,,BJ001,P1,BJ003,2024-03-15T10:00+08:00,,CT"
    header = f"{HEADER},modality,detector_rows,field_strength_t"
    lines = [f"{row},many,", f"{row},{'6' * 5000},", f"{row},64,1e999", f"{row},64,"]
    code, out, _ = run("check", write(tmp_path, "\n".join([header, *lines])), "--format", "csv")
    assert code == 3
    rows = out.splitlines()[1:]
    assert "'detector_rows' = 'many': not a number (int)" in rows[0]
    assert "'detector_rows' = '666666" in rows[1]
    assert "not a number (int)" in rows[1]
    assert "'field_strength_t' = '1e999': not a finite number" in rows[2]
    assert ",I1,CT-CHEST," in rows[3]


def test_blank_result_id_is_no_error(tmp_path: Path) -> None:
    code, out, _ = run("check", write(tmp_path, f"{HEADER}\n{GOOD.replace('L1', '')}\n"))
    assert code == 0
    assert "1 rows: 1 recognised" in out


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ({"item": ["Glu"]}, "'item' = \"['Glu']\": expected text, not list"),
        ({"item": True}, "expected text, not bool"),
        ({"value": "1" + "0" * 5000}, "longer than 1000 characters"),
        ("a string", 'a row must be an object {...}, not \\"a string\\"'),
    ],
)
def test_hostile_json_row_is_that_rows_error(
    tmp_path: Path, row: dict[str, object] | str, message: str
) -> None:
    base = dict(zip(HEADER.split(","), GOOD.split(","), strict=True))
    bad = {**base, **row} if isinstance(row, dict) else row
    # Written by hand: a 5,000-digit number must reach the reader as a number, not a string.
    document = json.dumps([bad, base]).replace('"1' + "0" * 5000 + '"', "1" + "0" * 5000)
    code, out, _ = run("check", write(tmp_path, document, "rows.json"), "--format", "json")
    assert code == 3
    decided = json.loads(out)
    assert decided["decisions"][0] is None
    assert decided["decisions"][1]["outcome"] == "recognised"
    assert message.replace('\\"', '"') in decided["errors"][0]["message"]


def test_duplicate_json_key_is_that_rows_error(tmp_path: Path) -> None:
    row = json.dumps(dict(zip(HEADER.split(","), GOOD.split(","), strict=True)))
    document = f'[{row[:-1]}, "item": "K"}}, {row}]'
    code, out, _ = run("check", write(tmp_path, document, "rows.json"), "--format", "csv")
    assert code == 3
    assert "key 'item' appears twice in the row" in out.splitlines()[1]


def test_unclosed_quote_is_one_rows_error_naming_its_lines(tmp_path: Path) -> None:
    opened = GOOD.replace(",P1,", ',"P1,')
    path = write(tmp_path, f"{HEADER}\n{GOOD}\n{opened}\n{GOOD}\n{GOOD}\n")
    code, out, _ = run("check", path, "--format", "csv")
    assert code == 3
    rows = out.splitlines()[1:]
    assert len(rows) == 2  # the quote swallowed the rows after it: they are named, not lost
    assert "lines 3-5 are one row: a double quote left open in a cell?" in rows[1]


@pytest.mark.parametrize("ending", ["\r\n", "\r"])
def test_crlf_and_cr_line_endings_read_like_lf(tmp_path: Path, ending: str) -> None:
    path = write(tmp_path, RESULTS.replace("\n", ending))
    assert run("check", path, "--format", "csv") == run(
        "check", DATA / "results.csv", "--format", "csv"
    )


def test_blank_rows_excel_leaves_are_skipped(tmp_path: Path) -> None:
    path = write(tmp_path, f"\n{HEADER},,\n{GOOD},,\n,,,,,,,,,,,\n\n{GOOD},,\n")
    code, out, _ = run("check", path, "--format", "csv")
    assert code == 0
    assert len(out.splitlines()) == 3


FILE_ERRORS = [
    (b"", "rows.csv is empty: it needs a header row"),
    (b"\n\n  \n", "rows.csv is empty: it needs a header row"),
    (HEADER.encode() + b"\n", "rows.csv has no rows to check"),
    (f"{HEADER}\n{GOOD[:30]}{'x' * 200_000}\n".encode(), "line 2: field larger than field limit"),
    (b"x" * (2 << 20), "line 1 is longer than 1,048,576 characters"),
    (b"\xff\xfe" + "item".encode("utf-16-le") + b"\x00\xd8x\x00", "(line 1) is not UTF-16"),
]


@pytest.mark.parametrize(("data", "message"), FILE_ERRORS)
def test_hostile_file_is_one_line(tmp_path: Path, data: bytes, message: str) -> None:
    assert message in one_line_error(*run("check", write(tmp_path, data)))


JSON_ERRORS = [
    (b"", "rows.json is empty: it needs a list of row objects"),
    (b"[]", "rows.json has no rows to check"),
    (b'{"rows": []}', "rows.json has no rows to check"),
    (
        b"[" * 100_000 + b"]" * 100_000,
        "nested too deeply to be a row of results (line 1, column 2)",
    ),
    (b'{"results": []}', 'JSON input must be a list of row objects, or {"rows": [...]}'),
    (b'"rows"', "JSON input must be a list of row objects"),
    (b"[{" + b'"x": "' + b"y" * (2 << 20) + b'"}]', "a value longer than 1,048,576 characters"),
]


@pytest.mark.parametrize(("data", "message"), JSON_ERRORS)
def test_hostile_json_file_is_one_line(tmp_path: Path, data: bytes, message: str) -> None:
    assert message in one_line_error(*run("check", write(tmp_path, data, "rows.json")))


def test_a_directory_is_one_line(tmp_path: Path) -> None:
    err = one_line_error(*run("check", tmp_path))
    assert (
        err
        == f"mutrec: error: cannot read {tmp_path}: it is a directory; give a CSV or JSON file\n"
    )


BROKEN_NEAR_THE_END = [
    ('[{"item": "K"}] [', "Extra data after the JSON document (line 1, column 17)"),
    ('{"rows": [{"item": "K"}], "more": [1,', "Expecting value (line 1, column 38)"),
    ('[{"item": "K"},\n {"item": "K"}\n {', "Expecting ',' (line 3, column 2)"),
]


@pytest.mark.parametrize(("text", "message"), BROKEN_NEAR_THE_END)
def test_json_file_broken_near_its_end_is_refused_before_any_output(
    tmp_path: Path, text: str, message: str
) -> None:
    path = write(tmp_path, text, "rows.json")
    assert message in one_line_error(*run("check", path, "--format", "json"))


@pytest.mark.parametrize(("text", "message"), BROKEN_NEAR_THE_END)
def test_json_piped_in_broken_after_its_rows_leaves_the_document_unfinished(
    monkeypatch: pytest.MonkeyPatch, text: str, message: str
) -> None:
    # Standard input cannot be read twice: the problem is found after rows were written. The
    # error line says so, and the JSON written so far does not parse, so no program can take
    # the rows for a finished check.
    monkeypatch.setattr("sys.stdin", io.StringIO(text))
    code, out, err = run("check", "-", "--format", "json")
    assert code == 1
    assert message.replace("rows.json", "standard input") in err
    assert err.count("\n") == 1
    assert out.startswith('{\n  "schema": "mutrec.batch/1",\n  "decisions": [')
    with pytest.raises(json.JSONDecodeError):
        json.loads(out)
