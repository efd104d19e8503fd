"""The analyte catalogue: coverage, lookups, and every number's source."""

from __future__ import annotations

import pytest

from mutrec.errors import UnitError
from mutrec.units import Analyte, analyte, analytes

REQUIRED = {
    "glucose", "creatinine", "urea", "bun", "uric_acid", "cholesterol", "hdl_cholesterol",
    "ldl_cholesterol", "triglycerides", "total_bilirubin", "direct_bilirubin", "calcium",
    "magnesium", "phosphate", "iron", "sodium", "potassium", "chloride", "albumin",
    "total_protein", "hemoglobin", "ferritin", "vitamin_b12", "folate", "free_t4", "cortisol",
    "vitamin_d_25oh", "hba1c",
}  # fmt: skip


def test_catalogue_covers_the_required_analytes_with_sources() -> None:
    everything = analytes()
    assert len(everything) >= 25
    assert {item.key for item in everything} >= REQUIRED
    for item in everything:
        assert isinstance(item, Analyte)
        assert item.key == item.key.lower()
        assert item.source, item.key
        assert len(item.names) >= 2, item.key  # English and Chinese


@pytest.mark.parametrize(
    ("alias", "key"),
    [
        ("Glu", "glucose"), ("Cre", "creatinine"), ("BUN", "bun"), ("UA", "uric_acid"),
        ("TC", "cholesterol"), ("TG", "triglycerides"), ("HDL-C", "hdl_cholesterol"),
        ("LDL-C", "ldl_cholesterol"), ("TBIL", "total_bilirubin"), ("DBIL", "direct_bilirubin"),
        ("Ca", "calcium"), ("Mg", "magnesium"), ("P", "phosphate"), ("Fe", "iron"),
        ("K", "potassium"), ("Na", "sodium"), ("Cl", "chloride"), ("Alb", "albumin"),
        ("TP", "total_protein"), ("Hb", "hemoglobin"), ("HbA1c", "hba1c"), ("hba1c", "hba1c"),
        ("葡萄糖", "glucose"), ("糖化血红蛋白", "hba1c"), ("glucose", "glucose"),
    ],
)  # fmt: skip
def test_lookup_by_alias(alias: str, key: str) -> None:
    assert analyte(alias).key == key


def test_valences_and_molar_masses() -> None:
    assert analyte("Ca").valence == 2
    assert analyte("Cl").valence == -1
    assert analyte("BUN").molar_mass == pytest.approx(28.014)
    assert analyte("TG").molar_mass == pytest.approx(885.7)
    with pytest.raises(ValueError, match="molar_mass"):
        Analyte("x", ("x",), (), molar_mass=-1.0)


def test_unknown_analyte() -> None:
    with pytest.raises(UnitError, match="close matches") as caught:
        analyte("creatinin")
    assert caught.value.suggestion == "creatinine"
    with pytest.raises(UnitError, match=r"analytes\(\)"):
        analyte("zzzzqqq")
