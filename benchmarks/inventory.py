"""Benchmark: the sites inventory plugin against a static YAML inventory of the same hosts.

Starts the simulator with N sites, writes the plugin's own output as a static YAML inventory (same hosts,
host variables and groups), then times ``ansible-inventory --list`` over three sources side by side, round
after round: the static file, the plugin uncached, the plugin with a warm cache. Reports median wall-time
ratios against the static run and peak RSS. Not a test: it asserts nothing, it measures.

    python -m benchmarks.inventory --sites 10000 --rounds 5   # from the repository root
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

from simulator.process import TOKEN, SimulatorProcess, plain

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def run_measured(command: list[str], env: dict) -> tuple[float, int, bytes]:
    """Wall seconds, peak RSS in KiB, and stdout of one command."""
    started = time.perf_counter()
    with tempfile.TemporaryFile() as out:
        proc = subprocess.Popen(command, env=env, stdout=out, stderr=subprocess.PIPE)  # pylint: disable=consider-using-with
        _pid, status, usage = os.wait4(proc.pid, 0)
        elapsed = time.perf_counter() - started
        if os.waitstatus_to_exitcode(status) != 0:
            raise SystemExit(f"{' '.join(command)} failed: {proc.stderr.read().decode()[-2000:]}")
        out.seek(0)
        return elapsed, usage.ru_maxrss, out.read()


def static_inventory(listing: dict) -> dict:
    """The --list output as a static YAML inventory with the same hosts, variables and groups."""
    hostvars = listing["_meta"]["hostvars"]
    children = {}
    for group, body in listing.items():
        if group in ("_meta", "all", "ungrouped") or not isinstance(body, dict):
            continue
        children[group] = {"hosts": {host: None for host in body.get("hosts", [])}}
    return {"all": {"hosts": hostvars, "children": children}}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sites", type=int, default=10000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--output", type=Path, default=ROOT / "build" / "bench" / "inventory.json")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="sdx-bench-inventory-"))
    sim = SimulatorProcess(work, "--sites", str(args.sites), "--rate-limit", "0", "--offline-ratio", "0.1")
    try:
        env = {**os.environ, "SDX_API_URL": sim.url, "SDX_API_TOKEN": TOKEN,
               "ANSIBLE_COLLECTIONS_PATH": os.environ.get("ANSIBLE_COLLECTIONS_PATH", str(ROOT / "build" / "src")),
               "ANSIBLE_INVENTORY_UNPARSED_FAILED": "true", "ANSIBLE_HOME": str(work / "home")}
        uncached = work / "uncached.sdx.yml"
        uncached.write_text("plugin: altostrat.sdx.sites\n")
        cached = work / "cached.sdx.yml"
        cached.write_text("plugin: altostrat.sdx.sites\ncache: true\ncache_plugin: ansible.builtin.jsonfile\n"
                          f"cache_connection: {work / 'cache'}\ncache_timeout: 86400\n")
        inventory = [str(BIN / "ansible-inventory"), "--list", "-i"]
        _seconds, _rss, listing = run_measured(inventory + [str(cached)], env)  # also warms the cache
        static = work / "static.yml"
        static.write_text(yaml.safe_dump(static_inventory(plain(json.loads(listing))), sort_keys=False))
        sources = {"static YAML": static, "plugin, uncached": uncached, "plugin, cached": cached}
        samples: dict[str, list[tuple[float, int]]] = {name: [] for name in sources}
        for round_number in range(1, args.rounds + 1):
            for name, path in sources.items():
                seconds, rss, _out = run_measured(inventory + [str(path)], env)
                samples[name].append((seconds, rss))
            print(f"round {round_number}: " + ", ".join(f"{name} {samples[name][-1][0]:.2f}s" for name in sources),
                  flush=True)
    finally:
        sim.stop()

    base_time = statistics.median(seconds for seconds, _rss in samples["static YAML"])
    base_rss = max(rss for _seconds, rss in samples["static YAML"])
    report = {"sites": args.sites, "rounds": args.rounds, "python": sys.version.split()[0], "results": {}}
    print(f"\n{args.sites} sites, {args.rounds} rounds, median wall time and peak RSS of ansible-inventory --list")
    print(f"{'source':18} {'median s':>9} {'ratio':>6} {'peak RSS MiB':>13} {'RSS ratio':>9}")
    for name, values in samples.items():
        median = statistics.median(seconds for seconds, _rss in values)
        peak = max(rss for _seconds, rss in values)
        report["results"][name] = {"median_seconds": round(median, 3), "time_ratio": round(median / base_time, 3),
                                   "peak_rss_mib": round(peak / 1024, 1), "rss_ratio": round(peak / base_rss, 3)}
        print(f"{name:18} {median:9.2f} {median / base_time:6.2f} {peak / 1024:13.1f} {peak / base_rss:9.2f}")
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(report, indent=2))
    print(f"\nwritten to {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
