"""Run the SDX simulator: ``python -m simulator [options] [-- command ...]``.

With a command after ``--`` the simulator serves only while that command runs, with
``SDX_API_URL`` and ``SDX_API_TOKEN`` pointing at it, and exits with the command's code.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

from .server import Simulator, SimulatorServer


def parse_args(argv: list[str]) -> tuple[argparse.Namespace, list[str]]:
    command: list[str] = []
    if "--" in argv:
        cut = argv.index("--")
        argv, command = argv[:cut], argv[cut + 1:]
    parser = argparse.ArgumentParser(prog="python -m simulator", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1", help="loopback address to bind (default %(default)s)")
    parser.add_argument("--port", type=int, default=0, help="port to bind, 0 picks a free one")
    parser.add_argument("--port-file", type=Path, help="write {port, url, pid} as JSON here once listening")
    parser.add_argument("--sites", type=int, default=12, help="number of sites in the fleet")
    parser.add_argument("--offline-ratio", type=float, default=0.25, help="share of sites that are offline")
    parser.add_argument("--token", default="alto_sk_simulator", help="the only API token accepted")
    parser.add_argument("--rate-limit", type=int, default=60, help="requests per minute per token, 0 = off")
    parser.add_argument("--no-retry-after", action="store_true", help="answer 429 without a Retry-After header")
    parser.add_argument("--seed", type=int, default=1, help="seed for the generated fleet")
    parser.add_argument("--time-scale", type=float, default=1.0,
                        help="multiplies job phase durations (pickup 4 s, run 3 s at 1.0)")
    parser.add_argument("--page-size", type=int, default=0, help="paginate GET /sites, 0 = one bare array")
    parser.add_argument("--no-associated-backup", action="store_true",
                        help="jobs never name their pre-change backup (associated_backup stays null)")
    parser.add_argument("--sync-shape", choices=("envelope", "typed", "strings"), default="envelope",
                        help="answer shape of POST /api/synchronous (see simulator/commands.py); default %(default)s")
    parser.add_argument("--no-bulk-backups", action="store_true",
                        help="POST /backups/latest answers 404, as on a host that does not serve it")
    parser.add_argument("--heartbeat-seconds", type=float, default=30,
                        help="router seconds between a site's check-ins (time-scaled); default %(default)s")
    parser.add_argument("--missed-heartbeats", type=int, default=10,
                        help="missed check-ins before a cut-off site loses its pulse, 0 = at once; default %(default)s")
    parser.add_argument("--plan", type=json.loads, action="append", default=[], metavar="JSON",
                        help="a fault plan, as POST /_sim/plans takes it (repeatable; set again on reset)")
    parser.add_argument("--fault", type=json.loads, action="append", default=[], metavar="JSON",
                        help="a fault rule, as POST /_sim/faults takes it (repeatable; set again on reset)")
    parser.add_argument("--verbose", action="store_true", help="log every request to stderr")
    return parser.parse_args(argv), command


def main(argv: list[str] | None = None) -> int:
    args, command = parse_args(sys.argv[1:] if argv is None else argv)
    try:
        sim = Simulator(sites=args.sites, offline_ratio=args.offline_ratio, token=args.token,
                        rate_limit=args.rate_limit, seed=args.seed, time_scale=args.time_scale,
                        page_size=args.page_size, retry_after=not args.no_retry_after,
                        associated_backup=not args.no_associated_backup, sync_shape=args.sync_shape,
                        bulk_backups=not args.no_bulk_backups, heartbeat_seconds=args.heartbeat_seconds,
                        missed_heartbeats=args.missed_heartbeats, plans=tuple(args.plan), faults=tuple(args.fault))
    except ValueError as error:  # a --plan or --fault that makes no sense
        print(f"python -m simulator: {error}", file=sys.stderr)
        return 2
    server = SimulatorServer((args.host, args.port), sim, verbose=args.verbose)
    port = server.server_address[1]
    if args.port_file:
        args.port_file.write_text(json.dumps({"port": port, "url": server.url, "pid": os.getpid()}))
    print(f"SDX simulator listening on {server.url} ({args.sites} sites)", flush=True)
    if not command:
        signal.signal(signal.SIGTERM, lambda *_: threading.Thread(target=server.shutdown).start())
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            pass
        finally:
            server.server_close()
        return 0
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    env = dict(os.environ, SDX_API_URL=server.url, SDX_API_TOKEN=args.token, SDX_SIMULATOR_URL=server.url)
    try:
        return subprocess.call(command, env=env)
    finally:
        server.shutdown()
        server.server_close()


if __name__ == "__main__":
    sys.exit(main())
