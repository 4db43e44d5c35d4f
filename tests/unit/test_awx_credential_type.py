"""The AWX credential type injects exactly the environment variables the plugins read."""

from __future__ import annotations

from pathlib import Path

import yaml

from ansible_collections.altostrat.sdx.plugins.module_utils._module import sdx_argument_spec
from tests.plugin_docs import documented_options

ROOT = Path(__file__).resolve().parents[2]


def module_env_names() -> dict[str, str]:
    names = {}
    for option, spec in sdx_argument_spec().items():
        if "fallback" in spec:
            names[spec["fallback"][1][0]] = option
    return names


def inventory_env_names() -> dict[str, str]:
    options = documented_options("plugins/inventory/sites.py")
    return {env["name"]: option for option, spec in options.items() for env in spec.get("env", [])}


def injected() -> dict[str, str]:
    credential = yaml.safe_load((ROOT / "docs" / "awx" / "credential_type.yml").read_text())
    fields = {field["id"] for field in credential["inputs"]["fields"]}
    env = credential["injectors"]["env"]
    for name, template in env.items():
        assert template.strip("{} ") in fields, f"{name} injects an input that does not exist: {template}"
    return {name: template.strip("{} ") for name, template in env.items()}


def test_injectors_match_the_module_env_fallbacks():
    assert injected() == module_env_names()


def test_injectors_match_the_inventory_plugin_env_options():
    assert injected() == inventory_env_names()


def test_the_token_input_is_secret_and_required():
    credential = yaml.safe_load((ROOT / "docs" / "awx" / "credential_type.yml").read_text())
    token = next(field for field in credential["inputs"]["fields"] if field["id"] == "api_token")
    assert token["secret"] is True
    assert "api_token" in credential["inputs"]["required"]
