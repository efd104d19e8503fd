"""Strict validation against the FHIR R4B models of ``fhir.resources`` (the ``fhir`` extra).

``fhir.resources`` (pydantic models of every resource) checks cardinalities, types and the
primitive types' regular expressions, which mutrec's own reader does not: it reads only the
elements it needs. It is imported here, on first use, never by ``import mutrec``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from mutrec.errors import MissingDependencyError, Problem

__all__ = ["validate"]


def validate(resource: Mapping[str, Any], source: str, where: str) -> tuple[Problem, ...]:
    """The problems R4B's model of *resource*'s type finds in it (none: it is valid R4B).

    Raises:
        mutrec.errors.MissingDependencyError: ``fhir.resources`` is not installed
            (``pip install mutrec[fhir]``).
    """
    try:
        import pydantic
        from fhir.resources.R4B import get_fhir_model_class
    except ImportError:
        package = "fhir.resources"
        raise MissingDependencyError(package, "fhir", feature="validate_r4b") from None
    kind = resource.get("resourceType")
    base = where or "$"
    if not isinstance(kind, str):
        return (Problem(source, base, "has no resourceType: not a FHIR resource"),)
    try:
        model = get_fhir_model_class(kind)
    except ValueError:
        return (Problem(source, base, f"{kind[:40]!r} is not a FHIR R4B resource type"),)
    try:
        model.model_validate(dict(resource))
    except pydantic.ValidationError as error:
        return tuple(
            Problem(
                source,
                ".".join([where, *map(str, detail["loc"])] if where else map(str, detail["loc"]))
                or base,
                f"R4B: {detail['msg'][:200]}",
            )
            for detail in error.errors()[:20]
        )
    except (RecursionError, ValueError, TypeError) as error:
        return (Problem(source, base, f"R4B: {str(error)[:200]}"),)
    return ()
