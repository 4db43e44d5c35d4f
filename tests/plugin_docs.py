"""Read a plugin's DOCUMENTATION, EXAMPLES or RETURN block without importing the plugin."""

from __future__ import annotations

import ast
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]


def doc_block(relative_path: str, name: str) -> str:
    """The string assigned to ``name`` (DOCUMENTATION, EXAMPLES, RETURN) in a plugin file under the root."""
    tree = ast.parse((ROOT / relative_path).read_text())
    for node in tree.body:
        if isinstance(node, ast.Assign) and getattr(node.targets[0], "id", None) == name:
            return node.value.value
    raise AssertionError(f"{relative_path} has no {name}")


def fragment_block(relative_path: str, name: str) -> str:
    """The string assigned to ``name`` (DOCUMENTATION or a variant) in the ModuleDocFragment class of a file."""
    tree = ast.parse((ROOT / relative_path).read_text())
    for node in ast.walk(tree):
        if isinstance(node, ast.ClassDef) and node.name == "ModuleDocFragment":
            for item in node.body:
                if isinstance(item, ast.Assign) and getattr(item.targets[0], "id", None) == name:
                    return item.value.value
    raise AssertionError(f"{relative_path} has no ModuleDocFragment.{name}")


def documented_options(relative_path: str) -> dict:
    """A plugin's options as ansible-doc shows them: its own, and those of the collection's doc fragments it
    extends (``altostrat.sdx.<file>`` or ``altostrat.sdx.<file>.<variant>``); its own win, as in ansible-core."""
    doc = yaml.safe_load(doc_block(relative_path, "DOCUMENTATION"))
    options = {}
    for fragment in doc.get("extends_documentation_fragment", []):
        if fragment.startswith("altostrat.sdx."):
            file, *variant = fragment[len("altostrat.sdx."):].split(".")
            text = fragment_block(f"plugins/doc_fragments/{file}.py", (variant or ["documentation"])[0].upper())
            options.update(yaml.safe_load(text).get("options") or {})
    return {**options, **doc.get("options", {})}
