"""The typed model the recognition policy reasons over.

Results and their values, reference ranges, catalogues, validity windows, institutions,
programs, quality records, fees and the patient context. Every value is a frozen, slotted
attrs class; every instant is timezone-aware.

The names load on first use (PEP 562), each from its submodule: loading a region needs the
catalogues, programs and institutions, not the results, values and reference ranges.

>>> from mutrec.model import Interpretation, ReferenceRange
>>> ReferenceRange(3.5, 5.3).interpret(5.5) is Interpretation.HIGH
True
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from mutrec._lazy import lazy_attributes

if TYPE_CHECKING:
    from mutrec.model.acceptance import Acceptance, AcceptanceRule, Compare, Tier
    from mutrec.model.catalogue import Catalogue, CatalogueDiff, ItemChange, diff
    from mutrec.model.crosswalk import CodeIndex, Crosswalk, crosswalk_from_codes
    from mutrec.model.devices import DeviceCapability, Modality
    from mutrec.model.fees import Fee, FeeBucket, FeeSchedule
    from mutrec.model.instants import is_aware, local_date, require_aware
    from mutrec.model.institutions import Grade, Institution, InstitutionType, Level
    from mutrec.model.item_ranges import item_reference
    from mutrec.model.items import Category, DeviceRequirement, Item, ItemKind, ValueKind, fold
    from mutrec.model.national import (
        IntervalRow,
        NationalInterval,
        UnknownAnalyteError,
        national_interval,
        national_intervals,
        parse_national_intervals,
    )
    from mutrec.model.patient import Age, AgeUnit, CareSetting, PatientContext, Sex
    from mutrec.model.programs import Membership, Program, ProgramKind
    from mutrec.model.provenance import Citation, Confidence
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
    from mutrec.model.windows import (
        Anchor,
        Anchored,
        ContextSpan,
        Counting,
        Event,
        IfUnknown,
        Span,
        Window,
    )

__all__ = [
    "Acceptance",
    "AcceptanceRule",
    "Age",
    "AgeUnit",
    "Anchor",
    "Anchored",
    "CareSetting",
    "Catalogue",
    "CatalogueDiff",
    "Category",
    "Censored",
    "Citation",
    "CodeIndex",
    "Compare",
    "Confidence",
    "ContextSpan",
    "Counting",
    "Crosswalk",
    "DeviceCapability",
    "DeviceRequirement",
    "Event",
    "Fee",
    "FeeBucket",
    "FeeSchedule",
    "Grade",
    "IfUnknown",
    "ImagingResult",
    "Institution",
    "InstitutionType",
    "Interpretation",
    "IntervalRow",
    "Item",
    "ItemChange",
    "ItemKind",
    "LabResult",
    "Level",
    "Measured",
    "Membership",
    "Modality",
    "NationalInterval",
    "Partition",
    "PartitionedRange",
    "PatientContext",
    "Polarity",
    "Program",
    "ProgramKind",
    "Qualitative",
    "QualityBook",
    "QualityRecord",
    "ReferenceRange",
    "Report",
    "Result",
    "Scheme",
    "Sex",
    "Span",
    "Tier",
    "UnknownAnalyteError",
    "Value",
    "ValueKind",
    "Window",
    "canonical_specimen",
    "check_instant",
    "crosswalk_from_codes",
    "diff",
    "fold",
    "is_aware",
    "item_reference",
    "local_date",
    "match_specimen",
    "national_interval",
    "national_intervals",
    "parse_national_intervals",
    "parse_value",
    "require_aware",
]

# Where each name lives; the submodule is imported on first access.
_LAZY: dict[str, str] = {
    "Acceptance": "mutrec.model.acceptance",
    "AcceptanceRule": "mutrec.model.acceptance",
    "Age": "mutrec.model.patient",
    "AgeUnit": "mutrec.model.patient",
    "Anchor": "mutrec.model.windows",
    "Anchored": "mutrec.model.windows",
    "CareSetting": "mutrec.model.patient",
    "Catalogue": "mutrec.model.catalogue",
    "CatalogueDiff": "mutrec.model.catalogue",
    "Category": "mutrec.model.items",
    "Censored": "mutrec.model.results",
    "Citation": "mutrec.model.provenance",
    "CodeIndex": "mutrec.model.crosswalk",
    "Compare": "mutrec.model.acceptance",
    "Confidence": "mutrec.model.provenance",
    "ContextSpan": "mutrec.model.windows",
    "Counting": "mutrec.model.windows",
    "Crosswalk": "mutrec.model.crosswalk",
    "DeviceCapability": "mutrec.model.devices",
    "DeviceRequirement": "mutrec.model.items",
    "Event": "mutrec.model.windows",
    "Fee": "mutrec.model.fees",
    "FeeBucket": "mutrec.model.fees",
    "FeeSchedule": "mutrec.model.fees",
    "Grade": "mutrec.model.institutions",
    "IfUnknown": "mutrec.model.windows",
    "ImagingResult": "mutrec.model.results",
    "Institution": "mutrec.model.institutions",
    "InstitutionType": "mutrec.model.institutions",
    "Interpretation": "mutrec.model.reference",
    "IntervalRow": "mutrec.model.national",
    "Item": "mutrec.model.items",
    "ItemChange": "mutrec.model.catalogue",
    "ItemKind": "mutrec.model.items",
    "LabResult": "mutrec.model.results",
    "Level": "mutrec.model.institutions",
    "Measured": "mutrec.model.results",
    "Membership": "mutrec.model.programs",
    "Modality": "mutrec.model.devices",
    "NationalInterval": "mutrec.model.national",
    "Partition": "mutrec.model.ranges",
    "PartitionedRange": "mutrec.model.ranges",
    "PatientContext": "mutrec.model.patient",
    "Polarity": "mutrec.model.results",
    "Program": "mutrec.model.programs",
    "ProgramKind": "mutrec.model.programs",
    "Qualitative": "mutrec.model.results",
    "QualityBook": "mutrec.model.quality",
    "QualityRecord": "mutrec.model.quality",
    "ReferenceRange": "mutrec.model.reference",
    "Report": "mutrec.model.results",
    "Result": "mutrec.model.results",
    "Scheme": "mutrec.model.quality",
    "Sex": "mutrec.model.patient",
    "Span": "mutrec.model.windows",
    "Tier": "mutrec.model.acceptance",
    "UnknownAnalyteError": "mutrec.model.national",
    "Value": "mutrec.model.results",
    "ValueKind": "mutrec.model.items",
    "Window": "mutrec.model.windows",
    "canonical_specimen": "mutrec.model.specimens",
    "check_instant": "mutrec.model.results",
    "crosswalk_from_codes": "mutrec.model.crosswalk",
    "diff": "mutrec.model.catalogue",
    "fold": "mutrec.model.items",
    "is_aware": "mutrec.model.instants",
    "item_reference": "mutrec.model.item_ranges",
    "local_date": "mutrec.model.instants",
    "match_specimen": "mutrec.model.specimens",
    "national_interval": "mutrec.model.national",
    "national_intervals": "mutrec.model.national",
    "parse_national_intervals": "mutrec.model.national",
    "parse_value": "mutrec.model.results",
    "require_aware": "mutrec.model.instants",
}
# The submodules, reachable as attributes (``mutrec.model.results``) as when all were imported.
_SUBMODULES: frozenset[str] = frozenset(
    {
        "acceptance",
        "catalogue",
        "crosswalk",
        "devices",
        "fees",
        "instants",
        "institutions",
        "item_ranges",
        "items",
        "national",
        "patient",
        "programs",
        "provenance",
        "quality",
        "ranges",
        "reference",
        "results",
        "specimens",
        "windows",
    }
)


__getattr__, __dir__ = lazy_attributes(globals(), _LAZY, _SUBMODULES)
