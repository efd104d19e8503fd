"""A first region load imports only what it needs (see ``benchmarks/loading.py``).

The results, values and reference ranges, the analyte table and the converter, and the standard
library modules below load on first use; the lazily loaded packages still show every name.
"""

from __future__ import annotations

import subprocess
import sys

import pytest

import mutrec.model
import mutrec.units

NOT_FOR_A_LOAD = (
    "mutrec.model.results",
    "mutrec.model.values",
    "mutrec.model.reference",
    "mutrec.model.ranges",
    "mutrec.model.specimens",
    "mutrec.units._analytes",
    "mutrec.units._convert",
    "mutrec.policy",
    "pint",
    "calendar",
    "dateutil",
    "difflib",
    "importlib.resources",
)


def test_a_first_region_load_imports_only_what_it_needs() -> None:
    code = (
        "import sys, mutrec\nmutrec.load_example_region()\n"
        f"print(','.join(m for m in {NOT_FOR_A_LOAD!r} if m in sys.modules))"
    )
    result = subprocess.run(  # noqa: S603 - fixed argv
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == ""


@pytest.mark.parametrize("package", [mutrec.model, mutrec.units])
def test_every_public_name_of_a_lazy_package_resolves(package: object) -> None:
    names: list[str] = getattr(package, "__all__")  # noqa: B009 - typed by the annotation
    assert [name for name in names if not hasattr(package, name)] == []
    assert set(names) <= set(dir(package))


def test_model_submodules_stay_reachable_as_attributes() -> None:
    code = "import mutrec.model as m\nprint(m.results.LabResult.__name__, m.ranges.__name__)"
    result = subprocess.run(  # noqa: S603 - fixed argv
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.split() == ["LabResult", "mutrec.model.ranges"]


def test_an_unknown_name_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="no attribute 'nothing'"):
        _ = mutrec.model.nothing
    with pytest.raises(AttributeError, match="no attribute 'nothing'"):
        _ = mutrec.units.nothing
