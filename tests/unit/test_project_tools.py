"""The simulator and the benchmarks are tools of the project: they run from the repository root with nothing
set up, and the built collection holds none of their files."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
TOOLS = ("simulator/", "benchmarks/", "tests/unit/simulator/")


@pytest.fixture(scope="module")
def tarball(tmp_path_factory) -> dict[str, bytes]:
    """Every file of a tarball built from this checkout, by path."""
    output = tmp_path_factory.mktemp("dist")
    # This interpreter's own ansible-galaxy first; under ansible-test --venv, the one ansible-test puts on PATH.
    search = os.pathsep.join((str(Path(sys.executable).parent), os.environ["PATH"]))
    galaxy = shutil.which("ansible-galaxy", path=search)
    assert galaxy, "ansible-galaxy is not beside this Python nor on PATH"
    subprocess.run([galaxy, "collection", "build", "--force", "--output-path", str(output), str(ROOT)],
                   check=True, capture_output=True, timeout=300, env={**os.environ, "ANSIBLE_NOCOLOR": "1"})
    (built,) = output.glob("altostrat-sdx-*.tar.gz")
    with tarfile.open(built) as archive:
        return {member.name: archive.extractfile(member).read() for member in archive.getmembers() if member.isfile()}


def test_the_built_collection_holds_its_plugins(tarball):
    assert "plugins/modules/sdx_async_script.py" in tarball
    assert "plugins/inventory/sites.py" in tarball


def test_the_built_collection_holds_no_tool_file(tarball):
    assert [name for name in tarball if name.startswith(TOOLS)] == []


def test_no_simulator_source_is_in_the_built_collection_under_another_path(tarball):
    sources = {path.read_bytes() for path in (ROOT / "simulator").rglob("*.py")}
    assert len(sources) > 5
    assert [name for name, content in tarball.items() if content in sources] == []


@pytest.mark.parametrize("tool", ["simulator", "benchmarks.modules", "benchmarks.inventory"])
def test_each_tool_runs_from_the_repository_root_without_a_python_path(tool):
    env = {name: value for name, value in os.environ.items() if name != "PYTHONPATH"}
    done = subprocess.run([sys.executable, "-m", tool, "--help"], cwd=ROOT, env=env, capture_output=True,
                          text=True, check=False, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("usage:")
