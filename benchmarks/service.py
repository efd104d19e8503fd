"""A bounded load run against a local ``mutrec serve``, beside calling the policy in-process.

Run ``python benchmarks/service.py [--requests N] [--clients C]``. It starts the service on
127.0.0.1 (a free port, a fresh audit store, the example region, a fixed decision instant),
then sends a fixed number of requests from C concurrent clients (httpx, one connection each):

- ``evaluate``: ``POST /v1/evaluate`` with one potassium row (a look-up: one audit row each);
- ``order-select``: ``POST /cds-services/mutrec-order-select`` with two draft orders and a
  prefetched Bundle (an Organization and a potassium Observation): one look-up, one card.

For each it prints throughput (requests per second over the wall time) and p50 / p99 latency,
beside the baseline of the same work in-process (``Policy.evaluate``, and reading the FHIR
prefetch plus ``Policy.check_order``), with the ratio of latencies. Then it checks the audit
store: its rows equal the requests answered (look-ups = evaluate + order-select answers, cards =
order-select answers). Every audit row is committed (``synchronous = FULL``) before its answer.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).parent))
from _table import print_table

from mutrec import ClinicalContext, Policy, load_example_region
from mutrec.interop import issuer_table, read_fhir
from mutrec.model import LabResult, parse_value

SRC = Path(__file__).resolve().parents[1] / "src"
AT = datetime(2024, 3, 2, 9, tzinfo=timezone(timedelta(hours=8)))
COLLECTED = AT - timedelta(days=1)
ROW = {
    "item": "K",
    "value": "4.1",
    "unit": "mmol/L",
    "specimen": "serum",
    "collected": COLLECTED.isoformat(),
    "reported": (COLLECTED + timedelta(hours=3)).isoformat(),
    "issuer": "BJ001",
    "patient": "p1",
}


def _prefetch() -> dict[str, Any]:
    observation = {
        "resourceType": "Observation",
        "id": "k",
        "status": "final",
        "code": {"coding": [{"system": "http://loinc.org", "code": "2823-3"}], "text": "钾"},
        "subject": {"reference": "Patient/p1"},
        "performer": [{"reference": "Organization/BJ001"}],
        "effectiveDateTime": COLLECTED.isoformat(),
        "issued": (COLLECTED + timedelta(hours=3)).isoformat(),
        "specimen": {"reference": "#s"},
        "contained": [{"resourceType": "Specimen", "id": "s", "type": {"text": "血清"}}],
        "valueQuantity": {"value": 4.1, "system": "http://unitsofmeasure.org", "code": "mmol/L"},
    }
    organization = {"resourceType": "Organization", "id": "BJ001"}
    bundle = {"resourceType": "Bundle", "type": "searchset",
              "entry": [{"resource": organization}, {"resource": observation}]}  # fmt: skip
    return {"observations": bundle}


def _orders() -> dict[str, Any]:
    def order(ident: str, code: str, text: str) -> dict[str, Any]:
        coding = [{"system": "http://loinc.org", "code": code}]
        return {"resourceType": "ServiceRequest", "id": ident, "status": "draft",
                "intent": "proposal", "subject": {"reference": "Patient/p1"},
                "code": {"coding": coding, "text": text}}  # fmt: skip

    return {"resourceType": "Bundle", "type": "collection", "entry": [
        {"resource": order("sr-k", "2823-3", "血钾")},
        {"resource": order("sr-na", "2951-2", "血钠")},
    ]}  # fmt: skip


def _hook_body() -> dict[str, Any]:
    return {
        "hook": "order-select",
        "hookInstance": str(uuid.uuid4()),
        "context": {
            "userId": "Practitioner/d1",
            "patientId": "p1",
            "selections": ["ServiceRequest/sr-k", "ServiceRequest/sr-na"],
            "draftOrders": _orders(),
        },
        "prefetch": _prefetch(),
    }


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@contextlib.contextmanager
def _service(audit: Path) -> Iterator[tuple[str, float]]:
    port = _free_port()
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(SRC), os.environ.get("PYTHONPATH", "")]),
    }
    began = time.perf_counter()
    process = subprocess.Popen(  # noqa: S603 (fixed argv)
        [sys.executable, "-m", "mutrec", "serve", "--port", str(port), "--audit", str(audit),
         "--receiver", "TJ001", "--insecure-no-auth", "--at", AT.isoformat(),
         "--log-level", "warning"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        while True:
            with contextlib.suppress(httpx.TransportError):
                health = httpx.get(f"{url}/healthz", timeout=1.0)
                if health.status_code == 200:
                    break
            if process.poll() is not None or time.perf_counter() - began > 60:
                sys.exit("mutrec serve did not start")
            time.sleep(0.02)
        ready = time.perf_counter() - began
        warm = health.json()["startup_seconds"]
        print(f"service ready in {ready:.2f} s (process start to first /healthz answer); "
              f"region load, policy build and warm-up: {warm:.3f} s")  # fmt: skip
        yield url, ready
    finally:
        process.terminate()
        process.wait(timeout=10)


async def _load(url: str, path: str, body: Callable[[], Any], total: int, clients: int) -> Any:
    latencies: list[float] = []
    remaining = iter(range(total))
    failures = 0

    async def client() -> None:
        nonlocal failures
        async with httpx.AsyncClient(base_url=url, timeout=30.0) as http:
            for _ in remaining:
                payload = json.dumps(body(), ensure_ascii=False).encode()
                began = time.perf_counter()
                answer = await http.post(path, content=payload,
                                         headers={"Content-Type": "application/json"})  # fmt: skip
                latencies.append(time.perf_counter() - began)
                failures += answer.status_code != 200

    began = time.perf_counter()
    await asyncio.gather(*(client() for _ in range(clients)))
    return latencies, time.perf_counter() - began, failures


def _in_process(total: int) -> tuple[list[float], list[float]]:
    region = load_example_region()
    policy = Policy.from_region(region)
    result = LabResult("K", parse_value("4.1", "mmol/L"), COLLECTED, "BJ001", "p1",
                       reported=COLLECTED + timedelta(hours=3), specimen="serum")  # fmt: skip
    context = ClinicalContext(patient="p1")
    resolver = issuer_table({"Organization/BJ001": "BJ001"})
    evaluate, order = [], []
    for _ in range(total):
        began = time.perf_counter()
        policy.evaluate(result, receiver="TJ001", at=AT, context=context)
        evaluate.append(time.perf_counter() - began)
    for _ in range(total):
        began = time.perf_counter()
        reading = read_fhir(_prefetch()["observations"], issuer=resolver, default_zone=AT.tzinfo)
        policy.check_order(["2823-3", "2951-2"], reading.results, receiver="TJ001", at=AT,
                           context=ClinicalContext(patient="Patient/p1"))  # fmt: skip
        order.append(time.perf_counter() - began)
    return evaluate, order


def _quantile(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[round(q * 100) - 1] * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=2000, help="requests per endpoint")
    parser.add_argument("--clients", type=int, default=8, help="concurrent clients")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as directory:
        audit = Path(directory) / "audit.db"
        with _service(audit) as (url, _):
            evaluate = asyncio.run(
                _load(url, "/v1/evaluate", lambda: ROW, args.requests, args.clients)
            )
            hook = asyncio.run(_load(url, "/cds-services/mutrec-order-select", _hook_body,
                                     args.requests, args.clients))  # fmt: skip
        with contextlib.closing(sqlite3.connect(audit)) as db:
            lookups = db.execute("SELECT count(*) FROM lookups").fetchone()[0]
            cards = db.execute("SELECT count(*) FROM reminders").fetchone()[0]
    local_evaluate, local_order = _in_process(args.requests)
    rows = []
    for name, (latencies, wall, failures), local in (
        ("evaluate", evaluate, local_evaluate),
        ("order-select", hook, local_order),
    ):
        rows.append([f"{name} (HTTP, {args.clients} clients)", len(latencies), failures,
                     len(latencies) / wall, _quantile(latencies, 0.5), _quantile(latencies, 0.99),
                     _quantile(latencies, 0.5) / _quantile(local, 0.5)])  # fmt: skip
        rows.append([f"{name} (in-process, 1 thread)", len(local), 0, len(local) / sum(local),
                     _quantile(local, 0.5), _quantile(local, 0.99), 1.0])  # fmt: skip
    print(f"{args.requests} requests per endpoint; CPU count {os.cpu_count()}")
    print_table(["run", "requests", "failed", "per s", "p50 ms", "p99 ms", "p50 ratio"], rows)
    answered = len(evaluate[0]) - evaluate[2] + len(hook[0]) - hook[2]
    print(f"audit: {lookups} look-ups, {cards} cards for {answered} answered requests "
          f"(expected {answered} look-ups and {len(hook[0]) - hook[2]} cards)")  # fmt: skip
    if lookups != answered or cards != len(hook[0]) - hook[2]:
        sys.exit("the audit store does not hold one row per answered request")


if __name__ == "__main__":
    main()
