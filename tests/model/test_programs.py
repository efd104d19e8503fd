"""Programs, memberships, quality books and fees: fail-safe validation and precedence."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from mutrec.errors import CatalogueError
from mutrec.model.catalogue import Catalogue, Category, Item, ItemKind
from mutrec.model.programs import (
    Fee,
    FeeBucket,
    FeeSchedule,
    Membership,
    Program,
    QualityBook,
    QualityRecord,
    Scheme,
)

SH = ZoneInfo("Asia/Shanghai")
K = Item("K", "钾", "Potassium", ItemKind.LAB, Category.CHEMISTRY)
CT = Item("CT-HEAD", "头颅CT平扫", "Head CT", ItemKind.IMAGING, Category.CT)


def record(passed: bool, start: date, end: date, **kw: object) -> QualityRecord:
    return QualityRecord("H1", passed, start, end, scheme=Scheme.NATIONAL, **kw)  # type: ignore[arg-type]


# 1. zone


@pytest.mark.parametrize("zone", [None, "Asia/Shanghai", 8])
def test_program_zone_must_be_a_tzinfo(zone: object) -> None:
    with pytest.raises(TypeError, match="zone"):
        Program("p", "s", "m", (), (), zone=zone)  # type: ignore[arg-type]


def test_program_zone_accepts_a_zoneinfo() -> None:
    prog = Program("p", "s", "m", (), [Membership("H1", date(2024, 1, 1))], zone=SH)
    assert prog.is_member("H1", datetime(2024, 1, 1, 0, 30, tzinfo=SH))


# 2. quality precedence


def test_later_broader_failure_beats_older_narrower_pass() -> None:
    book = QualityBook(
        [
            record(True, date(2024, 1, 1), date(2024, 12, 31), item="K"),
            record(False, date(2024, 7, 1), date(2024, 12, 31)),
        ]
    )
    assert book.passed("H1", K, date(2024, 3, 1))
    assert not book.passed("H1", K, date(2024, 8, 1))
    covering = book.covering("H1", K, date(2024, 8, 1))
    assert covering is not None
    assert covering.passed is False


def test_category_failure_beats_item_pass() -> None:
    book = QualityBook(
        [
            record(True, date(2024, 1, 1), date(2024, 12, 31), item="K"),
            record(False, date(2024, 1, 1), date(2024, 12, 31), category=Category.CHEMISTRY),
        ]
    )
    assert not book.passed("H1", K, date(2024, 3, 1))


@pytest.mark.parametrize("fail_first", [True, False])
def test_equal_valid_from_failure_wins_whatever_the_order(fail_first: bool) -> None:
    recs = [
        record(True, date(2024, 1, 1), date(2024, 12, 31), item="K"),
        record(False, date(2024, 1, 1), date(2024, 12, 31), item="K"),
    ]
    book = QualityBook(recs[::-1] if fail_first else recs)
    assert not book.passed("H1", K, date(2024, 3, 1))


def test_failure_outside_its_period_does_not_count() -> None:
    book = QualityBook(
        [
            record(False, date(2023, 1, 1), date(2023, 12, 31)),
            record(True, date(2024, 1, 1), date(2024, 12, 31), item="K"),
        ]
    )
    assert book.passed("H1", K, date(2024, 3, 1))
    assert not book.passed("H1", K, date(2023, 3, 1))
    assert not book.passed("H2", K, date(2024, 3, 1))


def test_most_specific_newest_pass_is_the_covering_record() -> None:
    item_pass = record(True, date(2024, 1, 1), date(2024, 12, 31), item="K")
    wide_pass = record(True, date(2024, 6, 1), date(2024, 12, 31))
    book = QualityBook([wide_pass, item_pass])
    assert book.covering("H1", K, date(2024, 7, 1)) is item_pass


# 3. overlapping catalogues


def test_overlapping_catalogues_of_one_kind_are_refused() -> None:
    c1 = Catalogue("c", "1", date(2023, 1, 1), [K])
    c2 = Catalogue("c", "2", date(2023, 6, 1), [K])
    with pytest.raises(CatalogueError) as info:
        Program("p", "s", "m", (c1, c2), (), zone=SH)
    (problem,) = info.value.problems
    assert "c@1" in problem.message
    assert "c@2" in problem.message
    assert problem.hint


def test_consecutive_catalogues_and_other_kinds_are_accepted() -> None:
    c1 = Catalogue("c", "1", date(2023, 1, 1), [K], effective_until=date(2023, 5, 31))
    c2 = Catalogue("c", "2", date(2023, 6, 1), [K])
    img = Catalogue("i", "1", date(2023, 1, 1), [CT])
    prog = Program("p", "s", "m", (c1, c2, img), (), zone=SH)
    cat = prog.catalogue_at(date(2023, 7, 1))
    assert cat is not None
    assert cat.version == "2"


def test_catalogues_touching_on_one_day_overlap() -> None:
    c1 = Catalogue("c", "1", date(2023, 1, 1), [K], effective_until=date(2023, 6, 1))
    c2 = Catalogue("c", "2", date(2023, 6, 1), [K])
    with pytest.raises(CatalogueError, match="overlap"):
        Program("p", "s", "m", (c2, c1), (), zone=SH)


# 5. strings, fees


def test_membership_items_refuse_a_plain_string() -> None:
    with pytest.raises(TypeError, match="items"):
        Membership("H1", date(2024, 1, 1), items="Glu")


def test_fee_refuses_floats() -> None:
    with pytest.raises(TypeError, match="amount"):
        Fee("K", 5.1, FeeBucket.LAB)  # type: ignore[arg-type]


@pytest.mark.parametrize("bad", ["abc", "NaN", "Infinity", True])
def test_fee_refuses_non_amounts(bad: object) -> None:
    with pytest.raises((TypeError, ValueError), match="amount"):
        Fee("K", bad, FeeBucket.LAB)  # type: ignore[arg-type]


def test_fee_accepts_decimal_int_and_str() -> None:
    assert Fee("K", Decimal("5.10"), FeeBucket.LAB).amount == Decimal("5.10")
    assert Fee("K", 5, FeeBucket.LAB).amount == Decimal(5)
    assert Fee("K", "5.10", FeeBucket.LAB).amount == Decimal("5.10")


def test_fee_bucket_is_converted_and_validated() -> None:
    assert Fee("K", "5", "lab").bucket is FeeBucket.LAB
    with pytest.raises(ValueError, match="bucket"):
        Fee("K", "5", "blood")
    with pytest.raises(TypeError, match="bucket"):
        Fee("K", "5", 3)  # type: ignore[arg-type]


def test_fee_schedule_refuses_duplicate_fees() -> None:
    fees = [Fee("K", "5", FeeBucket.LAB), Fee("K", "6", FeeBucket.LAB)]
    with pytest.raises(CatalogueError) as info:
        FeeSchedule("demo", "CNY", date(2024, 1, 1), fees)
    (problem,) = info.value.problems
    assert problem.where == "fees.K"


# 9. html


def test_program_repr_html() -> None:
    prog = Program("p", "s", "京津冀HR", (), [Membership("H1", date(2024, 1, 1))], zone=SH)
    html = prog._repr_html_()
    assert "京津冀HR" in html
    assert "H1" in html
