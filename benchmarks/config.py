"""Benchmarks of altostrat.sdx.sdx_config and the drift report against the simulator (figures; nothing asserted).

1. compliant: N sites (default 100), 20 forks, the rate budget off. Requests per compliant site, counted in the
   simulator's request log, for one menu and for two menus, next to the promise (one request per menu). In the
   same run, in turn over several rounds, the CPU time per site (user and system, of ansible-playbook and every
   process it started) of: sdx_config on a compliant menu (one read), sdx_async_script when an equal job exists
   (one read), and sdx_async_script queueing its script (one read, one POST).
2. drift: the altostrat.sdx.drift playbook over N sites (default 800) of the altostrat.sdx.sites inventory, from
   backups: the requests made, with the bulk endpoint and without it (on 50 sites, scaled), and the wall time.

    python -m benchmarks.config [--rounds 3] [--only compliant|drift] [--sites N]

Run it with ANSIBLE_COLLECTIONS_PATH=build/collections after `make install` (sdx_config needs community.routeros).
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import yaml

from benchmarks.modules import BIN, ROOT, environment, failed_tasks, inventory, run_parts, timed_play, write
from simulator.process import SimulatorProcess

DEFCONF = {"address": "192.168.88.1/24", "interface": "bridge", "comment": "defconf"}
IDENTITY = {"description": "Benchmark identity", "script": "/system identity print"}
PLAYS = {
    "sdx_config, compliant (1 menu)": [{"altostrat.sdx.sdx_config": {"path": "ip address", "data": [DEFCONF]}}],
    "sdx_config, compliant (2 menus)": [
        {"altostrat.sdx.sdx_config": {"path": "ip address", "data": [DEFCONF]}},
        {"altostrat.sdx.sdx_config": {"path": "ip dns static",
                                      "data": [{"name": "nas.branch.lan", "address": "192.168.88.10"}]}}],
    "sdx_async_script, equal job exists": [{"altostrat.sdx.sdx_async_script": IDENTITY}],
    "sdx_async_script, queues": [{"altostrat.sdx.sdx_async_script": {**IDENTITY, "force": True}}],
}


def playbook(work: Path, name: str) -> Path:
    tasks = [{"name": f"Task {number}", **task} for number, task in enumerate(PLAYS[name], 1)]
    play = [{"name": name, "hosts": "all", "gather_facts": False, "tasks": tasks}]
    return write(work / f"{abs(hash(name))}.yml", play)


def api_log(sim: SimulatorProcess) -> list[dict]:
    return [entry for entry in sim.log() if not entry["path"].startswith("/_sim")]


def compliant(work: Path, rounds: int, sites: int) -> dict:
    sim = SimulatorProcess(work, "--sites", str(sites), "--offline-ratio", "0", "--rate-limit", "0")
    try:
        env, hosts = environment(work, sim, 0), inventory(work, sim)
        books = {name: playbook(work, name) for name in PLAYS}
        # An equal job must exist before the idempotent run: queue it once, then count from an empty log.
        timed_play(playbook(work, "sdx_async_script, equal job exists"), hosts, env)
        cpu: dict[str, list[float]] = {name: [] for name in PLAYS}
        requests: dict[str, float] = {}
        for number in range(rounds):
            order = list(PLAYS)[number % len(PLAYS):] + list(PLAYS)[:number % len(PLAYS)]
            for name in order:
                sim.call("DELETE", "/_sim/requests")
                _seconds, spent, output = timed_play(books[name], hosts, env)
                if failed_tasks(output):
                    raise SystemExit(f"{name} failed:\n{output[-3000:]}")
                cpu[name].append(spent)
                requests[name] = round(len(api_log(sim)) / sites, 3)
    finally:
        sim.stop()
    return {"sites": sites, "forks": 20, "rounds": rounds, "requests_per_site": requests,
            "cpu_ms_per_site": {name: round(1000 * statistics.median(values) / sites, 1)
                                for name, values in cpu.items()}}


def drift_run(work: Path, sim: SimulatorProcess, *args: str) -> tuple[float, dict]:
    env = {**environment(work, sim, 0), "ANSIBLE_FORKS": "20"}
    write(work / "fleet.sdx.yml", {"plugin": "altostrat.sdx.sites"})
    (work / "desired.yml").write_text(yaml.safe_dump({"drift_menus": [
        {"path": "ip address", "data": [DEFCONF]},
        {"path": "system ntp client servers", "data": [{"address": "162.159.200.1"}]}]}))
    sim.call("DELETE", "/_sim/requests")
    started = time.perf_counter()
    done = subprocess.run([str(BIN / "ansible-playbook"), "altostrat.sdx.drift", "-i", "fleet.sdx.yml",
                           "-e", "@desired.yml", "-e", "drift_source=backup", *args], cwd=work, env=env,
                          capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - started
    if done.returncode:
        raise SystemExit(f"drift failed:\n{(done.stdout + done.stderr)[-3000:]}")
    report = json.loads((work / "drift-report" / "drift-report.json").read_text())
    made = Counter(f"{entry['method']} {'/'.join(entry['path'].split('/')[:2])}" for entry in api_log(sim))
    return seconds, {"sites": report["total"], "requests": sum(made.values()), "by_endpoint": dict(made),
                     "counts": report["counts"], "wall_seconds": round(seconds, 1)}


def drift(work: Path, sites: int) -> dict:
    sim = SimulatorProcess(work, "--sites", str(sites), "--offline-ratio", "0.25", "--rate-limit", "0")
    try:
        _seconds, bulk = drift_run(work, sim)
        sim.settings(bulk_backups=False)
        _seconds, fallback = drift_run(work, sim, "--limit", ",".join(site["name"] for site in sim.sites()[:50]))
    finally:
        sim.stop()
    return {"bulk": bulk, "without_bulk_50_sites": fallback}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--only", choices=["compliant", "drift"])
    parser.add_argument("--sites", type=int, help="sites for every part (default: 100 and 800)")
    parser.add_argument("--output", type=Path, default=ROOT / "build" / "bench" / "config.json")
    args = parser.parse_args()
    report: dict = {"python": sys.version.split()[0]}
    parts = {"compliant": lambda work: compliant(work, args.rounds, args.sites or 100),
             "drift": lambda work: drift(work, args.sites or 800)}
    return run_parts(parts, args, report)


if __name__ == "__main__":
    sys.exit(main())
