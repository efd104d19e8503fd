"""Fail-safe ranges: units on one side only, zones of collection dates, pregnancy, precedence."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import TypeVar
from zoneinfo import ZoneInfo

import pytest

from mutrec.errors import CatalogueError, ResultError, TimeZoneError, UnitError
from mutrec.model import (
    Age,
    AgeUnit,
    Censored,
    Interpretation,
    Measured,
    Partition,
    PartitionedRange,
    PatientContext,
    ReferenceRange,
    Sex,
    parse_value,
)
from mutrec.model.patient import age_in
from mutrec.units import parse_unit

SH = ZoneInfo("Asia/Shanghai")
I = Interpretation  # noqa: E741 - short alias reads well in tables
MMOL, MGDL = parse_unit("mmol/L"), parse_unit("mg/dL")

T = TypeVar("T")


def must(value: T | None) -> T:
    assert value is not None
    return value


# --- 1. a unit on one side only -------------------------------------------------------------


def test_value_with_unit_against_unitless_range_is_refused() -> None:
    # 5 mg/dL of glucose is 0.28 mmol/L: comparing 5 with 3.9-6.1 would say NORMAL
    with pytest.raises(UnitError, match="reference range has none"):
        ReferenceRange(3.9, 6.1).interpret_measured(Measured(5.0, MGDL), analyte="glucose")


def test_unitless_value_against_range_with_unit_is_refused() -> None:
    with pytest.raises(UnitError, match="the value has none"):
        ReferenceRange(3.9, 6.1, unit=MMOL).interpret_measured(Measured(90.0, None))
    with pytest.raises(UnitError, match="the value has none"):
        ReferenceRange(3.9, 6.1, unit=MMOL).interpret_censored(Censored(">", 30.0))
    with pytest.raises(UnitError, match="reference range has none"):
        ReferenceRange(3.9, 6.1).interpret_censored(Censored(">", 30.0, MGDL))


def test_both_unitless_and_same_unit_compare_as_they_are() -> None:
    assert ReferenceRange(0.8, 1.2).interpret_measured(Measured(1.5)) is I.HIGH
    assert ReferenceRange(3.9, 6.1, unit=MMOL).interpret_measured(Measured(5.0, MMOL)) is I.NORMAL


def test_blank_unit_text_is_refused_none_means_no_unit() -> None:
    assert parse_value("5.2", None) == Measured(5.2, None)
    for blank in ("", "   "):
        with pytest.raises(UnitError, match="blank"):
            parse_value("5.2", blank)
        with pytest.raises(UnitError, match="blank"):
            parse_value(">500", blank)


def test_parse_value_refuses_a_unit_of_the_wrong_type() -> None:
    with pytest.raises(ResultError, match="'unit'"):
        parse_value("5.2", 42)  # type: ignore[arg-type]


# --- 4. censored values in another unit ----------------------------------------------------


def test_censored_converts_with_analyte() -> None:
    glu = ReferenceRange(3.9, 6.1, unit=MMOL, critical_high=25)
    # >500 mg/dL is > 27.8 mmol/L: above the critical limit
    assert glu.interpret_censored(Censored(">", 500, MGDL), analyte="glucose") is I.CRITICAL_HIGH
    assert glu.interpret_censored(Censored(">", 200, MGDL), analyte="glucose") is I.HIGH
    assert glu.interpret_censored(Censored("<", 50, MGDL), analyte="glucose") is I.LOW
    with pytest.raises(UnitError):
        glu.interpret_censored(Censored(">", 500, MGDL))  # no analyte: no molar bridge


# --- 2. the collection date is taken in an explicit zone -----------------------------------


_BY_AGE = PartitionedRange(
    [
        Partition(ReferenceRange(1, 2), age_to=Age(18, AgeUnit.YEARS)),
        Partition(ReferenceRange(3, 4), age_from=Age(18, AgeUnit.YEARS)),
    ]
)
_BORN = PatientContext(Sex.FEMALE, date(2006, 3, 1))
_AT = datetime(2024, 2, 29, 17, tzinfo=UTC)  # 01:00 on 1 March in Shanghai: her 18th birthday


def test_select_counts_age_in_the_given_zone_not_the_instants() -> None:
    assert must(_BY_AGE.select(_BORN, _AT, UTC)).high == 2
    assert must(_BY_AGE.select(_BORN, _AT, SH)).high == 4
    # the same instant given with another offset changes nothing
    assert must(_BY_AGE.select(_BORN, _AT.astimezone(SH), UTC)).high == 2


def test_select_refuses_a_naive_instant() -> None:
    with pytest.raises(TimeZoneError, match="'collected'"):
        _BY_AGE.select(_BORN, datetime(2024, 3, 1, 8), SH)  # noqa: DTZ001 - the point


def test_collection_before_birth_is_an_error() -> None:
    with pytest.raises(ResultError, match="birth_date"):
        age_in(AgeUnit.YEARS, date(2024, 6, 1), date(2024, 1, 1))  # 0 completed years before
    with pytest.raises(ResultError, match="birth_date"):
        age_in(AgeUnit.DAYS, date(2024, 6, 1), date(2024, 5, 31))
    assert age_in(AgeUnit.DAYS, date(2024, 6, 1), date(2024, 6, 1)) == 0
    with pytest.raises(ResultError, match="birth_date"):
        _BY_AGE.select(PatientContext(Sex.MALE, date(2025, 1, 1)), _AT, SH)


# --- 3. pregnancy: unknown is not "not pregnant"; precedence ranks pregnancy first ---------


def test_not_pregnant_partition_needs_a_patient_known_not_pregnant() -> None:
    p = Partition(ReferenceRange(45, 90), sex=Sex.FEMALE, pregnant=False)
    on = date(2024, 5, 1)
    assert p.applies_to(PatientContext(Sex.FEMALE, pregnant=False), on)
    assert not p.applies_to(PatientContext(Sex.FEMALE, pregnant=None), on)
    assert p.match(PatientContext(Sex.FEMALE, pregnant=None), on) is None
    assert p.match(PatientContext(Sex.FEMALE, pregnant=True), on) is False
    ranges = PartitionedRange(
        [
            Partition(ReferenceRange(45, 90), sex=Sex.FEMALE, pregnant=False),
            Partition(ReferenceRange(40, 80), sex=Sex.FEMALE, pregnant=True),
        ]
    )
    at = datetime(2024, 5, 1, 8, tzinfo=SH)
    assert ranges.select(PatientContext(Sex.FEMALE, date(1990, 1, 1)), at, SH) is None
    known = PatientContext(Sex.FEMALE, date(1990, 1, 1), pregnant=False)
    assert must(ranges.select(known, at, SH)).high == 90


_ADULT_WOMAN = PartitionedRange(
    [
        Partition(ReferenceRange(45, 90), sex=Sex.FEMALE, age_from=Age(18, AgeUnit.YEARS)),
        Partition(ReferenceRange(40, 80), pregnant=True),
    ]
)
_MAY = datetime(2024, 5, 1, 8, tzinfo=SH)


def test_pregnancy_outranks_more_criteria() -> None:
    pregnant = PatientContext(Sex.FEMALE, date(1990, 1, 1), pregnant=True)
    assert must(_ADULT_WOMAN.select(pregnant, _MAY, SH)).high == 80
    not_pregnant = PatientContext(Sex.FEMALE, date(1990, 1, 1), pregnant=False)
    assert must(_ADULT_WOMAN.select(not_pregnant, _MAY, SH)).high == 90
    # unknown pregnancy: the outranking pregnancy range might apply
    assert _ADULT_WOMAN.select(PatientContext(Sex.FEMALE, date(1990, 1, 1)), _MAY, SH) is None


def test_equal_precedence_with_different_ranges_is_ambiguous() -> None:
    ranges = PartitionedRange(
        [
            Partition(ReferenceRange(45, 90), sex=Sex.FEMALE),
            Partition(ReferenceRange(18, 35), age_to=Age(28, AgeUnit.DAYS)),
        ]
    )
    newborn_girl = PatientContext(Sex.FEMALE, date(2024, 4, 20))
    with pytest.raises(CatalogueError, match=r"partitions\[0\], partitions\[1\]"):
        ranges.select(newborn_girl, _MAY, SH)
    # same range twice is no ambiguity
    same = PartitionedRange(
        [
            Partition(ReferenceRange(45, 90), sex=Sex.FEMALE),
            Partition(ReferenceRange(45, 90), age_to=Age(28, AgeUnit.DAYS)),
        ]
    )
    assert must(same.select(newborn_girl, _MAY, SH)).high == 90


def test_unknown_facts_refuse_only_when_they_could_change_the_answer() -> None:
    ranges = PartitionedRange(
        [
            Partition(ReferenceRange(60, 110), sex=Sex.MALE, age_from=Age(18, AgeUnit.YEARS)),
            Partition(ReferenceRange(45, 90), sex=Sex.FEMALE, age_from=Age(18, AgeUnit.YEARS)),
            Partition(ReferenceRange(30, 70), age_to=Age(18, AgeUnit.YEARS)),
        ]
    )
    # birth date unknown: the adult ranges outrank the child one and might apply
    assert ranges.select(PatientContext(Sex.MALE), _MAY, SH) is None
    # sex unknown but a child: the adult (sex) ranges are ruled out by age
    child = PatientContext(Sex.UNKNOWN, date(2020, 1, 1))
    assert must(ranges.select(child, _MAY, SH)).high == 70
    assert ranges.select(PatientContext(Sex.UNKNOWN, date(1990, 1, 1)), _MAY, SH) is None


def test_partition_refuses_unknown_sex_as_a_criterion() -> None:
    with pytest.raises(ValueError, match="'sex'"):
        Partition(ReferenceRange(1, 2), sex=Sex.UNKNOWN)
