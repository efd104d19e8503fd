"""XML read with the standard library's expat, hardened by hand: no DTD, no entity, bounded.

Both the CDA reader and the platform reader's XML rows come through :func:`parse_xml`. expat
is driven directly (not through ``xml.etree``'s parser, whose C form hides the expat object)
so that a document type declaration, an entity declaration or an external reference stops the
parse at once: a billion-laughs bomb or an ``<!ENTITY x SYSTEM "file:///etc/passwd">`` is
refused before anything is expanded or fetched. Input is bounded (bytes, depth, elements)
before and during the parse, so a 100 MB text is refused without being read into a tree.

``defusedxml`` is not used: for this parser it would set the same expat handlers, and
mutrec's core dependencies are fixed (attrs, pint, python-dateutil).

Names are kept without their namespace (CDA documents use one, ``urn:hl7-org:v3``), except
attributes of the XML Schema instance namespace, kept as ``xsi:type``.
"""

from __future__ import annotations

from typing import Final, NoReturn
from xml.etree.ElementTree import Element, TreeBuilder
from xml.parsers import expat

from mutrec.errors import ResultError

__all__ = ["MAX_XML_BYTES", "local_children", "parse_xml"]

# A lab or exam report is tens of kilobytes; a platform upload of rows a few megabytes.
MAX_XML_BYTES: Final = 32 * 1024 * 1024
_MAX_DEPTH: Final = 64
_MAX_ELEMENTS: Final = 1_000_000
_XSI: Final = "http://www.w3.org/2001/XMLSchema-instance"


class _Refused(Exception):  # noqa: N818 - an internal signal, turned into a ResultError
    pass


def _refuse(why: str) -> NoReturn:
    raise _Refused(why)


def _local(name: str) -> str:
    uri, sep, local = name.rpartition("}")
    if not sep:
        return name
    return f"xsi:{local}" if uri == _XSI else local


def parse_xml(data: str | bytes, source: str) -> Element:  # noqa: C901 - expat's handlers
    """The root element of *data*, names without namespaces; a refusal for anything hostile.

    Raises:
        ResultError: (field *source*) The text is too large, not well-formed XML, declares a
            DTD or an entity, references an external entity, or is nested too deeply.

    >>> parse_xml("<a><b x='1'>t</b></a>", "doc")[0].attrib
    {'x': '1'}
    >>> parse_xml('<!DOCTYPE a [<!ENTITY e "x">]><a>&e;</a>', "doc")
    Traceback (most recent call last):
    ...
    mutrec.errors.ResultError: result field 'doc' = '<!DOCTYPE a [<!ENTITY e "x">]><a>&e;</a>': ...
    """
    shown = data[:40] if isinstance(data, str) else data[:40].decode("utf-8", "replace")
    size = len(data) if isinstance(data, bytes) else len(data) * 1  # characters: a lower bound
    if size > MAX_XML_BYTES:
        reason = f"larger than {MAX_XML_BYTES} bytes: not a report mutrec reads (split it)"
        raise ResultError(source, shown, reason)
    builder = TreeBuilder()
    parser = expat.ParserCreate(namespace_separator="}")
    depth = [0, 0]  # current depth, elements seen

    def start(name: str, attrs: dict[str, str]) -> None:
        depth[0] += 1
        depth[1] += 1
        if depth[0] > _MAX_DEPTH:
            _refuse(f"nested deeper than {_MAX_DEPTH} elements")
        if depth[1] > _MAX_ELEMENTS:
            _refuse(f"more than {_MAX_ELEMENTS} elements")
        builder.start(_local(name), {_local(k): v for k, v in attrs.items()})

    def end(name: str) -> None:
        depth[0] -= 1
        builder.end(_local(name))

    def doctype(*_args: object) -> None:
        _refuse("declares a document type (DTD): refused, it could define entities")

    def entity(*_args: object) -> None:
        _refuse("declares or references an entity: refused (entity expansion, external files)")

    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = builder.data
    parser.StartDoctypeDeclHandler = doctype
    parser.EntityDeclHandler = entity
    parser.UnparsedEntityDeclHandler = entity
    parser.ExternalEntityRefHandler = entity  # type: ignore[assignment]
    parser.SkippedEntityHandler = entity
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    try:
        parser.Parse(data, True)  # noqa: FBT003 - expat's signature
        root = builder.close()
    except _Refused as refusal:
        raise ResultError(source, shown, str(refusal)) from None
    except expat.ExpatError as error:
        reason = f"not well-formed XML: {expat.ErrorString(error.code)} at line {error.lineno}"
        raise ResultError(source, shown, reason) from None
    except (AssertionError, RecursionError, ValueError):  # TreeBuilder on an unclosed document
        raise ResultError(source, shown, "not well-formed XML") from None
    return root


def local_children(element: Element, name: str) -> list[Element]:
    """The children of *element* named *name*.

    >>> len(local_children(parse_xml("<a><b/><c/><b/></a>", "x"), "b"))
    2
    """
    return [child for child in element if child.tag == name]
