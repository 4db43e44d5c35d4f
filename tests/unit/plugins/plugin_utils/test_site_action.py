"""The site action plugin: its check of text options, which sees the task's values before ansible-core turns them
into text, the site it gives a module, and its routing, all read from each module's own declaration."""

from __future__ import annotations

from pathlib import Path

import importlib

import pytest
import yaml
from ansible.plugins.action import ActionBase

from ansible_collections.altostrat.sdx.plugins.plugin_utils._site_action import (
    SITE_VARIABLE, SiteAction, character_problem, module_class, site_args, type_problem)


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


class InlineVault:  # what ansible-core 2.16 gives for an inline !vault value: text, but not a str
    __ENCRYPTED__ = True


def test_an_inline_vault_value_is_text():
    assert type_problem("api_token", InlineVault()) is None


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
        site_args(module_class(name), {"site_id": SITE, **args}, HOST)


ROOT = Path(__file__).resolve().parents[4]
SITE = "9c69345c-8d39-4786-9f17-8153c988c89a"
HOST = {"inventory_hostname": "branch-0001", SITE_VARIABLE: SITE}


def module_names() -> set[str]:
    """The site modules (sdx_*); the rollout's action plugins (rollout_*) run them and have no SDXModule class."""
    return {path.stem for path in (ROOT / "plugins" / "modules").glob("sdx_*.py")}


# rollout_site takes the connection options and passes them on, so the group's module_defaults reach it.
ROLLOUT_ACTIONS = {"rollout_site": SiteAction, "rollout_report": ActionBase}


def action_group() -> list[str]:
    return yaml.safe_load((ROOT / "meta" / "runtime.yml").read_text())["action_groups"]["sdx"]


def test_the_action_group_lists_every_module_once_and_each_has_its_site_action_plugin():
    # meta/runtime.yml's action group is the list of modules; the module files and their action plugins follow it.
    assert len(action_group()) == len(set(action_group()))
    assert set(action_group()) == module_names() | {"rollout_site"}
    plugins = {path.stem for path in (ROOT / "plugins" / "action").glob("*.py") if path.stem != "__init__"}
    modules = {path.stem for path in (ROOT / "plugins" / "modules").glob("*.py") if path.stem != "__init__"}
    assert plugins == modules == module_names() | set(ROLLOUT_ACTIONS)  # ansible-test's action-plugin-docs check
    for name in plugins:
        plugin = importlib.import_module(f"ansible_collections.altostrat.sdx.plugins.action.{name}").ActionModule
        assert issubclass(plugin, ROLLOUT_ACTIONS.get(name, SiteAction)), name


def test_runtime_routes_nothing_so_that_module_defaults_stay_per_module():
    # Neither action redirects nor action_plugin routing: each module's action plugin is found by its own name.
    assert "plugin_routing" not in yaml.safe_load((ROOT / "meta" / "runtime.yml").read_text())


@pytest.mark.parametrize("name", sorted(module_names()))
def test_every_module_declares_what_the_action_plugin_reads(name):
    module = module_class(name)
    spec = module.full_argument_spec()
    assert module.takes_site in ("required", "optional", "none")
    assert ("site_id" in spec) is (module.takes_site != "none")
    assert set(module.chooses_sites) <= set(spec) and set(module.seconds) <= set(spec)
    assert all(spec[option]["type"] == "float" for option in module.seconds)
    assert set(module.text_options()) == {option for option, rules in spec.items() if rules.get("type") == "str"}


@pytest.mark.parametrize("module, option", [("sdx_site_info", "name"), ("sdx_backup_info", "filename"),
                                            ("sdx_backup_info", "compare_to"), ("sdx_job_info", "idempotency_key"),
                                            ("sdx_job", "job_id"), ("sdx_async_script", "notify_url")])
def test_a_list_in_any_text_option_is_refused_not_turned_into_text(module, option):
    with pytest.raises(ValueError, match=f"^{option}: expected a string, got a list"):
        site_args(module_class(module), {"site_id": SITE, option: ["a"]}, HOST)


@pytest.mark.parametrize("action", ["altostrat.sdx.sdx_command", "sdx_command"])
def test_rules_are_found_by_the_short_or_the_full_name(action):
    assert module_class(action).__name__ == "CommandModule"


def test_a_module_the_collection_lacks_is_an_error_naming_it():
    with pytest.raises(ValueError, match="cannot run module 'altostrat.sdx.sdx_other': the collection has no such"):
        module_class("altostrat.sdx.sdx_other")


def test_site_id_comes_from_the_site_variable_when_the_task_leaves_it_out():
    assert site_args(module_class("sdx_command"), {"command": "/x"}, HOST) == {"command": "/x", "site_id": SITE}
    assert site_args(module_class("sdx_command"), {"command": "/x", "site_id": None}, HOST)["site_id"] == SITE
    assert site_args(module_class("sdx_job"), {"site_id": "other"}, HOST) == {"site_id": "other"}


def test_the_site_variable_is_not_the_prefixed_id():
    host = {"inventory_hostname": "branch-0001", "sdx_id": SITE, "mt_id": SITE}
    with pytest.raises(ValueError) as error:
        site_args(module_class("sdx_job_info"), {}, host)
    assert str(error.value) == ("site_id: not given, and host 'branch-0001' has no sdx_site_id variable; set site_id "
                                "on the task, or run it on hosts of the altostrat.sdx.sites inventory plugin (the "
                                "host has sdx_id, which the site modules no longer read: set sdx_site_id instead)")


def test_a_host_without_any_site_variable_is_told_where_sites_come_from():
    with pytest.raises(ValueError) as error:
        site_args(module_class("sdx_job_info"), {}, {"inventory_hostname": "router-1"})
    assert str(error.value) == ("site_id: not given, and host 'router-1' has no sdx_site_id variable; set site_id "
                                "on the task, or run it on hosts of the altostrat.sdx.sites inventory plugin")


@pytest.mark.parametrize("given", ["", "  "])
def test_an_empty_site_id_is_an_error_even_with_a_site_variable(given):
    with pytest.raises(ValueError, match="^site_id: expected a site ID, got an empty string"):
        site_args(module_class("sdx_backup"), {"site_id": given}, HOST)


def test_site_info_uses_the_host_site_unless_it_chooses_sites_by_name():
    rules = module_class("sdx_site_info")
    assert site_args(rules, {}, HOST) == {"site_id": SITE}
    assert site_args(rules, {"name": ""}, HOST) == {"name": "", "site_id": SITE}
    assert site_args(rules, {"name": "branch-*"}, HOST) == {"name": "branch-*"}
    assert site_args(rules, {}, {"inventory_hostname": "localhost"}) == {}


def test_text_options_are_checked_per_module_before_the_site():
    with pytest.raises(ValueError, match="^command: expected a string, got a list"):
        site_args(module_class("sdx_command"), {"command": ["/a"]}, {})
    with pytest.raises(ValueError, match="^script: expected a string, got a number; notify_url: expected a string"):
        site_args(module_class("sdx_async_script"), {"script": 1, "notify_url": 2}, HOST)
    assert site_args(module_class("sdx_job"), {"script": 1}, HOST) == {"script": 1, "site_id": SITE}


def test_the_token_is_left_to_its_own_check_which_never_shows_it():
    args = site_args(module_class("sdx_job"), {"site_id": SITE, "job_id": SITE, "api_token": "alto_sk_\0"}, HOST)
    assert args["api_token"] == "alto_sk_\0"
