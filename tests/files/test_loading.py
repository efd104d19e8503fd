"""Loading: the bundled region loads; each broken file gives its clear errors at once."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar
from zoneinfo import ZoneInfo

import pytest

from mutrec.errors import CatalogueError
from mutrec.examples import path
from mutrec.files import (
    load_catalogue,
    load_crosswalk,
    load_example_region,
    load_fees,
    load_institutions,
    load_program,
    load_quality,
    load_region,
)
from mutrec.model import Category, DeviceCapability, ItemKind, Level, diff

if TYPE_CHECKING:
    from collections.abc import Callable

BROKEN = Path(__file__).parent / "broken"
SH = ZoneInfo("Asia/Shanghai")
REGION = path("region")


T = TypeVar("T")


def must(value: T | None) -> T:
    assert value is not None
    return value


def test_every_example_file_loads() -> None:
    cats = [load_catalogue(p) for p in sorted(REGION.glob("catalogue-*.toml"))]
    assert [len(c) for c in cats] == [10, 3, 48, 48]
    insts = load_institutions(REGION / "institutions.toml")
    for name in ("program-jjjl.toml", "program-bj-imaging.toml"):
        assert load_program(REGION / name, cats, zone=SH, institutions=insts).members
    assert load_quality(REGION / "quality.toml")
    assert load_fees(REGION / "fees.toml").currency == "CNY"
    assert load_crosswalk(REGION / "crosswalk.toml").item_code("BJ001", "LIS-0101") == "K"


def test_example_region_content() -> None:
    region = load_example_region()
    assert region.illustrative
    assert len(region.institutions) == 15
    assert {i.level for i in region.institutions.values()} == set(Level)
    jjjl = region.programs["京津冀鲁检验互认(示例)"]
    assert jjjl.mark == "京津冀HR"
    at = datetime(2024, 1, 15, 10, tzinfo=SH)
    lab = jjjl.catalogue_at(at)
    assert lab is not None
    assert must(lab.resolve("钾")).code == "K"
    assert must(lab.resolve("ＨｂＡ１ｃ")).code == "HbA1c"
    assert must(lab.by_loinc("2345-7")).code == "Glu"
    counts = {c: sum(i.category is c for i in lab.items) for c in Category}
    assert (counts[Category.CHEMISTRY], counts[Category.IMMUNOLOGY]) == (24, 19)
    # Hubei windows: 7 / 30 / 60 days
    assert [str(must(must(lab.get(c)).window).span) for c in ("K", "Glu", "HbA1c")] == [
        "7d",
        "30d",
        "60d",
    ]
    assert jjjl.is_member("BJ003", at, "K")
    assert not jjjl.is_member("BJ003", at, "ALT")
    assert not jjjl.is_member("TJ002", date(2024, 1, 15))  # gap between two periods
    assert jjjl.catalogue_at(date(2024, 7, 1)) is None  # the cycle ended
    k = must(lab.get("K"))
    assert region.quality.passed("TJ003", k, date(2023, 9, 1))
    assert not region.quality.passed("TJ003", k, date(2024, 3, 1))  # the failing lab
    assert region.quality.passed("TJ003", must(lab.get("WBC")), date(2024, 3, 1))
    assert region.fees is not None
    assert str(must(region.fees.fee_for("MR-HEAD")).amount) == "450.00"


def test_imaging_device_requirements() -> None:
    region = load_example_region()
    cta, mr = must(region.item("CTA-CORONARY")), must(region.item("MR-HEAD"))
    assert cta.kind is ItemKind.IMAGING
    assert must(cta.device).is_met_by(DeviceCapability(detector_rows=64)) is True
    assert must(cta.device).is_met_by(DeviceCapability(detector_rows=16)) is False
    assert must(mr.device).is_met_by(DeviceCapability(field_strength_t=1.5)) is True
    assert must(mr.device).is_met_by(DeviceCapability(field_strength_t=1.0)) is False
    assert must(mr.device).is_met_by(DeviceCapability()) is None


def test_region_resolve_crosswalk_and_aliases() -> None:
    region = load_example_region()
    assert must(region.resolve("LIS-0101", issuer="BJ001")).code == "K"
    assert must(region.resolve("xcg-wbc", issuer="TJ001")).code == "WBC"
    assert must(region.resolve("胸片")).code == "DR-CHEST"
    assert region.resolve("no such item") is None


def test_diff_catalogues() -> None:
    old = load_catalogue(REGION / "catalogue-jjjl-lab.toml")
    import attrs

    new_items = [attrs.evolve(i, loinc="0000-0") if i.code == "Na" else i for i in old.items]
    new = attrs.evolve(old, version="next", items=new_items[1:])
    d = diff(old, new)
    assert d.removed == ("K",)
    assert d.added == ()
    assert [(c.code, c.fields) for c in d.changed] == [("Na", ("loinc",))]


_lab: list[Any] = []


def _program(p: Path) -> object:
    if not _lab:
        _lab.append(load_catalogue(REGION / "catalogue-jjjl-lab.toml"))
    return load_program(p, _lab, zone=SH, institutions={"BJ001"})


Expected = list[tuple[str, str, int | None]]  # (where, message fragment, line)
CASES: dict[str, tuple[Callable[[Path], object], Expected]] = {
    "bad-syntax.toml": (load_catalogue, [("(syntax)", "invalid TOML", 3)]),
    "wrong-types.toml": (
        load_catalogue,
        [
            ("version", "expected a string, got int 2023", 4),
            ("effective_from", "expected a date (YYYY-MM-DD), got str", 5),
            ("items[0].name_zh", "expected a string, got int 5", 9),
        ],
    ),
    "unknown-keys.toml": (
        load_catalogue,
        [("items[0].unti", "unknown key", 13), ("colour", "unknown key", 6)],
    ),
    "duplicate-codes.toml": (load_catalogue, [("items.K", "duplicate item code", 14)]),
    "unknown-unit.toml": (
        load_catalogue,
        [
            ("items[0].unit", "unknown unit 'furlongs'", 12),
            ("items[0].window.span", "not a span: '7 weeks'", 13),
        ],
    ),
    "naive-datetime.toml": (
        load_catalogue,
        [
            ("effective_from", "expected a date, got the datetime", 5),
            ("published", "naive datetime", 6),
        ],
    ),
    "csv-items.toml": (
        load_catalogue,
        [
            ("items", "unknown column 'colour'", 1),
            ("items[Na].category", "unknown category 'chemisty'", 3),
            ("items[Cl].window.span", "not a span: '1week'", 4),
            ("items.K", "duplicate item code", 5),
        ],
    ),
    "overlapping-members.toml": (
        _program,
        [("members[1].since", "overlaps the period from 2023-07-01 to open end", 14)],
    ),
    "policy-bad.toml": (
        _program,
        [
            ("policy.severities", "expected string values, got others for ['qc.no_record']", 15),
            ("policy.scope_regions", "expected an array of strings, got str '11'", 13),
            ("policy.critical_items", "expected an array of strings", 14),
            ("policy.plausible.K", "expected [low, high] numbers, got [0.5]", 16),
            ("policy.local_grounds[0].en", "is missing", 17),
            ("policy.local_grounds[1].colour", "unknown key", 17),
            ("policy.colour", "unknown key", 18),
        ],
    ),
    "dangling-references.toml": (
        _program,
        [
            ("catalogues", "unknown catalogue 'no-such-catalogue'", 6),
            ("members[0].institution", "unknown institution 'XX999'", 9),
            ("members[0].items", "unknown item codes ['XYZ']", 11),
        ],
    ),
    "institutions-bad.toml": (
        load_institutions,
        [
            ("institutions[0].level", "unknown level 4", 8),
            ("institutions[1].grade", "unknown grade 'A'", 16),
            # reported although the first H1 was itself invalid
            ("institutions[1].id", "duplicate institution id 'H1'", 12),
        ],
    ),
    "fees-bad.toml": (
        load_fees,
        [
            ("schema_version", "unsupported schema_version 2", 2),
            ("fees[0].amount", "not an amount: 'abc'", 9),
            ("fees[0].bucket", "unknown bucket 'xray'", 10),
        ],
    ),
    "institutions-csv.toml": (
        load_institutions,
        [
            ("institutions[X2].level", "expected an integer, got str '٣'", 3),
            ("institutions[X3].level", "expected an integer, got str 'three'", 4),
            ("institutions[X1].id", "duplicate institution id 'X1'", 5),
        ],
    ),
    "fees-duplicates.toml": (
        load_fees,
        [
            ("fees[0].amount", "not an amount: 'abc'", 10),
            ("fees[1].item", "duplicate fee for 'K'", 14),  # the first K was invalid
            # fees-duplicates.csv starts with a UTF-8 BOM: its header is still read
            ("fees[Na].item", "duplicate fee for 'Na'", 3),
            ("fees[Cl].amount", "not an amount: '٣'", 4),
            ("fees[Ca].amount", "not an amount: 'NaN'", 5),
            ("fees[P].amount", "amount must be a finite number >= 0, got '-1'", 6),
        ],
    ),
    "crosswalk-bad.toml": (
        lambda p: load_crosswalk(p, institutions={"BJ001"}, items={"K", "Na"}),
        [
            ("entries[1].institution", "unknown institution 'XX999'", 10),
            ("entries[2].local", "duplicate local code 'lis-0101' of 'BJ001'", 16),
            ("entries[4].local", "duplicate local code 'LIS-0102' of 'BJ001'", 26),
        ],
    ),
    "quality-bad.toml": (
        load_quality,
        [
            ("records[0].category", "an item or a category, not both", 7),
            ("records[1].passed", "expected true or false, got str 'yes'", 15),
            ("records[1].scheme", "unknown scheme 'regional'", 18),
            ("records[1].valid_until", "is before valid_from", 17),
        ],
    ),
}


def test_every_broken_file_has_a_case() -> None:
    assert set(CASES) == {p.name for p in BROKEN.glob("*.toml")}


@pytest.mark.parametrize("name", sorted(CASES))
def test_broken_file(name: str) -> None:
    loader, expected = CASES[name]
    with pytest.raises(CatalogueError) as caught:
        loader(BROKEN / name)
    got = [(p.where, p.message, p.line) for p in caught.value.problems]
    assert len(got) == len(expected), got
    for (where, fragment, line), (g_where, g_message, g_line) in zip(expected, got, strict=True):
        assert (g_where, g_line) == (where, line)
        assert fragment in g_message
    assert all(p.source.endswith((".toml", ".csv")) for p in caught.value.problems)
    assert all(
        p.hint or "duplicate" in p.message or "expected" in p.message
        for p in caught.value.problems
        if "unknown" in p.message
    )


def test_region_reports_problems_across_files(tmp_path: Path) -> None:
    for p in REGION.iterdir():
        (tmp_path / p.name).write_bytes(p.read_bytes())
    text = (tmp_path / "quality.toml").read_text(encoding="utf-8")
    (tmp_path / "quality.toml").write_text(text.replace('"BJ005"', '"ZZ404"'), encoding="utf-8")
    fees = (tmp_path / "fees.csv").read_text(encoding="utf-8")
    (tmp_path / "fees.csv").write_text(fees + "NOPE,1.00,lab\n", encoding="utf-8")
    with pytest.raises(CatalogueError) as caught:
        load_region(tmp_path)
    found = {(p.source, p.message) for p in caught.value.problems}
    assert ("quality.toml", "unknown institution 'ZZ404'") in found
    assert ("fees.csv", "unknown item 'NOPE'") in found


def test_region_without_zone_is_refused(tmp_path: Path) -> None:
    for p in REGION.iterdir():
        (tmp_path / p.name).write_bytes(p.read_bytes())
    text = (tmp_path / "region.toml").read_text(encoding="utf-8")
    (tmp_path / "region.toml").write_text(text.replace('zone = "Asia/Shanghai"\n', ""), "utf-8")
    with pytest.raises(CatalogueError, match="zone: is missing"):
        load_region(tmp_path)
