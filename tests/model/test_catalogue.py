"""Catalogues and crosswalks: refusing strings split into characters and folded duplicates."""

from __future__ import annotations

from datetime import date

import pytest

from mutrec.errors import CatalogueError
from mutrec.model.catalogue import Catalogue, Category, Crosswalk, Item, ItemKind


def test_item_aliases_refuse_a_plain_string() -> None:
    with pytest.raises(TypeError, match="aliases"):
        Item("K", "钾", "Potassium", ItemKind.LAB, Category.CHEMISTRY, aliases="K+")


def test_item_aliases_accept_a_list() -> None:
    item = Item("K", "钾", "Potassium", ItemKind.LAB, Category.CHEMISTRY, aliases=["K+"])
    assert item.aliases == ("K+",)


def test_crosswalk_refuses_entries_colliding_after_folding() -> None:
    with pytest.raises(CatalogueError) as info:
        Crosswalk([("H1", "LAB0012", "K"), ("H1", "ｌａｂ0012", "Na")])
    (problem,) = info.value.problems
    assert "LAB0012" in problem.message
    assert "'K'" in problem.message
    assert problem.hint


def test_crosswalk_same_local_code_at_two_institutions_is_fine() -> None:
    cw = Crosswalk([("H1", "LAB0012", "K"), ("H2", "LAB0012", "Na")])
    assert cw.item_code("H2", "lab0012") == "Na"


def test_catalogue_repr_html() -> None:
    k = Item("K", "钾", "Potassium", ItemKind.LAB, Category.CHEMISTRY)
    html = Catalogue("demo", "1", date(2024, 1, 1), [k])._repr_html_()
    assert "钾" in html
    assert "demo" in html
