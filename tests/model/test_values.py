"""Values, ranges, partitions, catalogue look-ups, programs."""

from __future__ import annotations

from datetime import date, datetime
from typing import TypeVar
from zoneinfo import ZoneInfo

import pytest

from mutrec.errors import CatalogueError, ResultError
from mutrec.model import (
    Age,
    AgeUnit,
    Catalogue,
    Category,
    Censored,
    Interpretation,
    Item,
    ItemKind,
    Measured,
    Membership,
    Partition,
    PartitionedRange,
    PatientContext,
    Polarity,
    Program,
    Qualitative,
    ReferenceRange,
    Sex,
    parse_value,
)
from mutrec.units import parse_unit

SH = ZoneInfo("Asia/Shanghai")
I = Interpretation  # noqa: E741 - short alias reads well in tables

T = TypeVar("T")


def must(value: T | None) -> T:
    assert value is not None
    return value


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("5.2", Measured(5.2, None)),
        ("＜０.１", Censored("<", 0.1)),
        (">300", Censored(">", 300.0)),
        ("≥ 10", Censored(">=", 10.0)),
        ("阴性", Qualitative("阴性", Polarity.NEGATIVE)),
        ("Positive", Qualitative("Positive", Polarity.POSITIVE)),
        ("+++", Qualitative("+++", Polarity.POSITIVE, 3)),
        ("±", Qualitative("±", Polarity.EQUIVOCAL)),
        ("Yellow", Qualitative("Yellow")),
    ],
)
def test_parse_value(text: str, expected: object) -> None:
    assert parse_value(text) == expected


@pytest.mark.parametrize("text", ["", "  ", "___"])
def test_parse_value_refuses(text: str) -> None:
    with pytest.raises(ResultError):
        parse_value(text)


def test_bounds_inclusive_exclusive_one_sided() -> None:
    r = ReferenceRange(3.5, 5.3, low_inclusive=False)
    assert (r.interpret(3.5), r.interpret(5.3)) == (I.LOW, I.NORMAL)
    assert ReferenceRange(high=5).interpret(-100) is I.NORMAL
    assert ReferenceRange(low=60).interpret(59.9) is I.LOW
    with pytest.raises(ValueError, match="empty"):
        ReferenceRange(5, 3)
    with pytest.raises(ValueError, match="critical_low"):
        ReferenceRange(3.5, 5.3, critical_low=4)


def test_censored() -> None:
    r = ReferenceRange(0, 200, critical_high=500)
    assert r.interpret_censored(Censored(">", 300)) is I.HIGH
    assert r.interpret_censored(Censored(">=", 500)) is I.HIGH  # 500 itself is not critical
    assert r.interpret_censored(Censored(">", 500)) is I.CRITICAL_HIGH
    assert r.interpret_censored(Censored("<", 0.1)) is None  # could be below 0
    assert ReferenceRange(high=5).interpret_censored(Censored("<", 0.1)) is I.NORMAL
    assert ReferenceRange(high=5).interpret_censored(Censored("<=", 5)) is I.NORMAL
    assert ReferenceRange(high=5).interpret_censored(Censored("<", 5.1)) is None


def test_to_unit_and_measured() -> None:
    cre = ReferenceRange(0.7, 1.2, unit=parse_unit("mg/dL"))
    si = cre.to_unit(parse_unit("umol/L"), analyte="creatinine")
    assert si.low == pytest.approx(61.88, rel=1e-3)
    assert si.high == pytest.approx(106.08, rel=1e-3)
    assert si.interpret_measured(Measured(1.5, parse_unit("mg/dL")), analyte="creatinine") is I.HIGH


def test_partitions() -> None:
    # Exclusive criteria: every patient of known sex and age meets at most one partition of
    # each precedence (the pregnancy range outranks the female one).
    ranges = PartitionedRange(
        [
            Partition(ReferenceRange(60, 110), sex=Sex.MALE, age_from=Age(1, AgeUnit.YEARS)),
            Partition(ReferenceRange(45, 90), sex=Sex.FEMALE, age_from=Age(1, AgeUnit.YEARS)),
            Partition(ReferenceRange(40, 80), sex=Sex.FEMALE, pregnant=True),
            Partition(ReferenceRange(18, 35), age_to=Age(28, AgeUnit.DAYS)),
            Partition(ReferenceRange(14, 34), age_from=Age(28, AgeUnit.DAYS),
                      age_to=Age(1, AgeUnit.YEARS)),
        ]
    )  # fmt: skip
    at = datetime(2024, 3, 1, 8, tzinfo=SH)
    woman = PatientContext(Sex.FEMALE, date(1990, 1, 1), pregnant=False)
    assert must(ranges.select(woman, at, SH)).high == 90
    pregnant = PatientContext(Sex.FEMALE, date(1990, 1, 1), pregnant=True)
    assert must(ranges.select(pregnant, at, SH)).high == 80
    # pregnancy unknown: the pregnancy range might apply, so no range is chosen
    assert ranges.select(PatientContext(Sex.FEMALE, date(1990, 1, 1)), at, SH) is None
    assert must(ranges.select(PatientContext(Sex.MALE, date(1990, 1, 1)), at, SH)).high == 110
    # sex unknown: ruled out of the adult ranges by age, of the pregnancy range only if known
    # not pregnant (nothing here says an infant cannot be: mutrec does not infer it)
    newborn = PatientContext(Sex.UNKNOWN, date(2024, 2, 20), pregnant=False)
    assert must(ranges.select(newborn, at, SH)).high == 35
    infant = PatientContext(Sex.UNKNOWN, date(2024, 1, 20), pregnant=False)
    assert must(ranges.select(infant, at, SH)).high == 34
    assert ranges.select(PatientContext(Sex.UNKNOWN, date(2024, 1, 20)), at, SH) is None
    assert ranges.select(PatientContext(Sex.UNKNOWN), at, SH) is None


def _item(code: str, *aliases: str) -> Item:
    return Item(code, code + "中", code + " en", ItemKind.LAB, Category.CHEMISTRY, aliases=aliases)


def test_catalogue_refuses_ambiguity() -> None:
    with pytest.raises(CatalogueError) as caught:
        Catalogue("c", "1", date(2024, 1, 1), [_item("K", "ion"), _item("Na", "ION"), _item("K")])
    messages = [p.message for p in caught.value.problems]
    assert "duplicate item code" in messages
    assert any("also names item 'K'" in m for m in messages)


def test_alias_folding() -> None:
    cat = Catalogue("c", "1", date(2024, 1, 1), [_item("B12", "维生素B12", "µg vit")])
    assert cat.by_alias("ｂ１２") is cat.get("B12")
    assert cat.by_alias("μG VIT") is cat.get("B12")


def test_program_refuses_overlaps_and_dangling_items() -> None:
    cat = Catalogue("c", "1", date(2024, 1, 1), [_item("K")])
    members = [
        Membership("H1", date(2024, 1, 1), date(2024, 6, 30)),
        Membership("H1", date(2024, 6, 30)),
        Membership("H2", date(2024, 1, 1), items={"XYZ"}),
    ]
    with pytest.raises(CatalogueError) as caught:
        Program("p", "s", "HR", [cat], members, zone=SH)
    wheres = sorted(p.where for p in caught.value.problems)
    assert wheres == ["members.H1", "members.H2.items"]
