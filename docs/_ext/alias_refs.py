"""Document mutrec's re-exported constants and type aliases, and link references to them.

A package that re-exports names from private modules (``mutrec.policy``) is documented with
``:imported-members:``, which skips data: a constant or type alias is named explicitly with
``autodata`` instead, and its docstring (the string under its assignment) lives in the private
module that defines it. :func:`_fill` finds that module and takes the docstring from there, so
the page never copies text that could drift.

A reference through a package that re-exports a name (``mutrec.model.FeeBucket``) resolves to
where the name is documented (``mutrec.model.programs.FeeBucket``) when both are the same object.

A public type alias (``Lang = Literal["zh", "en"]``) is documented by autodoc as data, but a
signature that uses it refers to it as a *class* (``py:class`` ``Lang``), which the Python domain
does not match against data, so ``-n`` reports it as missing. This handler resolves such a
reference when exactly one documented ``mutrec`` data object has that name (or that dotted
name); anything else stays unresolved and still fails the build.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any

from sphinx.pycode import ModuleAnalyzer
from sphinx.util.nodes import make_refnode

if TYPE_CHECKING:
    from docutils import nodes
    from sphinx.addnodes import pending_xref
    from sphinx.application import Sphinx
    from sphinx.environment import BuildEnvironment


def _resolve(
    app: Sphinx, env: BuildEnvironment, node: pending_xref, contnode: nodes.TextElement
) -> nodes.reference | None:
    if node.get("refdomain") != "py":
        return None
    target = node["reftarget"]
    domain: Any = env.get_domain("py")
    reexport = _reexported(target, domain)
    if reexport is not None:
        name, entry = reexport
        return make_refnode(
            app.builder, node["refdoc"], entry.docname, entry.node_id, contnode, name
        )
    if node.get("reftype") != "class":
        return None
    matches = [
        (name, entry)
        for name, entry in domain.objects.items()
        if entry.objtype in {"data", "type"}
        and name.startswith("mutrec.")
        and (name == target or name.endswith("." + target))
    ]
    if len(matches) != 1:
        return None
    name, entry = matches[0]
    return make_refnode(app.builder, node["refdoc"], entry.docname, entry.node_id, contnode, name)


def _lookup(dotted: str) -> object:
    """Import the object at *dotted* (``package.module.Name``), or return a sentinel."""
    module_name, _, attribute = dotted.rpartition(".")
    module = sys.modules.get(module_name)
    return getattr(module, attribute, _MISSING) if module is not None else _MISSING


_MISSING = object()


def _reexported(target: str, domain: Any) -> tuple[str, Any] | None:
    """Resolve ``mutrec.model.FeeBucket`` to where it is documented, ``mutrec.model.programs``.

    A package re-exports names documented in the module that defines them; a reference through
    the package names the same object. Resolve it only when exactly one documented object of
    that name *is* that object, so a wrong name still fails the build.
    """
    if not target.startswith("mutrec.") or target in domain.objects:
        return None
    wanted = _lookup(target)
    if wanted is _MISSING:
        return None
    last = target.rpartition(".")[2]
    matches = [
        (name, entry)
        for name, entry in domain.objects.items()
        if name.startswith("mutrec.") and name.endswith("." + last) and _lookup(name) is wanted
    ]
    return matches[0] if len(matches) == 1 else None


def _fill(_app: Sphinx, what: str, name: str, obj: object, _options: Any, lines: list[str]) -> None:
    if what != "data" or any(line.strip() for line in lines) or not name.startswith("mutrec."):
        return
    package, _, attribute = name.rpartition(".")
    for module_name, module in list(sys.modules.items()):
        if not module_name.startswith(package + ".") or getattr(module, attribute, None) is not obj:
            continue
        docs = ModuleAnalyzer.for_module(module_name).find_attr_docs().get(("", attribute))
        if docs:
            lines[:] = list(docs)
            return


def _is_expression(text: str) -> bool:
    try:
        compile(text, "<type>", "eval")
    except SyntaxError:
        return False
    return True


def _restore_summary(
    _app: Sphinx, what: str, _name: str, _obj: object, _options: Any, lines: list[str]
) -> None:
    """Undo napoleon's reading of ``Summary: more`` as ``type: description``.

    For attributes, data and properties, napoleon takes a first line ``X: rest`` to mean that the
    object's type is ``X``. mutrec's types come from annotations, and its one-line summaries often
    read "The reason registry: the default codes …"; when ``X`` is not even a Python expression,
    it was a summary, so put it back in front of the text instead of emitting a bogus type.
    """
    if what not in {"attribute", "data", "property"}:
        return
    for index, line in enumerate(lines):
        if line.startswith(":type: ") and not _is_expression(line.removeprefix(":type: ")):
            summary = line.removeprefix(":type: ")
            del lines[index]
            if index and not lines[index - 1].strip():
                del lines[index - 1]
            first = next((i for i, text in enumerate(lines) if text.strip()), None)
            if first is None:
                lines.insert(0, summary)
            else:
                lines[first] = f"{summary}: {lines[first]}"
            return


def setup(app: Sphinx) -> dict[str, Any]:
    """Register the docstring filler and the missing-reference handler."""
    # Before napoleon (priority 500) so the docstring found is formatted like any other.
    app.connect("autodoc-process-docstring", _fill, priority=400)
    # After napoleon (priority 500), to undo one of its readings.
    app.connect("autodoc-process-docstring", _restore_summary, priority=600)
    app.connect("missing-reference", _resolve)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
