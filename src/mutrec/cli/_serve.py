"""``mutrec serve`` (the CDS Hooks and REST service) and ``mutrec stats --audit`` (its figures)."""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from datetime import datetime
from typing import Any, TextIO

__all__ = ["add_commands", "serve", "stats"]

_SERVE_EPILOG = """\
The region is loaded and the policy built and warmed before the port opens; the start-up time
is logged. Binds to loopback unless --public is given. CDS Hooks calls need a JWT signed by an
issuer of --config (issuers = [...]) unless --insecure-no-auth is given (a test bench only).
"""


def add_commands(commands: Any, debug: Callable[[argparse.ArgumentParser, object], None]) -> None:
    """Add ``serve`` and ``stats`` to the ``mutrec`` sub-command parsers.

    >>> parser = argparse.ArgumentParser()
    >>> add_commands(parser.add_subparsers(dest="command"), lambda p, d: None)
    >>> parser.parse_args(["serve", "--port", "9000"]).port
    9000
    """
    serve = commands.add_parser(
        "serve",
        help="serve CDS Hooks and REST (needs mutrec[server])",
        description="Serve mutual recognition over HTTP: CDS Hooks 2.0 and REST.",
        epilog=_SERVE_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    serve.add_argument("--config", metavar="TOML", help="service settings (issuers, performers…)")
    serve.add_argument("--region", metavar="DIR", help="region directory (default: the example)")
    serve.add_argument("--host", help="address to bind (default 127.0.0.1)")
    serve.add_argument("--port", type=int, help="TCP port (default 8080)")
    serve.add_argument("--audit", metavar="FILE", help="SQLite audit store (created if absent)")
    serve.add_argument("--receiver", help="the institution the service decides for")
    serve.add_argument("--language", choices=("zh", "en"), help="cards' default language")
    serve.add_argument("--public", action="store_true", default=None, help="allow non-loopback")
    serve.add_argument(
        "--insecure-no-auth",
        action="store_true",
        default=None,
        help="accept CDS Hooks calls without a JWT (testing only)",
    )
    serve.add_argument(
        "--at",
        metavar="INSTANT",
        type=_instant,
        help="decide at this fixed ISO-8601 instant, not the clock's (demos, test benches)",
    )
    serve.add_argument("--log-level", default="info", choices=("debug", "info", "warning"))
    debug(serve, argparse.SUPPRESS)
    stats = commands.add_parser(
        "stats",
        help="look-ups, reminders, adoptions and overrides from a service's audit store",
        description="调阅互认率, 同期互认率 and overrides by ground, from the audit store.",
    )
    stats.add_argument("--audit", metavar="FILE", required=True, help="the SQLite audit store")
    stats.add_argument("--by", choices=("receiver", "issuer", "item", "week"), help="group by")
    stats.add_argument("--format", choices=("table", "json"), default="table")
    debug(stats, argparse.SUPPRESS)


def _instant(text: str) -> datetime:
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        msg = f"not an ISO-8601 instant: {text!r}"
        raise argparse.ArgumentTypeError(msg) from None
    if value.tzinfo is None:
        msg = f"needs an offset such as +08:00: {text!r}"
        raise argparse.ArgumentTypeError(msg)
    return value


def serve(args: argparse.Namespace, err: TextIO) -> int:
    """Run the service until interrupted; 1 when its settings or region cannot be read."""
    from mutrec.service import ServiceConfig, load_config
    from mutrec.service import serve as run

    options = {
        "region": args.region,
        "host": args.host,
        "port": args.port,
        "audit": args.audit,
        "receiver": args.receiver,
        "language": args.language,
        "public": args.public,
        "insecure_no_auth": args.insecure_no_auth,
        "at": args.at,
    }
    if args.config:
        config = load_config(args.config, **options)
    else:
        config = ServiceConfig(**{k: v for k, v in options.items() if v is not None})
    print(f"mutrec: serving on http://{config.host}:{config.port} (loading the region…)", file=err)
    run(config, log_level=args.log_level)
    return 0


def _percent(share: float | None) -> str:
    return "—" if share is None else f"{share:.1%}"


def stats(args: argparse.Namespace, out: TextIO) -> int:
    """Print the audit store's figures as a table or JSON."""
    from mutrec.stats import audit_stats

    figures = audit_stats(args.audit, by=args.by)
    if args.format == "json":
        print(json.dumps([f.to_dict() for f in figures], ensure_ascii=False, indent=2), file=out)
        return 0
    head = f"{args.by or 'all':<16} {'look-ups':>8} {'调阅互认率':>10} {'+caution':>9}"
    print(f"{head} {'reminders':>9} {'同期互认率':>10} {'overrides':>9}  by ground", file=out)
    for f in figures:
        grounds = ", ".join(f"{code} {count}" for code, count in f.by_ground) or "—"
        print(
            f"{f.key or 'all':<16} {f.lookups.brought:>8} {_percent(f.lookups.rate):>10} "
            f"{_percent(f.lookups.rate_with_caution):>9} {f.reminders.brought:>9} "
            f"{_percent(f.reminders.rate_with_caution):>10} {f.overrides:>9}  {grounds}",
            file=out,
        )
    return 0
