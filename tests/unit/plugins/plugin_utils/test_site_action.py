"""The one action plugin: its check of text options, which sees the task's values before ansible-core turns them
into text, the site it gives a module, and its routing."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from ansible_collections.altostrat.sdx.plugins.plugin_utils._site_action import (
    MODULES, SITE_VARIABLE, character_problem, module_of, site_args, type_problem)


@pytest.mark.parametrize("value, message", [
    (["/a", "/b"], "script: expected a string, got a list (write several lines as one YAML block scalar, script: |)"),
    ({"a": 1}, "script: expected a string, got a dict"),
    (42, "script: expected a string, got a number"),
    (4.2, "script: expected a string, got a number"),
    (True, "script: expected a string, got a boolean"),
    ("/system identity print", None),
    (None, None),
])
def test_text_options_must_be_strings(value, message):
    assert type_problem("script", value) == message


@pytest.mark.parametrize("value, message", [
    ("bri\0dge", "parameters: must not contain a NUL character (\\x00)"),
    (["?a=1", "?b=\0"], "parameters: must not contain a NUL character (\\x00)"),
    ({"k\0": "v"}, "parameters: must not contain a NUL character (\\x00)"),
    ("a\ud800b", "parameters: holds text that is not valid Unicode (a lone surrogate such as \\ud800)"),
    ([{"x": ["\udfff"]}], "parameters: holds text that is not valid Unicode (a lone surrogate such as \\ud800)"),
    ("caf\u00e9 \U0001F600", None),
    (["?a=1", 3, None, True], None),
])
def test_no_option_may_hold_a_nul_or_a_lone_surrogate(value, message):
    assert character_problem("parameters", value) == message


@pytest.mark.parametrize("name, args", [
    ("sdx_command", {"command": "/ip/address/print", "parameters": "?interface=bri\0dge"}),
    ("sdx_site_info", {"name": "branch\0"}),
    ("sdx_job_info", {"idempotency_key": "k\ud800"}),
    ("sdx_async_script", {"description": "d\ud800", "script": "/x"}),
])
def test_every_module_refuses_such_characters_in_any_option_before_it_runs(name, args):
    with pytest.raises(ValueError, match="must not contain a NUL|not valid Unicode"):
        site_args(MODULES[name], {"site_id": SITE, **args}, HOST)


ROOT = Path(__file__).resolve().parents[4]
SITE = "9c69345c-8d39-4786-9f17-8153c988c89a"
HOST = {"inventory_hostname": "branch-0001", SITE_VARIABLE: SITE}


def module_names() -> set[str]:
    return {path.stem for path in (ROOT / "plugins" / "modules").glob("*.py") if path.stem != "__init__"}


def test_plugins_action_holds_one_action_plugin_named_after_a_module():
    plugins = {path.stem for path in (ROOT / "plugins" / "action").glob("*.py") if path.stem != "__init__"}
    assert plugins == {"sdx_async_script"}
    assert plugins <= module_names()  # ansible-test's action-plugin-docs check


def test_runtime_routes_every_other_module_to_the_one_action_plugin():
    routing = yaml.safe_load((ROOT / "meta" / "runtime.yml").read_text())["plugin_routing"]
    # Not action redirects: they would make every module's module_defaults those of sdx_async_script.
    assert set(routing) == {"modules"}
    assert routing["modules"] == {name: {"action_plugin": "altostrat.sdx.sdx_async_script"}
                                  for name in module_names() - {"sdx_async_script"}}


def test_the_action_plugin_has_rules_for_every_module_and_no_other():
    assert set(MODULES) == module_names()


@pytest.mark.parametrize("action", ["altostrat.sdx.sdx_command", "sdx_command"])
def test_rules_are_found_by_the_short_or_the_full_name(action):
    assert module_of(action) is MODULES["sdx_command"]


def test_a_module_without_rules_is_an_error_naming_it():
    with pytest.raises(ValueError, match="has no rules for module 'altostrat.sdx.sdx_other'; it knows sdx_async_script"):
        module_of("altostrat.sdx.sdx_other")


def test_site_id_comes_from_the_site_variable_when_the_task_leaves_it_out():
    assert site_args(MODULES["sdx_command"], {"command": "/x"}, HOST) == {"command": "/x", "site_id": SITE}
    assert site_args(MODULES["sdx_command"], {"command": "/x", "site_id": None}, HOST)["site_id"] == SITE
    assert site_args(MODULES["sdx_job"], {"site_id": "other"}, HOST) == {"site_id": "other"}


def test_the_site_variable_is_not_the_prefixed_id():
    host = {"inventory_hostname": "branch-0001", "sdx_id": SITE, "mt_id": SITE}
    with pytest.raises(ValueError) as error:
        site_args(MODULES["sdx_job_info"], {}, host)
    assert str(error.value) == ("site_id: not given, and host 'branch-0001' has no sdx_site_id variable; set site_id "
                                "on the task, or run it on hosts of the altostrat.sdx.sites inventory plugin (the "
                                "host has sdx_id, which the site modules no longer read: set sdx_site_id instead)")


def test_a_host_without_any_site_variable_is_told_where_sites_come_from():
    with pytest.raises(ValueError) as error:
        site_args(MODULES["sdx_job_info"], {}, {"inventory_hostname": "router-1"})
    assert str(error.value) == ("site_id: not given, and host 'router-1' has no sdx_site_id variable; set site_id "
                                "on the task, or run it on hosts of the altostrat.sdx.sites inventory plugin")


@pytest.mark.parametrize("given", ["", "  "])
def test_an_empty_site_id_is_an_error_even_with_a_site_variable(given):
    with pytest.raises(ValueError, match="^site_id: expected a site ID, got an empty string"):
        site_args(MODULES["sdx_backup"], {"site_id": given}, HOST)


def test_site_info_uses_the_host_site_unless_it_chooses_sites_by_name():
    rules = MODULES["sdx_site_info"]
    assert site_args(rules, {}, HOST) == {"site_id": SITE}
    assert site_args(rules, {"name": ""}, HOST) == {"name": "", "site_id": SITE}
    assert site_args(rules, {"name": "branch-*"}, HOST) == {"name": "branch-*"}
    assert site_args(rules, {}, {"inventory_hostname": "localhost"}) == {}


def test_text_options_are_checked_per_module_before_the_site():
    with pytest.raises(ValueError, match="^command: expected a string, got a list"):
        site_args(MODULES["sdx_command"], {"command": ["/a"]}, {})
    with pytest.raises(ValueError, match="^script: expected a string, got a number; notify_url: expected a string"):
        site_args(MODULES["sdx_async_script"], {"script": 1, "notify_url": 2}, HOST)
    assert site_args(MODULES["sdx_job"], {"script": 1}, HOST) == {"script": 1, "site_id": SITE}


def test_the_token_is_left_to_its_own_check_which_never_shows_it():
    args = site_args(MODULES["sdx_job"], {"site_id": SITE, "job_id": SITE, "api_token": "alto_sk_\0"}, HOST)
    assert args["api_token"] == "alto_sk_\0"
