"""Safety cases on real rows: MIMIC-IV demo lab results offered for recognition as blood items.

MIMIC-IV Clinical Database Demo v2.2 (PhysioNet, ODbL; tests/data/mimic-iv-demo-2.2, with its
licence): each row names its analyte (``d_labitems.label``) and its specimen (``fluid``). A
urine glucose, a CSF glucose or a urine-sediment RBC must never be recognised as the serum
glucose or the blood count of the example catalogue; rows whose text is not a number must not
be recognised as numeric items. Instants are moved into the example catalogue's cycle (MIMIC's
are shifted into the 2100s): this tests what the result *is*, not when it was taken.
"""

from __future__ import annotations

import csv
import gzip
from collections import Counter
from datetime import datetime, timedelta
from functools import cache
from pathlib import Path
from zoneinfo import ZoneInfo

from mutrec.errors import MutrecError
from mutrec.files.region import load_example_region
from mutrec.model.results import LabResult, parse_value
from mutrec.policy import ClinicalContext, Decision, Outcome, Policy, ProgramSettings

HOSP = Path(__file__).parents[1] / "data" / "mimic-iv-demo-2.2" / "hosp"
SH = ZoneInfo("Asia/Shanghai")
LAB = "京津冀鲁检验互认(示例)"
# MIMIC label -> the example catalogue's item it names (the blood items).
ITEMS = {
    "Glucose": "Glu",
    "Potassium": "K",
    "Sodium": "Na",
    "Creatinine": "Cre",
    "RBC": "RBC",
    "WBC": "WBC",
    "Red Blood Cells": "RBC",
    "White Blood Cells": "WBC",
    "Hemoglobin": "Hb",
    "Platelet Count": "PLT",
}
COLLECTED = datetime(2024, 3, 1, 8, tzinfo=SH)


@cache
def fluids() -> dict[str, tuple[str, str]]:
    with gzip.open(HOSP / "d_labitems.csv.gz", "rt", encoding="utf-8") as f:
        return {row["itemid"]: (row["label"], row["fluid"]) for row in csv.DictReader(f)}


@cache
def rows() -> tuple[tuple[str, str, str, LabResult | None], ...]:
    """(label, fluid, value text, result or None when the row could not be read)."""
    labels = fluids()
    out = []
    with gzip.open(HOSP / "labevents.csv.gz", "rt", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            label, fluid = labels.get(row["itemid"], ("", ""))
            item = ITEMS.get(label)
            if item is None:
                continue
            # The number where MIMIC has one (its text column holds "___" for many numbers);
            # else the text, as a report prints it (an empty one is refused at input).
            text = row["valuenum"] or row["value"]
            try:
                result: LabResult | None = LabResult(
                    item,
                    parse_value(text, row["valueuom"] or None),
                    COLLECTED,
                    "BJ001",
                    "p1",
                    reported=COLLECTED + timedelta(hours=3),
                    specimen=fluid,
                )
            except MutrecError:
                result = None  # refused at input: never recognised
            out.append((label, fluid, text, result))
    return tuple(out)


def decisions(policy: Policy) -> list[tuple[str, str, str, Decision | None]]:
    """(label, fluid, value text, decision or None when the row could not be read)."""
    context = ClinicalContext(patient="p1")
    at = COLLECTED + timedelta(days=1)
    return [
        (
            label,
            fluid,
            text,
            None
            if result is None
            else policy.evaluate(result, receiver="TJ001", at=at, context=context),
        )
        for label, fluid, text, result in rows()
    ]


@cache
def default_decisions() -> list[tuple[str, str, str, Decision | None]]:
    return decisions(Policy.from_region(load_example_region()))


def test_no_other_fluid_is_recognised_as_a_blood_item() -> None:
    others = [(lbl, fl, d) for lbl, fl, _, d in default_decisions() if fl != "Blood"]
    # The demo's other-fluid rows under these labels: urine glucose and urine sediment RBC/WBC.
    assert len(others) > 100
    assert Counter(fl for _, fl, _ in others)["Urine"] > 50
    for label, fluid, decision in others:
        assert decision is None or decision.outcome is Outcome.NOT_RECOGNISED, (label, fluid)
        if decision is not None:
            assert "specimen.mismatch" in decision.codes, (label, fluid, decision.codes)


def test_urine_glucose_and_sediment_are_mismatches_not_guesses() -> None:
    urine = Counter(
        label
        for label, fluid, _, d in default_decisions()
        if fluid == "Urine" and d is not None and "specimen.mismatch" in d.codes
    )
    assert urine["Glucose"] > 0
    assert urine["RBC"] > 0
    assert urine["WBC"] > 0


def test_blood_without_a_fraction_is_unclear_until_the_region_says_otherwise() -> None:
    blood = [(text, d) for _, fl, text, d in default_decisions() if fl == "Blood" and d]
    assert blood
    assert all(d.outcome is not Outcome.RECOGNISED for _, d in blood)
    assert sum("specimen.unclear" in d.codes for _, d in blood) == len(blood)
    # A region that accepts "blood" for serum items softens the doubt to a caution: numeric
    # rows then pass with caution, text rows still do not.
    region = load_example_region()
    softened = attrs_settings(region.policy_settings[LAB], {"specimen.unclear": "caution"})
    soft = Policy.from_region(region, settings={LAB: softened})
    results = [(text, d) for _, fl, text, d in decisions(soft) if fl == "Blood" and d]
    cautious = [d for _, d in results if d.outcome is Outcome.RECOGNISED_WITH_CAUTION]
    assert cautious
    for text, d in results:
        if d.outcome is not Outcome.NOT_RECOGNISED:
            float(text)  # only numbers pass


def test_text_rows_are_never_recognised_as_numeric_items() -> None:
    for _, _, text, decision in default_decisions():
        try:
            float(text)
        except ValueError:
            assert decision is None or decision.outcome is Outcome.NOT_RECOGNISED, text


def attrs_settings(raw: object, severities: dict[str, str]) -> ProgramSettings:
    table = dict(raw)  # type: ignore[call-overload]
    table["severities"] = {**table.get("severities", {}), **severities}
    return ProgramSettings.from_raw(table)
