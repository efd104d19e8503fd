"""A real ``mutrec serve`` process on 127.0.0.1, and a CDS client that signs its JWTs.

The service runs as a separate uvicorn process on a free port, configured with one EHR issuer
whose EC P-384 key the tests hold; tests speak HTTP to it with httpx, as a hospital's system
would. It is started once per session (start-up is the region load: well under a second).
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import attrs
import pytest

httpx = pytest.importorskip("httpx")
jwt = pytest.importorskip("jwt")
pytest.importorskip("starlette")
pytest.importorskip("uvicorn")

from cryptography.hazmat.primitives.asymmetric import ec  # noqa: E402

import mutrec  # noqa: E402

ISS = "https://ehr.tj001.example"
# The example region's lab catalogue is the 2023-24 cycle: the service decides as of this instant.
AT = datetime(2024, 3, 2, 9, 0, tzinfo=timezone(timedelta(hours=8)))
KID = "tj001-2026"
SRC = Path(mutrec.__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@attrs.frozen
class Service:
    url: str
    audit: Path
    key: ec.EllipticCurvePrivateKey
    log: Path

    def token(self, service: str, **changes: Any) -> str:
        now = int(time.time())
        claims: dict[str, Any] = {
            "iss": ISS,
            "sub": "ehr-client",
            "aud": f"{self.url}/cds-services/{service}",
            "iat": now,
            "exp": now + 300,
            "jti": uuid.uuid4().hex,
        }
        claims.update(changes)
        claims = {k: v for k, v in claims.items() if v is not None}
        token: str = jwt.encode(claims, self.key, algorithm="ES384", headers={"kid": KID})
        return token

    def headers(self, service: str, **changes: Any) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token(service, **changes)}"}

    def client(self) -> Any:
        return httpx.Client(base_url=self.url, timeout=httpx.Timeout(20.0))


def start_service(
    directory: Path, key: ec.EllipticCurvePrivateKey, **settings: Any
) -> Iterator[Service]:
    public = jwt.algorithms.ECAlgorithm.to_jwk(key.public_key(), as_dict=True)
    (directory / "ehr.jwks.json").write_text(json.dumps({"keys": [{**public, "kid": KID}]}))
    lines = [
        'receiver = "TJ001"',
        f"at = {AT.isoformat()}",
        f"max_body_bytes = {settings.get('max_body_bytes', 200_000)}",
        f"max_batch = {settings.get('max_batch', 100)}",
        "[performers]",
        '"Organization/bj1" = "BJ001"',
        '"https://hospitals.example/id|110102001" = "BJ001"',
        '"Practitioner/f005" = "BJ001"',
        "[[issuers]]",
        f'iss = "{ISS}"',
        'jwks = "ehr.jwks.json"',
    ]
    config = directory / "service.toml"
    config.write_text("\n".join(lines) + "\n", encoding="utf-8")
    port = free_port()
    audit = directory / "audit.db"
    log = directory / "service.log"
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(SRC), os.environ.get("PYTHONPATH", "")]),
    }
    with log.open("wb") as sink:
        process = subprocess.Popen(  # noqa: S603 (fixed argv)
            [sys.executable, "-m", "mutrec", "serve", "--config", str(config),
             "--port", str(port), "--audit", str(audit)],
            stdout=sink, stderr=subprocess.STDOUT, env=env,
        )  # fmt: skip
    service = Service(f"http://127.0.0.1:{port}", audit, key, log)
    try:
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                pytest.fail(f"mutrec serve exited: {log.read_text(errors='replace')}")
            try:
                if httpx.get(f"{service.url}/healthz", timeout=1.0).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                pytest.fail("mutrec serve did not start within 60 s")
            time.sleep(0.1)
        yield service
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture(scope="session")
def ehr_key() -> ec.EllipticCurvePrivateKey:
    return ec.generate_private_key(ec.SECP384R1())


@pytest.fixture(scope="session")
def service(
    tmp_path_factory: pytest.TempPathFactory, ehr_key: ec.EllipticCurvePrivateKey
) -> Iterator[Service]:
    yield from start_service(tmp_path_factory.mktemp("service"), ehr_key)


@pytest.fixture
def client(service: Service) -> Iterator[Any]:
    with service.client() as http:
        yield http


def query(path: Path, sql: str, *params: object) -> list[tuple[Any, ...]]:
    """Rows of the audit store (read while the service runs: WAL lets readers in)."""
    import contextlib
    import sqlite3

    with contextlib.closing(sqlite3.connect(path)) as db:
        return db.execute(sql, params).fetchall()
