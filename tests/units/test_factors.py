"""The published conventional -> SI factors (domain.md §8) pinned against the molar masses.

The molar masses in analytes.toml are the source of truth; each published factor must agree
with the factor they give to 4 significant figures (or to the published precision, when the
table prints fewer), so a changed molar mass (glucose 180 instead of 180.16) is caught.
"""

from __future__ import annotations

import decimal

import pytest

from mutrec.units import analyte, convert

# (analyte, from, to, published factor as printed, source).
PUBLISHED = [
    ("glucose", "mg/dL", "mmol/L", "0.05551", "domain.md §8; M 180.16, PubChem CID 5793"),
    ("creatinine", "mg/dL", "umol/L", "88.4", "domain.md §8; M 113.12, PubChem CID 588"),
    ("urea", "mg/dL", "mmol/L", "0.1665", "domain.md §8; M 60.06, PubChem CID 1176"),
    ("bun", "mg/dL", "mmol/L", "0.357", "domain.md §8; 2 N of urea, 28.014"),
    ("uric_acid", "mg/dL", "umol/L", "59.48", "domain.md §8; M 168.11, PubChem CID 1175"),
    ("cholesterol", "mg/dL", "mmol/L", "0.02586", "domain.md §8; M 386.65, PubChem CID 5997"),
    ("hdl_cholesterol", "mg/dL", "mmol/L", "0.02586", "domain.md §8; as cholesterol"),
    ("ldl_cholesterol", "mg/dL", "mmol/L", "0.02586", "domain.md §8; as cholesterol"),
    ("triglycerides", "mg/dL", "mmol/L", "0.01129", "domain.md §8; as triolein, 885.7"),
    ("total_bilirubin", "mg/dL", "umol/L", "17.1", "domain.md §8; M 584.66, PubChem 5280352"),
    ("direct_bilirubin", "mg/dL", "umol/L", "17.1", "domain.md §8; as bilirubin"),
    ("calcium", "mg/dL", "mmol/L", "0.2495", "domain.md §8; IUPAC Ca 40.078"),
    ("magnesium", "mg/dL", "mmol/L", "0.4114", "domain.md §8; IUPAC Mg 24.305"),
    ("phosphate", "mg/dL", "mmol/L", "0.3229", "domain.md §8; IUPAC P 30.974"),
    ("iron", "ug/dL", "umol/L", "0.1791", "domain.md §8; IUPAC Fe 55.845"),
    ("vitamin_b12", "pg/mL", "pmol/L", "0.738", "domain.md §8; M 1355.37, PubChem 5311498"),
    ("folate", "ng/mL", "nmol/L", "2.266", "domain.md §8; M 441.40, PubChem 135398658"),
    ("free_t4", "ng/dL", "pmol/L", "12.87", "domain.md §8; M 776.87, PubChem CID 5819"),
    ("cortisol", "ug/dL", "nmol/L", "27.59", "domain.md §8; M 362.46, PubChem CID 5754"),
    ("testosterone", "ng/dL", "nmol/L", "0.0347", "domain.md §8; M 288.42, PubChem CID 6013"),
    ("vitamin_d_25oh", "ng/mL", "nmol/L", "2.496", "domain.md §8; M 400.64, PubChem 5283731"),
]


def _significant(text: str) -> int:
    return len(decimal.Decimal(text).as_tuple().digits)


def _rounded(value: float, figures: int) -> decimal.Decimal:
    return decimal.Decimal(f"{value:.{figures}g}")


@pytest.mark.parametrize(
    ("key", "from_unit", "to_unit", "published", "source"),
    PUBLISHED,
    ids=[row[0] for row in PUBLISHED],
)
def test_published_factor_matches_the_molar_mass(
    key: str, from_unit: str, to_unit: str, published: str, source: str
) -> None:
    assert source
    assert published in analyte(key).source  # the data file cites the same number
    figures = min(4, _significant(published))
    assert figures >= 3, "a published factor with fewer than 3 figures pins nothing"
    computed = convert(1.0, from_unit, to_unit, analyte=key)
    assert _rounded(computed, figures) == decimal.Decimal(published), (computed, source)


def test_glucose_is_pinned_to_four_figures() -> None:
    # Users dispute 18 vs 18.016 (M 180 vs 180.16): 100 mg/dL is 5.551 mmol/L, not 5.556.
    assert round(convert(100, "mg/dL", "mmol/L", analyte="glucose"), 3) == 5.551
    assert round(convert(5.551, "mmol/L", "mg/dL", analyte="glucose"), 1) == 100.0
    assert analyte("glucose").molar_mass == pytest.approx(180.16, abs=0.005)


def test_published_factor_rows_cover_domain_section_8() -> None:
    assert len({row[0] for row in PUBLISHED}) == 21
