"""AWX / Automation Platform: the execution environment context, a job run and an inventory update the
way AWX does them (ansible-runner, the credential injected only as environment variables)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest
import yaml

from tests.integration.harness import ROOT, TOKEN

# ansible-runner and ansible-builder live in the main venv only, so these tests run on the main line.
pytestmark = pytest.mark.main_line
BIN = Path(sys.executable).parent
PROJECT = ROOT / "examples" / "awx-project"


def injected_env(sim) -> dict:
    """What the credential type's injectors set, and nothing else about the API."""
    credential = yaml.safe_load((ROOT / "docs" / "awx" / "credential_type.yml").read_text())
    inputs = {"api_url": sim.url, "api_token": TOKEN, "validate_certs": "true", "rate_limit": "0"}
    return {name: inputs[template.strip("{} ")] for name, template in credential["injectors"]["env"].items()}


def base_env() -> dict:
    env = {key: value for key, value in os.environ.items() if not key.startswith("SDX_")}
    env["ANSIBLE_COLLECTIONS_PATH"] = str(Path(os.environ.get("ANSIBLE_COLLECTIONS_PATH", ROOT / "build" / "src")).resolve())
    env["PATH"] = f"{BIN}{os.pathsep}{env.get('PATH', '')}"
    return env


def test_the_ee_build_context_installs_the_collection_and_its_requirements(tmp_path):
    tarball = sorted((ROOT / "build" / "dist").glob("altostrat-sdx-*.tar.gz"))[-1]
    source = tmp_path / "src"
    source.mkdir()
    for name in ("execution-environment.yml", "requirements.yml"):
        shutil.copy(ROOT / "examples" / "ee" / name, source / name)
    shutil.copy(tarball, source / "altostrat-sdx.tar.gz")
    context = tmp_path / "context"
    subprocess.run([str(BIN / "ansible-builder"), "create", "-f", str(source / "execution-environment.yml"),
                    "-c", str(context)], check=True, capture_output=True)
    staged = context / "_build" / "collections" / "altostrat-sdx.tar.gz"
    with tarfile.open(staged) as archive:
        manifest = json.load(archive.extractfile("MANIFEST.json"))
    assert (manifest["collection_info"]["namespace"], manifest["collection_info"]["name"]) == ("altostrat", "sdx")
    requirements = yaml.safe_load((context / "_build" / "requirements.yml").read_text())
    assert requirements["collections"] == [{"name": "collections/altostrat-sdx.tar.gz", "type": "file"},
                                           {"name": "community.routeros", "version": ">=3.14.0,<4.0.0"}]
    build_file = next(path for path in (context / "Containerfile", context / "Dockerfile") if path.exists())
    steps = build_file.read_text()
    assert "ansible-galaxy collection install" in steps and "-r requirements.yml" in steps
    assert "introspect" in steps and "pip_install" in steps
    introspected = subprocess.run([str(BIN / "ansible-builder"), "introspect", str(ROOT / "build" / "collections")],
                                  check=True, capture_output=True, text=True).stdout
    assert "requests>=2.28  # from collection altostrat.sdx" in introspected
    assert "pydantic>=2,<3  # from collection altostrat.sdx" in introspected


def test_a_job_run_like_awx_runs_the_rollout_and_reports_it(sim, tmp_path, monkeypatch):
    import ansible_runner  # pylint: disable=import-outside-toplevel  # main venv only
    data = tmp_path / "runner"
    (data / "project").mkdir(parents=True)
    (data / "inventory").mkdir()
    (data / "env").mkdir()
    shutil.copy(PROJECT / "rollout.yml", data / "project" / "rollout.yml")
    shutil.copy(PROJECT / "inventory" / "fleet.sdx.yml", data / "inventory" / "fleet.sdx.yml")
    (data / "env" / "envvars").write_text(yaml.safe_dump(injected_env(sim)))
    (data / "env" / "extravars").write_text(yaml.safe_dump({
        "rollout_description": "AWX rollout", "rollout_script": "/system ntp client set enabled=yes",
        "rollout_poll_interval": 0.1, "rollout_report_dir": str(tmp_path / "report")}))
    for name in ("SDX_API_URL", "SDX_API_TOKEN"):  # only the injected env may carry them
        monkeypatch.delenv(name, raising=False)
    run = ansible_runner.run(private_data_dir=str(data), playbook="rollout.yml", quiet=True,
                             envvars={**{k: v for k, v in base_env().items() if k.startswith(("ANSIBLE", "PATH"))},
                                      **injected_env(sim)})
    assert (run.status, run.rc) == ("successful", 0), run.stdout.read()
    events = list(run.events)
    queued = [event for event in events if event["event"] == "runner_on_ok"
              and event["event_data"].get("task") == "Roll the change out to this site"
              and event["event_data"]["res"]["rollout"]["status"] == "completed"]
    online = sim.sites(online=True)
    assert len(queued) == len(online) == 9
    stats = next(event for event in events if event["event"] == "playbook_on_stats")
    assert stats["event_data"]["artifact_data"]["rollout_counts"]["completed"] == 9
    assert stats["event_data"]["artifact_data"]["rollout_stopped"] is False
    # Job output and events never hold the token. (Runner's artifacts/<id>/command records the
    # environment it was handed, credential included, as AWX keeps job_env; that is the input.)
    outputs = [path for path in (data / "artifacts").rglob("*") if path.is_file() and path.name != "command"]
    assert any(path.parent.name == "job_events" for path in outputs)
    assert all(TOKEN not in path.read_text(errors="replace") for path in outputs)
    assert json.loads((tmp_path / "report" / "rollout-report.json").read_text())["counts"]["completed"] == 9


def test_an_inventory_update_like_awx_lists_hosts_and_groups(sim, tmp_path):
    import ansible_runner  # pylint: disable=import-outside-toplevel  # main venv only
    output = tmp_path / "inventory.json"
    out, err, rc = ansible_runner.run_command(
        executable_cmd="ansible-inventory",
        cmdline_args=["-i", str(PROJECT / "inventory" / "fleet.sdx.yml"), "--list", "--export",
                      "--output", str(output)],
        envvars={**base_env(), **injected_env(sim), "ANSIBLE_INVENTORY_UNPARSED_FAILED": "true"},
        quiet=True)
    assert rc == 0, out + err
    inventory = json.loads(output.read_text())
    hosts = inventory["_meta"]["hostvars"]
    assert len(hosts) == 12
    assert len(inventory["sdx_online"]["hosts"]) == 9 and len(inventory["sdx_offline"]["hosts"]) == 3
    assert any(name.startswith("sdx_model_") for name in inventory)
    assert TOKEN not in output.read_text() and TOKEN not in out + err
