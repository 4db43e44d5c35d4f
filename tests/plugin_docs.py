"""Read a plugin's DOCUMENTATION, EXAMPLES or RETURN block without importing the plugin."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def doc_block(relative_path: str, name: str) -> str:
    """The string assigned to ``name`` (DOCUMENTATION, EXAMPLES, RETURN) in a plugin file under the root."""
    tree = ast.parse((ROOT / relative_path).read_text())
    for node in tree.body:
        if isinstance(node, ast.Assign) and getattr(node.targets[0], "id", None) == name:
            return node.value.value
    raise AssertionError(f"{relative_path} has no {name}")
