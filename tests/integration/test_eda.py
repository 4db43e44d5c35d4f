"""Event-Driven Ansible: the real ansible-rulebook (from .venv-eda) with both event sources against the simulator,
and the decision environment definition through ansible-builder."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

from tests.integration.harness import ROOT, TOKEN

# ansible-rulebook has its own venv (make eda), and ansible-builder is in the main venv only.
pytestmark = pytest.mark.main_line
EDA_BIN = ROOT / ".venv-eda" / "bin"
SECRET = "it-webhook-secret-5c1e0b7d9a"
WRONG = "it-wrong-secret-000000000000"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def rulebook(watched: str, port: int) -> list[dict]:
    return [{
        "name": "SDX events",
        "hosts": "all",
        "match_multiple_rules": True,
        "sources": [
            {"altostrat.sdx.fleet_watch": {"interval": 1, "job_sites": [watched]}},
            {"altostrat.sdx.job_webhook": {"host": "127.0.0.1", "port": port, "token": "{{ SDX_WEBHOOK_TOKEN }}"}},
        ],
        "rules": [
            {"name": "failed job", "condition": 'event.sdx.kind == "job" and event.sdx.status == "failed"',
             "action": {"debug": {"msg": "RULE failed-job {{ event.sdx.job_id }}"}}},
            {"name": "site offline", "condition": 'event.sdx.kind == "site" and event.sdx.status == "offline"',
             "action": {"debug": {"msg": "RULE site-offline {{ event.sdx.site_id }}"}}},
            {"name": "notification", "condition": 'event.sdx.kind == "job" and event.sdx.job.seq_id is defined',
             "action": {"debug": {"msg": "RULE notified {{ event.sdx.job_id }} {{ event.sdx.status }}"}}},
        ],
    }]


def wait_for(check, what: str, timeout: float = 120.0, run: "Rulebook | None" = None):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if run is not None and run.proc.poll() is not None:
            raise AssertionError(f"ansible-rulebook exited ({run.proc.returncode}) while waiting for {what}:\n"
                                 f"{run.output}")
        result = check()
        if result:
            return result
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}:\n{run.output if run else ''}")


def port_open(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(1)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def queue(sim, site: str, **body) -> str:
    answer = sim.call("POST", f"/api/asynchronous/{site}", {"description": "eda", "script": ":error",
                                                            "needs_acknowledgement": True, **body}, token=True)
    key = answer["data"]["idempotency_key"]
    return next(job["id"] for job in sim.jobs(site) if job["idempotency_key"] == key)


class Rulebook:
    """ansible-rulebook from .venv-eda on a rulebook file, its output collected in a file."""

    def __init__(self, workdir: Path, env: dict, rulebook: Path, variables: dict) -> None:
        (workdir / "vars.yml").write_text(yaml.safe_dump(variables))
        (workdir / "inventory.yml").write_text(yaml.safe_dump({"all": {"hosts": {"localhost": {
            "ansible_connection": "local", "ansible_python_interpreter": str(EDA_BIN / "python")}}}}))
        self.out = workdir / "rulebook.out"
        with self.out.open("w") as sink:
            self.proc = subprocess.Popen(  # pylint: disable=consider-using-with
                [str(EDA_BIN / "ansible-rulebook"), "-r", str(rulebook), "-i", "inventory.yml", "--vars", "vars.yml",
                 "--env-vars", "SDX_WEBHOOK_TOKEN", "-vv", "--print-events"],
                cwd=workdir, env=env, stdout=sink, stderr=subprocess.STDOUT)

    @property
    def output(self) -> str:
        return self.out.read_text()

    def wait_output(self, *lines: str) -> None:
        wait_for(lambda: all(line in self.output for line in lines), f"output {lines}", run=self)

    def stop(self) -> str:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        return self.output


@pytest.fixture(name="rulebook_env")
def rulebook_env_fixture(sim):
    if not (EDA_BIN / "ansible-rulebook").exists():
        pytest.fail("ansible-rulebook is missing: run `make eda` (it builds .venv-eda and installs Java 17)")
    collections = Path(os.environ.get("ANSIBLE_COLLECTIONS_PATH") or ROOT / "build" / "collections").resolve()
    env = {key: value for key, value in os.environ.items() if not key.startswith("SDX_")}
    env.update(PATH=f"{EDA_BIN}{os.pathsep}{env.get('PATH', '')}", ANSIBLE_COLLECTIONS_PATH=str(collections),
               SDX_API_URL=sim.url, SDX_API_TOKEN=TOKEN, SDX_RATE_LIMIT="0", SDX_WEBHOOK_TOKEN=SECRET)
    return env


def test_rules_fire_on_a_failed_job_an_offline_site_and_a_notification_with_the_secret(sim, tmp_path, rulebook_env):
    online = [site["id"] for site in sim.sites(online=True)]
    watched, going_offline, notified, wrongly_notified = online[:4]
    port = free_port()
    (tmp_path / "rulebook.yml").write_text(yaml.safe_dump(rulebook(watched, port), sort_keys=False))
    run = Rulebook(tmp_path, rulebook_env, tmp_path / "rulebook.yml", {})
    try:
        wait_for(lambda: port_open(port), "the webhook port", run=run)
        wait_for(lambda: len(sim.log("GET", f"/site/{watched}/job")) >= 2, "two polls", run=run)
        sim.call("POST", f"/_sim/sites/{going_offline}", {"online": False})
        failed = queue(sim, watched)
        hooked = queue(sim, notified, notify_url=f"http://127.0.0.1:{port}/sdx/{SECRET}")
        refused = queue(sim, wrongly_notified, notify_url=f"http://127.0.0.1:{port}/sdx/{WRONG}")
        run.wait_output(f"RULE site-offline {going_offline}", f"RULE failed-job {failed}",
                        f"RULE failed-job {hooked}", f"RULE notified {hooked} failed")
        refusals = wait_for(lambda: [n for n in sim.call("GET", "/_sim/notifications")
                                     if WRONG in n["url"] and n["payload"]["status"] == "failed"],
                            "the notifications to the wrong secret", run=run)
    finally:
        output = run.stop()
    assert refusals[0]["answers"] == [404]
    assert refused not in output  # the wrong secret made no event, so no rule and no printed event
    assert output.count(f"RULE failed-job {hooked}") == 1  # pending, running and failed arrive; one failure
    assert TOKEN not in output and SECRET not in output


def test_the_offline_site_example_rulebook_runs_as_the_guide_says(sim, tmp_path, rulebook_env):
    site = sim.sites(online=True)[0]
    run = Rulebook(tmp_path, rulebook_env, ROOT / "extensions" / "eda" / "rulebooks" / "offline_site.yml",
                   {"sdx_watch_interval": 1})
    try:
        wait_for(lambda: len(sim.log("GET", "/sites")) >= 2, "two polls", run=run)
        sim.call("POST", f"/_sim/sites/{site['id']}", {"online": False})
        run.wait_output(f"SDX site {site['name']} ({site['id']}) went offline")
        sim.call("POST", f"/_sim/sites/{site['id']}", {"online": True})
        run.wait_output(f"SDX site {site['name']} ({site['id']}) is back online")
    finally:
        output = run.stop()
    assert sim.log("GET", "/site/") == []  # job_sites: [] reads no job lists
    assert TOKEN not in output


def test_the_remediation_example_rulebook_confirms_the_failure_and_runs_the_playbook(sim, tmp_path, rulebook_env):
    site = sim.sites(online=True)[0]["id"]
    port = free_port()
    run = Rulebook(tmp_path, rulebook_env, ROOT / "extensions" / "eda" / "rulebooks" / "remediate_failed_job.yml",
                   {"sdx_webhook_port": port})
    try:
        wait_for(lambda: port_open(port), "the webhook port", run=run)
        failed = queue(sim, site, notify_url=f"http://127.0.0.1:{port}/sdx/{SECRET}")
        remediation = wait_for(lambda: [job for job in sim.jobs(site)
                                        if job["description"] == f"Remediation of job {failed}"],
                               "the remediation job", timeout=180, run=run)
    finally:
        output = run.stop()
    assert len(remediation) == 1 and "remediation after a failed job" in remediation[0]["script"]
    # verify: true asked the API, and the events carry the API's job (log_url), not the notification (seq_id)
    assert sim.log("GET", f"/site/{site}/job/{failed}")
    assert "log_url" in output and "seq_id" not in output
    assert TOKEN not in output and SECRET not in output


def test_the_documented_local_https_webhook_runs_with_a_notify_url_the_module_accepts(
        sim, tmp_path, rulebook_env, ansible):
    site = sim.sites(online=True)[0]["id"]
    port = free_port()
    certificate = tmp_path / "webhook.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1",
                    "-keyout", str(certificate), "-out", str(certificate)], check=True, capture_output=True)
    run = Rulebook(tmp_path, rulebook_env, ROOT / "extensions" / "eda" / "rulebooks" / "remediate_failed_job.yml",
                   {"sdx_webhook_port": port, "sdx_webhook_certfile": str(certificate)})
    try:
        wait_for(lambda: port_open(port), "the webhook port", run=run)
        queued = ansible.task({"site_id": site, "description": "broken", "script": ":error",
                               "needs_acknowledgement": True, "notify_url": f"https://127.0.0.1:{port}/sdx/{SECRET}"})
        assert queued.status == "changed", queued.output
        wait_for(lambda: [job for job in sim.jobs(site) if job["description"].startswith("Remediation of job")],
                 "the remediation job", timeout=180, run=run)
    finally:
        output = run.stop()
    assert TOKEN not in output and SECRET not in output


def test_the_de_build_context_installs_rulebook_java_and_the_collection(tmp_path):
    tarball = sorted((ROOT / "build" / "dist").glob("altostrat-sdx-*.tar.gz"))[-1]
    source = tmp_path / "src"
    source.mkdir()
    for name in ("decision-environment.yml", "requirements.yml"):
        shutil.copy(ROOT / "examples" / "de" / name, source / name)
    shutil.copy(tarball, source / "altostrat-sdx.tar.gz")
    context = tmp_path / "context"
    subprocess.run([str(Path(sys.executable).parent / "ansible-builder"), "create", "-f",
                    str(source / "decision-environment.yml"), "-c", str(context)], check=True, capture_output=True)
    assert (context / "_build" / "collections" / "altostrat-sdx.tar.gz").is_file()
    assert "ansible-rulebook" in (context / "_build" / "requirements.txt").read_text()
    assert "java-17-openjdk-headless" in (context / "_build" / "bindep.txt").read_text()
    steps = next(path for path in (context / "Containerfile", context / "Dockerfile") if path.exists()).read_text()
    assert "ansible-galaxy collection install" in steps and "introspect" in steps
