"""The ASGI application: routes, limits, request ids, structured logs and problem documents.

Starlette keeps the application as data (a route table, a lifespan); each handler reads the
body under the size limit, parses JSON strictly, hands the work to a worker thread (the policy
is synchronous and CPU-bound) and shapes the answer. Every refusal and every failure leaves as
an RFC 9457 problem document with the request id; a traceback never does.
"""

from __future__ import annotations

import contextlib
import json
import logging
import re
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from http import HTTPStatus
from typing import Any, Final

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.base import BaseHTTPMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from mutrec.service import _cds, _rest
from mutrec.service._auth import verify
from mutrec.service._config import ServiceConfig
from mutrec.service._openapi import openapi
from mutrec.service._state import PROBLEM_BASE, HttpProblem, ServiceState, start

__all__ = ["build_app"]

LOG: Final = logging.getLogger("mutrec.service")
_REQUEST_ID: Final = re.compile(r"[A-Za-z0-9._-]{1,64}")
_JSON: Final = "application/json"


class _Json(JSONResponse):
    def render(self, content: Any) -> bytes:
        return json.dumps(content, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def _problem(status: int, kind: str, detail: str, request_id: str, **extra: Any) -> Response:
    body = {
        "type": PROBLEM_BASE + kind,
        "title": HTTPStatus(status).phrase,
        "status": status,
        "detail": detail,
        "request_id": request_id,
        **extra,
    }
    headers = {"X-Request-Id": request_id}
    if status == HTTPStatus.UNAUTHORIZED:
        headers["WWW-Authenticate"] = 'Bearer realm="cds-services"'
    return _Json(body, status, headers=headers, media_type="application/problem+json")


def _request_id(request: Request) -> str:
    given = request.headers.get("x-request-id", "")
    return given if _REQUEST_ID.fullmatch(given) else uuid.uuid4().hex


def _refuse_constant(name: str) -> None:
    msg = f"{name} is not JSON"
    raise ValueError(msg)


async def _body(request: Request, limit: int) -> object:
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise HttpProblem(413, "too-large", f"the body is over {limit} bytes")
    chunks = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise HttpProblem(413, "too-large", f"the body is over {limit} bytes")
        chunks.append(chunk)
    try:
        return json.loads(b"".join(chunks), parse_constant=_refuse_constant)
    except (ValueError, RecursionError) as error:
        detail = f"the body is not JSON: {str(error)[:200]}"
        raise HttpProblem(400, "invalid-json", detail) from None


def _lang(request: Request, default: str) -> str:
    ranked = []
    for index, part in enumerate(request.headers.get("accept-language", "").split(",")):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        primary = tag.strip().lower().split("-")[0]
        if primary in {"zh", "en"} and quality > 0:
            ranked.append((-quality, index, primary))
    return min(ranked)[2] if ranked else default


def _state(request: Request) -> ServiceState:
    state: ServiceState = request.app.state.mutrec
    return state


Handler = Callable[[Request, ServiceState, str], Awaitable[Any]]


def _route(path: str, handler: Handler, methods: list[str]) -> Route:
    async def endpoint(request: Request) -> Response:
        request_id = request.state.request_id
        content = await handler(request, _state(request), request_id)
        return _Json(content, headers={"X-Request-Id": request_id})

    return Route(path, endpoint, methods=methods)


async def _healthz(_request: Request, state: ServiceState, _rid: str) -> Any:
    return {
        "status": "ok",
        "region": state.region.name,
        "policy_version": state.policy.version,
        "catalogues": state.catalogue_versions,
        "startup_seconds": round(state.startup_seconds, 3),
        "audit": state.store is not None,
    }


async def _openapi(_request: Request, _state: ServiceState, _rid: str) -> Any:
    return openapi()


async def _discovery(_request: Request, _state: ServiceState, _rid: str) -> Any:
    return _cds.discovery()


async def _hook(request: Request, state: ServiceState, rid: str) -> Any:
    service_id = request.path_params["service_id"]
    if service_id not in _cds.SERVICES:
        raise HttpProblem(404, "unknown-service", f"no CDS service {service_id[:60]!r}")
    issuer = verify(state, request.headers.get("authorization"), str(request.url))
    body = await _body(request, state.config.max_body_bytes)
    receiver = (issuer.receiver if issuer else None) or state.config.receiver
    lang = _lang(request, state.config.language)
    return await run_in_threadpool(
        _cds.hook, state, service_id, body, receiver=receiver, lang=lang, request_id=rid
    )


async def _feedback(request: Request, state: ServiceState, rid: str) -> Any:
    service_id = request.path_params["service_id"]
    url = str(request.url).removesuffix("/feedback")
    verify(state, request.headers.get("authorization"), url)
    body = await _body(request, state.config.max_body_bytes)
    return await run_in_threadpool(_cds.feedback, state, service_id, body, request_id=rid)


async def _evaluate(request: Request, state: ServiceState, rid: str) -> Any:
    body = await _body(request, state.config.max_body_bytes)
    lang = _lang(request, state.config.language)
    return await run_in_threadpool(_rest.evaluate, state, body, lang=lang, request_id=rid)


async def _batch(request: Request, state: ServiceState, rid: str) -> Any:
    body = await _body(request, state.config.max_body_bytes)
    return await run_in_threadpool(_rest.evaluate_batch, state, body, request_id=rid)


async def _order(request: Request, state: ServiceState, rid: str) -> Any:
    body = await _body(request, state.config.max_body_bytes)
    return await run_in_threadpool(_rest.order_check, state, body, request_id=rid)


async def _mark(request: Request, state: ServiceState, _rid: str) -> Any:
    body = await _body(request, state.config.max_body_bytes)
    return await run_in_threadpool(_rest.mark, state, body)


def _log(request: Request, status: int, began: float) -> None:
    # No body, no query, no client address: nothing that could name a patient.
    route = request.scope.get("route")
    LOG.info(
        json.dumps(
            {
                "event": "request",
                "request_id": request.state.request_id,
                "method": request.method,
                "route": getattr(route, "path", "(no route)"),
                "status": status,
                "ms": round((time.perf_counter() - began) * 1000, 2),
            }
        )
    )


def build_app(config: ServiceConfig, state: ServiceState | None = None) -> Starlette:
    """The application; the lifespan builds the state at start-up unless *state* is given."""

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        ready = state if state is not None else await run_in_threadpool(start, config)
        app.state.mutrec = ready
        LOG.info(
            json.dumps(
                {
                    "event": "ready",
                    "region": ready.region.name,
                    "startup_seconds": round(ready.startup_seconds, 3),
                    "audit": str(config.audit) if config.audit else None,
                    "issuers": len(config.issuers),
                },
                ensure_ascii=False,
            )
        )
        if not config.issuers and not config.insecure_no_auth:
            LOG.warning(json.dumps({"event": "no-issuers", "detail": "CDS calls are all refused"}))
        try:
            yield
        finally:
            if state is None and ready.store is not None:
                ready.store.close()

    routes = [
        _route("/healthz", _healthz, ["GET"]),
        _route("/openapi.json", _openapi, ["GET"]),
        _route("/cds-services", _discovery, ["GET"]),
        _route("/cds-services/{service_id}", _hook, ["POST"]),
        _route("/cds-services/{service_id}/feedback", _feedback, ["POST"]),
        _route("/v1/evaluate", _evaluate, ["POST"]),
        _route("/v1/evaluate/batch", _batch, ["POST"]),
        _route("/v1/order-check", _order, ["POST"]),
        _route("/v1/mark", _mark, ["POST"]),
    ]

    async def guard(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        request.state.request_id = _request_id(request)
        began = time.perf_counter()
        try:
            response = await call_next(request)
        except Exception as error:  # noqa: BLE001 (the promise: a problem document, never a traceback)
            LOG.error(  # noqa: TRY400 (the traceback may quote a value: only the type is logged)
                json.dumps(
                    {
                        "event": "error",
                        "request_id": request.state.request_id,
                        "error": type(error).__name__,
                    }
                )
            )
            response = _problem(
                500,
                "internal",
                "the service failed; quote the request id",
                request.state.request_id,
            )
        _log(request, response.status_code, began)
        return response

    app = Starlette(
        routes=routes,
        lifespan=lifespan,
        middleware=[Middleware(BaseHTTPMiddleware, dispatch=guard)],
    )

    async def http_error(request: Request, error: Exception) -> Response:
        status = getattr(error, "status_code", 500)
        rid = getattr(request.state, "request_id", uuid.uuid4().hex)
        kind = {404: "not-found", 405: "method-not-allowed"}.get(status, "http-error")
        detail = f"{request.method} {request.url.path}: {HTTPStatus(status).phrase.lower()}"
        headers = getattr(error, "headers", None) or {}
        response = _problem(status, kind, detail[:300], rid)
        response.headers.update({k: v for k, v in headers.items() if k.lower() == "allow"})
        return response

    async def refused(request: Request, error: Exception) -> Response:
        assert isinstance(error, HttpProblem)  # noqa: S101 (registered for it alone)
        rid = request.state.request_id
        return _problem(error.status, error.kind, error.detail, rid, **error.extra)

    app.add_exception_handler(HTTPException, http_error)
    app.add_exception_handler(HttpProblem, refused)
    return app
