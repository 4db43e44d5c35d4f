"""The shared rate budget against a rate-limited simulator: late arrivals, load, and controllers that share a token.

Each test starts a simulator of its own with a rate limit, and gives every ``ansible-playbook`` run a
``TMPDIR`` of its own, which is where the budget keeps its state: runs with different ``TMPDIR`` share no
budget, as controllers on different machines would not. These tests take minutes by nature (the limit is
per minute), and the budget does not depend on the ansible-core line, so they run on the main line only.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from pathlib import Path

import pytest

from simulator.process import SimulatorProcess
from tests.integration.harness import Ansible

pytestmark = pytest.mark.main_line
WINDOW = 60.0


class DelayingProxy:
    """A TCP relay in front of the simulator that holds the first ``delayed`` connections' bytes for
    ``seconds`` before passing them on: requests that reach the server late, as on a loaded controller."""

    def __init__(self, upstream: str, delayed: int, seconds: float) -> None:
        host, port = upstream.removeprefix("http://").split(":")
        self.upstream = (host, int(port))
        self.delayed, self.seconds = delayed, seconds
        self.accepted = 0
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.listener.getsockname()[1]}"
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while True:
            try:
                client, _address = self.listener.accept()
            except OSError:
                return
            self.accepted += 1
            hold = self.seconds if self.accepted <= self.delayed else 0.0
            threading.Thread(target=self._relay, args=(client, hold), daemon=True).start()

    def _relay(self, client: socket.socket, hold: float) -> None:
        server = socket.create_connection(self.upstream)
        threading.Thread(target=_pipe, args=(server, client, 0.0), daemon=True).start()
        _pipe(client, server, hold)

    def close(self) -> None:
        self.listener.close()


def _pipe(source: socket.socket, target: socket.socket, hold: float) -> None:
    try:
        first = source.recv(65536)
        time.sleep(hold)
        chunk = first
        while chunk:
            target.sendall(chunk)
            chunk = source.recv(65536)
    except OSError:
        pass
    finally:
        for sock in (source, target):
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


def fleet(sim: SimulatorProcess) -> list[dict]:
    """The simulator's sites, with the rate window it counted reading them emptied again."""
    sites = sim.sites()
    sim.reset()
    return sites


def site_inventory(path: Path, sites: list[dict]) -> Path:
    hosts = {f"site-{index:02d}": {"sdx_site_id": site["id"], "ansible_connection": "local"}
             for index, site in enumerate(sites)}
    path.write_text(json.dumps({"all": {"children": {"sites": {"hosts": hosts}}}}))
    return path


def most_in_one_window(entries: list[dict]) -> int:
    """The largest number of requests that arrived at the simulator within one span of 60 s."""
    arrivals = sorted(entry["time"] for entry in entries)
    return max((sum(1 for later in arrivals[index:] if later - start < WINDOW)
                for index, start in enumerate(arrivals)), default=0)


@pytest.fixture
def limited(tmp_path, request):
    sites, limit = request.param
    sim = SimulatorProcess(tmp_path, "--sites", str(sites), "--offline-ratio", "0", "--rate-limit", str(limit),
                           "--seed", "5", "--time-scale", "0.05")
    yield sim
    sim.stop()


@pytest.mark.parametrize("limited", [(6, 5)], indirect=True)
def test_requests_that_arrive_late_still_keep_every_window_within_the_limit(limited, tmp_path):
    # Five requests take the five slots at once and reach the server 8 s late; the sixth must wait for
    # a window after their answers, not after they were counted here, or the server sees six in 60 s.
    proxy = DelayingProxy(limited.url, delayed=5, seconds=8.0)
    ansible = Ansible(tmp_path, limited)
    inventory = site_inventory(tmp_path / "sites.json", fleet(limited))
    play = [{"name": "read each router", "hosts": "sites", "gather_facts": False, "tasks": [
        {"name": "resources", "altostrat.sdx.sdx_command": {"command": "/system/resource/print"}}]}]
    (tmp_path / "play.yml").write_text(json.dumps(play))
    (tmp_path / "budget").mkdir()
    try:
        run = ansible.playbook(tmp_path / "play.yml", "-i", str(inventory), "--forks", "6",
                               env={"SDX_API_URL": proxy.url, "SDX_RATE_LIMIT": "5", "TMPDIR": str(tmp_path / "budget")})
    finally:
        proxy.close()
    assert run.rc == 0, run.output
    assert [record["status"] for record in run.records] == ["ok"] * 6
    log = limited.log()
    assert proxy.accepted == 6
    assert [entry["status"] for entry in log] == [200] * 6, "no request was refused with 429"
    assert most_in_one_window(log) <= 5


@pytest.mark.parametrize("limited", [(50, 60)], indirect=True)
def test_fifty_sites_twenty_forks_stay_within_sixty_a_minute(limited, tmp_path):
    ansible = Ansible(tmp_path, limited)
    sites = fleet(limited)
    inventory = site_inventory(tmp_path / "sites.json", sites)
    play = [{"name": "queue on every site", "hosts": "sites", "gather_facts": False, "tasks": [
        {"name": "queue", "altostrat.sdx.sdx_async_script": {
            "description": "load", "script": "/system identity print"}}]}]
    (tmp_path / "play.yml").write_text(json.dumps(play))
    (tmp_path / "budget").mkdir()
    run = ansible.playbook(tmp_path / "play.yml", "-i", str(inventory), "--forks", "20",
                           env={"SDX_RATE_LIMIT": "60", "TMPDIR": str(tmp_path / "budget")})
    assert run.rc == 0, run.output
    assert [record["status"] for record in run.records] == ["changed"] * 50
    log = limited.log()
    refused = [entry for entry in log if entry["status"] == 429]
    print(f"{len(log)} requests, {len(refused)} answered 429, at most {most_in_one_window(log)} in 60 s")
    assert refused == []
    assert most_in_one_window(log) <= 60
    assert sorted(job["site_id"] for job in limited.jobs()) == sorted(site["id"] for site in sites)


CONTROLLER_PLAYBOOK = """
- name: Start together
  hosts: localhost
  gather_facts: false
  tasks:
    - name: Say this controller is ready
      ansible.builtin.file:
        path: "{{ barrier }}/ready-{{ controller }}"
        state: touch
        mode: "0600"
    - name: Wait until every controller is ready
      ansible.builtin.wait_for:
        path: "{{ barrier }}/go"
        timeout: 300

- name: Queue on this controller's slice of the fleet
  hosts: sites
  gather_facts: false
  tasks:
    - name: Queue the change
      altostrat.sdx.sdx_async_script:
        description: sliced change
        script: /system identity print
"""


@pytest.mark.parametrize("limited", [(15, 20)], indirect=True)
def test_three_controllers_sharing_a_token_but_no_budget_finish_with_one_job_per_site(limited, tmp_path):
    # Each controller's own budget allows the server's whole limit (20 a minute), so together they send more
    # than it at once: the 429 answers with Retry-After, and the retry deadline, must carry every task through.
    # 15 sites, 5 a controller: 30 requests (a read and a queue request each) against 20 a minute.
    sites = fleet(limited)
    playbook = tmp_path / "controller.yml"
    playbook.write_text(CONTROLLER_PLAYBOOK)
    barrier = tmp_path / "barrier"
    barrier.mkdir()
    runs = []
    for controller in range(3):
        home = tmp_path / f"controller-{controller}"
        (home / "tmp").mkdir(parents=True)
        ansible = Ansible(home, limited)
        inventory = site_inventory(home / "sites.json", sites[controller::3])
        runs.append((ansible, inventory, home))
    threads, results = [], {}

    def run_controller(index: int) -> None:
        ansible, inventory, home = runs[index]
        results[index] = ansible.playbook(playbook, "-i", str(inventory), "--forks", "4",
                                          "-e", f"barrier={barrier} controller={index}",
                                          env={"SDX_RATE_LIMIT": "20", "TMPDIR": str(home / "tmp")})

    for index in range(3):
        threads.append(threading.Thread(target=run_controller, args=(index,)))
        threads[-1].start()
    deadline = time.monotonic() + 300
    while len(list(barrier.glob("ready-*"))) < 3 and time.monotonic() < deadline:
        time.sleep(0.2)
    (barrier / "go").touch()
    for thread in threads:
        thread.join(timeout=600)
    for index, run in sorted(results.items()):
        assert run.rc == 0, run.output
        queued = [record for record in run.records if record["task"] == "Queue the change"]
        assert [record["status"] for record in queued] == ["changed"] * 5, index
    assert len(results) == 3
    log = limited.log()
    refused = [entry for entry in log if entry["status"] == 429]
    print(f"{len(log)} requests, {len(refused)} answered 429")
    assert refused, "the three controllers together went over the limit, so the server answered 429"
    jobs = limited.jobs()
    assert sorted(job["site_id"] for job in jobs) == sorted(site["id"] for site in sites), "one job per site"
