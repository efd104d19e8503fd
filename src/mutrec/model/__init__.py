"""The typed model the recognition policy reasons over.

Results and their values, reference ranges, catalogues, validity windows, institutions,
programs, quality records, fees and the patient context. Every value is a frozen, slotted
attrs class; every instant is timezone-aware.

>>> from mutrec.model import Interpretation, ReferenceRange
>>> ReferenceRange(3.5, 5.3).interpret(5.5) is Interpretation.HIGH
True
"""

from __future__ import annotations

from mutrec.model.catalogue import Catalogue, CatalogueDiff, ItemChange, diff
from mutrec.model.crosswalk import Crosswalk
from mutrec.model.devices import DeviceCapability, Modality
from mutrec.model.fees import Fee, FeeBucket, FeeSchedule
from mutrec.model.instants import is_aware, local_date, require_aware
from mutrec.model.institutions import Grade, Institution, InstitutionType, Level
from mutrec.model.items import Category, DeviceRequirement, Item, ItemKind, ValueKind, fold
from mutrec.model.patient import Age, AgeUnit, CareSetting, PatientContext, Sex
from mutrec.model.programs import Membership, Program
from mutrec.model.quality import QualityBook, QualityRecord, Scheme
from mutrec.model.ranges import Partition, PartitionedRange
from mutrec.model.reference import Interpretation, ReferenceRange
from mutrec.model.results import (
    Censored,
    ImagingResult,
    LabResult,
    Measured,
    Polarity,
    Qualitative,
    Report,
    Result,
    Value,
    check_instant,
    parse_value,
)
from mutrec.model.specimens import canonical_specimen, match_specimen
from mutrec.model.windows import Anchor, Anchored, Counting, Span, Window

__all__ = [
    "Age",
    "AgeUnit",
    "Anchor",
    "Anchored",
    "CareSetting",
    "Catalogue",
    "CatalogueDiff",
    "Category",
    "Censored",
    "Counting",
    "Crosswalk",
    "DeviceCapability",
    "DeviceRequirement",
    "Fee",
    "FeeBucket",
    "FeeSchedule",
    "Grade",
    "ImagingResult",
    "Institution",
    "InstitutionType",
    "Interpretation",
    "Item",
    "ItemChange",
    "ItemKind",
    "LabResult",
    "Level",
    "Measured",
    "Membership",
    "Modality",
    "Partition",
    "PartitionedRange",
    "PatientContext",
    "Polarity",
    "Program",
    "Qualitative",
    "QualityBook",
    "QualityRecord",
    "ReferenceRange",
    "Report",
    "Result",
    "Scheme",
    "Sex",
    "Span",
    "Value",
    "ValueKind",
    "Window",
    "canonical_specimen",
    "check_instant",
    "diff",
    "fold",
    "is_aware",
    "local_date",
    "match_specimen",
    "parse_value",
    "require_aware",
]
