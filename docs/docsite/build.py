"""Build the collection docsite into build/docs with antsibull-docs (sphinx-init, then sphinx-build -W).

This machine has no network, so references into the Ansible documentation resolve through a small
intersphinx inventory written from ansible_objects.txt (each line: name, role, page) instead of the
published objects.inv; a reference missing from that list fails the build, as any warning does.

    python docs/docsite/build.py      # with the collection installed in ANSIBLE_COLLECTIONS_PATH
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zlib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SITE = ROOT / "build" / "docsite"
OUT = ROOT / "build" / "docs"
ANSIBLE_DOCS = "https://docs.ansible.com/projects/ansible/devel/"
EXPECTED_PAGES = ["index.html", "sdx_async_script_module.html", "sites_inventory.html", "script_rollout_role.html",
                  "docsite/getting_started.html", "docsite/awx.html", "docsite/troubleshooting.html",
                  "sdx_config_module.html", "docsite/declarative.html"]


def write_inventory(target: Path) -> None:
    lines = []
    for row in (Path(__file__).parent / "ansible_objects.txt").read_text().splitlines():
        if row.strip() and not row.startswith("#"):
            name, role, page = row.split()
            lines.append(f"{name} {role} -1 {page} -")
    header = "# Sphinx inventory version 2\n# Project: Ansible\n# Version: devel\n" \
             "# The remainder of this file is compressed using zlib.\n"
    target.write_bytes(header.encode() + zlib.compress(("\n".join(lines) + "\n").encode()))


def main() -> int:
    bin_dir = Path(sys.executable).parent
    collections = os.environ.get("ANSIBLE_COLLECTIONS_PATH") or str(ROOT / "build" / "collections")
    env = {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}",
           "ANSIBLE_COLLECTIONS_PATH": os.pathsep.join(str(Path(part).resolve()) for part in collections.split(os.pathsep))}
    shutil.rmtree(SITE, ignore_errors=True)
    SITE.mkdir(mode=0o700, parents=True)
    subprocess.run([str(bin_dir / "antsibull-docs"), "sphinx-init", "--use-current", "--squash-hierarchy",
                    "--fail-on-error", "--dest-dir", str(SITE), "--project", "Altostrat SDX collection",
                    "--copyright", "Contributors to the altostrat.sdx collection", "--title", "altostrat.sdx",
                    "altostrat.sdx"], check=True, env=env)
    inventory = SITE / "ansible_devel.inv"
    write_inventory(inventory)
    with open(SITE / "conf.py", "a", encoding="utf-8") as conf:
        conf.write(f"\n# Offline: only the Ansible documentation, through a local inventory.\n"
                   f"intersphinx_mapping = {{'ansible_devel': ({ANSIBLE_DOCS!r}, {str(inventory)!r})}}\n")
    subprocess.run(["bash", str(SITE / "build.sh")], check=True, env=env)
    shutil.rmtree(OUT, ignore_errors=True)
    shutil.copytree(SITE / "build" / "html", OUT)
    missing = [page for page in EXPECTED_PAGES if not (OUT / page).exists()]
    if missing:
        print(f"docsite: missing pages: {', '.join(missing)}")
        return 1
    print(f"docsite: built into {OUT} ({len(list(OUT.rglob('*.html')))} pages)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
