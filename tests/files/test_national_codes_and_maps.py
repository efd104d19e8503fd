"""WS/T 886 codes in catalogue files, region-wide look-ups, and column maps (kind = "columns")."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

import mutrec
from mutrec.errors import CatalogueError, MutrecError, ResultError
from mutrec.examples import path
from mutrec.files import load_catalogue, load_example_region, load_region
from mutrec.files.columns import load_column_map, read_dictionary

SH = ZoneInfo("Asia/Shanghai")
REGION = path("region")

# domain.md §12: the pairs three public repositories describe (to be confirmed), for the items
# of the example catalogue.
KNOWN = {
    "WBC": "0100101A", "RBC": "0100201A", "PLT": "0100301A", "Hb": "0100401A",
    "HCT": "0100501A", "Alb": "1100104A", "TP": "1100204A", "HbA1c": "1100301A",
    "Na": "1400205A", "P": "1400404A", "Cl": "1400505A", "K": "1400605A", "Ca": "1400705A",
    "ALT": "1500104A", "AST": "1500204A", "ALP": "1500404A", "Amy": "1500504A",
    "CK": "1500604A", "LDH": "1500704A", "GGT": "1500904A", "Glu": "1700104A",
    "Urea": "1700204A", "UA": "1700304A", "Cre": "1700404A", "TSH": "1200604A",
}  # fmt: skip


def copy_region(tmp_path: Path) -> Path:
    for p in REGION.iterdir():
        (tmp_path / p.name).write_bytes(p.read_bytes())
    return tmp_path


# --- catalogue files ---


def test_the_example_catalogue_carries_the_known_codes_marked_to_be_confirmed() -> None:
    cat = load_catalogue(REGION / "catalogue-jjjl-lab.toml")
    assert {i.code: i.wst886 for i in cat.items if i.wst886} == KNOWN
    text = (REGION / "catalogue-jjjl-lab.toml").read_text(encoding="utf-8")
    assert "TO BE CONFIRMED" in text
    assert "to be confirmed" in (cat.source or "")


def test_a_bad_code_in_a_catalogue_file_is_a_problem_with_file_line_field_and_hint(
    tmp_path: Path,
) -> None:
    folder = copy_region(tmp_path)
    csv = (folder / "items-jjjl-lab.csv").read_text(encoding="utf-8")
    csv = csv.replace(",1400605A,", ",1400605,").replace(",1400205A,", ",1400205B,")
    (folder / "items-jjjl-lab.csv").write_text(csv, encoding="utf-8")
    with pytest.raises(CatalogueError) as info:
        load_catalogue(folder / "catalogue-jjjl-lab.toml")
    k, na = info.value.problems
    assert (k.source, k.line, k.where) == ("items-jjjl-lab.csv", 2, "items[K].wst886")
    assert "'1400605' is not 7 digits and a scale letter A-D" in k.message
    assert k.hint is not None
    assert "category (2 digits), item (3), specimen (2)" in k.hint
    assert (na.line, na.where) == (3, "items[Na].wst886")
    assert "scale letter B (qualitative) of '1400205B' does not fit a numeric item" in na.message


def test_an_imaging_item_with_a_wst886_code_is_refused(tmp_path: Path) -> None:
    folder = copy_region(tmp_path)
    toml = (folder / "catalogue-bj-imaging.toml").read_text(encoding="utf-8")
    toml = toml.replace('code = "CT-HEAD"', 'code = "CT-HEAD"\nwst886 = "0100101A"', 1)
    (folder / "catalogue-bj-imaging.toml").write_text(toml, encoding="utf-8")
    with pytest.raises(CatalogueError, match=r"wst886: WS/T 886—2026 codes lab items only"):
        load_catalogue(folder / "catalogue-bj-imaging.toml")


# --- look-ups across a region ---


def test_a_region_resolves_national_codes_given_as_the_item_text() -> None:
    region = load_example_region()
    assert region.resolve("0100101A").code == "WBC"  # type: ignore[union-attr]
    assert region.resolve("2823-3").code == "K"  # type: ignore[union-attr]
    assert region.resolve("3094-0") is None  # BUN: no item
    assert region.codes.why_not("3094-0") == "no item of the region has LOINC '3094-0'"


def test_a_code_two_items_of_a_region_carry_resolves_to_none_with_the_reason(
    tmp_path: Path,
) -> None:
    folder = copy_region(tmp_path)
    (folder / "catalogue-extra.toml").write_text(
        'kind = "catalogue"\nschema_version = 1\nname = "全血项目"\nversion = "1"\n'
        "effective_from = 2024-01-01\n\n[[items]]\n"
        'code = "K-WB"\nname_zh = "全血钾"\nname_en = "Potassium, whole blood"\n'
        'category = "chemistry"\nunit = "mmol/L"\nloinc = "2823-3"\nwst886 = "1400601A"\n',
        encoding="utf-8",
    )
    region_toml = (folder / "region.toml").read_text(encoding="utf-8")
    region_toml = region_toml.replace(
        '"catalogue-county-alliance.toml"]',
        '"catalogue-county-alliance.toml", "catalogue-extra.toml"]',
    )
    (folder / "region.toml").write_text(region_toml, encoding="utf-8")
    region = load_region(folder)
    assert region.resolve("2823-3") is None
    assert region.resolve("K", loinc="2823-3").code == "K"  # type: ignore[union-attr]
    assert region.codes.why_not("2823-3") == "LOINC '2823-3' is carried by items K, K-WB: ambiguous"
    assert region.resolve("1400601A").code == "K-WB"  # type: ignore[union-attr]


def test_a_result_named_by_its_wst886_code_is_decided_under_the_item() -> None:
    policy = mutrec.Policy.from_region(load_example_region())

    def decide(item: str) -> mutrec.Decision:
        result = mutrec.LabResult.build(
            item, "4.1", datetime(2024, 3, 1, 8, tzinfo=SH), "BJ001", "p1", unit="mmol/L",
            reported=datetime(2024, 3, 1, 11, tzinfo=SH),
        )  # fmt: skip
        return policy.evaluate(
            result, receiver="TJ001", at=datetime(2024, 3, 2, 9, tzinfo=SH),
            context=mutrec.ClinicalContext(patient="p1"),
        )  # fmt: skip

    assert decide("1400605A").item_code == "K"
    assert decide("1400605A").outcome is decide("K").outcome
    assert decide("1400605B").item_code is None


# --- column maps ---


def write_map(tmp_path: Path, text: str) -> Path:
    file = tmp_path / "map.toml"
    file.write_text('kind = "columns"\nschema_version = 1\nname = "t"\n' + text, encoding="utf-8")
    return file


def test_a_broken_map_reports_every_problem_at_once(tmp_path: Path) -> None:
    file = write_map(
        tmp_path,
        'zone = "Mars/Olympus"\ninstant_formats = ["YYYY-MM-DD"]\n'
        '[columns]\nvalu = "结果"\ncollected = "结果"\nissuer = "机构"\n'
        '[constants]\nissuer = "BJ001"\n[codes]\nsystem = "guess"\nlist = "x.csv"\n',
    )
    with pytest.raises(CatalogueError) as info:
        load_column_map(file)
    found = [(p.source, p.line, p.where, p.message) for p in info.value.problems]
    assert found == [
        ("map.toml", 7, "columns.valu", "not a column of mutrec check"),
        ("map.toml", 11, "constants.issuer", "is also mapped under [columns]"),
        ("map.toml", 6, "columns.item", "is missing"),
        ("map.toml", 5, "instant_formats", "'YYYY-MM-DD' has no % directive"),
        ("map.toml", 4, "zone", "unknown time zone 'Mars/Olympus'"),
        (
            "map.toml",
            13,
            "codes.system",
            "'guess' is not one of catalogue, national, crosswalk, local",
        ),
        ("map.toml", 14, "codes.list", "a code list is for system = 'local', not 'guess'"),
    ]


def test_a_local_map_needs_its_code_list_and_whose_codes(tmp_path: Path) -> None:
    file = write_map(
        tmp_path, '[columns]\nitem = "code"\n[codes]\nsystem = "local"\nlist = "codes.csv"\n'
    )
    (tmp_path / "codes.csv").write_text("local,loinc,units\nA1,2823-3,x\n", encoding="utf-8")
    with pytest.raises(CatalogueError) as info:
        load_column_map(file)
    messages = sorted(str(p) for p in info.value.problems)
    assert messages == [
        "codes.csv:1: code_list: unknown column 'units' (use local,loinc,wst886,name)",
        "map.toml:6: codes.institution: is missing (name whose codes, or a constant issuer)",
    ]


def mapper_for(tmp_path: Path, extra: str, zone: str = "America/New_York"):  # type: ignore[no-untyped-def]
    file = write_map(
        tmp_path,
        f'zone = "{zone}"\ninstant_formats = ["%Y-%m-%d %H:%M:%S", "%d/%m/%Y %H:%M"]\n'
        'missing = ["___", "NA"]\n'
        '[columns]\nitem = "code"\nvalue = "v"\ncollected = "t"\npatient = "p"\n'
        f'[constants]\nissuer = "BJ001"\n{extra}',
    )
    return load_column_map(file).bind(load_example_region())


def test_instants_take_the_map_zone_and_formats_and_refuse_what_names_no_instant(
    tmp_path: Path,
) -> None:
    mapper = mapper_for(tmp_path, "")
    row = {"code": "K", "v": "4.1", "p": "p1", "t": "2024-03-01 08:00:00"}
    assert mapper.map(row)["collected"] == "2024-03-01T08:00:00-05:00"
    assert mapper.map({**row, "t": "01/07/2024 08:00"})["collected"] == "2024-07-01T08:00:00-04:00"
    assert "value" not in mapper.map({**row, "v": "___"})
    for cell, reason in (
        ("2024-03-10 02:30:00", "skips or repeats"),  # spring forward: no such wall time
        ("2024-11-03 01:30:00", "skips or repeats"),  # fall back: twice
        ("2024-03-01T08:00", "not an instant written as %Y-%m-%d %H:%M:%S or %d/%m/%Y %H:%M"),
        ("9999-12-31 23:59:59", "outside the years"),
    ):
        with pytest.raises(ResultError, match=reason) as info:
            mapper.map({**row, "t": cell})
        assert info.value.field == "t"


def test_without_a_zone_a_naive_instant_is_an_error_not_a_guess(tmp_path: Path) -> None:
    file = write_map(tmp_path, '[columns]\nitem = "code"\ncollected = "t"\n')
    mapper = load_column_map(file).bind(load_example_region())
    with pytest.raises(ResultError, match="no offset, and the map names no zone"):
        mapper.map({"code": "K", "t": "2024-03-01T08:00:00"})
    assert mapper.map({"code": "K", "t": "2024-03-01T08:00:00+08:00"})["collected"].endswith(
        "+08:00"
    )


def test_national_codes_are_looked_up_region_wide(tmp_path: Path) -> None:
    mapper = mapper_for(tmp_path, '[codes]\nsystem = "national"\n')
    row = {"code": "1700104A", "v": "5.2", "p": "p1", "t": "2024-03-01 08:00:00"}
    assert mapper.map(row)["item"] == "Glu"
    assert mapper.map({**row, "code": "2823-3"})["item"] == "K"
    with pytest.raises(ResultError, match="no item of the region has LOINC '3094-0'") as info:
        mapper.map({**row, "code": "3094-0"})
    assert info.value.field == "code"


def test_local_codes_go_through_the_region_crosswalk_or_a_code_list(tmp_path: Path) -> None:
    mapper = mapper_for(tmp_path, '[codes]\nsystem = "crosswalk"\n')
    row = {"code": "lis-0102", "v": "140", "p": "p1", "t": "2024-03-01 08:00:00"}
    assert mapper.map(row)["item"] == "Na"
    with pytest.raises(ResultError, match="not a local code of 'BJ001' in the region's crosswalk"):
        mapper.map({**row, "code": "SH-GLU"})  # TJ001's code, not BJ001's
    (tmp_path / "codes.csv").write_text(
        "local,loinc,wst886,name\nG1,,1700104A,葡萄糖\nB1,,,尿素氮\n", encoding="utf-8"
    )
    listed = mapper_for(tmp_path, '[codes]\nsystem = "local"\nlist = "codes.csv"\n')
    assert listed.map({**row, "code": "g1"})["item"] == "Glu"
    with pytest.raises(ResultError, match="not mapped: no LOINC or WS/T 886 code"):
        listed.map({**row, "code": "B1"})
    with pytest.raises(ResultError, match="is not in the code list"):
        listed.map({**row, "code": "Z9"})


def test_a_code_list_that_disagrees_with_the_export_dictionary_is_refused(tmp_path: Path) -> None:
    (tmp_path / "codes.csv").write_text(
        "local,loinc,wst886,name\n50971,2823-3,,Sodium\n", encoding="utf-8"
    )
    mapper_file = write_map(
        tmp_path,
        '[columns]\nitem = "itemid"\n[constants]\nissuer = "H"\n[codes]\nsystem = "local"\n'
        'list = "codes.csv"\ndictionary = "d.csv"\n'
        'dictionary_code = "itemid"\ndictionary_name = "label"\n',
    )
    (tmp_path / "d.csv").write_text("itemid,label\n50971,Potassium\n", encoding="utf-8")
    cmap = load_column_map(mapper_file)
    with pytest.raises(CatalogueError, match=r"named 'Sodium' here but 'Potassium' in d\.csv"):
        cmap.bind(load_example_region(), dictionary=read_dictionary(tmp_path / "d.csv"))
    with pytest.raises(CatalogueError, match="cannot read it"):
        read_dictionary(tmp_path / "missing.csv.gz")


def test_the_header_must_be_mapped_or_ignored_column_by_column(tmp_path: Path) -> None:
    cmap = load_column_map(path("mappings/lis-flat.toml"))
    header = [
        "报告单号",
        "病人ID",
        "检验项目代码",
        "结果",
        "单位",
        "采样时间",
        "报告时间",
        "标本类型",
        "病人姓名",
    ]
    assert cmap.header_problems(header) == []
    assert cmap.header_problems(["检验项目代码", "状态"]) == [
        "column '状态' is not mapped: map it under [columns] or list it in ignore",
        "column '报告单号' (for result_id) is missing",
        "column '病人ID' (for patient) is missing",
        "column '结果' (for value) is missing",
        "column '单位' (for unit) is missing",
        "column '标本类型' (for specimen) is missing",
        "column '采样时间' (for collected) is missing",
        "column '报告时间' (for reported) is missing",
    ]


@given(
    st.dictionaries(
        st.sampled_from(["code", "v", "t", "p", "x"]),
        st.text(max_size=30) | st.integers(),
        max_size=5,
    )
)
def test_any_row_maps_or_is_a_result_error(row: dict[str, object]) -> None:
    caught: MutrecError | None = None
    try:
        MAPPER.map(row)  # type: ignore[arg-type]
    except MutrecError as error:
        caught = error
    if caught is not None:
        assert isinstance(caught, ResultError)
        assert caught.field in {"code", "v", "t", "p", "x"}


MAPPER = load_column_map(path("mappings/lis-flat.toml")).bind(load_example_region())


def test_policy_item_code_takes_a_national_code_and_refuses_programs_that_disagree() -> None:
    region = load_example_region()
    at = datetime(2024, 3, 1, 9, tzinfo=SH)
    assert mutrec.Policy.from_region(region).item_code("1400605A", at) == "K"
    lab = region.programs["京津冀鲁检验互认(示例)"]
    [catalogue] = [c for c in lab.catalogues if c.in_force(at.date())]
    # In the other program the code is sodium's: the two programs disagree on what it names.
    swapped = {"K": None, "Na": "1400605A"}
    other_items = tuple(
        attrs.evolve(i, wst886=swapped[i.code]) if i.code in swapped else i for i in catalogue.items
    )
    other = attrs.evolve(
        lab, name="另一项目", catalogues=(attrs.evolve(catalogue, items=other_items),)
    )
    assert mutrec.Policy([lab, other]).item_code("1400605A", at) is None
    assert mutrec.Policy([lab, other]).item_code("Na", at) == "Na"


def test_a_local_code_is_the_issuer_s_whichever_column_comes_first(tmp_path: Path) -> None:
    file = write_map(
        tmp_path,
        'zone = "Asia/Shanghai"\n[columns]\nitem = "code"\nissuer = "org"\n'
        '[codes]\nsystem = "crosswalk"\n',
    )
    mapper = load_column_map(file).bind(load_example_region())
    assert mapper.map({"code": "SH-GLU", "org": "TJ001"})["item"] == "Glu"
    with pytest.raises(ResultError, match="not a local code of 'BJ001'"):
        mapper.map({"code": "SH-GLU", "org": "BJ001"})
