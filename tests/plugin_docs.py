"""Read a plugin's DOCUMENTATION, EXAMPLES or RETURN block without importing the plugin (doc fragments are imported,
as ansible-core does)."""

from __future__ import annotations

import ast
import importlib
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
    """The text of ``name`` (DOCUMENTATION or a variant) of the ModuleDocFragment class of a file, as ansible-core
    reads it: by importing the fragment (the collection's fragments build their text from its option tables)."""
    module = importlib.import_module("ansible_collections.altostrat.sdx." + relative_path.removesuffix(".py").replace("/", "."))
    return getattr(module.ModuleDocFragment, name)


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
