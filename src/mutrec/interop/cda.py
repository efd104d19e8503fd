"""WS/T 500—2016 CDA documents: lab reports (C0007) and exam reports (C0006).

:func:`read_cda` parses with the standard library's expat, refusing any DTD or entity and
bounding size and depth (see :mod:`mutrec.interop._cda_xml`), and walks the body by
data-element code, never by position: ``DE04.30.019.00`` is an item (its ``effectiveTime``
the test or exam date), the nested ``DE04.50.134.00`` its specimen (low/high: collection and
receipt), ``DE04.30.015.00`` the value (PQ, or REAL with a nested ``DE04.30.016.00`` unit),
``DE04.30.017.00`` the result code (1 normal, 2 abnormal, 3 uncertain: evidence only). Items
grouped in a ``CLUSTER`` organizer are paired with their group; flat siblings only when one
item is there. The IHE XD-LAB form (a ``BATTERY`` organizer of observations with PQ or ST
values and a reference range) is read too. OID roots are configurable (:class:`CdaRoots`)
for vendors' own.

What the standard lacks is not guessed: a lab item has no reference range and no name, an exam
no modality code, body part, study UID or device; each result's :class:`Evidence` lists them
as ``unknown`` and the rules decide without them. An offset other than +08:00 and a report
date without a time are flags (the time is read as written, the date not at all).

>>> doc = '''<ClinicalDocument xmlns="urn:hl7-org:v3"
...   xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><code code="C0007"/>
...  <recordTarget><patientRole><patient><id root="2.16.156.10011.1.3" extension="p-1"/>
...  </patient></patientRole></recordTarget><author><time value="20240301"/></author>
...  <custodian><assignedCustodian><representedCustodianOrganization>
...  <id root="2.16.156.10011.1.5" extension="BJ001"/></representedCustodianOrganization>
...  </assignedCustodian></custodian><component><structuredBody><component><section>
...  <entry><organizer classCode="CLUSTER">
...   <component><observation><code code="DE04.30.019.00"/><value xsi:type="ST">K</value>
...    <entryRelationship><observation><code code="DE04.50.134.00"/>
...     <effectiveTime><low value="20240301080000+0800"/></effectiveTime>
...     <value xsi:type="ST">血清</value></observation></entryRelationship></observation>
...   </component>
...   <component><observation><code code="DE04.30.015.00"/>
...    <value xsi:type="PQ" value="4.1" unit="mmol/L"/></observation></component>
...  </organizer></entry></section></component></structuredBody></component>
... </ClinicalDocument>'''
>>> reading = read_cda(doc)
>>> r = reading.results[0]
>>> r.item, r.value.value, r.specimen, r.patient, r.reported
('K', 4.1, '血清', '2.16.156.10011.1.3|p-1', None)
>>> reading.evidence[0].unknown, reading.flags[0].message
(('reference_range', 'item_name'), "'20240301' is a date without a time: not read as an instant")
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import tzinfo

from mutrec._checks import require
from mutrec.errors import ArgumentError
from mutrec.interop._args import check_issuer, check_zone, id_resolver
from mutrec.interop._cda_doc import CdaRoots
from mutrec.interop._cda_read import read_document
from mutrec.interop._platform_reading import PlatformReading

__all__ = ["CdaRoots", "read_cda"]


def read_cda(
    data: str | bytes,
    *,
    roots: CdaRoots | None = None,
    default_zone: tzinfo | None = None,
    issuer: Callable[[str], str | None] | Mapping[str, str] | None = None,
    source: str = "CDA",
) -> PlatformReading:
    """Read the results of a WS/T 500 lab (C0007) or exam (C0006) document.

    Args:
        data: The document's XML text or bytes.
        roots: The OIDs to read it by (:class:`CdaRoots`; default: the national ones).
        default_zone: The zone of times written without an offset; ``None`` refuses them.
        issuer: Maps the custodian organisation's id to the region's institution id: a
            mapping, or a function returning the id or ``None``; an id it does not map is a
            problem. Without it the id is the issuer as sent.
        source: How problems name the document.

    Returns:
        The results, each with its :class:`~mutrec.interop.Evidence` (what is unknown, the
        result code), one problem per item not read, and flags.

    Raises:
        ResultError: The document cannot be read at all: not XML, a DTD or an entity, too
            large or too deep, not a ClinicalDocument.
        ArgumentError: An argument is of the wrong type.

    >>> read_cda('<!DOCTYPE x [<!ENTITY a "b">]><x/>')
    Traceback (most recent call last):
    ...
    mutrec.errors.ResultError: result field 'CDA' = ...: declares a document type (DTD): ...
    """
    if not isinstance(data, (str, bytes)):
        msg = "data"
        raise ArgumentError(msg, data, "the document's XML text or bytes")
    if roots is not None:
        require("roots", roots, CdaRoots)
    check_zone(default_zone)
    check_issuer(issuer, "custodian organisation id")
    require("source", source, str)
    return read_document(data, roots or CdaRoots(), default_zone, id_resolver(issuer), source)
