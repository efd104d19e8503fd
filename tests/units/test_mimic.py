"""Every distinct ``valueuom`` spelling in MIMIC-IV demo labevents, read or refused on purpose."""

from __future__ import annotations

import csv
import gzip
from pathlib import Path

import pytest

from mutrec.errors import UnitError
from mutrec.units import parse_unit

LABEVENTS = Path(__file__).parents[1] / "data" / "mimic-iv-demo-2.2" / "hosp" / "labevents.csv.gz"
REFUSED = "UnitError"

# spelling -> expected dimension, or REFUSED. The comment says which items use it when the
# decision needs a reason.
EXPECTED: dict[str, str] = {
    "mg/dL": "mass concentration",
    "mEq/L": "equivalent concentration",
    "%": "dimensionless",
    "": REFUSED,  # INR and serum indices: a unitless result must say so ("1", "{INR}")
    "K/uL": "number concentration",  # thousands per µL, not kelvin
    "g/dL": "mass concentration",
    "IU/L": "arbitrary ([IU]) concentration",  # ALT/AST: enzyme sense bridged per analyte
    "fL": "volume",
    "sec": "time",
    "m/uL": "number concentration",  # millions per µL, not metre
    "pg": "mass",
    "N/A": REFUSED,
    "mm Hg": "pressure",
    "units": REFUSED,  # pH (1,313 rows) and anti-DGP: ambiguous, suggests [pH]
    "mmol/L": "substance concentration",
    "#/hpf": "number per high-power field",
    "ng/mL": "mass concentration",
    " ": REFUSED,  # specific gravity: blank
    "ug/mL": "mass concentration",
    "ug/dL": "mass concentration",
    "#/uL": "number concentration",
    "pg/mL": "mass concentration",
    "uIU/mL": "arbitrary ([IU]) concentration",
    "/hpf": "number per high-power field",
    "#/lpf": "number per low-power field",
    "mOsm/kg": "osmolality",
    "Ratio": REFUSED,  # a word: suggests {ratio}
    "mg/L": "mass concentration",
    "ng/dL": "mass concentration",
    "mg/g": "dimensionless",  # albumin/creatinine: a mass ratio
    "mm/hr": "velocity",  # ESR
    "L/min": "volume rate",  # O2 flow
    "mIU/mL": "arbitrary ([IU]) concentration",
    "+/-": REFUSED,  # qualitative urine hCG
    "mg/mg": "dimensionless",
    "IU/mL": "arbitrary ([IU]) concentration",
    "log10 IU/mL": REFUSED,  # logarithmic: convert the value with 10**x first
    "umol/L": "substance concentration",
    "U": "catalytic activity",  # UCUM enzyme unit; MIMIC prints it for serum indices (item issue)
    "mL": "volume",
    "ng/mL FEU": "mass concentration",  # ng{FEU}/mL: annotated, never converted to DDU
    "U/mL": "catalytic concentration",  # UCUM U; MIMIC CA-125/dsDNA are arbitrary (item issue)
    "log10 copies/mL": REFUSED,
    "mg/24hr": "mass rate",
    "log10 cop/mL": REFUSED,
    "hrs": "time",
    "mL/min": "volume rate",
    "GPL": "arbitrary ([GPL'U])",
    "MPL": "arbitrary ([MPL'U])",
    "min": "time",
    "U/g/Hb": "catalytic content",  # G6PD
}


def _mimic_spellings() -> set[str]:
    with gzip.open(LABEVENTS, "rt", newline="", encoding="utf-8") as file:
        return {row["valueuom"] for row in csv.DictReader(file)}


def test_the_table_covers_every_mimic_spelling() -> None:
    spellings = _mimic_spellings()
    assert len(spellings) == 51
    assert spellings == set(EXPECTED)


@pytest.mark.parametrize(("spelling", "expected"), sorted(EXPECTED.items()))
def test_each_mimic_spelling(spelling: str, expected: str) -> None:
    if expected == REFUSED:
        with pytest.raises(UnitError):
            parse_unit(spelling)
    else:
        assert parse_unit(spelling).dimension == expected
