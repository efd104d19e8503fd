"""A service for systems not written in Python: CDS Hooks 2.0 at order time, REST, an audit.

``mutrec serve --region DIR`` (the ``server`` extra: Starlette, uvicorn, PyJWT) answers:

- CDS Hooks 2.0: discovery at ``/cds-services``; ``mutrec-order-select`` and
  ``mutrec-order-sign`` read ``context.draftOrders`` and the prefetched Observations,
  DiagnosticReports and ImagingStudies, run the order check and answer cards (in Chinese or
  English, from ``Accept-Language``) that suggest deleting a draft order a prior result
  covers; ``/cds-services/{id}/feedback`` records adoptions and overrides with their ground.
- REST: ``/v1/evaluate`` (one ``mutrec check`` JSON row), ``/v1/evaluate/batch``,
  ``/v1/order-check``, ``/v1/mark``, ``/healthz`` and ``/openapi.json``.

Every evaluation served, card shown and feedback received is committed to the SQLite audit
store (``--audit FILE``) before the answer leaves; :func:`mutrec.stats.audit_stats` reads it.

``import mutrec`` loads none of this, and ``import mutrec.service`` loads no web package: they
are imported when :func:`create_app` or :func:`serve` is called.

>>> config = ServiceConfig(receiver="TJ001")
>>> config.host, config.port
('127.0.0.1', 8080)
"""

from __future__ import annotations

from typing import Any

from mutrec.errors import MissingDependencyError
from mutrec.service._config import Issuer, ServiceConfig, load_config

__all__ = ["Issuer", "ServiceConfig", "create_app", "load_config", "serve"]


def _require_server(feature: str) -> None:
    import importlib.util

    for package in ("starlette", "uvicorn", "jwt"):
        if importlib.util.find_spec(package) is None:
            raise MissingDependencyError(package, "server", feature=feature)


def create_app(config: ServiceConfig) -> Any:
    """The ASGI application (a Starlette app) for *config*; the region loads at start-up.

    Run it with any ASGI server (``uvicorn``, ``hypercorn``); :func:`serve` runs uvicorn.

    Raises:
        mutrec.errors.MissingDependencyError: The ``server`` extra is not installed.
        mutrec.errors.ArgumentError: *config* is not a :class:`ServiceConfig`.

    >>> app = create_app(ServiceConfig(receiver="TJ001"))
    >>> sorted(route.path for route in app.routes)[:3]
    ['/cds-services', '/cds-services/{service_id}', '/cds-services/{service_id}/feedback']
    """
    from mutrec._checks import require

    require("config", config, ServiceConfig)
    _require_server("mutrec.service.create_app")
    from mutrec.service._app import build_app

    return build_app(config)


def serve(config: ServiceConfig, *, log_level: str = "info") -> None:
    """Serve *config* with uvicorn until interrupted (structured JSON logs on standard error).

    Raises:
        mutrec.errors.MissingDependencyError: The ``server`` extra is not installed.
        mutrec.errors.ArgumentError: *config* is not a :class:`ServiceConfig`.

    >>> serve(None)
    Traceback (most recent call last):
    mutrec.errors.ArgumentError: argument 'config' = None: expected a ServiceConfig
    """
    from mutrec._checks import require

    require("config", config, ServiceConfig)
    require("log_level", log_level, str)
    _require_server("mutrec serve")
    import logging

    import uvicorn

    logging.basicConfig(level=log_level.upper(), format="%(message)s")
    uvicorn.run(
        create_app(config),
        host=config.host,
        port=config.port,
        log_level=log_level,
        access_log=False,  # the service logs each request itself, without the client's address
        server_header=False,
    )
