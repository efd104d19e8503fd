"""The layers of CONTRIBUTING.md: no module imports a higher layer, even lazily.

Every import statement of every module under ``src/mutrec`` counts: at module level, inside a
function (a lazy import is still a dependency) and under ``if TYPE_CHECKING:``. Each module is
given its layer by its path; a module the table does not place fails the test, so a new
top-level helper has to say where it sits.
"""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Final

import pytest

SRC: Final = Path(__file__).resolve().parents[1] / "src"
PACKAGE: Final = SRC / "mutrec"

# Lowest first: each layer may import itself and the ones before it.
LAYERS: Final = ("base", "units", "model", "files", "policy", "uses", "face")
# Module (dotted) or package (ending in ".") to layer; the longest match wins.
PLACES: Final = {
    "mutrec": "face",  # mutrec/__init__.py: the public names
    "mutrec.__main__": "face",
    "mutrec.cli.": "face",
    "mutrec._checkio": "face",  # reading rows for `mutrec check`
    "mutrec._demo": "face",  # the demo command and the docs' examples
    "mutrec.service.": "face",  # `mutrec serve`: CDS Hooks and REST over HTTP, the audit store
    "mutrec.stats.": "uses",
    "mutrec.columnar.": "uses",  # tables decided on Arrow columns (pyarrow, the arrow extra)
    "mutrec.interop.": "uses",  # readers of FHIR, HL7 v2, DICOM, platform rows; FHIR out
    "mutrec.synth.": "uses",  # the synthetic province generator (mutrec synth)
    "mutrec._stats_html": "uses",  # the statistics' _repr_html_
    "mutrec.policy.": "policy",
    "mutrec.files.": "files",
    "mutrec.examples.": "files",
    "mutrec.model.": "model",
    "mutrec.units.": "units",
    "mutrec.errors": "base",
    "mutrec._checks": "base",  # argument checks: imports only mutrec.errors
    "mutrec._lazy": "base",  # the packages' PEP 562 hooks: imports nothing of mutrec
    "mutrec._html": "base",  # HTML escaping and tables: imports nothing of mutrec
}
# An upward import that is genuinely needed, each with a comment saying why: ideally none.
ALLOWED: Final[frozenset[tuple[str, str]]] = frozenset()  # (importer, imported)


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(SRC).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


MODULES: Final = {
    _module_name(path): path for path in sorted(PACKAGE.rglob("*.py")) if "data" not in path.parts
}


def layer_of(module: str) -> str | None:
    """The layer a module sits in, by the longest entry of PLACES that names it."""
    best: tuple[int, str] | None = None
    for place, layer in PLACES.items():
        if place.endswith("."):
            matches = module == place[:-1] or module.startswith(place)
        else:
            matches = module == place
        if matches and (best is None or len(place) > best[0]):
            best = (len(place), layer)
    return None if best is None else best[1]


def _resolve(importer: str, node: ast.ImportFrom) -> str:
    """The absolute module an ``ImportFrom`` reads from (relative imports included)."""
    if not node.level:
        return node.module or ""
    is_package = MODULES[importer].name == "__init__.py"
    base = importer.split(".")
    base = base if is_package else base[:-1]
    if node.level > 1:
        base = base[: -(node.level - 1)]
    return ".".join([*base, node.module] if node.module else base)


def imports_of(module: str, source: str | None = None) -> list[tuple[int, str]]:
    """Every mutrec module *module* imports (anywhere in it), with the line.

    ``from p import m`` names ``p.m`` when ``m`` is a submodule, else ``p``. *source* stands
    in for the module's text.
    """
    text = MODULES[module].read_text(encoding="utf-8") if source is None else source
    found: list[tuple[int, str]] = []
    for node in ast.walk(ast.parse(text)):
        if isinstance(node, ast.Import):
            found.extend((node.lineno, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            origin = _resolve(module, node)
            for alias in node.names:
                sub = f"{origin}.{alias.name}"
                found.append((node.lineno, sub if sub in MODULES else origin))
    return sorted({(line, name) for line, name in found if name.split(".")[0] == "mutrec"})


def test_every_module_has_a_layer() -> None:
    unplaced = sorted(name for name in MODULES if layer_of(name) is None)
    assert not unplaced, "modules in no layer (add them to PLACES): " + ", ".join(unplaced)


def _may_import(layer: str) -> str:
    below = LAYERS[: LAYERS.index(layer)]
    return ", ".join(reversed(below)) if below else "only base"


def violations(module: str, imports: list[tuple[int, str]]) -> list[str]:
    """A readable line for each import of *module* from a higher (or no) layer."""
    layer = layer_of(module)
    assert layer is not None, module
    where = MODULES[module].relative_to(SRC).as_posix()
    found = []
    for line, imported in imports:
        target = layer_of(imported)
        if target is None:
            found.append(f"{where}:{line} imports {imported}, which is in no layer")
        elif LAYERS.index(target) > LAYERS.index(layer) and (module, imported) not in ALLOWED:
            found.append(
                f"{where}:{line} imports {imported} ({layer} may import {_may_import(layer)})"
            )
    return found


def test_no_module_imports_a_higher_layer() -> None:
    found = [line for module in MODULES for line in violations(module, imports_of(module))]
    assert not found, "imports of a higher layer:\n" + "\n".join(found)


def test_a_violation_reads_well() -> None:
    upward = imports_of("mutrec.model.results", "\n\ndef f():\n    import mutrec.policy._rule")
    assert violations("mutrec.model.results", upward) == [
        "mutrec/model/results.py:4 imports mutrec.policy._rule (model may import units, base)"
    ]


def test_html_helpers_import_nothing_of_mutrec() -> None:
    # The types' own _repr_html_ use them: importing anything back would make a cycle.
    assert imports_of("mutrec._html") == []


@pytest.mark.parametrize(
    ("module", "layer"),
    [
        ("mutrec.model.results", "model"),
        ("mutrec.policy", "policy"),
        ("mutrec.cli._check", "face"),
        ("mutrec.errors", "base"),
        ("mutrec.examples", "files"),
    ],
)
def test_layer_of(module: str, layer: str) -> None:
    assert layer_of(module) == layer


def test_imports_of_sees_every_kind_of_import() -> None:
    source = """
import mutrec.units
from mutrec.errors import UnitError
from mutrec.units import _factors
from . import _ucum
from .._checks import require


def lazy():
    from mutrec.policy import Policy
"""
    assert imports_of("mutrec.units._convert", source) == [
        (2, "mutrec.units"),
        (3, "mutrec.errors"),
        (4, "mutrec.units._factors"),
        (5, "mutrec.units._ucum"),
        (6, "mutrec._checks"),
        (10, "mutrec.policy"),
    ]


def test_a_package_resolves_relative_imports_from_itself() -> None:
    assert imports_of("mutrec.units", "from ._unit import Unit") == [(1, "mutrec.units._unit")]
