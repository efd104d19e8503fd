"""Platform rows: report headers, result rows and exam rows as Chinese regional platforms take them.

Hospitals fill tables on a front-end machine or post JSON or XML to their regional platform:
one report header row, one row per result (or per examination), joined by report number, a
platform item code, and the issuer's own recognition flags (domain brief §14).
:func:`~mutrec.interop.read_platform` reads them with a
:class:`~mutrec.interop.PlatformProfile`: data (TOML,
``kind = "platform"``), not code, saying which field holds what. Two profiles ship:
``national-de`` (fields named by the national data-element codes ``DE…``, in JSON or in XML
whose element names are the codes) and ``guangxi`` (the Guangxi shared-data tables).

Nothing is guessed: a time is read in the profile's zone only; ``NA``, ``/``, empty and
all-zero ids are missing; ``小于0.1`` is ``<0.1``; ``阴性`` is qualitative; a range such as
``1-3`` given as a value stays text (the policy refuses it for a numeric item); a platform
item code becomes a catalogue item only through the profile's code list or the region's
crosswalk. Every row is a result or a problem. The issuer's abnormal and mark flags are kept
as :class:`~mutrec.interop.Evidence`; :func:`~mutrec.interop.mark_disagreements` reports
where the mark and mutrec's own decision disagree.

>>> rows = [{"testReportNo": "R1", "orgCode": "BJ001", "dataCode": "002501010040000",
...          "testIndexResult": "74.1", "testIndexUint": "fL", "normalRefLimit": "82-100",
...          "anomalyCode": "22", "mtuRecMark": "1", "mtuRecLimitMark": "广西"}]
>>> header = [{"TEST_REPORT_NO": "R1", "ID_TYPE": "01", "ID_NO": "p-1",
...            "SAMPLE_TIME": "2024-09-23 08:10:00", "TEST_REPORT_DATE": "2024-09-23 10:38:53",
...            "SPECIMEN_NAME": "全血"}]
>>> reading = read_platform(load_profile("guangxi"), header, rows)
>>> result, evidence = reading.results[0], reading.evidence[0]
>>> result.item, result.value.value, str(result.value.unit), result.collected.isoformat()
('002501010040000', 74.1, 'fL', '2024-09-23T08:10:00+08:00')
>>> evidence.abnormal, evidence.marked, evidence.mark_scope, reading.complete
('low', True, '广西', True)
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from mutrec._checks import require
from mutrec.errors import ArgumentError
from mutrec.files.region import Region
from mutrec.interop._args import check_issuer, id_resolver
from mutrec.interop._platform_profile import TARGETS, PlatformProfile, Table, load_profile
from mutrec.interop._platform_read import read_rows, value_from_text
from mutrec.interop._platform_reading import (
    Disagreement,
    Evidence,
    PlatformReading,
    mark_disagreements,
)

__all__ = [
    "TARGETS",
    "Disagreement",
    "Evidence",
    "PlatformProfile",
    "PlatformReading",
    "Table",
    "load_profile",
    "mark_disagreements",
    "read_platform",
    "value_from_text",
]

_FORMS = ("csv", "json", "xml")


def read_platform(
    profile: PlatformProfile,
    *payloads: object,
    region: Region | None = None,
    issuer: Callable[[str], str | None] | Mapping[str, str] | None = None,
    source: str = "platform",
    form: str | None = None,
) -> PlatformReading:
    """Read a platform upload: header, result and exam rows joined by report number.

    Args:
        profile: The platform's profile (:func:`~mutrec.interop.load_profile`).
        payloads: The rows, in any number of payloads (a header table and a result table,
            or one nested document): CSV, JSON or XML text or bytes (UTF-8), or parsed
            rows (a list of mappings, or one mapping with nested rows). Rows nested in a
            report inherit its fields.
        region: Maps item codes to the region's items through the profile's ``[codes]``
            (a code list or the region's crosswalk); without it the item is the code as sent.
        issuer: Maps a platform organisation code to the region's institution id: a
            mapping, or a function returning the id or ``None``; a code it does not map is a
            row problem. Without it the code is the issuer as sent.
        source: How problems name the upload.
        form: ``csv``, ``json`` or ``xml``; by default text starting with ``<`` is XML,
            with ``[`` or ``{`` JSON, anything else CSV.

    Returns:
        The results in input order, the issuer's evidence for each, one problem per row not
        read (and per field the profile does not map), and flags for what was read but is
        doubtful.

    Raises:
        ResultError: A payload cannot be read at all (not CSV, JSON or XML; a DTD or entity
            in XML; too large or deep).
        ArgumentError: An argument is of the wrong type.

    >>> print(read_platform(load_profile("guangxi"), [{"x": "1"}]).problems[0])
    platform: rows[0]: neither a report, a result nor an exam row of this profile (check ...)
    """
    require("profile", profile, PlatformProfile, "a PlatformProfile (load_profile)")
    if region is not None:
        require("region", region, Region)
    check_issuer(issuer, "platform organisation code")
    require("source", source, str)
    if form is not None and form not in _FORMS:
        msg = "form"
        raise ArgumentError(msg, form, f"one of {', '.join(_FORMS)} or None")
    return read_rows(
        profile, payloads, region=region, resolve=id_resolver(issuer), source=source, form=form
    )
