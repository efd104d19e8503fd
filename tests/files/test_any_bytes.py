"""Property: whatever bytes a program, quality or institutions file (TOML or CSV) holds, loading
either succeeds or raises :class:`~mutrec.errors.CatalogueError`, never another exception.

The examples start from valid files and splice in nasty fragments (NUL, lone surrogates,
5,000-digit numbers, deep nesting, BOMs, CR-only line ends, full-width and Ethiopic digits,
calendar ends, extreme offsets), then encode the text as UTF-8, UTF-8 with BOM, UTF-16 or GBK.
"""

from __future__ import annotations

from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mutrec.errors import CatalogueError, Problem
from mutrec.examples import path
from mutrec.files import load_catalogue, load_institutions, load_program, load_quality

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

SH = ZoneInfo("Asia/Shanghai")
LAB = load_catalogue(path("region/catalogue-jjjl-lab.toml"))

INSTITUTIONS_TOML = """kind = "institutions"
schema_version = 1
institutions_csv = "data.csv"

[[institutions]]
id = "H1"
name = "示例医院"
region = "110102"
level = 3
grade = "甲"
"""
INSTITUTIONS_CSV = "id,name,region,level,grade,type\nH2,示例卫生院,120101,0,,community\n"
QUALITY_TOML = """kind = "quality"
schema_version = 1

[[records]]
institution = "H1"
passed = true
valid_from = 2023-07-01
valid_until = 2024-06-30
scheme = "national"
item = "K"
"""
PROGRAM_TOML = """kind = "program"
schema_version = 1
name = "p"
scope = "京津冀"
mark = "京津冀HR"
catalogues = ["京津冀鲁检验互认项目"]
members_csv = "data.csv"

[[members]]
institution = "H1"
since = 2023-07-01
until = 2024-06-30
items = ["K", "Na"]

[policy]
scope_regions = ["11", "12"]
critical_items = ["K"]
plausible = { K = [0.5, 15.0] }
critical = { K = [2.5, 6.5], Na = { high = 160 } }
"""
MEMBERS_CSV = "institution,since,until,items\nH2,2023-07-01,,K;Na\n"

NASTY = [
    "\x00",
    "\ud800",  # a lone surrogate: written with surrogatepass, so not UTF-8
    "\ufeff",
    "\r",
    "\r\n",
    "\n",
    "１２",
    "፩",
    "٣",
    "1" * 5000,
    "9" * 400,
    "1e999",
    "-inf",
    "nan",
    "[" * 3000,
    "{a=" * 1500,
    '"',
    "'''",
    "[[",
    "]]",
    "[policy]",
    "[[members]]",
    "items = []",
    'scope_regions = [""]',
    "critical = { K = [9, 1] }",
    ";",
    ",",
    ",,,,,,",
    "=",
    "0001-01-01",
    "9999-12-31",
    "0000-01-01",
    "2024-01-01T00:00:00+23:59",
    "0001-01-01T00:00:00+08:00",
    "2024-01-01T00:00:00",
    "<huge>",  # expanded by _splice: a 140 kB repr would flood hypothesis' reports
    "\\u0000",
    "\\ud800",
    "level = 3",
    "level = ",
    'id = "H1"',
]
fragment = st.one_of(
    st.sampled_from(NASTY),
    st.text(max_size=12),
    st.integers().map(str),
    st.floats().map(repr),
)
Splice = tuple[int, str]


def _splice(text: str, edits: list[Splice]) -> str:
    for at, piece in edits:
        cut = at % (len(text) + 1)
        text = text[:cut] + piece.replace("<huge>", '"' + "x" * 140_000) + text[cut:]
    return text


def _encode(text: str, how: str) -> bytes:
    if how == "utf-16":
        return text.encode("utf-16", "surrogatepass")
    if how == "gbk":
        return text.encode("gbk", "replace")
    data = text.encode("utf-8", "surrogatepass")
    return b"\xef\xbb\xbf" + data if how == "bom" else data


KINDS: dict[str, tuple[str, str, Callable[[Path], object]]] = {
    "institutions": (
        INSTITUTIONS_TOML,
        INSTITUTIONS_CSV,
        load_institutions,
    ),
    "quality": (QUALITY_TOML, "", load_quality),
    "program": (
        PROGRAM_TOML,
        MEMBERS_CSV,
        lambda p: load_program(p, [LAB], zone=SH, institutions={"H1", "H2"}),
    ),
}
edits = st.lists(st.tuples(st.integers(min_value=0), fragment), max_size=4)
encodings = st.sampled_from(["utf-8", "utf-8", "utf-8", "bom", "utf-16", "gbk"])


def _load(tmp: Path, kind: str, toml: bytes, csv: bytes) -> tuple[Problem, ...]:
    (tmp / "data.toml").write_bytes(toml)
    (tmp / "data.csv").write_bytes(csv)
    try:
        KINDS[kind][2](tmp / "data.toml")
    except CatalogueError as error:
        return error.problems
    return ()


Case = tuple[str, list[Splice], list[Splice], str, str]


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=st.tuples(st.sampled_from(sorted(KINDS)), edits, edits, encodings, encodings))
def test_spliced_files_raise_only_catalogue_errors(tmp_path_factory: object, case: Case) -> None:
    kind, toml_edits, csv_edits, toml_encoding, csv_encoding = case
    tmp = tmp_path_factory.mktemp("any")  # type: ignore[attr-defined]
    toml_text, csv_text, _ = KINDS[kind]
    problems = _load(
        tmp,
        kind,
        _encode(_splice(toml_text, toml_edits), toml_encoding),
        _encode(_splice(csv_text, csv_edits), csv_encoding),
    )
    # Every problem names its file (the CSV's name may itself be spliced) and says what is
    # wrong, and no message is a wall of text.
    assert all(p.source and p.where and p.message for p in problems)
    assert all(len(str(p)) < 1000 for p in problems)


@settings(max_examples=100, deadline=None)
@given(kind=st.sampled_from(sorted(KINDS)), toml=st.binary(max_size=300), csv=st.binary())
def test_random_bytes_raise_only_catalogue_errors(
    tmp_path_factory: object, kind: str, toml: bytes, csv: bytes
) -> None:
    tmp = tmp_path_factory.mktemp("bytes")  # type: ignore[attr-defined]
    header = KINDS[kind][0].split("\n\n")[0].encode()
    # Half the files keep a valid header, so the CSV and the fields behind it are reached too.
    _load(tmp, kind, toml if len(toml) % 2 else header + b"\n" + toml, csv)


def test_the_unspliced_templates_load(tmp_path: Path) -> None:
    for kind, (toml, csv, _) in KINDS.items():
        assert _load(tmp_path, kind, toml.encode(), csv.encode()) == ()
