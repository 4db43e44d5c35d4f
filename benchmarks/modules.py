"""Benchmarks of the modules against the simulator (ratios side by side; nothing is asserted).

1. requests: requests per site, counted in the simulator's request log, for queue only and for queue and
   wait, next to the floor: 2 to queue (one read of the site's jobs for idempotency, one POST), 2 + polls to
   queue and wait (the first poll is the look-up of the job, every later one a read of the job).
2. overhead: 200 sites, 20 forks, the rate budget off. A playbook queueing a script with
   altostrat.sdx.sdx_async_script against the same playbook POSTing the same bodies with ansible.builtin.uri.
   The module runs twice: as users run it (the hosts' interpreter is the controller's Python, so it runs in its
   action plugin), and as a module process (the interpreter is a wrapper script of the same Python). Median
   wall-time ratios to uri over several rounds, run in turn, and the CPU time each run spent per site.
3. rate: 300 sites, queue and wait, with the simulator's rate limit on and time-scaled (600 requests a
   minute) and rate_limit set to match. Wall time against the floor (requests made / allowed rate), and
   the count of HTTP 429 answers and failed tasks.
4. startup: one task's module process on its own (the way a task runs with another interpreter), sdx_async_script against uri: the median CPU time (user and
   system) of running each kept AnsiballZ wrapper, next to what importing pydantic costs an interpreter that
   has already loaded what every module loads (ansible's module basics and requests). It tells how much of
   the overhead is the module process, and how much of that is pydantic.

5. reads: 100 sites, a read-only module (altostrat.sdx.sdx_job_info) whose plays load nothing of the collection
   in Ansible's main process, against uri GETting the same list: in the action plugin with a static inventory
   (each forked worker imports requests, pydantic and the collection's code itself), in the action plugin with
   the altostrat.sdx.sites inventory (the main process imported them before forking), and as a module process.
   The CPU time per site of each run, and its wall time.

    python -m benchmarks.modules [--rounds 3] [--only requests|overhead|rate|startup|reads] [--sites N]

``--sites`` scales every part down (or up) for a quick check; the recorded figures use the defaults.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

from simulator.process import TOKEN, SimulatorProcess

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
BODY = {"description": "Benchmark identity", "script": "/system identity print", "make_backup": False,
        "express_execute": False, "needs_acknowledgement": False}
MODULE_PLAY = [{"name": "Queue with sdx_async_script", "hosts": "all", "gather_facts": False, "tasks": [
    {"name": "Queue", "altostrat.sdx.sdx_async_script": dict(BODY)}]}]
URI_PLAY = [{"name": "Queue with uri", "hosts": "all", "gather_facts": False, "tasks": [
    {"name": "Queue", "ansible.builtin.uri": {
        "url": "{{ lookup('ansible.builtin.env', 'SDX_API_URL') }}/api/asynchronous/{{ sdx_site_id }}",
        "method": "POST", "body_format": "json", "body": BODY, "status_code": [200, 202],
        "headers": {"Authorization": "Bearer {{ lookup('ansible.builtin.env', 'SDX_API_TOKEN') }}"}}}]}]
READ_PLAY = [{"name": "Read jobs", "hosts": "all", "gather_facts": False, "tasks": [
    {"name": "Read", "altostrat.sdx.sdx_job_info": {}}]}]
URI_READ_PLAY = [{"name": "Read jobs with uri", "hosts": "all", "gather_facts": False, "tasks": [
    {"name": "Read", "ansible.builtin.uri": {
        "url": "{{ lookup('ansible.builtin.env', 'SDX_API_URL') }}/site/{{ sdx_site_id }}/job",
        "headers": {"Authorization": "Bearer {{ lookup('ansible.builtin.env', 'SDX_API_TOKEN') }}"}}}]}]
WAIT_PLAY = [{"name": "Queue and wait", "hosts": "all", "gather_facts": False, "tasks": [
    {"name": "Queue and wait", "altostrat.sdx.sdx_async_script": {
        **BODY, "needs_acknowledgement": True, "wait": True, "poll_interval": 2, "wait_timeout": 900}}]}]


def write(path: Path, data) -> Path:
    path.write_text(json.dumps(data))
    return path


def inventory(work: Path, sim: SimulatorProcess, interpreter: str = sys.executable) -> Path:
    # What the inventory plugin sets with its default prefix: the site variable, and sdx_id beside it.
    hosts = {site["name"]: {"sdx_site_id": site["id"], "sdx_id": site["id"]} for site in sim.sites()}
    name = "sites.yml" if interpreter == sys.executable else "sites-process.yml"
    return write(work / name, {"all": {"hosts": hosts, "vars": {
        "ansible_connection": "local", "ansible_python_interpreter": interpreter}}})


def process_interpreter(work: Path) -> str:
    """Another path to this Python: a site module whose interpreter it is runs as a module process."""
    wrapper = work / "python-wrapper"
    wrapper.write_text(f'#!/bin/sh\nexec "{sys.executable}" "$@"\n')
    wrapper.chmod(0o755)
    return str(wrapper)


def play(playbook: Path, hosts: Path, env: dict) -> tuple[float, str]:
    seconds, _cpu, output = timed_play(playbook, hosts, env)
    return seconds, output


def timed_play(playbook: Path, hosts: Path, env: dict) -> tuple[float, float, str]:
    """Wall time, CPU time (user and system, of ansible-playbook and every process it started), and output."""
    started, before = time.perf_counter(), resource.getrusage(resource.RUSAGE_CHILDREN)
    done = subprocess.run([str(BIN / "ansible-playbook"), "-i", str(hosts), "-f", "20", str(playbook)],
                          env=env, capture_output=True, text=True, check=False)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
    return time.perf_counter() - started, cpu, done.stdout + done.stderr


def failed_tasks(output: str) -> int:
    return sum(int(count) for count in re.findall(r"failed=(\d+)", output))


def environment(work: Path, sim: SimulatorProcess, rate_limit: int) -> dict:
    return {**os.environ, "SDX_API_URL": sim.url, "SDX_API_TOKEN": TOKEN, "SDX_RATE_LIMIT": str(rate_limit),
            "TMPDIR": str(work), "ANSIBLE_HOME": str(work / "home"), "ANSIBLE_NOCOLOR": "1",
            "ANSIBLE_COLLECTIONS_PATH": os.environ.get("ANSIBLE_COLLECTIONS_PATH", str(ROOT / "build" / "src"))}


def per_site(log: list[dict], sites: int) -> dict:
    """Requests per site, split into the idempotency read, the POST and the reads after it."""
    posted: set[str] = set()
    counts = {"idempotency_read": 0, "post": 0, "reads_after_post": 0}
    for entry in sorted(log, key=lambda item: item["seq"]):
        site = entry["path"].split("/")[-1] if entry["method"] == "POST" else entry["path"].split("/")[2]
        if entry["method"] == "POST":
            counts["post"] += 1
            posted.add(site)
        elif site in posted:
            counts["reads_after_post"] += 1
        else:
            counts["idempotency_read"] += 1
    return {name: round(value / sites, 3) for name, value in counts.items()}


def requests_per_site(work: Path, sites: int) -> dict:
    sim = SimulatorProcess(work, "--sites", str(sites), "--offline-ratio", "0", "--rate-limit", "0",
                           "--time-scale", "0.2")
    try:
        hosts, env = inventory(work, sim), environment(work, sim, 0)
        report = {"sites": sites}
        for name, playbook in (("queue", MODULE_PLAY), ("queue_and_wait", WAIT_PLAY)):
            sim.reset()
            _seconds, output = play(write(work / f"{name}.yml", playbook), hosts, env)
            log = sim.wait_landed()
            if failed_tasks(output) or len(sim.jobs()) != sites:
                raise SystemExit(f"{name} run failed:\n{output[-3000:]}")
            split = per_site(log, sites)
            measured = round(len(log) / sites, 3)
            # The floor: the idempotency read and the POST, plus (when waiting) one read per poll the job needed.
            floor = 2 + (split["reads_after_post"] if name == "queue_and_wait" else 0)
            report[name] = {"requests_per_site": measured, "floor": round(floor, 3),
                            "ratio_to_floor": round(measured / floor, 3), "split": split}
    finally:
        sim.stop()
    return report


def overhead(work: Path, rounds: int, sites: int = 200) -> dict:
    sim = SimulatorProcess(work, "--sites", str(sites), "--offline-ratio", "0", "--rate-limit", "0")
    try:
        env = environment(work, sim, 0)
        runs = {"sdx_async_script": (write(work / "module.yml", MODULE_PLAY), inventory(work, sim)),
                "sdx_async_script_process": (write(work / "module.yml", MODULE_PLAY),
                                             inventory(work, sim, process_interpreter(work))),
                "uri": (write(work / "uri.yml", URI_PLAY), inventory(work, sim))}
        times: dict[str, list[float]] = {name: [] for name in runs}
        cpu: dict[str, list[float]] = {name: [] for name in runs}
        for number in range(rounds):
            order = list(runs)[number % len(runs):] + list(runs)[:number % len(runs)]
            for name in order:
                sim.reset()
                seconds, spent, output = timed_play(*runs[name], env)
                posts = len(sim.log("POST"))
                if failed_tasks(output) or posts != sites:
                    raise SystemExit(f"{name} run failed ({posts} POSTs):\n{output[-3000:]}")
                times[name].append(seconds)
                cpu[name].append(spent)
            print(f"round {number + 1}: " + ", ".join(f"{name} {times[name][-1]:.1f}s" for name in runs), flush=True)
    finally:
        sim.stop()
    medians = {name: statistics.median(values) for name, values in times.items()}
    return {"sites": sites, "forks": 20, "rounds": rounds,
            "median_seconds": {name: round(value, 2) for name, value in medians.items()},
            "cpu_ms_per_site": {name: round(1000 * statistics.median(values) / sites, 1) for name, values in cpu.items()},
            "ratio": round(medians["sdx_async_script"] / medians["uri"], 3),
            "ratio_as_module_process": round(medians["sdx_async_script_process"] / medians["uri"], 3)}


def rate(work: Path, sites: int = 300) -> dict:
    per_minute = 600
    sim = SimulatorProcess(work, "--sites", str(sites), "--offline-ratio", "0", "--rate-limit", str(per_minute),
                           "--time-scale", "0.2")
    try:
        hosts, env = inventory(work, sim), environment(work, sim, per_minute)
        seconds, output = play(write(work / "wait.yml", WAIT_PLAY), hosts, env)
        log = sim.log()
        jobs = sim.jobs()
    finally:
        sim.stop()
    floor = len(log) / (per_minute / 60)
    return {"sites": sites, "forks": 20, "rate_per_minute": per_minute, "requests": len(log),
            "requests_per_site": round(len(log) / sites, 3),
            "seconds": round(seconds, 1), "floor_seconds": round(floor, 1), "ratio_to_floor": round(seconds / floor, 3),
            "http_429": sum(1 for entry in log if entry["status"] == 429), "failed_tasks": failed_tasks(output),
            "jobs": len(jobs), "completed_jobs": sum(1 for job in jobs if job["completed_at"])}


def cpu_seconds(command: list[str], env: dict, runs: int, before=lambda: None) -> float:
    """The median CPU time (user and system) of ``command`` over ``runs`` runs; ``before`` runs untimed."""
    spent = []
    for _run in range(runs):
        before()
        start = resource.getrusage(resource.RUSAGE_CHILDREN)
        subprocess.run(command, env=env, capture_output=True, check=True)
        end = resource.getrusage(resource.RUSAGE_CHILDREN)
        spent.append(end.ru_utime - start.ru_utime + end.ru_stime - start.ru_stime)
    return statistics.median(spent)


def startup(work: Path, runs: int = 21) -> dict:
    sim = SimulatorProcess(work, "--sites", "1", "--offline-ratio", "0", "--rate-limit", "0")
    try:
        hosts = inventory(work, sim, process_interpreter(work))
        env = {**environment(work, sim, 0), "ANSIBLE_KEEP_REMOTE_FILES": "1", "ANSIBLE_REMOTE_TMP": str(work / "remote")}
        for name, playbook in (("module", MODULE_PLAY), ("uri", URI_PLAY)):
            sim.reset()
            _seconds, output = play(write(work / f"{name}.yml", playbook), hosts, env)
            if failed_tasks(output):
                raise SystemExit(f"{name} run failed:\n{output[-3000:]}")
        # The simulator is reset before every run, so that the module queues each time, as in the fleet run.
        milliseconds = {name: 1000 * cpu_seconds([sys.executable, str(next((work / "remote").glob(f"*/AnsiballZ_{name}.py")))],
                                                 env, runs, sim.reset)
                        for name in ("sdx_async_script", "uri")}
    finally:
        sim.stop()
    # pydantic's own share: an interpreter that has what every module loads, with pydantic and without it.
    loaded = "import ansible.module_utils.basic, requests"
    bare = cpu_seconds([sys.executable, "-c", loaded], env, runs)
    pydantic = cpu_seconds([sys.executable, "-c", f"{loaded}; from pydantic import BaseModel, Field"], env, runs)
    module, uri = milliseconds["sdx_async_script"], milliseconds["uri"]
    return {"runs": runs, "median_cpu_ms": {name: round(value, 1) for name, value in milliseconds.items()},
            "ratio": round(module / uri, 3), "module_gap_ms": round(module - uri, 1),
            "pydantic_import_ms": round(1000 * (pydantic - bare), 1)}


def reads(work: Path, rounds: int, sites: int = 100) -> dict:
    sim = SimulatorProcess(work, "--sites", str(sites), "--offline-ratio", "0", "--rate-limit", "0")
    try:
        env = environment(work, sim, 0)
        read, uri = write(work / "read.yml", READ_PLAY), write(work / "uri-read.yml", URI_READ_PLAY)
        runs = {"static_inventory": (read, inventory(work, sim)),
                "sites_inventory": (read, write(work / "fleet.sdx.yml", {"plugin": "altostrat.sdx.sites"})),
                "module_process": (read, inventory(work, sim, process_interpreter(work))),
                "uri": (uri, inventory(work, sim))}
        times: dict[str, list[float]] = {name: [] for name in runs}
        cpu: dict[str, list[float]] = {name: [] for name in runs}
        for number in range(rounds):
            order = list(runs)[number % len(runs):] + list(runs)[:number % len(runs)]
            for name in order:
                seconds, spent, output = timed_play(*runs[name], env)
                if failed_tasks(output) or len(re.findall(r"\bok=1\b", output)) != sites:
                    raise SystemExit(f"{name} run failed:\n{output[-3000:]}")
                times[name].append(seconds)
                cpu[name].append(spent)
    finally:
        sim.stop()
    return {"sites": sites, "forks": 20, "rounds": rounds,
            "median_seconds": {name: round(statistics.median(values), 2) for name, values in times.items()},
            "cpu_ms_per_site": {name: round(1000 * statistics.median(values) / sites, 1) for name, values in cpu.items()}}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--only", choices=["requests", "overhead", "rate", "startup", "reads"])
    parser.add_argument("--sites", type=int, help="sites for every part (default: 50, 200 and 300)")
    parser.add_argument("--output", type=Path, default=ROOT / "build" / "bench" / "modules.json")
    args = parser.parse_args()
    report: dict = {"python": sys.version.split()[0]}
    parts = {"requests": lambda work: requests_per_site(work, args.sites or 50),
             "overhead": lambda work: overhead(work, args.rounds, args.sites or 200),
             "rate": lambda work: rate(work, args.sites or 300),
             "startup": startup,
             "reads": lambda work: reads(work, args.rounds, args.sites or 100)}
    return run_parts(parts, args, report)


def run_parts(parts: dict, args: argparse.Namespace, report: dict) -> int:
    """Measure each part (all, or the one --only names) in a folder of its own, print it, write the report."""
    for name, measure in parts.items():
        if args.only in (None, name):
            report[name] = measure(Path(tempfile.mkdtemp(prefix=f"sdx-bench-{name}-")))
            print(yaml.safe_dump({name: report[name]}, sort_keys=False), flush=True)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(report, indent=2))
    print(f"written to {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
