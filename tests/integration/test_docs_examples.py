"""The examples of docs/ that the other docs tests do not run, taken from the pages and run as a user runs them:
from a folder of the user's own, with the installed collection, against a simulator started with the README's
options (its fleet is the one the pages name: branch-0001 ... branch-0012, three of them offline).

Every task list of a page runs twice, the pages grouped into one playbook, and the second run must change nothing;
safe-apply.md's examples, which by design do not hold that (the first cuts the router off and is reverted, the
second queues on every run), run in a test of their own that checks the ends the page promises;
getting-started.md's commands run as written; the rollout examples of backups.md and of the role's README run with
their change files. The README, docs/inventory.md's vault example, docs/rollout.md and the plugins' EXAMPLES have
their own tests (test_readme, test_inventory_docs, test_rollout_docs_example, test_examples).
"""

from __future__ import annotations

import json
import os
import re
import shlex
import socket
import subprocess
from pathlib import Path

import pytest
import yaml

from simulator.process import SimulatorProcess
from tests.integration.harness import BIN, ROOT, Ansible
from tests.integration.user_folder import TEST_ONLY, Outcome, installed_collection

DOCS = ROOT / "docs"
BLOCK = re.compile(r"```(?P<lang>[a-z]*)\n(?P<body>.*?)```", re.S)
# Task examples that cannot run here, by page and task name, and why; each page says so beside the example.
NOT_RUN_HERE = {
    ("event-driven.md", "Queue with notifications"):
        "notify_url must be https on a host SDX can reach; the page's 'Against the simulator' runs the local path",
}
# Pages whose examples run, but in a test of their own rather than the sweep, and why.
OWN_TEST = {
    "safe-apply.md": "its first example fails by design (reverted) and its script example queues on every run",
}


def blocks(text: str, language: str) -> list[str]:
    return [match["body"] for match in BLOCK.finditer(text) if match["lang"] == language]


def section(page: str, title: str) -> str:
    text = (DOCS / page).read_text()
    start = text.index(f"\n## {title}\n")
    end = text.find("\n## ", start + 1)
    return text[start:end if end > 0 else None]


def is_task_list(data: object) -> bool:
    """A list of tasks: each names a module by its full name (a playbook's entries are plays or imports instead)."""
    playbook_entries = {"hosts", "ansible.builtin.import_playbook", "import_playbook"}
    return isinstance(data, list) and bool(data) and all(
        isinstance(task, dict) and not playbook_entries & set(task) and any("." in key for key in task)
        for task in data)


def task_examples() -> dict[str, list[dict]]:
    """Every page's task lists, joined in page order, without the tasks NOT_RUN_HERE names."""
    pages = {}
    for path in sorted(DOCS.glob("*.md")):
        if path.name in OWN_TEST:
            continue
        tasks = [task for body in blocks(path.read_text(), "yaml") if is_task_list(data := yaml.safe_load(body))
                 for task in data if (path.name, task.get("name")) not in NOT_RUN_HERE]
        if tasks:
            pages[path.name] = tasks
    return pages


def command_lines(text: str) -> list[str]:
    """The console lines of ``text``, continuation lines joined and comments dropped."""
    joined = "\n".join(blocks(text, "console")).replace("\\\n", " ")
    return [line.split("  #")[0].strip() for line in joined.splitlines() if line.strip()]


@pytest.fixture(scope="module")
def readme_simulator(tmp_path_factory):
    """The simulator as the README starts it (12 sites, 3 offline, the default seed), time running 20 times faster
    than its 0.2, and without its rate limit, which would only make the runs wait."""
    sim = SimulatorProcess(tmp_path_factory.mktemp("readme-sim"), "--time-scale", "0.01", "--rate-limit", "0")
    yield sim
    sim.stop()


class UserFolder:
    """A folder of the user's own with the fleet inventory of getting-started.md; commands run there as typed."""

    def __init__(self, root: Path, sim: SimulatorProcess) -> None:
        self.root = root
        root.mkdir(parents=True, exist_ok=True)
        ansible = Ansible(root / ".harness", sim)
        installed_collection(ansible)
        self.env = {key: value for key, value in ansible.env.items() if key not in TEST_ONLY}
        self.env["PATH"] = f"{BIN}{os.pathsep}{os.environ['PATH']}"
        (fleet,) = blocks(section("getting-started.md", "The fleet as an inventory"), "yaml")
        (root / "fleet.sdx.yml").write_text(fleet)

    def shell(self, line: str) -> Outcome:
        done = subprocess.run(["bash", "-euo", "pipefail", "-c", line], cwd=self.root, env=self.env,
                              capture_output=True, text=True, check=False, timeout=600)
        return Outcome(done.returncode, done.stdout + done.stderr)


@pytest.fixture
def user(readme_simulator, tmp_path):
    readme_simulator.reset()
    return UserFolder(tmp_path / "my-fleet", readme_simulator)


def recap(output: str) -> dict[str, int]:
    """The PLAY RECAP counts summed over hosts."""
    counts: dict[str, int] = {}
    for name, value in re.findall(r"\b(ok|changed|failed|unreachable)=(\d+)", output.split("PLAY RECAP", 1)[-1]):
        counts[name] = counts.get(name, 0) + int(value)
    return counts


def test_the_pages_not_run_here_still_hold_those_examples_and_say_why():
    for page, name in NOT_RUN_HERE:
        text = (DOCS / page).read_text()
        assert f"- name: {name}\n" in text, (page, name)
        assert "## Against the simulator" in text, page


def test_every_task_example_of_the_pages_runs_and_its_second_run_changes_nothing(user):
    pages = task_examples()
    assert {"async_script.md", "backups.md", "declarative.md"} <= set(pages), set(pages)
    plays = [{"name": f"the examples of docs/{page}", "hosts": "sdx_online[0]", "gather_facts": False, "tasks": tasks}
             for page, tasks in pages.items()]
    (user.root / "examples.yml").write_text(yaml.safe_dump(plays, sort_keys=False))
    first = user.shell("ansible-playbook -i fleet.sdx.yml examples.yml")
    assert first.rc == 0, first.output
    assert recap(first.output)["ok"] == sum(len(tasks) for tasks in pages.values()), first.output
    again = user.shell("ansible-playbook -i fleet.sdx.yml examples.yml")
    assert again.rc == 0, again.output
    assert recap(again.output)["changed"] == 0, again.output


def print_menu(sim: SimulatorProcess, site: str, command: str) -> list[dict]:
    """What the router holds, read through SDX's synchronous API."""
    answer = sim.call("POST", f"/api/synchronous/{site}", {"command": command}, token=True)
    return answer["data"] if isinstance(answer, dict) else answer


PLAY = {"hosts": "sdx_online[0]", "gather_facts": False}


def write_playbook(path: Path, tasks: list[dict]) -> None:
    """A play of ``tasks`` that goes on after a failure, and writes the site and every task's result to
    results.json beside it."""
    names = [f"result{index}" for index in range(len(tasks))]
    save = {"ansible.builtin.copy": {"content": "{{ {'site': sdx_site_id, 'results': [%s]} | to_json }}"
                                                % ", ".join(names), "dest": "{{ playbook_dir }}/results.json"},
            "delegate_to": "localhost"}
    registered = [{**task, "register": name, "ignore_errors": True} for task, name in zip(tasks, names)]
    path.write_text(yaml.safe_dump([{**PLAY, "tasks": [*registered, save]}], sort_keys=False))


@pytest.fixture
def readme_clock_simulator(tmp_path_factory):
    """The simulator at the README's own time scale (0.2): the page's `confirm_timeout: 5m` is then a minute, which
    a good change needs with the default poll_interval of 5 s; without the rate limit, which would only slow it."""
    sim = SimulatorProcess(tmp_path_factory.mktemp("readme-clock-sim"), "--time-scale", "0.2", "--rate-limit", "0")
    yield sim
    sim.stop()


def test_the_safe_apply_examples_end_as_the_page_says(readme_clock_simulator, tmp_path):
    """The WAN port example is reverted (the task fails, changed, ether1 as before, no scheduler left); the script
    example is confirmed, and queues again on a second run. The router holds the VLAN `mgmt` (id 10) the script
    example assumes."""
    sim = readme_clock_simulator
    user = UserFolder(tmp_path / "my-fleet", sim)
    (body,) = [body for body in blocks((DOCS / "safe-apply.md").read_text(), "yaml")
               if is_task_list(yaml.safe_load(body))]
    wan, script = yaml.safe_load(body)
    assert wan["altostrat.sdx.sdx_config"]["confirm_timeout"] == script["altostrat.sdx.sdx_async_script"][
        "confirm_timeout"] == "5m"
    mgmt = {"altostrat.sdx.sdx_config": {"path": "interface vlan",
                                         "data": [{"name": "mgmt", "interface": "bridge", "vlan-id": 10}]},
            "delegate_to": "localhost"}
    (user.root / "setup.yml").write_text(yaml.safe_dump([{**PLAY, "tasks": [mgmt]}], sort_keys=False))
    write_playbook(user.root / "page.yml", [wan, script])
    write_playbook(user.root / "again.yml", [script])
    setup = user.shell("ansible-playbook -i fleet.sdx.yml setup.yml")
    assert setup.rc == 0 and "changed: [" in setup.output, setup.output
    site = next(item["id"] for item in sim.sites(online=True) if item["name"] == "branch-0001")
    ether_before = print_menu(sim, site, "/interface/ethernet/print")

    run = user.shell("ansible-playbook -i fleet.sdx.yml page.yml")
    assert run.rc == 0, run.output  # the failure of the first example is ignored here, to read both results
    results = json.loads((user.root / "results.json").read_text())
    assert results["site"] == site, results
    reverted, confirmed = results["results"]
    assert (reverted["failed"], reverted["changed"], reverted["outcome"]) == (True, True, "reverted"), reverted
    assert reverted["reverted_to_before"] is True and "its revert ran" in reverted["msg"], reverted
    assert print_menu(sim, site, "/interface/ethernet/print") == ether_before
    assert not confirmed.get("failed") and confirmed["changed"] is True, confirmed
    assert confirmed["outcome"] == "confirmed", confirmed
    vlans = print_menu(sim, site, "/interface/vlan/print")
    assert [(row["name"], int(row["vlan-id"])) for row in vlans] == [("mgmt", 20)], vlans
    assert print_menu(sim, site, "/system/scheduler/print") == []

    def script_jobs() -> list[dict]:
        return [job for job in sim.jobs(site) if job["description"] == script[
            "altostrat.sdx.sdx_async_script"]["description"]]

    assert len(script_jobs()) == 1
    again = user.shell("ansible-playbook -i fleet.sdx.yml again.yml")  # "queues on every run"
    assert again.rc == 0, again.output
    (second,) = json.loads((user.root / "results.json").read_text())["results"]
    assert (second["changed"], second["outcome"]) == (True, "confirmed"), second
    assert len(script_jobs()) == 2
    assert print_menu(sim, site, "/system/scheduler/print") == []


def test_getting_started_commands_run_as_written_and_the_change_is_ok_the_second_time(user, readme_simulator):
    (graph,) = command_lines(section("getting-started.md", "The fleet as an inventory"))
    shown = user.shell(graph)
    assert shown.rc == 0, shown.output
    assert all(f"@sdx_{group}:" in shown.output for group in ("online", "offline")), shown.output
    read, change, rollout = command_lines(section("getting-started.md", "A first change"))
    assert rollout.startswith("ansible-playbook altostrat.sdx.rollout"), rollout  # docs/rollout.md's own test runs it
    online = len(readme_simulator.sites(online=True))
    assert user.shell(read).output.count("| SUCCESS") == online
    predicted = user.shell(change + " --check")
    assert predicted.rc == 0 and predicted.output.count("| CHANGED") == online, predicted.output
    assert not readme_simulator.jobs(), "--check queued a job"
    first = user.shell(change)
    assert first.rc == 0 and first.output.count("| CHANGED") == online, first.output
    again = user.shell(change)  # "every site reports ok, because an equal job is already there"
    assert again.rc == 0 and again.output.count("| SUCCESS") == online, again.output
    assert len(readme_simulator.jobs()) == online


def test_the_config_diff_rollout_of_backups_md_ends_with_the_summary_the_page_shows(user):
    text = section("backups.md", "`config_diff`: the router's change for each job and across a rollout")
    change = next(body for body in blocks(text, "yaml") if body.startswith("# change.yml"))
    (user.root / "change.yml").write_text(change)
    earlier, rollout = re.findall(r"`(ansible(?:-playbook)? [^`]*-i fleet\.sdx\.yml [^`]+)`", text.replace("\n", " "))
    prepared = user.shell(earlier)
    assert prepared.rc == 0 and "| CHANGED" in prepared.output, prepared.output
    run = user.shell(rollout)
    assert run.rc == 0, run.output
    (summary,) = [body for body in blocks(text, "") if "config diff:" in body]
    for line in summary.strip().splitlines():
        assert line in run.output, (line, run.output)


@pytest.mark.parametrize("form", ["all sites", "--limit"])
def test_the_role_readme_rollout_runs_with_its_change_file(user, readme_simulator, form):
    readme = (ROOT / "roles" / "script_rollout" / "README.md").read_text()
    change = next(body for body in blocks(readme, "yaml") if body.startswith("# change.yml"))
    (user.root / "change.yml").write_text(change)
    commands = [line for line in command_lines(readme) if line.startswith("ansible-playbook altostrat.sdx.rollout")]
    command = commands[form == "--limit"]
    assert ("--limit" in command) == (form == "--limit"), command
    run = user.shell(command)
    assert run.rc == 0, run.output
    report_dir = user.root / yaml.safe_load(change)["rollout_report_dir"]
    assert (report_dir / "rollout-report.json").exists(), run.output
    sites = yaml.safe_load((report_dir / "rollout-report.json").read_text())["sites"]
    group = shlex.split(command)[-1] if form == "--limit" else "sdx"
    chosen = {site["name"] for site in readme_simulator.sites()
              if group in ("sdx", f"sdx_model_{re.sub('[^a-z0-9]+', '_', site['model'].lower()).strip('_')}")}
    assert {row["site"] for row in sites} == chosen
    assert {row["status"] for row in sites} <= {"completed", "skipped_offline"}, sites


@pytest.mark.main_line  # ansible-rulebook runs from .venv-eda, on its own ansible-core, whatever the line
def test_the_event_driven_page_runs_against_the_simulator_as_written(tmp_path):
    """Both blocks of "Against the simulator", as typed from the repository root once `make install eda` has run
    (the suite's prerequisites): free ports for 8181 and the webhook's 5000, and a private folder for /tmp/sdx-eda.
    A user types the curl lines of the first block in a second terminal while the rulebook watches; here the
    rulebook runs in the background, the first curl line waits for the source's first read of the sites, and each
    one for the rulebook to report it."""
    watch, notify = blocks(section("event-driven.md", "Against the simulator"), "console")
    sim_port, hook_port = free_port(), free_port()

    def here(text: str) -> str:
        text = text.replace("8181", str(sim_port)).replace("5000", str(hook_port))
        return text.replace("/tmp/sdx-eda", str(tmp_path))

    lines = here(watch).replace("\\\n", " ").splitlines()
    assert lines[0].startswith("make install eda") and lines[2].startswith("python -m simulator") and \
        lines[2].split("#")[0].strip().endswith("&"), lines
    rulebook = next(index for index, line in enumerate(lines) if "ansible-rulebook -r" in line)
    sim = f"http://127.0.0.1:{sim_port}"
    # the webhook's port, which the page leaves at its default 5000, goes into the page's vars file
    vars_file = f"{tmp_path}/webhook.yml"
    port_line = f"echo 'sdx_webhook_port: {hook_port}' >> {vars_file}"
    notify = here(notify).replace(f"> {vars_file}\n", f"> {vars_file}\n{port_line}\n")
    assert port_line in notify
    script = "\n".join([
        *lines[1:3], "trap 'kill $(jobs -p)' EXIT",
        f"until curl -s {sim}/_sim/jobs >/dev/null; do sleep 0.2; done",
        *lines[3:rulebook], f"{lines[rulebook]} > {tmp_path}/watch.log 2>&1 &",
        f"for _ in $(seq 240); do [[ \"$(curl -s {sim}/_sim/requests)\" == *'\"/sites\"'* ]] && break; sleep 0.5;"
        f" done; [[ \"$(curl -s {sim}/_sim/requests)\" == *'\"/sites\"'* ]]"
        f" || {{ echo 'the rulebook never read the sites'; cat {tmp_path}/watch.log; exit 1; }}",
        *[step for line in lines[rulebook + 1:] for step in (line, until_reported(line, tmp_path / "watch.log"))],
        notify,
        f"for _ in $(seq 120); do [[ \"$(curl -s {sim}/_sim/jobs)\" == *'Remediation of job'* ]] && break; sleep 1;"
        " done",
        f"cat {tmp_path}/watch.log; curl -s {sim}/_sim/jobs",
    ])
    env = {name: value for name, value in os.environ.items() if not name.startswith(("ANSIBLE_", "SDX_"))}
    done = subprocess.run(["bash", "-euo", "pipefail", "-c", script], cwd=ROOT, env=env, capture_output=True,
                          text=True, check=False, timeout=600)
    assert done.returncode == 0, done.stdout + done.stderr
    site = "SDX site branch-0001 (9c69345c-8d39-4786-9f17-8153c988c89a)"
    assert f"{site} went offline" in done.stdout and f"{site} is back online" in done.stdout, done.stdout
    assert "Remediation of job" in done.stdout, done.stdout + done.stderr


def until_reported(curl_line: str, log: Path) -> str:
    """The wait, after a line that takes a site off- or online, for the rulebook to report it (the page's "a few
    seconds apart")."""
    event = "went offline" if '"online": false' in curl_line else "is back online"
    return f"for _ in $(seq 120); do grep -q '{event}' {log} && break; sleep 1; done"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]
