"""Write the docsite's RST guides from the Markdown guides in docs/ (the one source to edit).

    python docs/docsite/sync_guides.py          # needs pandoc (Debian: apt-get install pandoc)

Each RST file records the SHA-256 of its Markdown source; a unit test fails when a guide changed and
its RST was not written again.
"""

from __future__ import annotations

import hashlib
import subprocess
import sys
from pathlib import Path

DOCS = Path(__file__).resolve().parents[1]
GUIDES = {  # Markdown source in docs/ -> RST name in docs/docsite/rst/, in the order of the docsite
    "getting-started.md": "getting_started",
    "async_script.md": "async_script",
    "declarative.md": "declarative",
    "safe-apply.md": "safe_apply",
    "inventory.md": "inventory",
    "rollout.md": "rollout",
    "backups.md": "backups",
    "awx.md": "awx",
    "event-driven.md": "event_driven",
    "reliability.md": "reliability",
    "troubleshooting.md": "troubleshooting",
}


def digest(source: Path) -> str:
    return hashlib.sha256(source.read_bytes()).hexdigest()


def header(source: Path, name: str) -> str:
    return (f".. Written from docs/{source.name} by docs/docsite/sync_guides.py; edit that file instead.\n"
            f".. source-sha256: {digest(source)}\n\n"
            f".. _ansible_collections.altostrat.sdx.docsite.{name}:\n\n")


def main() -> int:
    for markdown, name in GUIDES.items():
        source = DOCS / markdown
        body = subprocess.run(["pandoc", "--from", "gfm-gfm_auto_identifiers", "--to", "rst", "--wrap", "none", str(source)],
                              check=True, capture_output=True, text=True).stdout
        (DOCS / "docsite" / "rst" / f"{name}.rst").write_text(header(source, name) + body)
        print(f"docs/{markdown} -> docs/docsite/rst/{name}.rst")
    return 0


if __name__ == "__main__":
    sys.exit(main())
