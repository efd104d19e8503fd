"""WS/T 886—2026 codes on items, catalogues indexed by them, and look-ups across a region."""

from __future__ import annotations

import re
from datetime import date

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from mutrec.errors import ArgumentError, CatalogueError, MutrecError
from mutrec.model.catalogue import (
    Catalogue,
    Category,
    CodeIndex,
    Item,
    ItemKind,
    ValueKind,
    crosswalk_from_codes,
)
from mutrec.model.items import WST886_PATTERN, wst886_problem
from mutrec.units import parse_unit

MMOL = parse_unit("mmol/L")


def lab(code: str, **kw: object) -> Item:
    kw.setdefault("unit", MMOL)
    return Item(code, code, code, ItemKind.LAB, Category.CHEMISTRY, **kw)  # type: ignore[arg-type]


# --- the code on an item ---


@pytest.mark.parametrize("code", ["0100101A", "3400313B", "1400605A", "9999999D"])
def test_well_formed_codes_are_taken(code: str) -> None:
    kind = ValueKind.NUMERIC if code.endswith("A") else ValueKind.QUALITATIVE
    assert lab("X", wst886=code, value_kind=kind).wst886 == code


@pytest.mark.parametrize(
    "code",
    [
        "010010A",  # 6 digits
        "01001011A",  # 8 digits
        "0100101E",  # no scale E
        "0100101a",  # lower case
        "０１００１０１A",  # full-width digits: \d would take them, the standard does not
        "٠١٠٠١٠١A",  # Arabic-Indic digits
        " 0100101A",
        "",
    ],
)
def test_malformed_codes_are_refused_with_the_format(code: str) -> None:
    with pytest.raises(ArgumentError, match="7 digits and a scale letter"):
        lab("X", wst886=code)


def test_the_scale_letter_must_fit_the_value_kind() -> None:
    with pytest.raises(ArgumentError, match=r"scale letter B \(qualitative\) .* numeric item"):
        lab("K", wst886="1400605B")
    with pytest.raises(ArgumentError, match=r"scale letter A \(quantitative\) .* qualitative"):
        Item("HBsAg", "乙肝表面抗原", "HBsAg", ItemKind.LAB, Category.IMMUNOLOGY, wst886="0900101A")
    imaging = "CT-HEAD", "头颅CT", "Head CT", ItemKind.IMAGING, Category.CT
    with pytest.raises(ArgumentError, match="WS/T 886 codes lab items"):
        Item(*imaging, wst886="0100101A")


@given(st.text(max_size=12) | st.from_regex(r"[0-9]{7}[A-D]", fullmatch=True))
def test_any_text_is_taken_exactly_when_it_has_the_format(code: str) -> None:
    ok = re.fullmatch(r"[0-9]{7}[A-D]", code) is not None
    assert (wst886_problem(code) is None) is ok
    assert (WST886_PATTERN.fullmatch(code) is not None) is ok
    try:
        lab("X", wst886=code, value_kind=ValueKind.NUMERIC if code[-1:] == "A" else None)
    except MutrecError:
        assert not ok or code[-1] != "A"


# --- catalogues ---


def test_a_catalogue_resolves_the_text_as_loinc_or_wst886() -> None:
    k = lab("K", loinc="2823-3", wst886="1400605A")
    cat = Catalogue("c", "1", date(2024, 1, 1), [k, lab("Na", wst886="1400205A")])
    assert cat.resolve("1400605A") is k
    assert cat.resolve(" 2823-3 ") is k
    assert cat.by_wst886("1400205A").code == "Na"  # type: ignore[union-attr]
    assert cat.resolve("1400705A") is None


def test_two_items_of_one_catalogue_may_not_share_a_wst886_code() -> None:
    with pytest.raises(CatalogueError) as info:
        Catalogue(
            "c", "1", date(2024, 1, 1), [lab("K", wst886="1400605A"), lab("K2", wst886="1400605A")]
        )
    [problem] = info.value.problems
    assert problem.where == "items.K2.wst886"
    assert "also item 'K'" in problem.message


# --- across a region ---


def test_one_item_in_two_cycles_is_one_item_but_two_items_are_ambiguous() -> None:
    old = lab("K", loinc="2823-3", wst886="1400605A")
    new = attrs.evolve(old, aliases=("钾",))
    whole_blood = lab("K-WB", loinc="2823-3")
    index = CodeIndex([old, new, whole_blood])
    assert index.item_code("1400605A") == "K"
    assert index.item_code("2823-3") is None
    assert index.why_not("2823-3") == "LOINC '2823-3' is carried by items K, K-WB: ambiguous"
    assert index.why_not("9999999A") == "no item of the region has WS/T 886 code '9999999A'"
    assert index.why_not("1400605A") is None


# --- a crosswalk from a local code list ---


def test_a_code_list_maps_what_designates_one_item_and_reports_the_rest() -> None:
    index = CodeIndex(
        [
            lab("K", loinc="2823-3", wst886="1400605A"),
            lab("Na", loinc="2951-2", wst886="1400205A"),
            lab("Cl", loinc="2075-0"),
            lab("Cl-WB", loinc="2075-0"),
        ]
    )
    rows = [
        {"local": "L-K", "loinc": "2823-3", "wst886": "1400605A", "name": "钾"},
        {"local": "L-NA", "wst886": "1400205A"},
        {"local": "L-X", "loinc": "2823-3", "wst886": "1400205A", "name": "mixed"},
        {"local": "L-CL", "loinc": "2075-0", "name": "氯"},
        {"local": "L-BUN", "loinc": "", "wst886": None, "name": "尿素氮"},
        {"local": "", "loinc": "2823-3"},
        {"local": "L-BAD", "wst886": "1400205"},
        {"local": "l-na", "loinc": "2951-2"},
    ]
    crosswalk, problems = crosswalk_from_codes("H1", rows, index, source="h1-codes.csv")  # type: ignore[arg-type]
    assert crosswalk.item_code("H1", "L-K") == "K"
    assert crosswalk.item_code("H1", "L-NA") is None  # listed twice (L-NA, l-na): neither kept
    assert [(p.source, p.where, p.message) for p in problems] == [
        (
            "h1-codes.csv",
            "rows[2]",
            "L-X (mixed): its LOINC and WS/T 886 codes designate different items (K, Na)",
        ),
        (
            "h1-codes.csv",
            "rows[3]",
            "L-CL (氯): LOINC '2075-0' is carried by items Cl, Cl-WB: ambiguous",
        ),
        ("h1-codes.csv", "rows[4]", "L-BUN (尿素氮): no LOINC or WS/T 886 code: not mapped"),
        ("h1-codes.csv", "rows[5]", "(blank): no local code"),
        ("h1-codes.csv", "rows[6]", "L-BAD: '1400205' is not a WS/T 886 code (7 digits and A-D)"),
        ("h1-codes.csv", "rows[7]", "l-na: local code listed twice (rows[1])"),
    ]
    assert crosswalk.entries == (("H1", "L-K", "K"),)


@given(
    st.lists(
        st.dictionaries(
            st.sampled_from(["local", "loinc", "wst886", "name", "other"]),
            st.none()
            | st.text(max_size=10)
            | st.integers()
            | st.sampled_from(["2823-3", "1400605A"]),
            max_size=5,
        ),
        max_size=6,
    )
)
def test_any_code_list_builds_a_crosswalk_or_says_which_argument_is_wrong(
    rows: list[dict[str, object]],
) -> None:
    index = CodeIndex([lab("K", loinc="2823-3", wst886="1400605A")])
    try:
        crosswalk, problems = crosswalk_from_codes("H1", rows, index)  # type: ignore[arg-type]
    except ArgumentError as error:
        message = str(error)
    else:
        message = ""
    if message:
        assert "rows" in message
        return
    assert len(crosswalk.entries) + len(problems) <= len(rows)
    assert all(item == "K" for _, _, item in crosswalk.entries)
