"""CSV numbers, BOMs, exact fee amounts, crosswalk references and the BUN/urea example data."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

import pytest

from mutrec.errors import CatalogueError
from mutrec.examples import path
from mutrec.files import (
    load_catalogue,
    load_crosswalk,
    load_example_region,
    load_fees,
    load_institutions,
    load_region,
)
from mutrec.model import Level

if TYPE_CHECKING:
    from pathlib import Path

REGION = path("region")
BOM = "\ufeff"


def _write(p: Path, text: str, *, bom: bool = False) -> Path:
    p.write_text((BOM if bom else "") + text, encoding="utf-8")
    return p


@pytest.mark.parametrize("bom", [False, True])
def test_institutions_csv_loads_with_integer_levels(tmp_path: Path, *, bom: bool) -> None:
    _write(
        tmp_path / "inst.csv",
        "id,name,region,level,grade,type\n"
        "X1,示例医院,110102,3,甲,general\n"
        "X2,示例卫生院,110102,0,,community\n",
        bom=bom,
    )
    toml = _write(
        tmp_path / "inst.toml",
        'kind = "institutions"\nschema_version = 1\ninstitutions_csv = "inst.csv"\n',
        bom=bom,
    )
    insts = load_institutions(toml)
    assert insts["X1"].level is Level(3)
    assert insts["X2"].level is Level(0)


def test_items_csv_with_bom_loads(tmp_path: Path) -> None:
    _write(
        tmp_path / "items.csv",
        "code,name_zh,name_en,category,unit,window\nK,钾,Potassium,chemistry,mmol/L,7d\n",
        bom=True,
    )
    toml = _write(
        tmp_path / "cat.toml",
        'kind = "catalogue"\nschema_version = 1\nname = "c"\nversion = "1"\n'
        'effective_from = 2024-01-01\nitems_csv = "items.csv"\n',
    )
    assert load_catalogue(toml).get("K") is not None


def test_device_numbers_in_csv_need_ascii_digits(tmp_path: Path) -> None:
    _write(
        tmp_path / "items.csv",
        "code,name_zh,name_en,category,modality,min_detector_rows,min_field_strength_t\n"
        "CT1,胸部CT,Chest CT,ct,CT,٦٤,\n"
        "MR1,头颅MR,Head MR,mr,MR,,1.5\n",
    )
    toml = _write(
        tmp_path / "cat.toml",
        'kind = "catalogue"\nschema_version = 1\nname = "c"\nversion = "1"\n'
        'effective_from = 2024-01-01\nitems_csv = "items.csv"\n',
    )
    with pytest.raises(CatalogueError) as caught:
        load_catalogue(toml)
    [problem] = caught.value.problems
    assert (problem.where, problem.line) == ("items[CT1].device.min_detector_rows", 2)
    assert "expected an integer" in problem.message


def test_fee_amounts_are_exact_decimals(tmp_path: Path) -> None:
    _write(tmp_path / "fees.csv", "item,amount,bucket\nNa,5.10,lab\nCl,0.3,lab\n")
    toml = _write(
        tmp_path / "fees.toml",
        'kind = "fees"\nschema_version = 1\nname = "f"\ncurrency = "CNY"\n'
        'effective_from = 2024-01-01\nfees_csv = "fees.csv"\n\n'
        '[[fees]]\nitem = "K"\namount = 5.1\nbucket = "lab"\n\n'
        '[[fees]]\nitem = "Ca"\namount = 12.345678901234567891\nbucket = "lab"\n\n'
        '[[fees]]\nitem = "P"\namount = 8\nbucket = "lab"\n\n'
        '[[fees]]\nitem = "Mg"\namount = "7.25"\nbucket = "lab"\n',
    )
    fees = load_fees(toml)

    def amount(item: str) -> Decimal:
        fee = fees.fee_for(item)
        assert fee is not None
        return fee.amount

    assert amount("K") == Decimal("5.1")
    assert str(amount("K")) == "5.1"
    assert amount("Ca") == Decimal("12.345678901234567891")
    assert (amount("P"), amount("Mg")) == (Decimal(8), Decimal("7.25"))
    assert (str(amount("Na")), str(amount("Cl"))) == ("5.10", "0.3")
    assert amount("Na") + amount("Cl") == Decimal("5.40")


def test_region_refuses_crosswalk_entries_of_unknown_institutions(tmp_path: Path) -> None:
    for p in REGION.iterdir():
        (tmp_path / p.name).write_bytes(p.read_bytes())
    cw = (tmp_path / "crosswalk.toml").read_text(encoding="utf-8")
    cw = cw.replace('institution = "TJ001"', 'institution = "ZZ404"', 1)
    cw += '\n[[entries]]\ninstitution = "BJ001"\nlocal = "lis-0101"\nitem = "Na"\n'
    (tmp_path / "crosswalk.toml").write_text(cw, encoding="utf-8")
    with pytest.raises(CatalogueError) as caught:
        load_region(tmp_path)
    found = {(p.source, p.where, p.message.split(" (")[0]) for p in caught.value.problems}
    assert found == {
        ("crosswalk.toml", "entries[2].institution", "unknown institution 'ZZ404'"),
        ("crosswalk.toml", "entries[4].local", "duplicate local code 'lis-0101' of 'BJ001'"),
    }


def test_crosswalk_loader_checks_are_optional() -> None:
    cw = load_crosswalk(REGION / "crosswalk.toml")
    assert cw.item_code("BJ001", "lis-0101") == "K"
    with pytest.raises(CatalogueError, match="unknown item 'WBC'"):
        load_crosswalk(REGION / "crosswalk.toml", items={"K", "Na", "Glu"})


def test_bun_is_not_an_alias_of_urea() -> None:
    # The value rule converts with the item code as the analyte: a BUN result resolved to Urea
    # would be converted with urea's 0.1665 instead of BUN's 0.357 per mg/dL.
    region = load_example_region()
    urea = region.item("Urea")
    assert urea is not None
    assert not {"bun", "尿素氮"} & {a.casefold() for a in urea.aliases}
    for name in ("BUN", "bun", "尿素氮", "urea nitrogen"):
        assert region.resolve(name) is None, name
    assert region.resolve("尿素") is urea


def test_spans_in_data_files_need_ascii_digits(tmp_path: Path) -> None:
    _write(
        tmp_path / "items.csv",
        "code,name_zh,name_en,category,window\nK,钾,Potassium,chemistry,٣d\n"
        "Na,钠,Sodium,chemistry,７d\n",
    )
    toml = _write(
        tmp_path / "cat.toml",
        'kind = "catalogue"\nschema_version = 1\nname = "c"\nversion = "1"\n'
        'effective_from = 2024-01-01\nitems_csv = "items.csv"\n',
    )
    with pytest.raises(CatalogueError) as caught:
        load_catalogue(toml)
    assert [(p.where, p.line) for p in caught.value.problems] == [
        ("items[K].window.span", 2),
        ("items[Na].window.span", 3),
    ]
