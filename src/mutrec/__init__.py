"""mutrec: mutual recognition of clinical test and examination results (检查检验结果互认, HR).

The everyday calls live here, at the top level: build a :class:`~mutrec.policy.Policy` from a
region (:func:`~mutrec.files.load_region`), describe a result (:class:`~mutrec.model.LabResult`,
:func:`~mutrec.model.parse_value`), evaluate it and explain the :class:`~mutrec.policy.Decision`
(``decision.explain("zh")``); read and convert units (:func:`~mutrec.units.parse_unit`,
:func:`~mutrec.units.convert`); catch the main errors. Everything else lives in a subpackage
named by what it holds: :mod:`mutrec.model`, :mod:`mutrec.policy`, :mod:`mutrec.files`,
:mod:`mutrec.units`, :mod:`mutrec.stats` and :mod:`mutrec.errors`. Each subpackage is an
attribute of ``mutrec`` (``mutrec.stats.rate(batch)``), loaded on first use.

``import mutrec`` stays cheap (no pint, no data files): the names load on first use (PEP 562).
Names that left the top level in this release still resolve, with a :class:`DeprecationWarning`
naming their home (``mutrec.fold`` → ``mutrec.model.fold``); they are not in ``__all__``.

>>> import mutrec
>>> round(mutrec.convert(100, "mg/dL", "mmol/L", analyte="glucose"), 3)
5.551
>>> policy = mutrec.Policy.from_region(mutrec.load_example_region())
>>> "window.expired" in policy.reasons
True
>>> print(mutrec.stats.rate([]))
0/0 (—)
"""

from __future__ import annotations

import importlib
import warnings
from typing import TYPE_CHECKING, Final

from mutrec.errors import (
    ArgumentError,
    CatalogueError,
    MutrecError,
    RecordError,
    ResultError,
    TimeZoneError,
    UnitError,
)

if TYPE_CHECKING:
    from mutrec import errors as errors
    from mutrec import files as files
    from mutrec import model as model
    from mutrec import policy as policy
    from mutrec import stats as stats
    from mutrec import units as units
    from mutrec.files import Region, load_example_region, load_region
    from mutrec.model import (
        CareSetting,
        DeviceCapability,
        ImagingResult,
        LabResult,
        Modality,
        Report,
        parse_value,
    )
    from mutrec.policy import (
        Batch,
        ClinicalContext,
        Decision,
        Finding,
        Ground,
        OrderCheck,
        Outcome,
        Override,
        Policy,
        Purpose,
        Request,
        Severity,
    )
    from mutrec.units import Converter, convert, parse_unit

# Where each lazily loaded public name lives; the module is imported on first access.
_LAZY: Final[dict[str, str]] = {
    "Batch": "mutrec.policy",
    "CareSetting": "mutrec.model",
    "ClinicalContext": "mutrec.policy",
    "Converter": "mutrec.units",
    "Decision": "mutrec.policy",
    "DeviceCapability": "mutrec.model",
    "Finding": "mutrec.policy",
    "Ground": "mutrec.policy",
    "ImagingResult": "mutrec.model",
    "LabResult": "mutrec.model",
    "Modality": "mutrec.model",
    "OrderCheck": "mutrec.policy",
    "Outcome": "mutrec.policy",
    "Override": "mutrec.policy",
    "Policy": "mutrec.policy",
    "Purpose": "mutrec.policy",
    "Region": "mutrec.files",
    "Report": "mutrec.model",
    "Request": "mutrec.policy",
    "Severity": "mutrec.policy",
    "convert": "mutrec.units",
    "load_example_region": "mutrec.files",
    "load_region": "mutrec.files",
    "parse_unit": "mutrec.units",
    "parse_value": "mutrec.model",
}

# The subpackages, reachable as attributes of ``mutrec`` without importing them first.
_SUBPACKAGES: Final = frozenset({"errors", "files", "interop", "model", "policy", "stats", "units"})

# Names that left the top level (deprecated; removed in the next release), each with its home.
_MOVED: Final[dict[str, str]] = {
    "Action": "mutrec.policy",
    "Age": "mutrec.model",
    "AgeUnit": "mutrec.model",
    "Analyte": "mutrec.units",
    "Anchor": "mutrec.model",
    "Anchored": "mutrec.model",
    "Catalogue": "mutrec.model",
    "CatalogueDiff": "mutrec.model",
    "CatalogueRule": "mutrec.policy",
    "Category": "mutrec.model",
    "Censored": "mutrec.model",
    "Counting": "mutrec.model",
    "Crosswalk": "mutrec.model",
    "Decisions": "mutrec.stats",
    "DeviceRequirement": "mutrec.model",
    "ExpiringRule": "mutrec.policy",
    "Fee": "mutrec.model",
    "FeeBucket": "mutrec.model",
    "FeeSchedule": "mutrec.model",
    "Grade": "mutrec.model",
    "GroundsRule": "mutrec.policy",
    "Group": "mutrec.stats",
    "GroupKey": "mutrec.stats",
    "ImagingRule": "mutrec.policy",
    "Institution": "mutrec.model",
    "InstitutionType": "mutrec.model",
    "Interpretation": "mutrec.model",
    "Item": "mutrec.model",
    "ItemChange": "mutrec.model",
    "ItemKind": "mutrec.model",
    "Level": "mutrec.model",
    "LocalGround": "mutrec.policy",
    "MarkLine": "mutrec.policy",
    "Measured": "mutrec.model",
    "Membership": "mutrec.model",
    "MembershipRule": "mutrec.policy",
    "MissingDependencyError": "mutrec.errors",
    "OrderLine": "mutrec.policy",
    "Partition": "mutrec.model",
    "PartitionedRange": "mutrec.model",
    "PatientContext": "mutrec.model",
    "PatientRule": "mutrec.policy",
    "Polarity": "mutrec.model",
    "Problem": "mutrec.errors",
    "Program": "mutrec.model",
    "ProgramSettings": "mutrec.policy",
    "ProgramView": "mutrec.policy",
    "Qualitative": "mutrec.model",
    "QualityBook": "mutrec.model",
    "QualityRecord": "mutrec.model",
    "QualityRule": "mutrec.policy",
    "Rate": "mutrec.stats",
    "Reason": "mutrec.policy",
    "ReasonCount": "mutrec.stats",
    "Reasons": "mutrec.policy",
    "ReferenceRange": "mutrec.model",
    "Result": "mutrec.model",
    "RowError": "mutrec.policy",
    "Rule": "mutrec.policy",
    "Savings": "mutrec.stats",
    "Scheme": "mutrec.model",
    "ScopeRule": "mutrec.policy",
    "Sex": "mutrec.model",
    "Span": "mutrec.model",
    "Subject": "mutrec.policy",
    "Summary": "mutrec.stats",
    "Unit": "mutrec.units",
    "Value": "mutrec.model",
    "ValueConverter": "mutrec.policy",
    "ValueRule": "mutrec.policy",
    "Window": "mutrec.model",
    "WindowRule": "mutrec.policy",
    "analyte": "mutrec.units",
    "analytes": "mutrec.units",
    "check_order": "mutrec.policy",
    "combine": "mutrec.policy",
    "default_reasons": "mutrec.policy",
    "default_rules": "mutrec.policy",
    "diff": "mutrec.model",
    "evaluate_many": "mutrec.policy",
    "fold": "mutrec.model",
    "identity_converter": "mutrec.policy",
    "is_aware": "mutrec.model",
    "load_catalogue": "mutrec.files",
    "load_crosswalk": "mutrec.files",
    "load_fees": "mutrec.files",
    "load_institutions": "mutrec.files",
    "load_program": "mutrec.files",
    "load_quality": "mutrec.files",
    "local_date": "mutrec.model",
    "rate": "mutrec.stats",
    "rates_by": "mutrec.stats",
    "reason_counts": "mutrec.stats",
    "report_rate": "mutrec.stats",
    "require_aware": "mutrec.model",
    "savings": "mutrec.stats",
    "summarise": "mutrec.stats",
    "to_dataframe": "mutrec.stats",
    "units_converter": "mutrec.policy",
}

__all__ = [
    "ArgumentError",
    "Batch",
    "CareSetting",
    "CatalogueError",
    "ClinicalContext",
    "Converter",
    "Decision",
    "DeviceCapability",
    "Finding",
    "Ground",
    "ImagingResult",
    "LabResult",
    "Modality",
    "MutrecError",
    "OrderCheck",
    "Outcome",
    "Override",
    "Policy",
    "Purpose",
    "RecordError",
    "Region",
    "Report",
    "Request",
    "ResultError",
    "Severity",
    "TimeZoneError",
    "UnitError",
    "convert",
    "load_example_region",
    "load_region",
    "parse_unit",
    "parse_value",
]


def __getattr__(name: str) -> object:
    """Load a public name or subpackage on first access; warn for a name that moved."""
    if name in _SUBPACKAGES:
        return importlib.import_module(f"mutrec.{name}")
    module = _LAZY.get(name)
    if module is not None:
        value = getattr(importlib.import_module(module), name)
        globals()[name] = value  # later accesses skip __getattr__
        return value
    home = _MOVED.get(name)
    if home is not None:
        # Not cached: every access warns, until the name is removed in the next release.
        warnings.warn(
            f"mutrec.{name} moved: use {home}.{name} (the top-level name will be removed "
            "in the next release)",
            DeprecationWarning,
            stacklevel=2,
        )
        return getattr(importlib.import_module(home), name)
    msg = f"module 'mutrec' has no attribute {name!r}"
    raise AttributeError(msg)


def __dir__() -> list[str]:
    """List the public names and the subpackages (not the deprecated names)."""
    dunders = {n for n in globals() if n.startswith("__") and n.endswith("__")}
    return sorted({*__all__, *_SUBPACKAGES, *dunders})
