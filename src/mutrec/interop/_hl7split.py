"""The fast HL7 v2 splitter: bytes decoded by MSH-18, segments, fields, escapes and TS values.

Plain :meth:`str.split` on the message's own separators (MSH-1, MSH-2): no parser object, no
dependency. Nothing here guesses: a character set it cannot name, bytes that do not decode,
an escape it cannot read or a TS without an offset (and no zone from the caller) raise
:class:`UnreadError`, which the reader turns into a problem.
"""

from __future__ import annotations

import contextlib
import re
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from functools import lru_cache
from typing import Final, NamedTuple

from mutrec.errors import MutrecError
from mutrec.interop._args import DST_REASON, in_zone

__all__ = [
    "Separators",
    "UnreadError",
    "codec_for",
    "decode",
    "field_list",
    "instant",
    "messages",
    "separators",
    "unescape",
]


class UnreadError(MutrecError):
    """Why an input (a message, a segment, a field) was not read; never leaves the package."""

    def __init__(self, message: str, hint: str | None = None) -> None:
        """Record what was wrong and how to fix it."""
        self.message = message
        self.hint = hint
        super().__init__(message)


class Separators(NamedTuple):
    """The message's own delimiters (MSH-1 and MSH-2)."""

    field: str
    component: str
    repetition: str
    escape: str
    subcomponent: str


# HL7 table 0211 names (v2.5.1 §2.15.9.18) and the spellings Chinese senders use, folded
# (upper case, no spaces, hyphens or underscores), to Python codecs. ISO 2022 code switching
# (ISO IR87, ISO IR159 …) and UTF-16/32 (MSH itself is not ASCII then) are not read.
_CHARSETS: Final = {
    "ASCII": "ascii",
    "USASCII": "ascii",
    "8859/1": "latin-1",
    "ISO88591": "latin-1",
    "UNICODEUTF8": "utf-8",
    "UTF8": "utf-8",
    "GB180302000": "gb18030",
    "GB18030": "gb18030",
    "GBK": "gbk",
    "GB2312": "gb2312",
    "CP936": "gbk",
    "BIG5": "big5",
}
_FOLD: Final = str.maketrans("", "", " -_")


def codec_for(charset: str) -> str:
    """The Python codec for an MSH-18 character set name.

    Raises:
        UnreadError: The name is not one mutrec reads.
    """
    codec = _CHARSETS.get(charset.upper().translate(_FOLD))
    if codec is None:
        msg = f"MSH-18 character set {charset!r} is not read"
        hint = "send ASCII, 8859/1, UNICODE UTF-8 or GB 18030-2000 (HL7 table 0211)"
        raise UnreadError(msg, hint)
    return codec


_MLLP_START: Final = "\x0b"
_MLLP_END: Final = "\x1c"
_BOM: Final = b"\xef\xbb\xbf"


def _msh18(text: str) -> str:
    """The first MSH-18 repetition of the first MSH in *text* ('' when absent), raw."""
    start = text.find("MSH")
    line = re.split(r"[\r\n]", text[start:], maxsplit=1)[0] if start >= 0 else ""
    if len(line) < 4:
        return ""
    parts = line.split(line[3])
    if len(parts) < 18:
        return ""
    return parts[17].split("~")[0].strip()


def decode(data: bytes, fallback: str | None) -> tuple[str, str]:
    r"""Decode *data* by its MSH-18 (or *fallback* when MSH-18 is empty): (text, codec).

    GB18030's second bytes include ``|``, ``^``, ``~`` and ``\``, so the bytes are never
    split before decoding: MSH-18 is looked for in a Latin-1 view and in a GB18030 view of
    the bytes, and a name is taken only if the bytes decode by it and MSH-18, read again in
    the decoded text, still says it. Two views that both hold up but differ are refused.

    Raises:
        UnreadError: No character set is named, it is not read, or the bytes do not decode.
    """
    bom = data.startswith(_BOM)
    if bom:
        data = data[len(_BOM) :]
    views = [data.decode("latin-1")]
    with contextlib.suppress(UnicodeDecodeError):
        views.append(data.decode("gb18030"))
    names = list(dict.fromkeys(name for name in map(_msh18, views) if name))
    if not names:
        codec = "utf-8" if bom else codec_for(fallback) if fallback is not None else "ascii"
        return _decoded(data, codec, "" if bom or fallback is None else fallback), codec
    decoded: dict[str, str] = {}
    failure: UnreadError | None = None
    for name in names:
        try:
            codec = codec_for(name)
            text = _decoded(data, codec, name)
        except UnreadError as error:
            failure = failure or error
            continue
        if codec_for(_msh18(text) or "ASCII") == codec:
            decoded[codec] = text
    if len(decoded) != 1:
        if failure is not None and not decoded:
            raise failure
        msg = f"MSH-18 cannot be told: the bytes read as {' or '.join(names)}"
        raise UnreadError(msg, "send MSH-18 before any non-ASCII text in MSH, or send UTF-8")
    codec, text = next(iter(decoded.items()))
    if bom and codec != "utf-8":
        msg = f"the bytes start with a UTF-8 byte-order mark but MSH-18 says {names[0]!r}"
        raise UnreadError(msg)
    return text, codec


def _decoded(data: bytes, codec: str, said: str) -> str:
    try:
        return data.decode(codec)
    except UnicodeDecodeError as error:
        bad = data[error.start : error.start + 4]
        named = f"MSH-18 {said!r}" if said else "an empty MSH-18 (so ASCII)"
        msg = f"the bytes are not {codec} ({named}): byte {error.start} {bad!r} does not decode"
        hint = (
            "fix MSH-18 at the sender"
            if said
            else "pass charset='GB18030' (or the feed's character set) when MSH-18 is empty"
        )
        raise UnreadError(msg, hint) from None


_SEGMENT_ID: Final = re.compile(r"[A-Z][A-Z0-9]{2}\Z")


def messages(text: str) -> list[list[tuple[int, str]]]:
    """The messages in *text*: for each, its segment lines with their line numbers (1-based).

    Segments end with CR, LF or CR LF; an MLLP frame and batch/file header and trailer
    segments (FHS, BHS, BTS, FTS) are dropped; blank lines are skipped.

    Raises:
        UnreadError: A line is not a segment, or a segment comes before the first MSH.
    """
    text = text.strip().removeprefix(_MLLP_START).strip()
    end = text.rfind(_MLLP_END)
    if end >= 0 and not text[end + 1 :].strip():
        text = text[:end]
    found: list[list[tuple[int, str]]] = []
    for number, line in enumerate(text.replace("\r\n", "\r").replace("\n", "\r").split("\r"), 1):
        if not line.strip():
            continue
        name = line[:3]
        if not _SEGMENT_ID.match(name) or (len(line) > 3 and line[3].isalnum()):
            msg = f"line {number} is not a segment ({line[:20]!r})"
            raise UnreadError(msg, "a raw line break inside a field? send it as \\.br\\ or \\X0A\\")
        if name in ("FHS", "BHS", "BTS", "FTS"):
            continue
        if name == "MSH":
            found.append([])
        elif not found:
            msg = f"line {number}: segment {name} comes before any MSH"
            raise UnreadError(msg, "each message starts with its MSH segment")
        found[-1].append((number, line))
    if not found:
        msg = "no MSH segment: this is not an HL7 v2 message"
        raise UnreadError(msg)
    return found


def separators(msh: str) -> Separators:
    """The delimiters an MSH segment declares (MSH-1, MSH-2).

    Raises:
        UnreadError: They are missing, repeated, alphanumeric or line breaks.
    """
    if len(msh) < 5:
        msg = "MSH is too short to declare its separators (MSH-1, MSH-2)"
        raise UnreadError(msg)
    fs = msh[3]
    end = msh.find(fs, 4)
    chars = msh[4:] if end < 0 else msh[4:end]
    # v2.7 adds a fifth (truncation) character; anything past it is not an encoding character.
    if not 1 <= len(chars) <= 5:
        msg = f"MSH-2 {chars!r} is not 1 to 5 encoding characters"
        raise UnreadError(msg, "send MSH-1 '|' and MSH-2 '^~\\&'")
    cs, rs, esc, ss = tuple((chars + "\0\0\0")[:4])
    declared = [c for c in (fs, cs, rs, esc, ss) if c != "\0"]
    bad = any(c.isalnum() or not c.isprintable() or c.isspace() for c in (fs, *chars))
    if bad or len(set(declared)) != len(declared):
        msg = f"MSH-1/MSH-2 separators {fs + chars!r} repeat or are letters, digits or spaces"
        raise UnreadError(msg, "send MSH-1 '|' and MSH-2 '^~\\&'")
    return Separators(fs, cs, rs, esc, ss)


def field_list(line: str, seps: Separators) -> list[str]:
    """A segment's fields, indexed by field number (MSH-1 is the field separator itself)."""
    fields = line.split(seps.field)
    if fields[0] == "MSH":
        fields.insert(1, seps.field)
    return fields


_FORMATTING: Final = {"H": "", "N": "", ".br": "\n"}


def unescape(text: str, seps: Separators, codec: str) -> str:
    r"""*text* with its escape sequences (\F\ \S\ \T\ \R\ \E\ \X..\ \.br\ \H\ \N\) read.

    Raises:
        UnreadError: An escape is unterminated, or one mutrec does not read (\C..\, \M..\, \Z..\,
            formatting other than \.br\).
    """
    esc = seps.escape
    if esc == "\0" or esc not in text:
        return text
    parts = text.split(esc)
    if len(parts) % 2 == 0:
        msg = f"unterminated escape sequence in {text[:40]!r}"
        raise UnreadError(msg, f"write a literal {esc!r} as {esc}E{esc}")
    known = {"F": seps.field, "S": seps.component, "T": seps.subcomponent}
    known |= {"R": seps.repetition, "E": esc, **_FORMATTING}
    out = []
    for index, part in enumerate(parts):
        if index % 2 == 0:
            out.append(part)
        elif part in known:
            out.append(known[part])
        elif part[:1] == "X" and len(part) > 1:
            try:
                out.append(bytes.fromhex(part[1:]).decode(codec))
            except (ValueError, UnicodeDecodeError):
                msg = f"escape {esc}{part}{esc} is not hex bytes in {codec}"
                raise UnreadError(msg) from None
        else:
            msg = f"escape sequence {esc}{part[:20]}{esc} is not read"
            raise UnreadError(msg, "character-set switching and local escapes are not supported")
    return "".join(out)


@lru_cache(maxsize=64)
def _offset(negative: bool, hours: int, minutes: int) -> tzinfo:  # noqa: FBT001 - private, cached
    offset = timedelta(hours=hours, minutes=minutes)
    return timezone(-offset if negative else offset) if offset else UTC


# DTM: YYYY[MM[DD[HH[MM[SS[.S[S[S[S]]]]]]]]][+/-ZZZZ], ASCII digits only (v2.5.1 §2.A.22).
_DTM: Final = re.compile(
    r"([0-9]{4})([0-9]{2})?([0-9]{2})?([0-9]{2})?([0-9]{2})?([0-9]{2})?"
    r"(?:\.([0-9]{1,4}))?(?:([+-])([0-9]{2})([0-9]{2}))?\Z"
)


def instant(text: str, field: str, default_zone: tzinfo | None) -> datetime:
    """A TS/DTM value (first component) as an aware datetime.

    Precision must reach the day; a date-only value is that day's start, which makes a
    result look older, never younger. A value without an offset takes *default_zone* only
    when the caller gave one.

    Raises:
        UnreadError: The text is not a DTM, is coarser than a day, names an impossible date,
            or has no offset and no zone was given.
    """
    match = _DTM.match(text)
    if match is None:
        msg = f"{field} {text[:40]!r} is not an HL7 date/time (YYYYMMDD[HHMM[SS]][+ZZZZ])"
        raise UnreadError(msg)
    year, month, day, hour, minute, second, frac, sign, off_h, off_m = match.groups()
    if day is None:
        msg = f"{field} {text!r} gives no day: an instant needs at least YYYYMMDD"
        raise UnreadError(msg)
    if frac is not None and second is None:
        msg = f"{field} {text!r} has a fraction without seconds"
        raise UnreadError(msg)
    zone: tzinfo | None = default_zone
    if sign is not None:
        hours, minutes = int(off_h), int(off_m)
        if hours > 23 or minutes > 59:
            msg = f"{field} {text!r} has an impossible UTC offset"
            raise UnreadError(msg)
        zone = _offset(sign == "-", hours, minutes)
    elif zone is None:
        msg = f"{field} {text!r} has no UTC offset and no zone was given"
        hint = "pass default_zone=ZoneInfo('Asia/Shanghai') if the sender's clock is in it"
        raise UnreadError(msg, hint)
    try:
        wall = datetime(  # noqa: DTZ001 - placed in its zone below
            int(year),
            int(month),
            int(day),
            int(hour or 0),
            int(minute or 0),
            int(second or 0),
            int((frac or "0").ljust(6, "0")),
        )
    except ValueError:
        msg = f"{field} {text!r} is not a date on the calendar"
        raise UnreadError(msg) from None
    placed = in_zone(wall, zone) if sign is None else wall.replace(tzinfo=zone)
    if placed is None:
        msg = f"{field} {text!r} is {DST_REASON} of {zone}"
        raise UnreadError(msg)
    return placed
