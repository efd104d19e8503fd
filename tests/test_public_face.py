"""The top level is a face people can hold in their head: the everyday calls, nothing else.

``mutrec.__all__`` is the chosen list (sorted, no type aliases); each name loads lazily;
``import mutrec`` does not import pint; every name that left the top level still resolves, to
the same object, with a ``DeprecationWarning`` naming its new home; ``dir(mutrec)`` shows the
public names and the subpackages, never the deprecated names.
"""

from __future__ import annotations

import importlib
import inspect
import subprocess
import sys
from typing import Final

import pytest

import mutrec

# The everyday calls of a vendor (build a policy, describe a result, evaluate, explain, mark,
# check an order, override) and of an analyst (units; statistics are `mutrec.stats.*`).
TOP_LEVEL: Final = (
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
)

SUBPACKAGES: Final = ("errors", "files", "interop", "model", "policy", "stats", "units")

# Every name that was public at the top level before, and is not any more: where it lives now.
MOVED: Final = {
    "errors": ("MissingDependencyError", "Problem"),
    "files": (
        "load_catalogue",
        "load_crosswalk",
        "load_fees",
        "load_institutions",
        "load_program",
        "load_quality",
    ),
    "model": (
        "Age",
        "AgeUnit",
        "Anchor",
        "Anchored",
        "Catalogue",
        "CatalogueDiff",
        "Category",
        "Censored",
        "Counting",
        "Crosswalk",
        "DeviceRequirement",
        "Fee",
        "FeeBucket",
        "FeeSchedule",
        "Grade",
        "Institution",
        "InstitutionType",
        "Interpretation",
        "Item",
        "ItemChange",
        "ItemKind",
        "Level",
        "Measured",
        "Membership",
        "Partition",
        "PartitionedRange",
        "PatientContext",
        "Polarity",
        "Program",
        "Qualitative",
        "QualityBook",
        "QualityRecord",
        "ReferenceRange",
        "Result",
        "Scheme",
        "Sex",
        "Span",
        "Value",
        "Window",
        "diff",
        "fold",
        "is_aware",
        "local_date",
        "require_aware",
    ),
    "policy": (
        "Action",
        "CatalogueRule",
        "ExpiringRule",
        "GroundsRule",
        "ImagingRule",
        "LocalGround",
        "MarkLine",
        "MembershipRule",
        "OrderLine",
        "PatientRule",
        "ProgramSettings",
        "ProgramView",
        "QualityRule",
        "Reason",
        "Reasons",
        "RowError",
        "Rule",
        "ScopeRule",
        "Subject",
        "ValueConverter",
        "ValueRule",
        "WindowRule",
        "check_order",
        "combine",
        "default_reasons",
        "default_rules",
        "evaluate_many",
        "identity_converter",
        "units_converter",
    ),
    "stats": (
        "Decisions",
        "Group",
        "GroupKey",
        "Rate",
        "ReasonCount",
        "Savings",
        "Summary",
        "rate",
        "rates_by",
        "reason_counts",
        "report_rate",
        "savings",
        "summarise",
        "to_dataframe",
    ),
    "units": ("Analyte", "Unit", "analyte", "analytes"),
}
MOVED_NAMES: Final = [(home, name) for home, names in MOVED.items() for name in names]


def _run(code: str) -> str:
    result = subprocess.run(  # noqa: S603 - fixed argv
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    return result.stdout.strip()


def test_the_top_level_is_the_chosen_list_sorted() -> None:
    assert list(mutrec.__all__) == sorted(TOP_LEVEL)
    assert len(mutrec.__all__) <= 40


def test_the_top_level_has_no_type_aliases() -> None:
    # A name at the top level is a class or a function: something to call, catch or compare.
    for name in mutrec.__all__:
        obj = getattr(mutrec, name)
        assert inspect.isclass(obj) or inspect.isfunction(obj), name


def test_nothing_is_both_kept_and_moved() -> None:
    assert not set(mutrec.__all__) & {name for _, name in MOVED_NAMES}


def test_every_name_was_public_before() -> None:
    # The old face: the 129 names of the previous release (and ArgumentError and RecordError).
    assert len(MOVED_NAMES) + len(TOP_LEVEL) == 129 + 2


@pytest.mark.parametrize("name", TOP_LEVEL)
def test_each_top_level_name_loads_lazily_from_its_home(name: str) -> None:
    code = (
        "import sys, mutrec\n"
        f"before = {{m for m in sys.modules if m.startswith('mutrec.')}}\n"
        f"obj = mutrec.{name}\n"
        "print(sorted(before))\n"
        "print(obj.__module__.split('.')[1])"
    )
    before, module = _run(code).splitlines()
    assert before == "['mutrec.errors']"  # the errors only: they are what `except` needs
    assert module in SUBPACKAGES


@pytest.mark.parametrize("name", TOP_LEVEL)
def test_each_top_level_name_is_its_subpackages_own(name: str) -> None:
    obj = getattr(mutrec, name)
    homes = [
        p for p in SUBPACKAGES if obj is getattr(importlib.import_module(f"mutrec.{p}"), name, None)
    ]
    assert homes, name


def test_import_mutrec_does_not_import_pint() -> None:
    assert _run("import sys, mutrec; print('pint' in sys.modules)") == "False"


def test_the_subpackages_are_attributes_after_import_mutrec() -> None:
    code = "import mutrec; print(mutrec.stats.rate.__module__, mutrec.model.fold.__name__)"
    assert _run(code) == "mutrec.stats._compute fold"


@pytest.mark.parametrize(("home", "name"), MOVED_NAMES, ids=[n for _, n in MOVED_NAMES])
def test_a_moved_name_warns_with_its_new_home_and_still_resolves(home: str, name: str) -> None:
    new = getattr(importlib.import_module(f"mutrec.{home}"), name)
    expected = f"mutrec.{name} moved: use mutrec.{home}.{name}"
    with pytest.warns(DeprecationWarning, match=expected.replace(".", r"\.")) as caught:
        old = getattr(mutrec, name)
    assert old is new
    assert caught[0].filename == __file__  # the warning points at the caller's line
    assert name not in mutrec.__all__
    assert name not in dir(mutrec)


def test_a_moved_name_warns_every_time() -> None:
    for _ in range(2):
        with pytest.warns(DeprecationWarning, match="mutrec.model.fold"):
            _ = mutrec.fold


def test_from_mutrec_import_a_moved_name_warns() -> None:
    with pytest.warns(DeprecationWarning, match="use mutrec.stats.rate"):
        from mutrec import rate  # noqa: F401


def test_an_unknown_name_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="has no attribute 'nothing'"):
        _ = mutrec.nothing


def test_dir_is_the_public_names_and_the_subpackages() -> None:
    names = set(dir(mutrec))
    dunders = {n for n in names if n.startswith("__") and n.endswith("__")}
    assert names - dunders == {*mutrec.__all__, *SUBPACKAGES}


def test_star_import_gives_the_top_level_only() -> None:
    code = "from mutrec import *; print(sorted(n for n in dir() if not n.startswith('_')))"
    assert _run(code) == str(sorted(TOP_LEVEL))
