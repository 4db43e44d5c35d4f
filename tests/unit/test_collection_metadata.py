"""Hand-kept lists checked against the tree: the action group, the version, the requirements."""

from __future__ import annotations

from pathlib import Path

import yaml

from ansible_collections.altostrat.sdx.plugins.module_utils._version import COLLECTION_VERSION
from tests.plugin_docs import doc_block

ROOT = Path(__file__).resolve().parents[2]


def modules() -> set[str]:
    """The modules that take the connection options: the site modules, and rollout_site, which passes them on."""
    return {path.stem for path in (ROOT / "plugins" / "modules").glob("*.py")} - {"__init__", "rollout_report"}


def module_doc(name: str) -> dict:
    return yaml.safe_load(doc_block(f"plugins/modules/{name}.py", "DOCUMENTATION"))


def test_action_group_lists_every_module_and_nothing_else():
    runtime = yaml.safe_load((ROOT / "meta" / "runtime.yml").read_text())
    assert set(runtime["action_groups"]["sdx"]) == modules()


def test_every_module_documents_its_action_group_membership():
    for name in modules():
        fragments = module_doc(name).get("extends_documentation_fragment", [])
        assert "altostrat.sdx.sdx.actiongroup_sdx" in fragments, name


def test_versions_agree():
    galaxy = yaml.safe_load((ROOT / "galaxy.yml").read_text())
    assert galaxy["version"] == COLLECTION_VERSION


def test_runtime_requirements_are_what_the_client_imports():
    names = {line.split(">")[0].split("=")[0].split("<")[0].strip()
             for line in (ROOT / "requirements.txt").read_text().splitlines() if line and not line.startswith("#")}
    assert names == {"requests", "pydantic"}
