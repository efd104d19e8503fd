"""Package attributes imported on first use (PEP 562), for the packages that defer imports.

A package lists where each public name lives; reading the name imports that module once and
keeps the value in the package's namespace, so later reads skip the hook. Imports nothing of
mutrec (the base layer), so every layer may use it.

>>> import types
>>> package = types.ModuleType("demo")
>>> package.__all__ = ["dedent"]
>>> getter, lister = lazy_attributes(package.__dict__, {"dedent": "textwrap"})
>>> getter("dedent")("  x").strip(), "dedent" in package.__dict__, lister()[-1]
('x', True, 'dedent')
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Collection, Mapping
from typing import Any

__all__ = ["lazy_attributes"]


def lazy_attributes(
    namespace: dict[str, Any], names: Mapping[str, str], submodules: Collection[str] = ()
) -> tuple[Callable[[str], object], Callable[[], list[str]]]:
    """A package's ``__getattr__`` and ``__dir__`` for *names* (name → module defining it).

    *namespace* is the package's ``globals()``; *submodules* are the package's modules that
    may be reached as attributes (``mutrec.model.results``) without being imported first.
    """
    package = namespace["__name__"]

    def __getattr__(name: str) -> object:  # noqa: N807 (the module hook's own name)
        module = names.get(name)
        if module is None:
            if name in submodules:
                return importlib.import_module(f"{package}.{name}")
            msg = f"module {package!r} has no attribute {name!r}"
            raise AttributeError(msg)
        value = getattr(importlib.import_module(module), name)
        namespace[name] = value  # later reads skip the hook
        return value

    def __dir__() -> list[str]:  # noqa: N807
        return sorted({*namespace, *namespace["__all__"]})

    return __getattr__, __dir__
