"""The role's options: each documented rollout_* input is read once, in defaults/main.yml, as script_rollout_*.

The defaults are rendered by ansible-core's own templating, so what is checked is what the tasks receive.
"""

from __future__ import annotations

import inspect
from pathlib import Path

import jinja2
import jinja2.meta
import pytest
import yaml
from ansible import template as ansible_template
from ansible.parsing.dataloader import DataLoader
from ansible.template import Templar

ROLE = Path(__file__).resolve().parents[2] / "roles" / "script_rollout"
PREFIX = "script_rollout_"
# ansible-core >= 2.19 templates only text it trusts; older lines template every string.
trust = getattr(ansible_template, "trust_as_template", lambda value: value)


def documented() -> dict[str, dict]:
    """Every option of every entry point, by name (an option documented twice is the same input)."""
    specs = yaml.safe_load((ROLE / "meta" / "argument_specs.yml").read_text())["argument_specs"]
    return {name: option for entry in specs.values() for name, option in entry["options"].items()}


def defaults() -> dict:
    loader = DataLoader()
    path = str(ROLE / "defaults" / "main.yml")
    if "trusted_as_template" in inspect.signature(loader.load_from_file).parameters:
        return loader.load_from_file(path, trusted_as_template=True)
    return loader.load_from_file(path)


def resolve(name: str, **given):
    """What the tasks read as ``name`` when the play sets ``given`` (role defaults rank lowest, as in Ansible)."""
    templar = Templar(loader=DataLoader(), variables={**defaults(), **given})
    return templar.template(trust("{{ %s }}" % name))


def typed(value, kind: str):
    """A rendered value as the module or condition receives it (ansible-core 2.16 renders numbers as text)."""
    return {"int": int, "float": float}.get(kind, lambda same: same)(value)


def test_every_documented_input_has_one_role_prefixed_name_and_nothing_else_is_defined():
    assert set(defaults()) == {PREFIX + name.removeprefix("rollout_") for name in documented()}


@pytest.mark.parametrize("name", [name for name, option in documented().items() if "default" in option])
def test_without_the_input_its_role_name_is_the_documented_default(name):
    option = documented()[name]
    value = resolve(PREFIX + name.removeprefix("rollout_"), rollout_description="d")
    assert typed(value, option["type"]) == option["default"]
    if option["type"] == "bool":
        assert value is option["default"], "a condition must see a boolean, not text"


@pytest.mark.parametrize("name, given, expected", [
    ("rollout_wait", "false", False),  # -e rollout_wait=false gives text
    ("rollout_skip_offline", "no", False),
    ("rollout_force", "true", True),
    ("rollout_config_diff", True, True),
    ("rollout_make_backup", False, False),
    ("rollout_wait_timeout", "30", 30),
    ("rollout_max_fail_percentage", 0, 0),
    ("rollout_verify_command", "/system/identity/print", "/system/identity/print"),
    ("rollout_report_dir", "reports/CHG-1", "reports/CHG-1"),
    ("rollout_hosts", "sdx_model_chr", "sdx_model_chr"),
    ("rollout_description", "Add NTP server", "Add NTP server"),
])
def test_a_given_input_reaches_its_role_name_with_its_type(name, given, expected):
    value = resolve(PREFIX + name.removeprefix("rollout_"), **{name: given})
    assert typed(value, documented()[name]["type"]) == expected
    if isinstance(expected, bool):
        assert value is expected


@pytest.mark.parametrize("given, expected", [
    ({"sdx_site_id": "s1"}, "s1"),
    ({"sdx_site_id": "s1", "rollout_site_id": "s2"}, "s2"),
    ({"sdx_id": "s3"}, ""),  # the inventory's site variable is sdx_site_id, whatever its prefix
    ({}, ""),
])
def test_the_site_is_rollout_site_id_else_the_inventorys_site_variable(given, expected):
    assert resolve("script_rollout_site_id", **given) == expected


def variables_read(node) -> set[str]:
    """The names every Jinja expression in a task file's values reads (keys, such as set_stats' data, are names)."""
    if isinstance(node, dict):
        return set().union(set(), *(variables_read(value) for value in node.values()))
    if isinstance(node, list):
        return set().union(set(), *(variables_read(item) for item in node))
    if not isinstance(node, str):
        return set()
    environment = jinja2.Environment()
    # `when:` and `that:` are bare expressions
    source = node if "{{" in node or "{%" in node else "{{ %s }}" % node
    try:
        return jinja2.meta.find_undeclared_variables(environment.parse(source))
    except jinja2.TemplateSyntaxError:
        return set()  # plain text, such as a task name


def task_files() -> list[str]:
    """The role's task files that hold tasks of their own (site.yml only imports main.yml)."""
    return sorted(path.name for path in (ROLE / "tasks").glob("*.yml")
                  if not all("ansible.builtin.import_tasks" in task for task in yaml.safe_load(path.read_text())))


def test_a_file_that_only_imports_imports_a_checked_one():
    assert yaml.safe_load((ROLE / "tasks" / "site.yml").read_text())[0]["ansible.builtin.import_tasks"] == "main.yml"
    assert "main.yml" in task_files() and "site.yml" not in task_files()


@pytest.mark.parametrize("tasks", task_files())
def test_the_tasks_read_only_the_role_prefixed_names(tasks):
    read = variables_read(yaml.safe_load((ROLE / "tasks" / tasks).read_text()))
    assert any(name.startswith(PREFIX) for name in read), "the parse found no option: the test would prove nothing"
    assert sorted(name for name in read if name.startswith("rollout_")) == []
