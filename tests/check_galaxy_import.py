"""Import the built tarball with galaxy-importer, as Galaxy and Automation Hub do on upload.

Galaxy runs the importer on the tarball alone: the collection is installed nowhere, and no
ANSIBLE_COLLECTIONS_PATH points at it. This check does the same: it drops every ANSIBLE_* variable
and gives the importer a HOME of its own (molecule and others install the collection under
~/.ansible/collections, which would hide a reference that only resolves when installed).

Its containerised ansible-test run is off (no container engine here; `make sanity` runs ansible-test),
its ansible-lint and ansible-doc runs are on. Fails on any error or warning the importer reports, and
when a plugin's documentation did not render.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DOCUMENTED = ("module", "inventory", "filter")


def galaxy_environment(work: Path, config: Path) -> dict[str, str]:
    """The caller's environment without any Ansible setting, with a fresh HOME and the importer's config."""
    env = {name: value for name, value in os.environ.items() if not name.startswith("ANSIBLE_")}
    env.update(HOME=str(work / "home"), GALAXY_IMPORTER_CONFIG=str(config), ANSIBLE_NOCOLOR="1",
               PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}")
    (work / "home").mkdir()
    return env


def holds_filters(kind: str, name: str) -> bool:
    """True for a filter plugin file that holds filters documented one by one (``<filter>.yml``), which the
    importer lists by its file name too, with no documentation of its own."""
    folder = ROOT / "plugins" / "filter"
    return kind == "filter" and (folder / f"{name}.py").exists() and not (folder / f"{name}.yml").exists()


def main() -> int:
    tarball = sorted((ROOT / "build" / "dist").glob("altostrat-sdx-*.tar.gz"))[-1]
    work = Path(tempfile.mkdtemp(prefix="sdx-galaxy-import-"))
    config = work / "galaxy-importer.cfg"
    config.write_text(f"[galaxy-importer]\nRUN_ANSIBLE_TEST = False\nRUN_ANSIBLE_LINT = True\nRUN_ANSIBLE_DOC = True\n"
                      f"CHECK_CHANGELOG = True\nANSIBLE_LOCAL_TMP = {work / 'ansible-tmp'}\n")
    run = subprocess.run([sys.executable, "-m", "galaxy_importer.main", str(tarball)], cwd=work,
                         env=galaxy_environment(work, config), capture_output=True, text=True, check=False)
    log = run.stdout + run.stderr
    print(log)
    problems = [line for line in log.splitlines() if any(word in line for word in ("WARNING", "ERROR", "Traceback"))]
    if run.returncode != 0 or "Importer processing completed successfully" not in log:
        problems.append(f"galaxy-importer exited {run.returncode}")
    result = json.loads((work / "importer_result.json").read_text()) if (work / "importer_result.json").exists() else {}
    for item in result.get("docs_blob", {}).get("contents", []):
        kind, name = item["content_type"], item["content_name"]
        if kind in DOCUMENTED and not holds_filters(kind, name) and not (item.get("doc_strings") or {}).get("doc"):
            problems.append(f"{kind} {name}: documentation did not render")
    for problem in problems:
        print(f"FAIL {problem}")
    print(f"galaxy-importer: {0 if problems else 1} passed, {1 if problems else 0} failed")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
