"""A loader never widens a scope silently: empty or blank lists, strings for lists, unknown codes.

"Absent" means every item (or the members' regions); an empty list, a blank entry or a string
split into characters would quietly mean something else, so each is a problem naming the key.
"""

from __future__ import annotations

from typing import TYPE_CHECKING
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

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

    from mutrec.model import Program

SH = ZoneInfo("Asia/Shanghai")
LAB = load_catalogue(path("region/catalogue-jjjl-lab.toml"))
HEAD = """kind = "program"
schema_version = 1
name = "p"
scope = "京津冀"
mark = "HR"
"""
CATALOGUES = 'catalogues = ["京津冀鲁检验互认项目"]\n'
MEMBER = '[[members]]\ninstitution = "BJ001"\nsince = 2023-07-01\n'


def _load(tmp_path: Path, text: str) -> Program:
    p = tmp_path / "program.toml"
    p.write_text(text, encoding="utf-8")
    return load_program(p, [LAB], zone=SH, institutions={"BJ001", "BJ002"})


def _problems(tmp_path: Path, text: str) -> list[tuple[str, str, int | None]]:
    with pytest.raises(CatalogueError) as caught:
        _load(tmp_path, text)
    return [(p.where, p.message, p.line) for p in caught.value.problems]


def _one(tmp_path: Path, text: str, where: str, fragment: str) -> None:
    found = _problems(tmp_path, text)
    assert [w for w, _, _ in found] == [where], found
    assert fragment in found[0][1], found


def test_members_without_items_mean_every_item(tmp_path: Path) -> None:
    program = _load(tmp_path, HEAD + CATALOGUES + MEMBER)
    assert program.members[0].items is None


def test_toml_empty_items_list_is_refused(tmp_path: Path) -> None:
    found = _problems(tmp_path, HEAD + CATALOGUES + MEMBER + "items = []\n")
    assert found == [("members[0].items", "an empty list would mean nothing", 10)]


@pytest.mark.parametrize(
    ("value", "fragment"),
    [
        ('"K"', "expected an array of strings, got str 'K'"),
        ('""', "expected an array of strings, got str ''"),
        ('["K", ""]', "blank entry"),
        ('["  "]', "blank entry"),
        ('["K", 1]', "expected an array of strings"),
        ("{ K = true }", "expected an array of strings, got dict"),
    ],
)
def test_toml_items_of_the_wrong_shape_are_refused(
    tmp_path: Path, value: str, fragment: str
) -> None:
    _one(tmp_path, HEAD + CATALOGUES + MEMBER + f"items = {value}\n", "members[0].items", fragment)


def _csv_program(tmp_path: Path, rows: str) -> list[tuple[str, str, int | None]] | Program:
    (tmp_path / "members.csv").write_text("institution,since,until,items\n" + rows, "utf-8")
    text = HEAD + CATALOGUES + 'members_csv = "members.csv"\n'
    try:
        return _load(tmp_path, text)
    except CatalogueError as error:
        return [(p.where, p.message, p.line) for p in error.problems]


def test_csv_empty_items_cell_means_every_item(tmp_path: Path) -> None:
    program = _csv_program(tmp_path, "BJ001,2023-07-01,,\nBJ002,2023-07-01,,K;Na\n")
    assert not isinstance(program, list)
    assert [m.items for m in program.members] == [None, frozenset({"K", "Na"})]


@pytest.mark.parametrize("cell", [";", " ; ", ";;;", '" "', '" ; "'])
def test_csv_items_cell_of_only_separators_is_refused(tmp_path: Path, cell: str) -> None:
    found = _csv_program(tmp_path, f"BJ001,2023-07-01,,{cell}\n")
    assert found == [("members[BJ001].items", "only separators and blanks", 2)]


def test_csv_short_row_does_not_drop_the_items_cell(tmp_path: Path) -> None:
    # Without the check, the missing items cell would read as "every item".
    found = _csv_program(tmp_path, "BJ001,2023-07-01,\n")
    assert found == [("members", "the row has 3 cells, the header 4", 2)]


@pytest.mark.parametrize(
    ("value", "fragment"),
    [
        ("[]", "an empty list would mean nothing"),
        ('""', "expected an array of strings, got str ''"),
        ('"京津冀鲁检验互认项目"', "expected an array of strings, got str"),
        ('[""]', "blank entry"),
    ],
)
def test_program_catalogues_must_be_a_non_empty_list(
    tmp_path: Path, value: str, fragment: str
) -> None:
    _one(tmp_path, HEAD + f"catalogues = {value}\n" + MEMBER, "catalogues", fragment)


def test_program_without_catalogues_is_refused(tmp_path: Path) -> None:
    _one(tmp_path, HEAD + MEMBER, "catalogues", "is missing")


SCOPE_CASES = [
    ('[""]', "blank entry in list ['']"),
    ('[" "]', "blank entry"),
    ('["11", ""]', "blank entry"),
    ("[]", "an empty list would mean nothing"),
    ('"11"', "expected an array of strings, got str '11'"),
    ('"1"', "expected an array of strings, got str '1'"),
    ('["1"]', "not GB/T 2260 prefixes: ['1']"),
    ('["110"]', "not GB/T 2260 prefixes: ['110']"),
    ('["11x"]', "not GB/T 2260 prefixes"),
    ('["*"]', "not GB/T 2260 prefixes: ['*']"),
    ('["１１"]', "not GB/T 2260 prefixes: ['１１']"),  # full-width digits
    ('["፩፩"]', "not GB/T 2260 prefixes"),  # Ethiopic digits
    ('[" 11"]', "not GB/T 2260 prefixes: [' 11']"),
    ('["1100000"]', "not GB/T 2260 prefixes"),
    ("[11]", "expected an array of strings, got list [11]"),
]


@pytest.mark.parametrize(("value", "fragment"), SCOPE_CASES)
def test_scope_regions_never_widen(tmp_path: Path, value: str, fragment: str) -> None:
    text = HEAD + CATALOGUES + MEMBER + f"[policy]\nscope_regions = {value}\n"
    found = _problems(tmp_path, text)
    assert found == [("policy.scope_regions", found[0][1], 5 + 1 + 3 + 2)], found
    assert fragment in found[0][1]


def test_scope_regions_of_provinces_cities_and_counties_load(tmp_path: Path) -> None:
    text = HEAD + CATALOGUES + MEMBER + '[policy]\nscope_regions = ["11", "1301", "370102"]\n'
    _load(tmp_path, text)


@pytest.mark.parametrize("key", ["critical_items", "rapid_items"])
@pytest.mark.parametrize(
    ("value", "fragment"),
    [
        ("[]", "an empty list would mean nothing"),
        ('"K"', "expected an array of strings, got str 'K'"),
        ('[""]', "blank entry"),
        ('["K", 5]', "expected an array of strings"),
        ('["K", "XYZ", "ABC"]', "unknown item codes ['ABC', 'XYZ']"),
    ],
)
def test_item_lists_of_the_policy_never_widen(
    tmp_path: Path, key: str, value: str, fragment: str
) -> None:
    text = HEAD + CATALOGUES + MEMBER + f"[policy]\n{key} = {value}\n"
    found = _problems(tmp_path, text)
    assert found == [(f"policy.{key}", found[0][1], 11)], found
    assert fragment in found[0][1]


@pytest.mark.parametrize("key", ["plausible", "critical"])
def test_limits_for_unknown_items_are_refused(tmp_path: Path, key: str) -> None:
    text = HEAD + CATALOGUES + MEMBER + f"[policy]\n{key} = {{ K = [1, 9], Kalium = [1, 9] }}\n"
    assert _problems(tmp_path, text) == [(f"policy.{key}", "unknown item codes ['Kalium']", 11)]


def _region(tmp_path: Path, replace: tuple[str, str]) -> CatalogueError:
    for p in path("region").iterdir():
        (tmp_path / p.name).write_bytes(p.read_bytes())
    text = (tmp_path / "region.toml").read_text(encoding="utf-8")
    assert replace[0] in text
    (tmp_path / "region.toml").write_text(text.replace(*replace), encoding="utf-8")
    with pytest.raises(CatalogueError) as caught:
        load_region(tmp_path)
    return caught.value


@pytest.mark.parametrize("key", ["catalogues", "programs"])
def test_region_file_lists_are_never_split_into_characters(tmp_path: Path, key: str) -> None:
    first = "catalogue-jjjl-lab.toml" if key == "catalogues" else "program-jjjl.toml"
    line = next(
        line
        for line in (path("region") / "region.toml").read_text("utf-8").splitlines()
        if line.startswith(f"{key} =")
    )
    error = _region(tmp_path, (line, f'{key} = "{first}"'))
    assert (key, f"expected an array of strings, got str '{first}'") in {
        (p.where, p.message) for p in error.problems
    }


def test_region_with_two_programs_of_one_name_is_refused(tmp_path: Path) -> None:
    error = _region(
        tmp_path,
        ('"program-bj-imaging.toml"]', '"program-bj-imaging.toml", "program-jjjl.toml"]'),
    )
    assert [(p.source, p.where, p.message) for p in error.problems] == [
        ("program-jjjl.toml", "name", "duplicate program name '京津冀鲁检验互认(示例)'")
    ]


@pytest.mark.parametrize(
    ("value", "fragment"),
    [('"K+"', "expected an array of strings, got str 'K+'"), ('[""]', "blank entry")],
)
def test_catalogue_aliases_are_never_split_into_characters(
    tmp_path: Path, value: str, fragment: str
) -> None:
    p = tmp_path / "cat.toml"
    p.write_text(
        'kind = "catalogue"\nschema_version = 1\nname = "c"\nversion = "1"\n'
        'effective_from = 2024-01-01\n[[items]]\ncode = "K"\nname_zh = "钾"\n'
        f'name_en = "Potassium"\ncategory = "chemistry"\naliases = {value}\n',
        encoding="utf-8",
    )
    with pytest.raises(CatalogueError) as caught:
        load_catalogue(p)
    assert [(x.where, x.line) for x in caught.value.problems] == [("items[0].aliases", 11)]
    assert fragment in caught.value.problems[0].message


TABLE_LISTS: list[tuple[Callable[[Path], object], str, str]] = [
    (load_institutions, "institutions", 'kind = "institutions"\nschema_version = 1\n'),
    (load_quality, "records", 'kind = "quality"\nschema_version = 1\n'),
    (
        load_fees,
        "fees",
        (
            'kind = "fees"\nschema_version = 1\nname = "f"\ncurrency = "CNY"\n'
            "effective_from = 2024-01-01\n"
        ),
    ),
    (load_crosswalk, "entries", 'kind = "crosswalk"\nschema_version = 1\n'),
    (lambda p: load_program(p, [LAB], zone=SH), "members", HEAD + CATALOGUES),
]


@pytest.mark.parametrize(("load", "key", "head"), TABLE_LISTS, ids=[k for _, k, _ in TABLE_LISTS])
@pytest.mark.parametrize("value", ['"H1"', "{ id = 1 }", "3"])
def test_arrays_of_tables_given_as_strings_or_tables(
    tmp_path: Path, load: Callable[[Path], object], key: str, head: str, value: str
) -> None:
    p = tmp_path / "f.toml"
    p.write_text(head + f"{key} = {value}\n", encoding="utf-8")
    with pytest.raises(CatalogueError) as caught:
        load(p)
    problems = [(x.where, x.message) for x in caught.value.problems]
    assert len(problems) == 1, problems
    assert problems[0][0] == key
    assert problems[0][1].startswith("expected an array, got ")


@pytest.mark.parametrize(
    ("value", "where", "fragment"),
    [
        ('"patient_request"', "policy.local_grounds", "expected an array, got str"),
        ('["patient_request"]', "policy.local_grounds[0]", "expected a table, got str"),
        ('[{ code = "", zh = "x", en = "x" }]', "policy.local_grounds[0].code", "is missing"),
    ],
)
def test_local_grounds_of_the_wrong_shape(
    tmp_path: Path, value: str, where: str, fragment: str
) -> None:
    text = HEAD + CATALOGUES + MEMBER + f"[policy]\nlocal_grounds = {value}\n"
    found = _problems(tmp_path, text)
    assert [(w, line) for w, _, line in found] == [(where, 11)], found
    assert fragment in found[0][1]
