"""Render every plugin with ansible-doc and fail when one renders nothing.

ansible-doc exits 0 with only a warning when it cannot find a plugin, so its JSON is checked instead.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
KINDS = {"modules": "module", "inventory": "inventory", "lookup": "lookup", "filter": "filter"}


def plugins() -> list[tuple[str, str]]:
    found = []
    for folder, kind in KINDS.items():
        # Filters are documented per filter name, in YAML files beside the plugin file.
        pattern = "*.yml" if kind == "filter" else "*.py"
        for path in sorted((ROOT / "plugins" / folder).glob(pattern)):
            if path.name != "__init__.py":
                found.append((kind, f"altostrat.sdx.{path.stem}"))
    found += [("role", f"altostrat.sdx.{path.name}") for path in sorted((ROOT / "roles").iterdir()) if path.is_dir()]
    return found


def check(kind: str, name: str) -> str | None:
    ansible_doc = str(Path(sys.executable).parent / "ansible-doc")
    run = subprocess.run([ansible_doc, "--json", "-t", kind, name], capture_output=True, text=True, check=False)
    if run.returncode != 0:
        return f"ansible-doc exited {run.returncode}: {run.stderr.strip()}"
    try:
        entry = json.loads(run.stdout).get(name, {})
    except ValueError:
        return "ansible-doc printed no JSON"
    # A role documents each entry point of its argument spec; other plugins have one doc.
    doc = entry.get("entry_points", {}).get("main") if kind == "role" else entry.get("doc")
    if not doc or not doc.get("short_description") or not doc.get("description"):
        return "rendered without documentation: " + (run.stderr.strip() or "empty")
    if kind == "module" and not entry.get("examples"):
        return "rendered without EXAMPLES"
    return None


def main() -> int:
    failures = 0
    found = plugins()
    for kind, name in found:
        problem = check(kind, name)
        print(f"{'FAIL' if problem else 'ok  '} {kind:9} {name}" + (f": {problem}" if problem else ""))
        failures += bool(problem)
    print(f"ansible-doc: {len(found) - failures} passed, {failures} failed")
    return 1 if failures or not found else 0


if __name__ == "__main__":
    sys.exit(main())
