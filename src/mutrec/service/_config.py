"""The service's settings: where the region is, who may call, limits, and the audit file."""

from __future__ import annotations

import ipaddress
import json
import tomllib
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
from typing import Any, Final

import attrs

from mutrec._checks import instance_of, optional
from mutrec.errors import ArgumentError, CatalogueError, Problem

__all__ = ["Issuer", "ServiceConfig", "load_config"]

_LANGS: Final = ("zh", "en")
_ALGORITHMS: Final = ("ES384", "RS384", "ES256", "RS256", "ES512", "RS512", "PS384", "PS256")


def _keys(value: object) -> tuple[Mapping[str, Any], ...]:
    if isinstance(value, Mapping) and isinstance(value.get("keys"), list):
        value = value["keys"]  # a JWK Set
    if not isinstance(value, list | tuple) or not value:
        raise ArgumentError("keys", value, "a JWK Set or a non-empty list of JWKs")  # noqa: EM101
    if not all(isinstance(k, Mapping) and isinstance(k.get("kty"), str) for k in value):
        raise ArgumentError("keys", value, "JWKs: each a mapping with a 'kty'")  # noqa: EM101
    return tuple(dict(k) for k in value)


def _path(value: object) -> Path | None:
    if value is None or isinstance(value, Path):
        return value
    if not isinstance(value, str) or not value.strip():
        raise ArgumentError("path", value, "a file or directory name")  # noqa: EM101
    return Path(value)


def _nonblank(_instance: object, attribute: attrs.Attribute[str], value: object) -> None:
    if not isinstance(value, str) or not value.strip():
        raise ArgumentError(attribute.name, value, "non-blank text")


@attrs.frozen
class Issuer:
    """An EHR allowed to call the CDS services: the ``iss`` of its JWTs and its public keys.

    Attributes:
        iss: The issuer, exactly as the JWT's ``iss`` claim says it.
        keys: Its public keys as JWKs (a JWK Set's ``keys``); RS384 and ES384, as CDS Hooks
            2.0 requires, and their kin are accepted; ``none`` and HMAC never.
        receiver: The institution this EHR orders for (the receiver of every decision), or
            ``None`` to use the service's.

    >>> Issuer("https://ehr.example", [{"kty": "EC", "crv": "P-384", "x": "…", "y": "…"}]).iss
    'https://ehr.example'
    """

    iss: str = attrs.field(validator=_nonblank)
    keys: tuple[Mapping[str, Any], ...] = attrs.field(converter=_keys)
    receiver: str | None = attrs.field(default=None, validator=optional(instance_of(str)))


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _positive(_instance: object, attribute: attrs.Attribute[int], value: object) -> None:
    if type(value) is not int or value <= 0:
        raise ArgumentError(attribute.name, value, "a whole number > 0")


def _aware(_instance: object, attribute: attrs.Attribute[datetime], value: object) -> None:
    if not isinstance(value, datetime) or value.utcoffset() is None:
        raise ArgumentError(attribute.name, value, "an aware datetime (with an offset)")


def _lang(_instance: object, attribute: attrs.Attribute[str], value: object) -> None:
    if value not in _LANGS:
        raise ArgumentError(attribute.name, value, "'zh' or 'en'")


def _table(value: object) -> dict[str, str]:
    if not isinstance(value, Mapping) or not all(
        isinstance(k, str) and isinstance(v, str) and v.strip() for k, v in value.items()
    ):
        raise ArgumentError("performers", value, "a table of references to institution ids")  # noqa: EM101
    return dict(value)


def _issuers(value: object) -> tuple[Issuer, ...]:
    if not isinstance(value, list | tuple) or not all(isinstance(i, Issuer) for i in value):
        raise ArgumentError("issuers", value, "Issuers")  # noqa: EM101
    return tuple(value)


def _strings(value: object) -> tuple[str, ...]:
    if isinstance(value, str):
        value = (value,)
    if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
        raise ArgumentError("audience", value, "a URL or a list of URLs")  # noqa: EM101
    return tuple(value)


@attrs.frozen
class ServiceConfig:
    """How ``mutrec serve`` runs.

    Attributes:
        region: The region directory (``None``: the bundled example region).
        host: The address to bind; loopback unless *public* is set.
        port: The TCP port.
        audit: The SQLite audit file (created if absent), or ``None`` to keep no record.
        receiver: The institution the service decides for (a single hospital's service), when
            neither the request nor the calling EHR's :class:`Issuer` names one.
        performers: FHIR performer references or ``system|value`` identifiers to institution
            ids (see :func:`mutrec.interop.issuer_table`); by default ``Organization/<id>``
            for each institution of the region.
        issuers: The EHRs whose JWTs the CDS services accept.
        audience: The ``aud`` values accepted: the service's public URLs. Empty: the URL of
            the endpoint called, as the service sees it.
        insecure_no_auth: Accept CDS calls without a JWT (a test bench only; never in a ward).
        language: The cards' language when the request names none (``Accept-Language``).
        max_body_bytes: The largest request body read; a larger one is refused (413).
        max_batch: The most rows one batch, prefetch or order may hold.
        public: Allow binding to an address that is not loopback.
        at: A fixed instant to decide at instead of the clock: a test bench, a demonstration
            of an example region whose catalogues are no longer in force, or a replay.

    Raises:
        ArgumentError: A value of the wrong type; a non-loopback host without *public*.

    >>> ServiceConfig(host="0.0.0.0")  # noqa: S104 (the refusal is the point)
    Traceback (most recent call last):
    mutrec.errors.ArgumentError: argument 'host' = '0.0.0.0': expected a loopback address ...
    >>> ServiceConfig().port
    8080
    """

    region: Path | None = attrs.field(default=None, converter=_path)
    host: str = attrs.field(default="127.0.0.1", validator=_nonblank)
    port: int = attrs.field(default=8080, validator=_positive)
    audit: Path | None = attrs.field(default=None, converter=_path)
    receiver: str | None = attrs.field(default=None, validator=optional(instance_of(str)))
    performers: dict[str, str] | None = attrs.field(
        default=None, converter=attrs.converters.optional(_table)
    )
    issuers: tuple[Issuer, ...] = attrs.field(default=(), converter=_issuers)
    audience: tuple[str, ...] = attrs.field(default=(), converter=_strings)
    insecure_no_auth: bool = attrs.field(default=False, validator=instance_of(bool))
    language: str = attrs.field(default="zh", validator=_lang)
    max_body_bytes: int = attrs.field(default=2_000_000, validator=_positive)
    max_batch: int = attrs.field(default=1_000, validator=_positive)
    public: bool = attrs.field(default=False, validator=instance_of(bool))
    at: datetime | None = attrs.field(default=None, validator=optional(_aware))

    def __attrs_post_init__(self) -> None:
        """Refuse a public bind nobody asked for."""
        if not self.public and not _loopback(self.host):
            msg = "a loopback address (127.0.0.1, ::1, localhost) unless public = true is set"
            raise ArgumentError("host", self.host, msg)  # noqa: EM101

    @property
    def algorithms(self) -> tuple[str, ...]:
        """The JWT algorithms accepted (asymmetric only: never ``none`` nor HMAC).

        >>> "none" in ServiceConfig().algorithms
        False
        """
        return _ALGORITHMS


def _issuer(raw: object, base: Path, index: int, problems: list[Problem]) -> Issuer | None:
    where = f"issuers[{index}]"
    if not isinstance(raw, Mapping):
        problems.append(Problem("service", where, "expected a table"))
        return None
    keys: object = raw.get("keys")
    if isinstance(raw.get("jwks"), str):
        try:
            keys = json.loads((base / raw["jwks"]).read_text(encoding="utf-8"))
        except (OSError, ValueError) as error:
            problems.append(Problem("service", f"{where}.jwks", f"cannot read: {error}"))
            return None
    try:
        return Issuer(raw.get("iss"), keys, raw.get("receiver"))  # type: ignore[arg-type]
    except ArgumentError as error:
        problems.append(Problem("service", where, str(error)))
        return None


_KEYS: Final = frozenset(
    {"region", "host", "port", "audit", "receiver", "performers", "issuers", "audience"}
    | {"insecure_no_auth", "language", "max_body_bytes", "max_batch", "public", "at"}
)


def load_config(path: str | Path, **overrides: Any) -> ServiceConfig:
    """Read a service configuration file (TOML); *overrides* (command-line options) win.

    Relative paths in the file (``region``, ``audit``, an issuer's ``jwks``) are read from the
    file's directory.

    Raises:
        ArgumentError: *path* is not a file name.
        CatalogueError: Every problem of the file at once.

    >>> load_config("no-such.toml")
    Traceback (most recent call last):
    mutrec.errors.CatalogueError: ...cannot read...
    """
    given: object = path  # typed, but callers outside mypy pass anything
    if not isinstance(given, str | Path) or not str(given).strip():
        raise ArgumentError("path", path, "the configuration file's name")  # noqa: EM101
    file = Path(path)
    source = str(file)
    try:
        raw = tomllib.loads(file.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise CatalogueError([Problem(source, "$", f"cannot read: {error}")]) from None
    problems = [Problem(source, key, "unknown key") for key in sorted(set(raw) - _KEYS)]
    base = file.parent
    issuers = [_issuer(i, base, n, problems) for n, i in enumerate(raw.pop("issuers", []))]
    for key in ("region", "audit"):
        if isinstance(raw.get(key), str):
            raw[key] = base / raw[key]
    values = {k: v for k, v in raw.items() if k in _KEYS}
    values.update({k: v for k, v in overrides.items() if v is not None})
    try:
        config = ServiceConfig(issuers=[i for i in issuers if i is not None], **values)
    except (ArgumentError, TypeError) as error:
        problems.append(Problem(source, getattr(error, "name", "$"), str(error)))
    if problems:
        raise CatalogueError(problems)
    return config
