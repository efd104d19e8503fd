"""Run each docstring's ``>>>`` examples in its own module's namespace, as pytest does.

pytest's ``--doctest-modules`` runs a docstring's examples with the globals of the module that
defines it, so an example may use any name that module imports. Sphinx's doctest builder
instead runs every example of a page in one namespace, shared by the whole page, holding none
of those names. This extension closes the gap: each doctest block of a docstring that autodoc
pulls in becomes a ``doctest`` directive in a group named after the defining module, and that
group's ``testsetup`` copies the module's globals in. HTML output is unchanged.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sphinx.application import Sphinx

_SETUP = (
    "import importlib as _importlib",
    (
        "globals().update({{_k: _v for _k, _v in vars(_importlib.import_module({module!r}))"
        ".items() if not _k.startswith('__')}})"
    ),
)


def _module_of(what: str, name: str, obj: object) -> str | None:
    if what == "module":
        return name
    target = getattr(obj, "fget", obj)  # a property's code lives in its getter
    module = getattr(target, "__module__", None)
    if isinstance(module, str) and module in sys.modules:
        return module
    # Data and attributes: the module that defines the class (or module) holding them.
    parts = name.split(".")
    for end in range(len(parts) - 1, 0, -1):
        holder: object = sys.modules.get(".".join(parts[:end]))
        if holder is None:
            continue
        for part in parts[end:-1]:
            holder = getattr(holder, part, None)
        defining = getattr(holder, "__module__", None) if isinstance(holder, type) else None
        if isinstance(defining, str) and defining in sys.modules:
            return defining
        return ".".join(parts[:end])
    return None


def _wrap(lines: list[str], group: str) -> list[str]:
    out: list[str] = []
    index = 0
    found = False
    while index < len(lines):
        line = lines[index]
        after_blank = index == 0 or not lines[index - 1].strip()
        starts_block = after_blank and line.lstrip().startswith(">>>")
        if not starts_block:
            out.append(line)
            index += 1
            continue
        found = True
        indent = line[: len(line) - len(line.lstrip())]
        out += [f"{indent}.. doctest:: {group}", ""]
        while index < len(lines) and lines[index].strip():
            out.append("   " + lines[index])
            index += 1
        out.append("")
    if found:
        setup = [f"   {code.format(module=group)}" for code in _SETUP]
        out += ["", f".. testsetup:: {group}", "", *setup, ""]
    return out


def _process(
    _app: Sphinx, what: str, name: str, obj: object, _options: Any, lines: list[str]
) -> None:
    group = _module_of(what, name, obj)
    if group is None or not any(">>>" in line for line in lines):
        return
    lines[:] = _wrap(lines, group)


def setup(app: Sphinx) -> dict[str, Any]:
    """Register the docstring hook (after napoleon's, which is connected first)."""
    app.setup_extension("sphinx.ext.doctest")
    app.connect("autodoc-process-docstring", _process)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
