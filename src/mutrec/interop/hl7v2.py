r"""Read HL7 v2 ORU^R01 result messages into lab results, with a problem for each one not read.

:func:`read_oru` takes a message as text or as the bytes that came off the wire (MLLP frame,
batch file or several messages one after another included) and returns a
:class:`~mutrec.interop.Reading`: one :class:`~mutrec.model.results.LabResult` per OBX read,
one :class:`~mutrec.errors.Problem` per OBX (or whole message) not read.

It splits the message itself, with :meth:`str.split` on the message's own separators, and needs
no parser package: that keeps ``mutrec[hl7v2]`` optional, lets bytes be decoded by their MSH-18
before anything is split (GB18030's second bytes include ``|`` and ``^``), reads CR, LF and
CR LF segment ends alike, and is fast: the splitter alone runs 30 to 80 times as many
messages a second as ``hl7.parse``, and the whole reader, results built, 1.5 to 3 times as many
(``benchmarks/interop.py``). The extra installs python-hl7 for ``cross_check=True``, which
parses the message a second time with it and refuses the message where the two disagree.

What each field becomes (v2.5.1 segment definitions):

- MSH-4 sending facility (HD-1, else HD-2) → issuer, unless OBX-23 names the performing
  organisation (XON-10, else XON-3, else XON-1); both through *issuer* when given.
- MSH-18 character set: ASCII, 8859/1, UNICODE UTF-8, GB 18030-2000 (and GBK, GB2312) decode
  bytes; other sets, or bytes that do not decode, are refused.
- PID-3 (first repetition, CX-1) → patient; an OBX after a later PID needs an OBR of its own.
- OBR-7 observation instant → collected (OBX-14 wins when sent; SPM-17 when neither is),
  OBR-14 or SPM-18 → received, OBR-22 → reported, OBR-25 result status (see below),
  SPM-4 or OBR-15 → specimen.
- OBX-2/OBX-5 value: NM and SN (``<^0.5`` is censored; ratios and ranges are refused), ST/TX/FT
  through :func:`~mutrec.model.values.parse_value`, CE/CWE/CNE (their text, else their
  identifier) as a qualitative value, never a number. OBX-3 → item
  (the local code; the LOINC code when it is the only one) and ``loinc`` (coding system
  ``LN``, check digit verified). OBX-6 → unit through mutrec's strict parser (an empty OBX-6
  gives a value without unit; a text naming another unit than the identifier is refused).
  OBX-7 ``3.5-5.3``, ``<5`` → reference range. OBX-17 → method, OBX-18 → instrument.
- OBX-11 F (final) and C (corrected) are read; P, R, S, I, X, D, W, U … are refused with
  their meaning, as is every OBX of an order whose OBR-25 is not F, C or A.

Not kept: OBX-8 abnormal flags (a result carries no flag: mutrec interprets the value against
the range itself), notes (NTE). A TS without a UTC offset takes *default_zone* only when the
caller passes one: HL7 lets MSH-7's offset stand for the sender's zone, but senders and
interface engines stamp MSH-7 on clocks of their own, so mutrec does not rely on it.

>>> message = (
...     "MSH|^~\\&|LIS|H001|PLATFORM|REGION|20240301120000+0800||ORU^R01|MSG1|P|2.5.1\r"
...     "PID|1||P123^^^H001^MR\r"
...     "OBR|1|||GLU|||20240301080000+0800|||||||||||||||20240301113000+0800|||F\r"
...     "OBX|1|NM|2345-7^Glucose^LN||5.6|mmol/L|3.9-6.1|N|||F\r"
... )
>>> reading = read_oru(message)
>>> result = reading.results[0]
>>> result.item, result.loinc, result.value.value, str(result.value.unit), result.issuer
('2345-7', '2345-7', 5.6, 'mmol/L', 'H001')
>>> result.collected.isoformat(), reading.complete
('2024-03-01T08:00:00+08:00', True)
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import tzinfo
from typing import NamedTuple

from mutrec._checks import require
from mutrec.errors import ArgumentError, MutrecError, Problem
from mutrec.interop import _hl7fields as f
from mutrec.interop._args import check_issuer, check_zone, id_resolver
from mutrec.interop._hl7groups import Context, Group
from mutrec.interop._hl7split import (
    Separators,
    UnreadError,
    codec_for,
    decode,
    field_list,
    messages,
    separators,
)
from mutrec.interop._reading import Reading
from mutrec.model.results import LabResult

__all__ = ["read_oru"]

IssuerResolver = Callable[[str], str | None] | Mapping[str, str]


def read_oru(  # noqa: PLR0913 - each keyword is one thing the caller decides
    message: str | bytes,
    *,
    issuer: IssuerResolver | None = None,
    default_zone: tzinfo | None = None,
    charset: str | None = None,
    source: str = "hl7v2",
    cross_check: bool = False,
) -> Reading:
    r"""Read an ORU^R01 message (or a batch of them) into lab results and problems.

    Args:
        message: The message as text, or as bytes decoded by its MSH-18.
        issuer: Maps a sending facility or performing organisation id to mutrec's
            institution id: a mapping or a function returning ``None`` for an unknown one.
            Without it the id is the institution id as sent.
        default_zone: The zone of TS values sent without a UTC offset; without it such a
            value is a problem.
        charset: The character set of bytes whose MSH-18 is empty (HL7 then means ASCII).
        source: Names the input in problems (a file name, a feed).
        cross_check: Parse each message again with python-hl7 (``mutrec[hl7v2]``) and refuse
            it where the two splits disagree.

    Returns:
        A :class:`~mutrec.interop.Reading`: a result per OBX read, a problem per OBX (or
        message) not read.

    Raises:
        ArgumentError: An argument is of the wrong type, or *charset* is not read.
        mutrec.errors.MissingDependencyError: *cross_check* without python-hl7 installed.

    >>> reading = read_oru(b"MSH|^~\\&|LIS|H1|||||ORU^R01|M2|P|2.5.1\r"
    ...                    b"PID|||p9\rOBR|1||||||202403010800\r"
    ...                    b"OBX|1|SN|K^Potassium^L||<^0.5|mmol/L|||||P\r")
    >>> print(reading.problems[0])
    hl7v2:4: message M2 OBX 1 (K): OBX-11 result status 'P': preliminary: wait for the final result
    """
    _check_arguments(message, issuer, default_zone, charset, source, cross_check)
    options = _Options(id_resolver(issuer), default_zone, source, cross_check)
    try:
        if isinstance(message, bytes):
            text, codec = decode(message, charset)
        else:
            text, codec = message, None
            _unicode(text)
        found = messages(text)
    except UnreadError as error:
        return Reading((), (Problem(source, "message", error.message, hint=error.hint),))
    reading = Reading()
    for number, lines in enumerate(found, 1):
        reading += _message(lines, number, codec, options)
    return reading


def _unicode(text: str) -> None:
    """Refuse text that holds a lone surrogate: it is no character, and cannot be written out."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as error:
        msg = f"character {error.start} is a lone surrogate (half a UTF-16 pair), not text"
        raise UnreadError(msg, "decode the bytes with their character set (MSH-18)") from None


def _check_arguments(  # noqa: PLR0913, PLR0917 - read_oru's arguments, checked
    message: object,
    issuer: object,
    default_zone: object,
    charset: object,
    source: object,
    cross_check: object,
) -> None:
    require("message", message, (str, bytes))
    check_issuer(issuer, "facility id")
    check_zone(default_zone)
    if charset is not None:
        require("charset", charset, str)
        assert isinstance(charset, str)  # noqa: S101 - for mypy: require() refused the rest
        try:
            codec_for(charset)
        except UnreadError as error:
            arg = "charset"
            expected = f"a character set mutrec reads ({error.hint})"
            raise ArgumentError(arg, charset, expected) from None
    require("source", source, str)
    require("cross_check", cross_check, bool)


class _Options(NamedTuple):
    resolve: Callable[[str], str | None]
    zone: tzinfo | None
    source: str
    cross_check: bool


def _header(
    lines: list[tuple[int, str]],
    codec: str | None,
    cross_check: bool,  # noqa: FBT001
) -> tuple[f.Fields, list[Group]]:
    """The message's MSH and its OBR groups, or :class:`UnreadError` for the whole message."""
    msh_line = lines[0][1]
    seps = separators(msh_line)
    msh = f.Fields(field_list(msh_line, seps), seps, codec or "utf-8")
    kind = (msh.get(9, 1), msh.get(9, 2))
    if kind != ("ORU", "R01"):
        msg = f"MSH-9 message type {'^'.join(kind)!r} is not ORU^R01"
        hint = "mutrec reads observation results (ORU^R01)"
    elif cross_check:
        from mutrec.interop._hl7check import disagreement

        msg, hint = disagreement([line for _, line in lines], seps) or "", None
    else:
        msg = ""
    if msg:
        raise UnreadError(msg, hint)
    msh.codec = _message_codec(msh, codec)
    return msh, _groups(lines[1:], seps, msh.codec)


def _message(
    lines: list[tuple[int, str]], number: int, codec: str | None, options: _Options
) -> Reading:
    source = options.source
    try:
        msh, groups = _header(lines, codec, options.cross_check)
    except MutrecError as error:  # UnreadError, or a value of the wrong kind deep in a field
        message, hint = (
            (error.message, error.hint)
            if isinstance(error, UnreadError)
            else (
                str(error),
                None,
            )
        )
        return Reading((), (Problem(source, f"message {number}", message, lines[0][0], hint),))
    name = msh.get(10) or f"#{number}"
    facility = _facility(msh, options.resolve)
    results: list[LabResult] = []
    problems: list[Problem] = []
    ordinal = 0
    for group in groups:
        context = Context(group, facility, options.resolve, options.zone)
        for line, obx in group.obx:
            ordinal += 1
            where = f"message {name} OBX {ordinal}" + _code_of(obx)
            try:
                results.append(context.result(obx))
            except UnreadError as error:
                problems.append(Problem(source, where, error.message, line, error.hint))
            except MutrecError as error:
                problems.append(Problem(source, where, str(error), line))
    return Reading(results, problems)


def _code_of(obx: f.Fields) -> str:
    try:
        code = obx.get(3, 1) or obx.get(3, 2)
    except UnreadError:
        return ""
    return f" ({code[:40]})" if code else ""


def _message_codec(msh: f.Fields, codec: str | None) -> str:
    """The codec of this message's hex escapes; for bytes, the one the input was decoded in."""
    named = msh.get(18)
    if codec is None:  # text: already decoded; MSH-18 only says how hex escapes decode
        try:
            return codec_for(named) if named else "utf-8"
        except UnreadError:
            return "utf-8"
    if named and codec_for(named) != codec:
        msg = f"MSH-18 {named!r} differs from the character set the input was read in ({codec})"
        raise UnreadError(msg, "send one character set per input")
    return codec


def _groups(lines: list[tuple[int, str]], seps: Separators, codec: str) -> list[Group]:
    groups: list[Group] = []
    patient: str | None = None
    pid_line = 0  # a PID after an OBR starts another patient: its OBX need an OBR of their own
    for line_number, line in lines:
        name = line[:3]
        if name not in ("PID", "OBR", "OBX", "SPM"):
            continue
        segment = f.Fields(field_list(line, seps), seps, codec)
        if name == "PID":
            patient, pid_line = segment.get(3), line_number
        elif name == "OBR":
            groups.append(Group(segment, patient or ""))
            pid_line = 0
        elif not groups:
            msg = f"line {line_number}: {name} comes before any OBR"
            raise UnreadError(msg, "each OBX belongs to an OBR (ORU^R01's ORDER_OBSERVATION group)")
        elif pid_line:
            msg = (
                f"line {line_number}: {name} follows the PID of line {pid_line} with no OBR of "
                "its own: it would join the order of the patient before"
            )
            raise UnreadError(msg, "send each patient's OBR before its OBX")
        elif name == "OBX":
            groups[-1].obx.append((line_number, segment))
        else:
            groups[-1].spm.append(segment)
    return groups


def _facility(msh: f.Fields, resolve: Callable[[str], str | None]) -> str | UnreadError:
    """MSH-4's institution id, or why there is none (the OBX with no OBX-23 need it)."""
    try:
        key = msh.get(4, 1) or msh.get(4, 2)
    except UnreadError as error:
        return error
    if not key:
        return UnreadError("MSH-4 sending facility is empty", "send the facility id in MSH-4")
    found = resolve(key)
    if not found:
        return UnreadError(f"sending facility {key!r} (MSH-4) is not a known institution")
    return found
