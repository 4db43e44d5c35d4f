"""What AWX imports (``ansible-inventory --list --export``): plain strings, and unsafe only where a template could hide.

The values here are what ansible-inventory prints, read without undoing any ``__ansible_unsafe`` wrapper.
"""

from __future__ import annotations

import json

import pytest
import yaml

from tests.integration.harness import ROOT

HOSTILE_NAME = "{{ lookup('pipe', 'touch MARKER') }}"
# A Jinja override header changes the delimiters, so a template needs no brace at all.
HOSTILE_HEADER = "#jinja2:variable_start_string:'[[', variable_end_string:']]'\n[[ lookup('pipe', 'touch MARKER') ]]"


@pytest.fixture
def hostile(sim, tmp_path):
    """One online site named like a template, with an identity that is a brace-free template; the marker file."""
    marker = tmp_path / "pwned"
    site = sim.sites(online=True)[0]
    name, identity = HOSTILE_NAME.replace("MARKER", str(marker)), HOSTILE_HEADER.replace("MARKER", str(marker))
    sim.call("POST", f"/_sim/sites/{site['id']}", {"name": name, "identity": identity})
    return {"site": site, "name": name, "identity": identity, "marker": marker}


def wrapped_values(value, found: list) -> list:
    """Every ``{"__ansible_unsafe": ...}`` in printed inventory JSON."""
    if isinstance(value, dict):
        if set(value) == {"__ansible_unsafe"}:
            found.append(value["__ansible_unsafe"])
        else:
            for item in value.values():
                wrapped_values(item, found)
    elif isinstance(value, list):
        for item in value:
            wrapped_values(item, found)
    return found


def test_export_prints_plain_strings_and_only_templates_as_unsafe(ansible, sim, hostile):
    run = ansible.inventory({"with_tags": True}, "--list", "--export")
    assert run.rc == 0, run.output
    hostvars = json.loads(run.stdout)["_meta"]["hostvars"]
    assert len(hostvars) == 12
    assert sorted(wrapped_values(hostvars, [])) == sorted([hostile["identity"], hostile["name"], hostile["name"]])
    evil = next(host for host in hostvars.values() if host["sdx_id"] == hostile["site"]["id"])
    assert evil["sdx_name"] == evil["sdx_site_name"] == {"__ansible_unsafe": hostile["name"]}
    assert evil["sdx_identity"] == {"__ansible_unsafe": hostile["identity"]}
    for host in hostvars.values():
        assert host["ansible_connection"] == "local"
        assert isinstance(host["sdx_id"], str) and isinstance(host["sdx_software_version"], str)
        assert host["sdx_tags"] and all(isinstance(tag, str) for tag in host["sdx_tags"])
    normal = [host for host in hostvars.values() if host is not evil]
    assert all(isinstance(host["sdx_name"], str) for host in normal)


def test_tasks_using_the_hostile_values_never_template_them(ansible, sim, hostile, tmp_path):
    inventory = tmp_path / "fleet.sdx.yml"
    inventory.write_text(json.dumps({
        "plugin": "altostrat.sdx.sites",
        "compose": {"shown_name": "sdx_name", "shown_identity": "sdx_identity"},
        "groups": {"named_like_templates": "'lookup' in sdx_name"},
        "keyed_groups": [{"key": "sdx_name", "prefix": "named"}, {"key": "sdx_identity", "prefix": "identity"}],
    }))
    playbook = tmp_path / "use-hostile.yml"
    playbook.write_text(json.dumps([{
        "name": "Use the hostile values", "hosts": "named_like_templates", "gather_facts": False,
        "tasks": [
            {"name": "Show them", "ansible.builtin.debug": {
                "msg": "{{ sdx_name }}|{{ sdx_identity }}|{{ shown_name }}|{{ shown_identity }}"}},
            {"name": "Copy them", "ansible.builtin.set_fact": {"copied": "{{ sdx_name }}", "header": "{{ sdx_identity }}"}},
            {"name": "Show the copies", "ansible.builtin.debug": {"msg": "{{ copied }}|{{ header }}"}},
            {"name": "Groups", "ansible.builtin.debug": {"msg": "{{ group_names | join(',') }}"}},
            {"name": "Queue with them", "altostrat.sdx.sdx_async_script": {
                "description": "{{ sdx_name }}", "script": "/system identity print\n# {{ sdx_identity }}"}},
        ],
    }]))
    run = ansible.playbook(playbook, "-i", str(inventory))
    assert run.rc == 0, run.output
    assert not hostile["marker"].exists(), "a value from the API was templated"
    expected = f"{hostile['name']}|{hostile['identity']}"
    assert run.task("Show them")["result"]["msg"] == f"{expected}|{expected}"
    assert run.task("Show the copies")["result"]["msg"] == expected
    groups = run.task("Groups")["result"]["msg"].split(",")
    assert "named_like_templates" in groups
    assert any(group.startswith("named_") and "lookup" in group for group in groups)
    assert any(group.startswith("identity_") for group in groups)
    [job] = sim.jobs(hostile["site"]["id"])
    assert job["description"] == hostile["name"]
    assert job["script"].endswith(f"# {hostile['identity']}")


def awx_lookup(hostvars: dict, dotted: str, default=None):
    """A host variable the way AWX's inventory import finds ``instance_id_var`` and ``enabled_var`` (dotted path)."""
    value = hostvars
    for key in dotted.split("."):
        if not hasattr(value, "get"):
            return default
        value = value.get(key, default)
    return value


def test_awx_rules_give_the_site_uuid_as_instance_id_and_offline_as_disabled(ansible, sim, hostile):
    config = yaml.safe_load((ROOT / "examples" / "awx-project" / "inventory" / "fleet.sdx.yml").read_text())
    config.pop("plugin")
    run = ansible.inventory(config, "--list", "--export")
    assert run.rc == 0, run.output
    hostvars = json.loads(run.stdout)["_meta"]["hostvars"]
    sites = {site["id"]: site for site in sim.sites()}
    for host in hostvars.values():
        instance_id = str(awx_lookup(host, "sdx_id", ""))  # AWX keeps the text of whatever it finds
        enabled = "true" == str(awx_lookup(host, "sdx_online")).lower()  # enabled_value: true
        assert instance_id in sites, f"instance id {instance_id!r} is not a site id"
        assert enabled is sites[instance_id]["has_pulse"]
    assert len(hostvars) == 12
