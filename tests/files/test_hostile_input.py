"""Any bytes in, only ``CatalogueError`` out: hostile paths, encodings, CSV, TOML, numbers, dates.

Each case asserts the problem's key path and a fragment of its message (and the line where the
loader can know it), so a crash turned into a vague error would fail too.
"""

from __future__ import annotations

import os
import sys
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

import pytest

from mutrec.errors import CatalogueError
from mutrec.examples import path
from mutrec.files import (
    load_catalogue,
    load_crosswalk,
    load_fees,
    load_institutions,
    load_program,
    load_quality,
    load_region,
)
from mutrec.files.columns import load_column_map

if TYPE_CHECKING:
    from collections.abc import Callable

SH = ZoneInfo("Asia/Shanghai")
LAB = load_catalogue(path("region/catalogue-jjjl-lab.toml"))
LOADERS: dict[str, Callable[[Any], object]] = {
    "catalogue": load_catalogue,
    "columns": load_column_map,
    "crosswalk": load_crosswalk,
    "fees": load_fees,
    "institutions": load_institutions,
    "program": lambda p: load_program(p, [LAB], zone=SH),
    "quality": load_quality,
    "region": load_region,
}
INSTITUTIONS = 'kind = "institutions"\nschema_version = 1\n'
ONE = '[[institutions]]\nid = "H1"\nname = "示例医院"\nregion = "110102"\nlevel = 3\n'


def _problems(load: Callable[[Any], object], target: object) -> list[tuple[str, str, int | None]]:
    with pytest.raises(CatalogueError) as caught:
        load(target)
    return [(p.where, p.message, p.line) for p in caught.value.problems]


def _first(load: Callable[[Any], object], target: object) -> tuple[str, str, int | None]:
    return _problems(load, target)[0]


# -- paths -------------------------------------------------------------------------------


def _hostile_paths(tmp_path: Path) -> dict[str, tuple[str | Path, str]]:
    loop = tmp_path / "loop"
    loop.symlink_to(tmp_path / "loop2")
    (tmp_path / "loop2").symlink_to(loop)
    fifo = tmp_path / "fifo.toml"
    os.mkfifo(fifo)
    return {
        "directory": (tmp_path, "is a directory"),
        "missing": (tmp_path / "nope.toml", "file not found"),
        "nul": (str(tmp_path / "a\0b.toml"), "cannot be read: "),
        "long name": (tmp_path / ("x" * 5000), "cannot be read: "),
        "symlink loop": (loop, "cannot be read: "),
        "fifo": (fifo, "is not a regular file"),
        "not a directory": (path("region/fees.csv") / "x.toml", "cannot be read: "),
    }


@pytest.mark.skipif(sys.platform == "win32", reason="FIFOs and symlinks need POSIX")
@pytest.mark.parametrize("loader", sorted(LOADERS))
def test_hostile_paths_are_problems(tmp_path: Path, loader: str) -> None:
    for name, (target, fragment) in _hostile_paths(tmp_path).items():
        found = _problems(LOADERS[loader], target)
        assert len(found) == 1, (name, found)
        where, message, _ = found[0]
        assert where == "(file)", (name, found)
        # load_region reads region.toml inside the path: a file or a missing folder is not found
        assert fragment in message or loader == "region", (name, found)


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="needs /dev/zero")
def test_an_endless_device_is_not_read() -> None:
    assert _first(load_institutions, "/dev/zero") == (
        "(file)",
        "'/dev/zero' is not a regular file",
        None,
    )


def test_a_file_name_of_5000_characters_in_a_toml(tmp_path: Path) -> None:
    p = tmp_path / "inst.toml"
    p.write_text(INSTITUTIONS + f'institutions_csv = "{"x" * 5000}.csv"\n', encoding="utf-8")
    where, message, _ = _first(load_institutions, p)
    assert (where, message) == ("(file)", "cannot be read: File name too long")


@pytest.mark.parametrize("name", [".", "..", "/", "a\\u0000b.csv", "fifo"])
def test_csv_names_that_are_no_files(tmp_path: Path, name: str) -> None:
    os.mkfifo(tmp_path / "fifo")
    p = tmp_path / "inst.toml"
    p.write_text(INSTITUTIONS + f'institutions_csv = "{name}"\n', encoding="utf-8")
    assert [w for w, _, _ in _problems(load_institutions, p)] == ["(file)"]


# -- encodings ---------------------------------------------------------------------------


def test_gbk_is_named_with_its_byte_offset_and_line(tmp_path: Path) -> None:
    p = tmp_path / "inst.toml"
    p.write_bytes((INSTITUTIONS + ONE).encode("gbk"))
    # 示 is CA BE in GBK, which UTF-8 reads as U+02BE; 例 (C0 FD) is the first invalid byte.
    offset = len((INSTITUTIONS + '[[institutions]]\nid = "H1"\nname = "').encode()) + 2
    where, message, line = _first(load_institutions, p)
    assert (where, line) == ("(file)", 5)
    assert message == (
        f"not UTF-8 (it looks like GBK/GB18030): byte 0xc0 at byte offset {offset} "
        "(invalid start byte)"
    )


def test_bytes_of_no_known_encoding(tmp_path: Path) -> None:
    p = tmp_path / "inst.toml"
    p.write_bytes(INSTITUTIONS.encode() + b"# \xff\xfe\n")
    where, message, line = _first(load_institutions, p)
    assert (where, line) == ("(file)", 3)
    assert message == "not UTF-8: byte 0xff at byte offset 43 (invalid start byte)"


@pytest.mark.parametrize(
    ("encoding", "fragment"),
    [
        ("utf-16", "the file is UTF-16 text, not UTF-8"),
        ("utf-16-be", "NUL byte at byte offset 0"),
        ("utf-16-le", "NUL byte at byte offset 1"),
        ("utf-32", "the file is UTF-32 text, not UTF-8"),
    ],
)
def test_utf16_and_utf32_are_refused_by_name(tmp_path: Path, encoding: str, fragment: str) -> None:
    p = tmp_path / "inst.toml"
    p.write_bytes((INSTITUTIONS + ONE).encode(encoding))
    where, message, _ = _first(load_institutions, p)
    assert where == "(file)"
    assert fragment in message


@pytest.mark.parametrize("suffix", ["toml", "csv"])
def test_utf8_with_bom_is_accepted(tmp_path: Path, suffix: str) -> None:
    p = tmp_path / "inst.toml"
    if suffix == "csv":
        (tmp_path / "i.csv").write_bytes(b"\xef\xbb\xbfid,name,region,level\nH1,A,110102,3\n")
        p.write_bytes(b"\xef\xbb\xbf" + (INSTITUTIONS + 'institutions_csv = "i.csv"\n').encode())
    else:
        p.write_bytes(b"\xef\xbb\xbf" + (INSTITUTIONS + ONE).encode())
    assert list(load_institutions(p)) == ["H1"]


def test_a_nul_byte_in_a_csv_is_refused_with_its_line(tmp_path: Path) -> None:
    p = _institutions_csv(tmp_path, "id,name,region,level\nH1,A,110102,3\nH2,B\x00,110102,3\n")
    assert _problems(load_institutions, p) == [
        (
            "(file)",
            "NUL byte at byte offset 39: the file is binary or UTF-16 without a BOM",
            3,
        )
    ]


# -- CSV structure -----------------------------------------------------------------------


def _institutions_csv(tmp_path: Path, text: str) -> Path:
    (tmp_path / "i.csv").write_text(text, encoding="utf-8", newline="")
    p = tmp_path / "inst.toml"
    p.write_text(INSTITUTIONS + 'institutions_csv = "i.csv"\n', encoding="utf-8")
    return p


HEADER = "id,name,region,level\n"
CSV_CASES: dict[str, tuple[str, list[tuple[str, str, int | None]]]] = {
    "empty": ("", [("institutions", "the CSV file is empty", 1)]),
    "blank header": ("\n\n", [("institutions", "the CSV file is empty", 1)]),
    "header only": (HEADER, [("institutions", "the CSV has a header but no rows", 1)]),
    "duplicate columns": (
        "id,name,region,level,level\nH1,A,110102,3,1\n",
        [("institutions", "duplicate columns ['level']", 1)],
    ),
    "duplicate after stripping": (
        "id,name,region,level, id\nH1,A,110102,3,H2\n",
        [("institutions", "duplicate columns ['id']", 1)],
    ),
    "long row": (
        HEADER + "H1,A,110102,3,extra\n",
        [("institutions", "the row has 5 cells, the header 4", 2)],
    ),
    "short row": (HEADER + "H1,A\n", [("institutions", "the row has 2 cells, the header 4", 2)]),
    "value under a nameless column": (
        "id,name,,region,level\nH1,A,x,110102,3\n",
        [("institutions", "a cell under a column without a name", 2)],
    ),
    "huge field": (
        HEADER + 'H1,"' + "x" * 200_000 + "\n",
        [("institutions", "unreadable CSV: field larger than field limit (131072)", 2)],
    ),
    "unknown column": (
        "id,name,region,level,colour\nH1,A,110102,3,red\n",
        [("institutions[H1].colour", "unknown key", 2)],
    ),
    "full-width digits": (
        HEADER + "H1,A,110102,３\n",
        [("institutions[H1].level", "expected an integer, got str '３'", 2)],
    ),
    "Ethiopic digit": (
        HEADER + "H1,A,110102,፩\n",
        [("institutions[H1].level", "expected an integer, got str '፩'", 2)],
    ),
    "5000 digits": (
        HEADER + "H1,A,110102," + "1" * 5000 + "\n",
        [("institutions[H1].level", "expected an integer, got str '11111", 2)],
    ),
    "400 digits": (
        HEADER + "H1,A,110102,1" + "0" * 80 + "\n",
        [("institutions[H1].level", "unknown level 1000", 2)],
    ),
}


@pytest.mark.parametrize("case", sorted(CSV_CASES))
def test_hostile_csv(tmp_path: Path, case: str) -> None:
    text, expected = CSV_CASES[case]
    found = _problems(load_institutions, _institutions_csv(tmp_path, text))
    assert [(w, line) for w, _, line in found] == [(w, line) for w, _, line in expected], found
    for (_, message, _), (_, fragment, _) in zip(found, expected, strict=True):
        assert fragment in message


@pytest.mark.parametrize("newline", ["\r", "\r\n", "\n"])
def test_csv_line_endings_all_load(tmp_path: Path, newline: str) -> None:
    text = newline.join(["id,name,region,level", "H1,A,110102,3", "H2,B,120101,2", ""])
    assert sorted(load_institutions(_institutions_csv(tmp_path, text))) == ["H1", "H2"]


def test_csv_problems_keep_their_physical_lines(tmp_path: Path) -> None:
    text = HEADER + 'H1,"A\nquoted line",110102,3\n\nH2,B,110102,x\n'
    assert _problems(load_institutions, _institutions_csv(tmp_path, text)) == [
        ("institutions[H2].level", "expected an integer, got str 'x'", 5)
    ]


@pytest.mark.parametrize(
    ("cell", "fragment"),
    [
        ("２０２４-01-01", "not a date: str '２０２４-01-01'"),
        ("20230701", "not a date: str '20230701'"),
        ("2023-W26-6", "not a date"),
        ("2023-02-30", "not a date: str '2023-02-30'"),
        ("0000-01-01", "not a date"),
        ("  ", "not a date: str ' '"),
    ],
)
def test_csv_dates_are_iso_in_ascii(tmp_path: Path, cell: str, fragment: str) -> None:
    (tmp_path / "m.csv").write_text(f"institution,since\nH1,{cell}\n", encoding="utf-8")
    p = tmp_path / "p.toml"
    p.write_text(
        'kind = "program"\nschema_version = 1\nname = "p"\nscope = "s"\nmark = "m"\n'
        'catalogues = ["京津冀鲁检验互认项目"]\nmembers_csv = "m.csv"\n',
        encoding="utf-8",
    )
    where, message, line = _first(LOADERS["program"], p)
    assert (where, line) == ("members[H1].since", 2)
    assert fragment in message


# -- TOML --------------------------------------------------------------------------------


def _institutions(tmp_path: Path, text: str) -> Path:
    p = tmp_path / "inst.toml"
    p.write_text(INSTITUTIONS + text, encoding="utf-8")
    return p


TOML_CASES: dict[str, tuple[str, tuple[str, str, int | None]]] = {
    "deep arrays": ("a = " + "[" * 100_000, ("(syntax)", "nested too deeply", None)),
    "deep tables": ("a = " + "{b=" * 50_000, ("(syntax)", "nested too deeply", None)),
    "5000 digits": (
        ONE.replace("level = 3", "level = 1" + "0" * 5000),
        ("(syntax)", "a number has too many digits", 7),
    ),
    "4000 digits": (
        ONE.replace("level = 3", "level = 1" + "0" * 4000),
        ("institutions[0].level", "unknown level 1000", 7),
    ),
    "inf": (
        ONE.replace("= 3", "= 1e999"),
        ("institutions[0].level", "got float inf", 7),
    ),
    "nan": (ONE.replace("level = 3", "level = nan"), ("institutions[0].level", "got float nan", 7)),
    "bool": (ONE.replace("level = 3", "level = true"), ("institutions[0].level", "got bool", 7)),
    "NUL escape": (ONE + 'colour = "\\u0000"\n', ("institutions[0].colour", "unknown key", 8)),
    "lone surrogate escape": ('x = "\\ud800"\n', ("(syntax)", "not a Unicode scalar value", 3)),
    "CR only": ("a = 1\rb = 2\n", ("(syntax)", "invalid TOML", 3)),
    "year 0": ("x = 0000-01-01\n", ("(syntax)", "Invalid date or datetime", 3)),
    "offset +24:00": ("x = 2024-01-01T00:00:00+24:00\n", ("(syntax)", "invalid TOML", 3)),
    "institutions as a string": ('institutions = "H1"\n', ("institutions", "expected an array", 3)),
    "institution as a string": (
        'institutions = ["H1"]\n',
        ("institutions[0]", "expected a table", 3),
    ),
}


@pytest.mark.parametrize("case", sorted(TOML_CASES))
def test_hostile_toml(tmp_path: Path, case: str) -> None:
    text, (where, fragment, line) = TOML_CASES[case]
    found = _problems(load_institutions, _institutions(tmp_path, text))
    assert (found[0][0], found[0][2]) == (where, line), found
    assert fragment in found[0][1]
    assert all(len(m) < 400 for _, m, _ in found)  # a 5000-digit value is cut short


def test_every_problem_of_a_hostile_file_at_once(tmp_path: Path) -> None:
    text = (
        'source = ""\ncolour = "\\u0000"\n'
        + ONE.replace("= 3", "= 1e999")
        + ONE.replace('"H1"', '"H2"').replace('"110102"', "110102")
    )
    assert [w for w, _, _ in _problems(load_institutions, _institutions(tmp_path, text))] == [
        "institutions[0].level",
        "institutions[1].region",
        "colour",
    ]


# -- numbers in other files --------------------------------------------------------------


def _fees(tmp_path: Path, amount: str) -> Path:
    p = tmp_path / "fees.toml"
    p.write_text(
        'kind = "fees"\nschema_version = 1\nname = "f"\ncurrency = "CNY"\n'
        f'effective_from = 2024-01-01\n[[fees]]\nitem = "K"\namount = {amount}\nbucket = "lab"\n',
        encoding="utf-8",
    )
    return p


@pytest.mark.parametrize(
    ("amount", "fragment"),
    [
        ("1e999999", "amount must be a finite number >= 0, got Decimal('1E+999999')"),
        ("1e999999999999999999", "amount must be a finite number >= 0"),
        ("nan", "amount must be a finite number >= 0, got Decimal('NaN')"),
        ("inf", "amount must be a finite number >= 0"),
        ('"' + "9" * 5000 + '"', "amount must be a finite number >= 0, got '99999"),
        ("1" + "0" * 12, "amount must be a finite number >= 0, got 1000000000000"),
        ("-0.01", "amount must be a finite number >= 0"),
        ('"１２"', "not an amount: '１２'"),
        ('"፩"', "not an amount: '፩'"),
    ],
)
def test_fee_amounts_stay_small_and_finite(tmp_path: Path, amount: str, fragment: str) -> None:
    where, message, line = _first(load_fees, _fees(tmp_path, amount))
    assert (where, line) == ("fees[0].amount", 8)
    assert fragment in message
    assert len(message) < 200


def test_a_large_but_real_fee_loads(tmp_path: Path) -> None:
    assert str(load_fees(_fees(tmp_path, '"999999999999.99"')).fees[0].amount) == "999999999999.99"


def _catalogue(tmp_path: Path, extra: str, item: str = "") -> Path:
    p = tmp_path / "cat.toml"
    p.write_text(
        'kind = "catalogue"\nschema_version = 1\nname = "c"\nversion = "1"\n'
        f'effective_from = 2024-01-01\n{extra}[[items]]\ncode = "MR"\nname_zh = "磁共振"\n'
        f'name_en = "MR"\ncategory = "mr"\n{item}',
        encoding="utf-8",
    )
    return p


@pytest.mark.parametrize(
    ("value", "fragment"),
    [
        ("1e999", "expected a finite number, got float inf"),
        ("nan", "expected a finite number, got float nan"),
        ("1" + "0" * 400, "expected a finite number, got int 1000"),
    ],
)
def test_float_fields_must_be_finite(tmp_path: Path, value: str, fragment: str) -> None:
    p = _catalogue(tmp_path, "", f"device = {{ min_field_strength_t = {value} }}\n")
    where, message, line = _first(load_catalogue, p)
    assert (where, line) == ("items[0].device.min_field_strength_t", 11)
    assert fragment in message


# -- dates and instants ------------------------------------------------------------------


def test_dates_at_the_ends_of_the_calendar_load(tmp_path: Path) -> None:
    q = tmp_path / "quality.toml"
    q.write_text(
        'kind = "quality"\nschema_version = 1\n[[records]]\ninstitution = "H1"\npassed = true\n'
        'valid_from = 0001-01-01\nvalid_until = 9999-12-31\nscheme = "national"\n',
        encoding="utf-8",
    )
    (record,) = load_quality(q)
    assert (record.valid_from, record.valid_until) == (date.min, date.max)
    p = tmp_path / "program.toml"
    p.write_text(
        'kind = "program"\nschema_version = 1\nname = "p"\nscope = "s"\nmark = "m"\n'
        'catalogues = ["京津冀鲁检验互认项目"]\n[[members]]\ninstitution = "H1"\n'
        "since = 0001-01-01\nuntil = 9999-12-31\n",
        encoding="utf-8",
    )
    program = load_program(p, [LAB], zone=SH)
    assert program.is_member("H1", date.max, "K")
    assert program.is_member("H1", date.min, "K")


@pytest.mark.parametrize(
    ("instant", "fragment"),
    [
        ("0001-01-01T00:00:00+08:00", "0001-01-01T00:00:00+08:00 is out of range in UTC"),
        ("9999-12-31T23:59:59-23:59", "is out of range in UTC"),
        ("0001-01-01T00:00:00", "naive datetime 0001-01-01T00:00:00 has no time zone"),
        ("2024-01-01T00:00:00", "naive datetime 2024-01-01T00:00:00 has no time zone"),
    ],
)
def test_instants_out_of_range_or_without_zone(tmp_path: Path, instant: str, fragment: str) -> None:
    where, message, line = _first(load_catalogue, _catalogue(tmp_path, f"published = {instant}\n"))
    assert (where, line) == ("published", 6)
    assert fragment in message


@pytest.mark.parametrize(
    "instant", ["2024-01-01T00:00:00+23:59", "2024-01-01T00:00:00-23:59", "9999-12-31T00:00:00Z"]
)
def test_instants_with_extreme_offsets_load(tmp_path: Path, instant: str) -> None:
    load_catalogue(_catalogue(tmp_path, f"published = {instant}\n"))


def test_a_naive_instant_takes_the_default_zone(tmp_path: Path) -> None:
    p = _catalogue(tmp_path, "published = 2024-01-01T00:00:00\n")
    load_catalogue(p, default_zone=SH)
    with pytest.raises(CatalogueError, match="out of range in UTC"):
        load_catalogue(_catalogue(tmp_path, "published = 0001-01-01T00:00:00\n"), default_zone=SH)


def _region(tmp_path: Path, old: str, new: str) -> list[tuple[str, str, str]]:
    for p in path("region").iterdir():
        (tmp_path / p.name).write_bytes(p.read_bytes())
    text = (tmp_path / "region.toml").read_text(encoding="utf-8")
    assert old in text
    (tmp_path / "region.toml").write_text(text.replace(old, new), encoding="utf-8")
    with pytest.raises(CatalogueError) as caught:
        load_region(tmp_path)
    return [(p.source, p.where, p.message) for p in caught.value.problems]


def test_region_without_zone_refuses_naive_instants(tmp_path: Path) -> None:
    cat = tmp_path / "catalogue-jjjl-lab.toml"
    for p in path("region").iterdir():
        (tmp_path / p.name).write_bytes(p.read_bytes())
    text = cat.read_text(encoding="utf-8")
    aware = "published = 2023-06-20T09:00:00+08:00\n"
    assert aware in text
    cat.write_text(text.replace(aware, "published = 2023-06-20T09:00:00\n"), encoding="utf-8")
    assert load_region(tmp_path).name  # the region's zone makes the instant aware
    region = tmp_path / "region.toml"
    region.write_text(region.read_text("utf-8").replace('zone = "Asia/Shanghai"\n', ""), "utf-8")
    with pytest.raises(CatalogueError) as caught:
        load_region(tmp_path)
    found = [(p.source, p.where, p.message) for p in caught.value.problems]
    assert ("region.toml", "zone", "is missing") in found
    assert any(
        (s, w) == ("catalogue-jjjl-lab.toml", "published") and "naive datetime" in m
        for s, w, m in found
    )


@pytest.mark.parametrize(
    ("zone", "fragment"),
    [
        ('"Asia"', "unknown time zone 'Asia'"),
        ('"../etc/passwd"', "unknown time zone"),
        ('"/etc/localtime"', "unknown time zone"),
        ('"' + "x" * 5000 + '"', "unknown time zone"),
        ('"Asia/Shanghai\\u0000"', "unknown time zone"),
        ('" "', "is missing"),
    ],
)
def test_region_zone_names_that_are_no_zones(tmp_path: Path, zone: str, fragment: str) -> None:
    found = _region(tmp_path, '"Asia/Shanghai"', zone)
    assert [w for _, w, _ in found] == ["zone"], found
    assert fragment in found[0][2]


@pytest.mark.parametrize(
    ("span", "fragment"),
    [
        ("999999999d", "span '999999999d' is longer than ten years"),
        ("3661d", "longer than ten years"),
        ("121mo", "longer than ten years"),
        ("99999999999999999999mo", "longer than ten years"),
        ("87841h", "longer than ten years"),
        ("3000000dates", "longer than ten years"),
        ("1" * 5000 + "d", "longer than ten years"),
        ("１d", "not a span: '１d'"),
    ],
)
def test_windows_longer_than_ten_years_are_refused(
    tmp_path: Path, span: str, fragment: str
) -> None:
    p = _catalogue(tmp_path, "", f'window = "{span}"\n')
    where, message, line = _first(load_catalogue, p)
    assert (where, line) == ("items[0].window", 11)
    assert fragment in message


@pytest.mark.parametrize("span", ["3660d", "120mo", "87840h", "3660dates", "0d"])
def test_windows_up_to_ten_years_load(tmp_path: Path, span: str) -> None:
    window = load_catalogue(_catalogue(tmp_path, "", f'window = "{span}"\n')).items[0].window
    assert window is not None
    assert str(window.span.amount) == span.rstrip("dateshmo")


# -- inputs that once took quadratic time (no timing asserted: they would take hours) ----------


def test_a_long_line_that_looks_like_a_table_header(tmp_path: Path) -> None:
    found = _problems(load_institutions, _institutions(tmp_path, "[a" + " " * 300_000 + "b\n"))
    assert [(w, line) for w, _, line in found] == [("(syntax)", 3)]


def test_thousands_of_unknown_keys_each_get_their_line(tmp_path: Path) -> None:
    keys = "".join(f"k{i} = {i}\n" for i in range(30_000))
    found = _problems(load_institutions, _institutions(tmp_path, keys))
    assert len(found) == 30_000
    assert found[-1] == ("k29999", "unknown key", 30_002)


def test_many_runs_of_digits_around_a_huge_number(tmp_path: Path) -> None:
    runs = "".join(f"k{i} = {'9' * 3999}\n" for i in range(200))
    text = runs + "big = " + "1" * 5000 + "\n"
    assert _problems(load_institutions, _institutions(tmp_path, text)) == [
        ("(syntax)", "a number has too many digits", 203)
    ]


def test_a_header_of_100000_columns(tmp_path: Path) -> None:
    header = ",".join(f"c{i}" for i in range(100_000)) + ",c7\n"
    assert _problems(load_institutions, _institutions_csv(tmp_path, header + "x\n")) == [
        ("institutions", "duplicate columns ['c7']", 1)
    ]


def test_a_unit_nested_5000_deep_is_a_problem(tmp_path: Path) -> None:
    p = _catalogue(tmp_path, "", 'unit = "' + "(" * 5000 + "mmol" + ")" * 5000 + '"\n')
    where, message, line = _first(load_catalogue, p)
    assert (where, line) == ("items[0].unit", 11)
    assert "too long" in message  # refused by its length before any parsing (mutrec.units)
