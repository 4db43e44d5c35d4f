"""The docsite's RST guides were written from the current Markdown guides, and all are listed."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import yaml

DOCS = Path(__file__).resolve().parents[2] / "docs"
SOURCE = re.compile(r"^\.\. Written from docs/(?P<md>\S+) .*\n\.\. source-sha256: (?P<sha>[0-9a-f]{64})$", re.M)


def guides() -> dict[str, Path]:
    return {path.stem: path for path in sorted((DOCS / "docsite" / "rst").glob("*.rst"))}


def test_every_guide_is_current_with_its_markdown_source():
    assert guides()
    for name, path in guides().items():
        match = SOURCE.search(path.read_text())
        assert match, f"{name}.rst does not say which Markdown file it was written from"
        current = hashlib.sha256((DOCS / match["md"]).read_bytes()).hexdigest()
        assert current == match["sha"], (f"docs/{match['md']} changed since {name}.rst was written: "
                                         "run python docs/docsite/sync_guides.py")


def test_every_guide_is_in_the_docsite_and_labelled():
    listed = [entry for section in yaml.safe_load((DOCS / "docsite" / "extra-docs.yml").read_text())["sections"]
              for entry in section["toctree"]]
    assert sorted(listed) == sorted(guides())
    for name, path in guides().items():
        assert f".. _ansible_collections.altostrat.sdx.docsite.{name}:" in path.read_text()
