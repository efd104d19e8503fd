"""What the service holds while it runs: the region, the warmed policy, the audit store.

Built once at start-up (:func:`start`), timed, and shared read-only by every request; the
policy is warmed by deciding one example result, so the first caller waits no longer than the
next. :class:`HttpProblem` is how the request handlers say a request is refused; the
application turns it into an RFC 9457 problem document.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime, tzinfo
from typing import Any, Final

import attrs

from mutrec.files import Region, load_example_region, load_region
from mutrec.interop import Resolver, issuer_table, read_fhir
from mutrec.model import LabResult, parse_value
from mutrec.policy import ClinicalContext, Policy
from mutrec.service._config import ServiceConfig
from mutrec.service._replays import Replays
from mutrec.service._store import AuditStore

__all__ = ["PROBLEM_BASE", "HttpProblem", "ServiceState", "start"]

PROBLEM_BASE: Final = "https://mutrec.readthedocs.io/problems/"
"""Problem types are this URL plus a short name (``invalid-json``, ``unknown-card`` …)."""


class HttpProblem(Exception):  # noqa: N818 (an answer, not a failure of the service)
    """A request refused: the HTTP status, a problem type and what to fix.

    >>> HttpProblem(422, "invalid-fhir", "draftOrders is not a Bundle").status
    422
    """

    def __init__(self, status: int, kind: str, detail: str, **extra: Any) -> None:
        """Record the status, the problem type's short name, the detail and any extra members."""
        super().__init__(detail)
        self.status = status
        self.kind = kind
        self.detail = detail
        self.extra = extra


@attrs.frozen
class ServiceState:
    """The loaded region, the policy, the audit store and the start-up figures.

    Attributes:
        config: The configuration.
        region: The region loaded.
        policy: The policy built from it (warmed).
        store: The audit store, or ``None`` when the service keeps no record.
        performers: The resolver of FHIR performers to institution ids.
        startup_seconds: How long loading, building and warming took.
        started_at: When the service became ready (UTC).
        replays: The JWTs already accepted (each is good for one call).
    """

    config: ServiceConfig
    region: Region
    policy: Policy
    store: AuditStore | None
    performers: Resolver
    startup_seconds: float
    started_at: datetime
    replays: Replays = attrs.field(factory=Replays)

    @property
    def zone(self) -> tzinfo:
        """The region's zone: instants without an offset are read in it, weeks counted in it."""
        return self.region.zone

    def now(self) -> datetime:
        """The instant to decide at: the clock's, in the region's zone, or the configured one.

        The service is the face: the one layer that reads clocks.
        """
        if self.config.at is not None:
            return self.config.at
        return datetime.now(self.region.zone)

    @property
    def catalogue_versions(self) -> dict[str, str]:
        """Each catalogue's version, by name."""
        return {c.name: c.version for c in self.region.catalogues}


def _warm(policy: Policy, region: Region) -> None:
    # What the first request would otherwise pay for: a unit conversion (pint and its factors),
    # the fast path's tables, an explanation in both languages, the JSON form, the FHIR reader.
    at = datetime(2024, 3, 2, 9, tzinfo=region.zone)
    collected = datetime(2024, 3, 1, 8, tzinfo=region.zone)
    for value, unit in (("4.1", "mmol/L"), ("100", "mg/dL")):
        result = LabResult("K", parse_value(value, unit), collected, "_", "_")
        decision = policy.evaluate(result, receiver="_", at=at, context=ClinicalContext())
        policy.explain(decision, "zh")
        policy.explain(decision, "en")
        decision.to_json()
    observation = {"resourceType": "Observation", "status": "final", "code": {"text": "K"}}
    read_fhir(observation, issuer=issuer_table({}), default_zone=region.zone)


def start(config: ServiceConfig) -> ServiceState:
    """Load the region, build and warm the policy, open the audit store; time it all.

    Raises:
        mutrec.errors.CatalogueError: The region's files have problems.
    """
    began = time.perf_counter()
    region = load_example_region() if config.region is None else load_region(config.region)
    policy = Policy.from_region(region)
    _warm(policy, region)
    table = config.performers
    if table is None:
        table = {f"Organization/{key}": key for key in region.institutions}
    store = None if config.audit is None else AuditStore(config.audit)
    return ServiceState(
        config,
        region,
        policy,
        store,
        issuer_table(table),
        time.perf_counter() - began,
        datetime.now(UTC),
    )
