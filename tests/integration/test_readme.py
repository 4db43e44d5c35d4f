"""The README's examples, run as written: the first playbook, the ad-hoc command, the install section, the demo.

`make test` is not run here: it is this test suite itself. `make demo` runs with its prerequisites (the
virtualenv and `make install`) taken as done, since rebuilding build/collections would pull it from under the
tests that run beside this one.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
from pathlib import Path

from tests.integration.harness import BIN, ROOT

README = (ROOT / "README.md").read_text()


def blocks(language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", README, flags=re.S)


def section(title: str) -> str:
    """The text of the README's section ``## title``, up to the next one."""
    return README.split(f"\n## {title}\n", 1)[1].split("\n## ", 1)[0]


def command_line(program: str) -> str:
    """The README's one console line that runs ``program`` (the simulator's section has its own test)."""
    text = README.replace(section("Play with the simulator"), "")
    consoles = re.findall(r"```console\n(.*?)```", text, flags=re.S)
    lines = [line.split("#")[0].strip() for block in consoles for line in block.splitlines()]
    found = [line for line in lines if line.split(" ", 1)[0] == program]
    assert len(found) == 1, (program, found)
    return found[0]


def as_a_user(ansible) -> dict:
    """The harness environment, minus what a user would not set: the interpreter and the recorder."""
    return {name: value for name, value in ansible.env.items()
            if name not in ("ANSIBLE_PYTHON_INTERPRETER", "ANSIBLE_CALLBACKS_ENABLED", "ANSIBLE_CALLBACK_PLUGINS")}


def shell(line: str, cwd: Path, env: dict) -> subprocess.CompletedProcess:
    return subprocess.run(["bash", "-euo", "pipefail", "-c", line], cwd=cwd, env=env, capture_output=True,
                          text=True, check=False, timeout=300)


def test_the_first_playbook_runs_as_written_and_its_second_run_is_ok(ansible, sim, tmp_path):
    (playbook,) = blocks("yaml")
    (tmp_path / "first.yml").write_text(playbook)
    line = command_line("ansible-playbook")
    assert line == "ansible-playbook -i localhost, first.yml"
    env = {**as_a_user(ansible), "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}"}
    first = shell(f"{line} -vvv", tmp_path, env)
    assert first.returncode == 0, first.stdout + first.stderr
    assert "changed=1" in first.stdout and "failed=0" in first.stdout
    # "There the module runs inside its action plugin ... without starting a Python per task"
    assert "running in the action plugin" in first.stdout and "Using module file" not in first.stdout
    again = shell(line, tmp_path, env)
    assert again.returncode == 0, again.stdout + again.stderr
    assert "changed=0" in again.stdout and "ok=1" in again.stdout
    assert len(sim.jobs()) == 1


def test_the_ad_hoc_command_runs_as_written(ansible, sim):
    line = command_line("ansible")
    env = {**as_a_user(ansible), "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}"}
    run = shell(line, ROOT, env)
    assert run.returncode == 0, run.stdout + run.stderr
    online = sim.sites(online=True)
    assert run.stdout.count("| SUCCESS") == len(online) > 0
    assert "board-name" in run.stdout


def test_the_simulator_section_starts_one_and_its_command_reads_every_online_site(tmp_path):
    """The section's lines as written, with a free port and this Python standing in for .venv-demo's."""
    (block,) = re.findall(r"```console\n(.*?)```", section("Play with the simulator"), flags=re.S)
    lines = block.strip().splitlines()
    assert lines[0].startswith(".venv-demo/bin/python -m simulator --port 8181") and lines[0].endswith("&")
    port = free_port()
    start = lines[0].replace(".venv-demo/bin/python", str(BIN / "python")).replace("8181", str(port))
    wait = f"for _ in $(seq 100); do (echo > /dev/tcp/127.0.0.1/{port}) 2>/dev/null && break; sleep 0.1; done"
    rest = [line.replace("8181", str(port)).replace("$PWD/.venv-demo/bin", str(BIN)) for line in lines[1:]]
    script = "\n".join([start, "trap 'kill %1' EXIT", wait, *rest])
    env = {name: value for name, value in os.environ.items()
           if not name.startswith(("ANSIBLE_", "SDX_"))}
    run = shell(script, ROOT, env)
    assert run.returncode == 0, run.stdout + run.stderr
    assert run.stdout.count("| SUCCESS") == 9, run.stdout
    assert '"address": "192.168.88.1/24"' in run.stdout


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_the_install_section_needs_ansible_galaxy_alone(tmp_path):
    """A fresh copy of the repository, a PATH with only ansible-galaxy and pip besides the system's tools."""
    copy = tmp_path / "repo"
    copy.mkdir()
    files = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"], cwd=ROOT,
                           capture_output=True, check=True).stdout.split(b"\0")
    for name in filter(None, files):
        source = ROOT / name.decode()
        if source.is_file():
            (copy / name.decode()).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, copy / name.decode())
    tools = tmp_path / "tools"
    tools.mkdir()
    for tool in ("ansible-galaxy", "pip"):
        (tools / tool).symlink_to(BIN / tool)
    env = {name: value for name, value in os.environ.items() if not name.startswith(("ANSIBLE_", "VIRTUAL_ENV"))}
    env.update(HOME=str(tmp_path / "home"), PATH=f"{tools}{os.pathsep}/usr/bin{os.pathsep}/bin")
    (block,) = [block for block in blocks("console") if "make install" in block]
    lines = [line.strip() for line in block.splitlines() if line.strip()]
    assert lines[0].startswith("pip install ansible-core -r requirements.txt")
    offline = shell(lines[0] + " --dry-run --no-index --quiet", copy, env)  # already satisfied: nothing to fetch
    assert offline.returncode == 0, offline.stdout + offline.stderr
    for line in lines[1:]:
        done = shell(line, copy, env)
        assert done.returncode == 0, (line, done.stdout + done.stderr)
        assert "pip install" not in done.stdout, "make install must not install development tools"
    assert not (copy / ".venv").exists()
    assert list((copy / "build" / "dist").glob("altostrat-sdx-*.tar.gz"))
    assert (copy / "build" / "collections" / "ansible_collections" / "altostrat" / "sdx" / "MANIFEST.json").exists()
    assert (tmp_path / "home" / ".ansible" / "collections" / "ansible_collections" / "altostrat" / "sdx").is_dir()


def test_make_demo_runs_as_written():
    lines = [row.split("#")[0].strip() for block in blocks("console") for row in block.splitlines()]
    assert "make demo" in lines
    env = {name: value for name, value in os.environ.items() if not name.startswith("ANSIBLE_")}
    run = subprocess.run(["make", "-o", "venv", "-o", "install", "demo"], cwd=ROOT, env=env, capture_output=True,
                         text=True, check=False, timeout=600)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "The demo behaved as documented" in run.stdout and "failed=0" in run.stdout
    # the runtime alone: no development tool in the demo's virtualenv, and the collection's own module
    assert not any((ROOT / ".venv-demo" / "bin" / tool).exists() for tool in ("pytest", "ansible-lint", "molecule"))
    assert (ROOT / ".venv-demo" / "bin" / "ansible-playbook").exists()
    assert "ansible.builtin.uri" not in (ROOT / "examples" / "demo.yml").read_text()
    assert "CryptographyDeprecationWarning" not in run.stdout + run.stderr
