"""The role applies its input defaults inline; they must be the ones its argument spec documents."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

ROLE = Path(__file__).resolve().parents[2] / "roles" / "script_rollout"
# Inputs whose default is another variable rather than a value.
DERIVED = {"rollout_site_id"}  # the host's sdx_id
USE = re.compile(r"\b(rollout_\w+) \| default\(([^()]*(?:\([^()]*\))?[^()]*)\)")


def documented_defaults() -> dict:
    specs = yaml.safe_load((ROLE / "meta" / "argument_specs.yml").read_text())["argument_specs"]
    defaults = {}
    for entry in specs.values():
        for name, option in entry["options"].items():
            if "default" in option:
                defaults[name] = option["default"]
    return defaults


def test_every_inline_default_is_the_documented_one():
    documented = documented_defaults()
    uses = [match for path in sorted((ROLE / "tasks").glob("*.yml")) for match in USE.findall(path.read_text())]
    assert uses
    for name, value in uses:
        if name in DERIVED:
            continue
        assert name in documented, f"{name} has an inline default but none is documented"
        assert yaml.safe_load(value) == documented[name], f"{name}: default({value}) but documented {documented[name]!r}"


def test_every_documented_default_is_applied():
    text = "".join(path.read_text() for path in (ROLE / "tasks").glob("*.yml"))
    for name in documented_defaults():
        assert f"{name} | default(" in text, f"{name} is documented with a default that the tasks never apply"
