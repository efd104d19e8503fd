"""Read platform rows with a profile: classify, join by report number, build results."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Final

from mutrec.errors import MutrecError, Problem, ResultError
from mutrec.files._columns import ColumnMap, RowMapper, read_instant
from mutrec.files.region import Region
from mutrec.interop._platform_profile import PlatformProfile, Table
from mutrec.interop._platform_reading import Evidence, PlatformReading
from mutrec.interop._platform_rows import Row, rows_of
from mutrec.model.devices import DeviceCapability
from mutrec.model.reference import ReferenceRange
from mutrec.model.results import ImagingResult, LabResult
from mutrec.model.values import Value, parse_value

__all__ = ["read_rows", "value_from_text"]

_IDS: Final = frozenset({"patient", "issuer"})
_CACHE: Final = 10_000  # distinct times or ranges remembered in one reading


def value_from_text(text: str, unit: str | None, words: Mapping[str, str]) -> Value:
    """A printed value with its unit text, comparator words (``小于5``) read as ``<5``.

    Raises:
        ResultError: The value is empty or redacted.
        UnitError: The unit is not one mutrec reads.

    >>> value_from_text("小于0.1", "ng/mL", {"小于": "<"})
    Censored(comparator='<', value=0.1, unit=Unit(...))
    """
    stripped = text.strip()
    for word in sorted(words, key=len, reverse=True):
        if stripped.startswith(word):
            stripped = words[word] + stripped[len(word) :]
            break
    return parse_value(stripped, unit)


class _Read:
    """One reading: the rows, their headers by report number, the results."""

    def __init__(
        self,
        profile: PlatformProfile,
        source: str,
        mapper: RowMapper | None,
        resolve: Callable[[str], str | None],
    ) -> None:
        self.profile, self.source, self.mapper, self.resolve = profile, source, mapper, resolve
        self.results: list[LabResult | ImagingResult] = []
        self.evidence: list[Evidence] = []
        self.problems: list[Problem] = []
        self.flags: list[Problem] = []
        self.headers: dict[str, Row | None] = {}  # None: two different rows share the number
        self.used: set[str] = set()
        self.instants: dict[tuple[str, str], datetime] = {}
        self.ranges: dict[str, ReferenceRange | None] = {}

    def problem(self, where: str, message: str, hint: str | None = None) -> None:
        self.problems.append(Problem(self.source, where, message, hint=hint))

    def clean(self, target: str, text: str | None) -> str | None:
        if text is None:
            return None
        text = text.strip()
        if not text or text in self.profile.missing:
            return None
        if target in _IDS and self.profile.zero_ids_missing and set(text) == {"0"}:
            return None
        return text

    def kind(self, row: Row) -> tuple[str, Table] | None:
        """The table *row* belongs to (``None``: a report header row or none)."""
        found = []
        for name, table in self.profile.tables():
            if name != "report" and table.fields["item"] in row.own:
                found.append((name, table))
        if len(found) > 1:
            keyed = [(n, t) for n, t in found if row.get(t.key) is not None]
            found = keyed or found
        return found[0] if len(found) == 1 else None

    def unmapped(self, rows: list[tuple[str, Row]]) -> None:
        seen: dict[str, set[str]] = {}
        for name, row in rows:
            table = getattr(self.profile, name)
            extra = set(row.own) - table.known() - {"\0ragged"}
            if extra:
                seen.setdefault(name, set()).update(extra)
        for name, fields in seen.items():
            for field in sorted(fields):
                self.problem(
                    f"{name}.{field[:60]}",
                    f"field {field[:60]!r} is not mapped: what it says is not read",
                    f"map it in the profile's [{name}] table or list it in its ignore",
                )

    def classify(self, rows: list[Row]) -> list[tuple[str, Row]]:
        out: list[tuple[str, Row]] = []
        report = self.profile.report
        for row in rows:
            if "\0ragged" in row.own:
                self.problem(row.where, "the row's cells do not match the header's columns")
                continue
            kind = self.kind(row)
            if kind is not None:
                out.append((kind[0], row))
            elif report is not None and self.clean("key", row.own.get(report.key)):
                number = self.clean("key", row.own[report.key]) or ""
                if number in self.headers and self.headers[number] != row:
                    self.headers[number] = None
                else:
                    self.headers[number] = row
                out.append(("report", row))
            else:
                self.problem(
                    row.where,
                    "neither a report, a result nor an exam row of this profile",
                    "check the profile's key and item fields against the upload",
                )
        return out

    def field(self, table: Table, row: Row, header: Row | None, target: str) -> str | None:
        own = table.fields.get(target)
        value = self.clean(target, row.get(own)) if own else None
        report = self.profile.report
        if header is not None and report is not None and target in report.fields:
            theirs = self.clean(target, header.get(report.fields[target]))
            if value is not None and theirs is not None and value != theirs:
                msg = f"{target}: the row says {value[:40]!r}, its report {theirs[:40]!r}"
                raise ResultError(own or target, value[:40], msg)
            value = value or theirs
        return value

    def read(self, name: str, row: Row) -> None:
        table: Table = getattr(self.profile, name)
        number = self.clean("key", row.get(table.key))
        header = self.headers.get(number) if number is not None else None
        if number is not None:
            self.used.add(number)
        try:
            if number is not None and number in self.headers and header is None:
                msg = f"two different report rows are numbered {number[:40]!r}"
                raise ResultError(table.key, number[:40], msg)

            def get(target: str) -> str | None:
                return self.field(table, row, header, target)

            def need(target: str) -> str:
                value = get(target)
                if value is None:
                    where = table.fields.get(target) or target
                    lost = "" if header is not None or number is None else " (no report row)"
                    raise ResultError(where, None, f"the {target} is missing{lost}")
                return value

            build = self.lab if name == "result" else self.exam
            result, evidence = build(table, row, number, get, need)
        except MutrecError as error:
            self.problem(row.where, str(error))
            return
        self.results.append(result)
        self.evidence.append(evidence)

    def common(
        self, table: Table, get: Callable[[str], str | None], need: Callable[[str], str]
    ) -> tuple[str, str, str]:
        issuer = need("issuer")
        mapped = self.resolve(issuer)
        if mapped is None:
            field = table.fields.get("issuer", "issuer")
            raise ResultError(field, issuer[:40], "not an institution the issuer map knows")
        issuer = mapped
        patient = need("patient")
        if (kind := get("patient_id_type")) is not None:
            patient = f"{kind}|{patient}"
        item = need("item")
        if self.mapper is not None:
            field = table.fields["item"]
            try:
                item = self.mapper.map({"item": item, "issuer": issuer}).get("item", item)
            except ResultError as error:  # named by the platform's field, not the map's
                raise ResultError(field, error.value, error.reason) from None
        return issuer, patient, item

    def instant(self, table: Table, target: str, text: str | None) -> datetime | None:
        if text is None:
            return None
        field = table.fields.get(target) or target
        key = (field, text)
        found = self.instants.get(key)
        if found is None:  # a report's times repeat on each of its rows: read each once
            found = read_instant(field, text, self.profile.instant_formats, self.profile.zone)
            if len(self.instants) < _CACHE:
                self.instants[key] = found
        return found

    def reference_range(self, row: Row, printed: str | None) -> ReferenceRange | None:
        if printed is None:
            return None
        if printed in self.ranges:
            return self.ranges[printed]
        rng = ReferenceRange.from_text(printed)
        if len(self.ranges) < _CACHE:
            self.ranges[printed] = rng
        if rng is None:
            self.flags.append(Problem(self.source, row.where, f"range {printed[:40]!r} not read"))
        return rng

    def mark(self, row: Row, get: Callable[[str], str | None]) -> dict[str, object]:
        code, scope = get("mark"), get("mark_scope")
        marked = None if code is None else self.profile.mark_codes.get(code)
        if code is not None and marked is None:
            self.flags.append(Problem(self.source, row.where, f"mark code {code[:20]!r} unknown"))
        return {"marked": marked, "mark_code": code, "mark_scope": scope}

    def lab(
        self,
        table: Table,
        row: Row,
        number: str | None,
        get: Callable[[str], str | None],
        need: Callable[[str], str],
    ) -> tuple[LabResult, Evidence]:
        issuer, patient, item = self.common(table, get, need)
        value = value_from_text(need("value"), get("unit"), self.profile.value_words)
        rng = self.reference_range(row, get("reference_range"))
        abnormal_code = get("abnormal")
        mark = self.mark(row, get)
        result = LabResult(
            item,
            value,
            self.instant(table, "collected", need("collected")),  # type: ignore[arg-type]
            issuer,
            patient,
            received=self.instant(table, "received", get("received")),
            reported=self.instant(table, "reported", get("reported")),
            specimen=get("specimen"),
            method=get("method"),
            instrument=get("instrument"),
            loinc=get("loinc"),
            reference_range=rng,
            mark=(mark["mark_scope"] or mark["mark_code"]) if mark["marked"] else None,  # type: ignore[arg-type]
        )
        evidence = Evidence(
            row.where,
            report=number,
            item_name=get("item_name"),
            abnormal=self.profile.abnormal_codes.get(abnormal_code or ""),
            abnormal_code=abnormal_code,
            **mark,  # type: ignore[arg-type]
        )
        return result, evidence

    def exam(
        self,
        table: Table,
        row: Row,
        number: str | None,
        get: Callable[[str], str | None],
        need: Callable[[str], str],
    ) -> tuple[ImagingResult, Evidence]:
        issuer, patient, item = self.common(table, get, need)
        said = need("modality")
        modality = self.profile.modalities.get(said) or self.profile.modalities.get(said.upper())
        if modality is None:
            field = table.fields["modality"]
            raise ResultError(field, said[:40], "a modality text the profile does not map")
        images_code = get("images")
        images = None if images_code is None else self.profile.image_codes.get(images_code)
        link = get("image_link") if images is not False else None
        model = get("device_model")
        unknown = [t for t in ("body_part", "study_uid", "device_model") if get(t) is None]
        mark = self.mark(row, get)
        result = ImagingResult(
            item,
            modality,
            self.instant(table, "performed", need("performed")),  # type: ignore[arg-type]
            issuer,
            patient,
            reported=self.instant(table, "reported", get("reported")),
            body_part=get("body_part"),
            device=DeviceCapability(model=model) if model else None,
            study_uid=get("study_uid"),
            image_link=link,
            report_text=get("conclusion") or get("findings"),
            mark=(mark["mark_scope"] or mark["mark_code"]) if mark["marked"] else None,  # type: ignore[arg-type]
        )
        evidence = Evidence(
            row.where,
            report=number,
            item_name=get("item_name"),
            unknown=unknown,
            **mark,  # type: ignore[arg-type]
        )
        return result, evidence


def bind(profile: PlatformProfile, region: Region) -> RowMapper:
    """The profile's ``[codes]`` as a column map's, bound to *region*."""
    codes = profile.codes
    cmap = ColumnMap(
        profile.name,
        {"item": "item", "issuer": "issuer"},
        system=codes.get("system", "catalogue"),
        institution=codes.get("institution"),
        code_list=profile.code_list,
    )
    return cmap.bind(region)


def read_rows(  # noqa: PLR0913 - keyword options of read_platform, passed on
    profile: PlatformProfile,
    payloads: tuple[object, ...],
    *,
    region: Region | None,
    resolve: Callable[[str], str | None],
    source: str,
    form: str | None,
) -> PlatformReading:
    """Read every payload's rows; see :func:`mutrec.interop.platform.read_platform`."""
    reading = _Read(profile, source, bind(profile, region) if region else None, resolve)
    rows: list[Row] = []
    for n, payload in enumerate(payloads):
        name = source if len(payloads) == 1 else f"{source}[{n}]"
        rows.extend(rows_of(payload, name, form))
    classified = reading.classify(rows)
    reading.unmapped(classified)
    for name, row in classified:
        if name != "report":
            reading.read(name, row)
    for number, header in reading.headers.items():
        if number not in reading.used and header is not None:
            reading.problem(header.where, f"report {number[:40]!r} has no result or exam rows")
    return PlatformReading(reading.results, reading.problems, reading.evidence, reading.flags)
