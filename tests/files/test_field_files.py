"""Loading the field rules' data: acceptance matrices, alliances, context windows, references.

Each broken file gives every problem at once, with its file, key path, line and hint.
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mutrec.errors import ArgumentError, CatalogueError
from mutrec.examples import path
from mutrec.files import load_alliance, load_catalogue, load_example_region, load_program
from mutrec.files._field import read_contexts
from mutrec.files._reader import Fields, Source
from mutrec.model import (
    Acceptance,
    AcceptanceRule,
    Compare,
    ContextSpan,
    Event,
    IfUnknown,
    Tier,
    item_reference,
)
from mutrec.model.institutions import Grade, Institution, Level
from mutrec.model.patient import PatientContext, Sex
from mutrec.model.programs import ProgramKind
from mutrec.model.windows import Span, Window

SH = ZoneInfo("Asia/Shanghai")
REGION = path("region")
CATALOGUE = 'kind = "catalogue"\nschema_version = 1\nname = "c"\nversion = "1"\n'
CATALOGUE += "effective_from = 2025-01-01\n"
PROGRAM = 'kind = "program"\nschema_version = 1\nname = "苏"\nscope = "江苏"\nmark = "苏HR"\n'
PROGRAM += 'catalogues = ["c"]\n'


def problems(error: CatalogueError) -> list[tuple[str, str, int | None]]:
    return [(p.source, p.where, p.line) for p in error.problems]


def write(p: Path, text: str) -> Path:
    p.write_text(text, encoding="utf-8")
    return p


def catalogue(tmp_path: Path, items: str) -> Path:
    return write(tmp_path / "cat.toml", CATALOGUE + items)


# --- acceptance matrices -----------------------------------------------------------------------


def test_a_jiangsu_matrix_loads(tmp_path: Path) -> None:
    cat = load_catalogue(
        catalogue(tmp_path, '[[items]]\ncode = "K"\nname_zh = "钾"\nname_en = "K"\n'
                  'category = "chemistry"\n')
    )  # fmt: skip
    program = write(
        tmp_path / "p.toml",
        PROGRAM + "[acceptance]\n"
        'source = "苏卫医政〔2022〕18号"\n'
        "rules = [\n"
        '  { issuer_min = "二级甲等", receiver_min = "二级甲等" },\n'
        '  { issuer_max = "二级乙等", receiver_max = "二级乙等" },\n'
        "  { issuer_not_lower = true },\n"
        "]\n",
    )
    loaded = load_program(program, [cat], zone=SH)
    assert loaded.acceptance == Acceptance.jiangsu()
    assert loaded.kind is ProgramKind.PROGRAM


def test_a_broken_matrix_reports_every_problem(tmp_path: Path) -> None:
    cat = load_catalogue(
        catalogue(tmp_path, '[[items]]\ncode = "K"\nname_zh = "钾"\nname_en = "K"\n'
                  'category = "chemistry"\n')
    )  # fmt: skip
    program = write(
        tmp_path / "p.toml",
        PROGRAM + "[acceptance]\n"
        'compare = "grades"\n'
        "rules = [\n"
        '  { issuer_min = "甲等", receiver_min = "二级甲等" },\n'
        '  { issuer_max = "二级", colour = "red" },\n'
        "  { },\n"
        '  { issuer_min = "三级甲等", issuer_max = "二级甲等" },\n'
        "  3,\n"
        "]\n",
    )
    with pytest.raises(CatalogueError) as info:
        load_program(program, [cat], zone=SH)
    found = problems(info.value)
    assert found == [
        ("p.toml", "acceptance.compare", 8),
        ("p.toml", "acceptance.rules[0].issuer_min", 9),
        ("p.toml", "acceptance.rules[1].issuer_max", 9),
        ("p.toml", "acceptance.rules[1].colour", 9),
        ("p.toml", "acceptance.rules[2].rule", 9),
        ("p.toml", "acceptance.rules[3].issuer_max", 9),
        ("p.toml", "acceptance.rules[4]", 9),
    ]
    hints = {p.where: p.hint for p in info.value.problems}
    assert "二级甲等" in str(hints["acceptance.rules[0].issuer_min"])


def test_an_empty_matrix_is_refused(tmp_path: Path) -> None:
    cat = load_catalogue(
        catalogue(tmp_path, '[[items]]\ncode = "K"\nname_zh = "钾"\nname_en = "K"\n'
                  'category = "chemistry"\n')
    )  # fmt: skip
    program = write(tmp_path / "p.toml", PROGRAM + "[acceptance]\nrules = []\n")
    with pytest.raises(CatalogueError, match=r"acceptance\.rules: is empty"):
        load_program(program, [cat], zone=SH)


@given(st.text(max_size=8))
def test_any_text_is_a_tier_or_an_argument_error(text: str) -> None:
    try:
        tier = Tier.parse(text)
    except ArgumentError:
        return
    assert Tier.parse(str(tier)) == tier


LEVELS = st.sampled_from(list(Level))
GRADES = st.sampled_from(list(Grade))


@given(LEVELS, GRADES, LEVELS, GRADES)
def test_jiangsu_never_refuses_a_higher_issuer_and_never_guesses(
    issuer_level: Level, issuer_grade: Grade, receiver_level: Level, receiver_grade: Grade
) -> None:
    issuer = Institution("I", "i", "32", issuer_level, issuer_grade)
    receiver = Institution("R", "r", "32", receiver_level, receiver_grade)
    answer = Acceptance.jiangsu().accepts(issuer, receiver)
    mine, theirs = Tier.of(issuer, Compare.GRADE), Tier.of(receiver, Compare.GRADE)
    if mine is None or theirs is None:
        assert answer is None
    elif mine >= theirs:
        assert answer is True


def test_a_matrix_in_code_refuses_mixed_tiers() -> None:
    with pytest.raises(ArgumentError, match="levels only"):
        Acceptance([AcceptanceRule(issuer_min="二级甲等")], Compare.LEVEL)
    with pytest.raises(ArgumentError, match="an empty line would accept all"):
        AcceptanceRule()
    with pytest.raises(ArgumentError, match="at least one line"):
        Acceptance([])


# --- alliances -----------------------------------------------------------------------------


def test_the_example_alliance_loads() -> None:
    own = load_catalogue(REGION / "catalogue-county-alliance.toml")
    county = load_alliance(REGION / "alliance-county.toml", [own], zone=SH)
    assert county.kind is ProgramKind.ALLIANCE
    assert county.is_member("HB103", datetime(2026, 1, 1, tzinfo=SH), "CRP")
    region = load_example_region()
    assert region.programs["示例县医共体"] == county


def test_an_alliance_of_all_items_takes_every_catalogue(tmp_path: Path) -> None:
    own = load_catalogue(REGION / "catalogue-county-alliance.toml")
    text = (REGION / "alliance-county.toml").read_text(encoding="utf-8")
    file = write(
        tmp_path / "a.toml", text.replace('catalogues = ["示例县医共体互认项目"]', 'items = "all"')
    )
    county = load_alliance(file, [own], zone=SH)
    assert [c.name for c in county.catalogues] == ["示例县医共体互认项目"]


def test_a_broken_alliance_reports_every_problem(tmp_path: Path) -> None:
    own = load_catalogue(REGION / "catalogue-county-alliance.toml")
    file = write(
        tmp_path / "a.toml",
        'kind = "alliance"\nschema_version = 1\nname = "县"\nscope = "县"\n'
        'items = "some"\ncatalogues = ["示例县医共体互认项目"]\n'
        '[[members]]\ninstitution = "HB101"\nsince = 2025-01-01\nuntil = 2024-01-01\n',
    )
    with pytest.raises(CatalogueError) as info:
        load_alliance(file, [own], zone=SH, institutions={"HB102"})
    assert [(p.where, p.message) for p in info.value.problems] == [
        ("items", "unknown value 'some'"),
        ("members[0].institution", "unknown institution 'HB101'"),
        ("members[0].until", "2024-01-01 is before since 2025-01-01"),
    ]
    both = write(
        tmp_path / "b.toml",
        'kind = "alliance"\nschema_version = 1\nname = "县"\nscope = "县"\n'
        'items = "all"\ncatalogues = ["示例县医共体互认项目"]\n',
    )
    with pytest.raises(CatalogueError, match="give one of the two"):
        load_alliance(both, [own], zone=SH)


def test_a_program_file_is_not_an_alliance(tmp_path: Path) -> None:
    with pytest.raises(CatalogueError, match="expected kind = 'alliance'"):
        load_alliance(REGION / "program-jjjl.toml", [], zone=SH)


# --- context windows -----------------------------------------------------------------------

BLOOD = (
    '[[items]]\ncode = "ABO"\nname_zh = "血型"\nname_en = "Blood group"\n'
    'category = "other_lab"\nspecimen = "whole blood"\n'
)


def test_context_windows_load_from_toml_and_csv(tmp_path: Path) -> None:
    cat = load_catalogue(
        catalogue(
            tmp_path,
            BLOOD + 'window = { span = "3mo", anchor = "collection", contexts = [\n'
            '  { event = "transfusion", within = "3mo", span = "3d" },\n'
            '  { event = "pregnancy", within = "3mo", span = "3d", unknown = "caution" },\n'
            "] }\n",
        )
    )
    window = cat.get("ABO").window  # type: ignore[union-attr]
    assert window is not None
    assert window.contexts == (
        ContextSpan(Event.TRANSFUSION, Span.parse("3mo"), Span.parse("3d")),
        ContextSpan(Event.PREGNANCY, Span.parse("3mo"), Span.parse("3d"), IfUnknown.CAUTION),
    )
    write(
        tmp_path / "items.csv",
        "code,name_zh,name_en,category,specimen,window,window_contexts\n"
        "ABO,血型,Blood group,other_lab,whole blood,3mo,transfusion/3mo/3d; pregnancy/3mo/3d\n",
    )
    from_csv = load_catalogue(write(tmp_path / "c2.toml", CATALOGUE + 'items_csv = "items.csv"\n'))
    pregnancy = ContextSpan(Event.PREGNANCY, Span.parse("3mo"), Span.parse("3d"))
    assert from_csv.get("ABO").window.contexts == (window.contexts[0], pregnancy)  # type: ignore[union-attr]


def test_broken_context_windows_report_every_problem(tmp_path: Path) -> None:
    file = catalogue(
        tmp_path,
        BLOOD + 'window = { span = "3mo", contexts = [\n'
        '  { event = "surgery", within = "3mo", span = "3d" },\n'
        '  { event = "transfusion", within = "3 months", unknown = "maybe" },\n'
        '  { event = "pregnancy", within = "3mo", span = "3d" },\n'
        '  { event = "pregnancy", within = "1mo", span = "1d" },\n'
        "] }\n",
    )
    with pytest.raises(CatalogueError) as info:
        load_catalogue(file)
    assert [(p.where, p.line) for p in info.value.problems] == [
        ("items[0].window.contexts[0].event", 12),
        ("items[0].window.contexts[1].within", 12),
        ("items[0].window.contexts[1].span", 12),
        ("items[0].window.contexts[1].unknown", 12),
        ("items[0].window.contexts[3].event", 12),
    ]
    write(
        tmp_path / "items.csv",
        "code,name_zh,name_en,category,window_contexts\nABO,血型,Blood,other_lab,transfusion/3d\n",
    )
    with pytest.raises(CatalogueError) as csv_info:
        load_catalogue(write(tmp_path / "c2.toml", CATALOGUE + 'items_csv = "items.csv"\n'))
    assert [(p.source, p.where, p.line) for p in csv_info.value.problems] == [
        ("items.csv", "items[ABO].window.span", 2),
        ("items.csv", "items[ABO].window.contexts", 2),
    ]


@given(st.text(max_size=40))
def test_any_context_cell_loads_or_is_a_problem(cell: str) -> None:
    src = Source(Path("items.csv"))
    found = read_contexts(Fields(src, {"contexts": cell}, "items[X].window", line=2, csv=True))
    assert found or src.problems or not cell.replace(";", "").strip()
    assert all(p.source == "items.csv" for p in src.problems)


def test_context_span_look_back() -> None:
    c = ContextSpan(Event.TRANSFUSION, Span.parse("3mo"), Span.parse("3d"))
    at = datetime(2026, 5, 10, tzinfo=SH)
    assert c.applies({Event.TRANSFUSION: datetime(2026, 2, 11, tzinfo=SH)}, at) is True
    assert c.applies({Event.TRANSFUSION: datetime(2026, 2, 9, tzinfo=SH)}, at) is False
    # An event after the evaluation is doubtful: unknown, never "did not happen".
    assert c.applies({Event.TRANSFUSION: datetime(2026, 5, 11, tzinfo=SH)}, at) is None
    with pytest.raises(ArgumentError, match="one context span per event"):
        Window(Span.parse("3mo"), contexts=[c, c])


# --- reference = "national" ----------------------------------------------------------------

CRE = (
    '[[items]]\ncode = "Cre"\nname_zh = "肌酐"\nname_en = "Creatinine"\ncategory = "chemistry"\n'
    'specimen = "serum"\nunit = "mg/dL"\nwst886 = "1700404A"\nreference = "national"\n'
)


def test_an_item_points_to_the_national_interval_in_its_unit(tmp_path: Path) -> None:
    cat = load_catalogue(catalogue(tmp_path, CRE))
    cre = cat.get("Cre")
    assert cre is not None
    assert cre.reference == "1700404A"
    ranges = item_reference(cre)
    assert ranges is not None
    man = PatientContext(Sex.MALE, date(1981, 5, 1))
    picked = ranges.select(man, datetime(2026, 11, 30, tzinfo=SH), SH)
    assert picked is not None
    assert (round(picked.low or 0, 2), round(picked.high or 0, 2)) == (0.64, 1.1)
    # Outside 20–79 years, or without a birth date: no range, never a guess.
    child = PatientContext(Sex.MALE, date(2015, 1, 1))
    assert ranges.select(child, datetime(2026, 11, 30, tzinfo=SH), SH) is None
    assert ranges.select(PatientContext(Sex.MALE), datetime(2026, 11, 30, tzinfo=SH), SH) is None


def test_broken_references_report_every_problem(tmp_path: Path) -> None:
    items = (
        '[[items]]\ncode = "UA"\nname_zh = "尿酸"\nname_en = "Uric acid"\ncategory = "chemistry"\n'
        'specimen = "serum"\nunit = "umol/L"\nreference = "national"\n'
        '[[items]]\ncode = "K-U"\nname_zh = "尿钾"\nname_en = "Urine K"\ncategory = "chemistry"\n'
        'specimen = "urine"\nunit = "mmol/L"\nreference = "national"\nreference_analyte = "钾"\n'
        '[[items]]\ncode = "X"\nname_zh = "某"\nname_en = "X"\ncategory = "chemistry"\n'
        'specimen = "serum"\nunit = "mmol/L"\nreference = "national"\n'
        '[[items]]\ncode = "ALT"\nname_zh = "丙氨酸氨基转移酶"\nname_en = "ALT"\n'
        'category = "chemistry"\nspecimen = "serum"\nunit = "mmol/L"\nreference = "national"\n'
        '[[items]]\ncode = "Na"\nname_zh = "钠"\nname_en = "Na"\ncategory = "chemistry"\n'
        'specimen = "serum"\nunit = "mmol/L"\nreference = "local"\n'
        '[[items]]\ncode = "Cl"\nname_zh = "氯"\nname_en = "Cl"\ncategory = "chemistry"\n'
        'specimen = "serum"\nunit = "mmol/L"\nreference_analyte = "氯"\n'
    )
    with pytest.raises(CatalogueError) as info:
        load_catalogue(catalogue(tmp_path, items))
    found = [(p.where, p.message.split(":")[0]) for p in info.value.problems]
    assert found == [
        ("items[0].reference", "no national interval for 'UA'"),
        (
            "items[1].reference",
            "the national interval is for 'serum', the item's specimen is 'urine'",
        ),
        ("items[2].reference", "no national interval for 'X'"),
        ("items[3].reference", "cannot convert the national interval to mmol/L"),
        ("items[4].reference", "unknown reference 'local'"),
        ("items[5].reference_analyte", "without reference"),
    ]
    assert all(p.line is not None and p.hint for p in info.value.problems[:3])


def test_the_example_region_loads_without_the_national_table() -> None:
    # reference = "national" loads the table and the converter: the example does not use it
    # (tests/files/test_cold_start.py keeps a region load light); see CHANGELOG.
    region = load_example_region()
    assert all(i.reference is None for c in region.catalogues for i in c.items)
