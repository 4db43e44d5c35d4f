"""The connection options are defined once, in module_utils/_connection.py: the modules' argument spec, the
inventory and the event sources read that table, and the texts ansible-test and the event sources read without
importing anything (the doc fragment's two variants, the event sources' documented options) say the same thing."""

from __future__ import annotations

import re

import pytest
import yaml
from ansible.module_utils.basic import env_fallback

from ansible_collections.altostrat.sdx.plugins.doc_fragments.sdx import ModuleDocFragment
from ansible_collections.altostrat.sdx.plugins.inventory import sites
from ansible_collections.altostrat.sdx.plugins.module_utils._connection import CONNECTION_OPTIONS
from ansible_collections.altostrat.sdx.plugins.module_utils._events import connection_options
from ansible_collections.altostrat.sdx.plugins.module_utils._module import sdx_argument_spec
from tests.plugin_docs import doc_block, documented_options

SPEC = sdx_argument_spec()
FOR_MODULES = yaml.safe_load(ModuleDocFragment.DOCUMENTATION)["options"]
FOR_PLUGINS = yaml.safe_load(ModuleDocFragment.PLUGINS)["options"]
ENV_SENTENCE = re.compile(r"^If not set, the value of the E\((\w+)\) environment variable is used\.$")
SOURCES = ("fleet_watch", "job_webhook")


def spec_env(name: str) -> list[str]:
    fallback = SPEC[name].get("fallback")
    if not fallback:
        return []
    assert fallback[0] is env_fallback, name
    return list(fallback[1])


def module_env(name: str) -> list[str]:
    return [match[1] for line in FOR_MODULES[name]["description"] for match in [ENV_SENTENCE.match(line)] if match]


def source_options(name: str) -> dict:
    return yaml.safe_load(doc_block(f"extensions/eda/plugins/event_source/{name}.py", "DOCUMENTATION"))["options"]


def test_the_argument_spec_is_the_table():
    assert tuple(SPEC) == tuple(option.name for option in CONNECTION_OPTIONS)
    for option in CONNECTION_OPTIONS:
        assert SPEC[option.name]["type"] == option.type and SPEC[option.name].get("default") == option.default
        assert spec_env(option.name) == ([option.env] if option.env else [])
        assert bool(SPEC[option.name].get("no_log")) is option.no_log


def test_the_modules_fragment_documents_the_argument_spec():
    assert set(FOR_MODULES) == set(SPEC)
    for name, option in SPEC.items():
        documented = FOR_MODULES[name]
        assert documented["type"] == option["type"], name
        assert documented.get("default") == option.get("default"), name
        assert module_env(name) == spec_env(name), name
        assert "env" not in documented, name  # modules read the environment through fallback, not env entries
    assert [name for name, option in SPEC.items() if option.get("no_log")] == ["api_token"]


def test_the_plugins_variant_says_the_same_with_env_entries():
    assert set(FOR_PLUGINS) == set(SPEC)
    for name, option in SPEC.items():
        documented = FOR_PLUGINS[name]
        assert documented["type"] == option["type"], name
        assert documented.get("default") == option.get("default"), name
        assert [entry["name"] for entry in documented.get("env", [])] == spec_env(name), name
        without_env = [line for line in FOR_MODULES[name]["description"] if not ENV_SENTENCE.match(line)]
        assert documented["description"] == without_env, name


def test_the_inventory_takes_its_connection_options_from_the_fragment_only():
    doc = yaml.safe_load(doc_block("plugins/inventory/sites.py", "DOCUMENTATION"))
    assert "altostrat.sdx.sdx.plugins" in doc["extends_documentation_fragment"]
    assert not set(doc["options"]) & set(SPEC)
    options = documented_options("plugins/inventory/sites.py")
    assert {name: options[name] for name in SPEC} == FOR_PLUGINS
    assert sites.CONNECTION_OPTION_NAMES == tuple(SPEC)


@pytest.mark.parametrize("source", SOURCES)
def test_the_event_sources_document_the_same_options(source):
    options = source_options(source)
    for name, option in SPEC.items():
        documented = options[name]
        # A rulebook argument is not expanded like a path option, so the sources call ca_path a string.
        assert documented["type"] == {"path": "str"}.get(option["type"], option["type"]), (source, name)
        assert documented.get("default") == option.get("default"), (source, name)
        text = " ".join([documented["description"]] if isinstance(documented["description"], str)
                        else documented["description"])
        assert re.findall(r"env C\((\w+)\)", text) == spec_env(name), (source, name)


def test_the_event_sources_read_the_same_defaults_and_environment(monkeypatch):
    for name in SPEC:
        for variable in spec_env(name):
            monkeypatch.delenv(variable, raising=False)
    assert connection_options({}) == {name: option.get("default") for name, option in SPEC.items()}
    samples = {"str": ("http://sdx.invalid", "http://sdx.invalid"), "bool": ("false", False), "int": ("7", 7)}
    for name, option in SPEC.items():
        for variable in spec_env(name):
            text, value = samples[option["type"]]
            monkeypatch.setenv(variable, text)
            assert connection_options({})[name] == value, (name, variable)
