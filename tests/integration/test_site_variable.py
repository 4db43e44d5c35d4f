"""The inventory's site variable, sdx_site_id: set on every host whatever the hostvars_prefix, and read by the
site modules' one action plugin; and the inventory's own input and answer checks."""

from __future__ import annotations

import json

import pytest

PREFIXED = {"plugin": "altostrat.sdx.sites", "hostvars_prefix": "mt_", "group": "mt"}


def test_every_host_has_the_site_variable_whatever_the_prefix(ansible, sim):
    ids = {site["id"] for site in sim.sites()}
    prefixed = ansible.inventory({"hostvars_prefix": "mt_"}).hostvars()
    assert {host["sdx_site_id"] for host in prefixed.values()} == ids
    assert all(host["sdx_site_id"] == host["mt_id"] and "sdx_id" not in host for host in prefixed.values())
    default = ansible.inventory({}).hostvars()
    assert {host["sdx_site_id"] for host in default.values()} == ids
    assert all(host["sdx_site_id"] == host["sdx_id"] for host in default.values())


@pytest.mark.parametrize("module, args", [
    ("altostrat.sdx.sdx_command", "command=/system/identity/print"),
    ("altostrat.sdx.sdx_async_script", "description='Prefixed fleet' script='/system identity print'"),
])
def test_adhoc_over_a_prefixed_inventory_needs_no_site_id(ansible, sim, tmp_path, module, args):
    online = {site["id"] for site in sim.sites(online=True)}  # before the run: it clears the request log
    inventory = tmp_path / "fleet.sdx.yml"
    inventory.write_text(json.dumps(PREFIXED))
    run = ansible.adhoc(inventory, "mt_online", module, args)
    assert run.rc == 0, run.output
    assert len(run.records) == len(online) == 9
    assert all(record["status"] in ("ok", "changed") for record in run.records), run.output
    posts = sim.log("POST")
    assert {entry["path"].rsplit("/", 1)[1] for entry in posts} == online
    assert len(posts) == len(online)


def test_the_site_modules_routed_to_the_one_action_plugin_take_the_host_site(ansible, sim, tmp_path):
    inventory = tmp_path / "fleet.sdx.yml"
    inventory.write_text(json.dumps(PREFIXED))
    site = sim.sites(online=True)[0]
    for module, args in (("altostrat.sdx.sdx_job_info", ""), ("altostrat.sdx.sdx_site_info", ""),
                         ("altostrat.sdx.sdx_backup_info", "")):
        run = ansible.adhoc(inventory, site["name"], module, args)
        assert run.rc == 0, (module, run.output)
    reads = [entry["path"] for entry in sim.log() if entry["path"] != "/sites"]
    assert len(reads) == 3 and all(path.endswith(site["id"]) or f"/{site['id']}/" in path for path in reads), reads


@pytest.mark.parametrize("value", [0, -2])
def test_tags_concurrency_below_one_is_an_error_before_any_request(ansible, sim, value):
    run = ansible.inventory({"with_tags": True, "tags_concurrency": value})
    assert run.rc != 0
    assert (f"altostrat.sdx.sites: tags_concurrency: expected tag requests at once, a whole number of 1 or more, "
            f"got {value}") in run.text
    assert sim.log() == []


@pytest.mark.parametrize("body, problem", [
    ([{"id": "a", "has_pulse": "maybe"}], "a list whose item 0 is an object that is not a Site (has_pulse: "),
    (["branch-0001"], "a list whose item 0 is a str that is not a Site"),
    ({"data": [{"id": None}]}, "a list whose item 0 is an object that is not a Site (id: "),
])
def test_malformed_sites_fail_the_source_in_one_clear_line(ansible, sim, body, problem):
    sim.fault(action="body", method="GET", path="/sites", body=body, count=2)
    run = ansible.inventory({})
    assert run.rc != 0
    assert f"altostrat.sdx.sites: SDX API answered GET {sim.url}/sites with {problem}" in run.text
    assert "Traceback" not in run.output and "validation error" not in run.output


def test_module_defaults_stay_per_module_through_the_one_action_plugin(ansible, sim):
    site = sim.sites(online=True)[0]["id"]
    play = {"name": "defaults", "hosts": "localhost", "gather_facts": False,
            "module_defaults": {"altostrat.sdx.sdx_async_script": {"poll_interval": 0.2},
                                "altostrat.sdx.sdx_command": {"command": "/system/identity/print"}},
            "tasks": [{"name": "command", "altostrat.sdx.sdx_command": {"site_id": site}},
                      {"name": "jobs", "altostrat.sdx.sdx_job_info": {"site_id": site}}]}
    path = ansible.workdir / "defaults.yml"
    path.write_text(json.dumps([play]))
    run = ansible.playbook(path)
    assert run.rc == 0, run.output
    assert run.task("command")["result"]["output"], run.output
    assert run.task("jobs")["status"] == "ok"


def test_the_site_variable_wins_over_a_site_field_of_the_same_name(ansible, sim):
    site = sim.sites()[0]
    sim.fault(action="body", method="GET", path="/sites", body=[{**site, "site_id": "not-the-id"}])
    hosts = ansible.inventory({}).hostvars()
    assert [host["sdx_site_id"] for host in hosts.values()] == [site["id"]]


def test_a_site_variable_written_as_a_template_in_the_play_is_rendered(ansible, sim, tmp_path):
    site = sim.sites(online=True)[0]["id"]
    play = [{"hosts": "localhost", "gather_facts": False,
             "vars": {"branch": {"id": site}, "sdx_site_id": "{{ branch.id }}"},
             "tasks": [{"name": "Read the identity", "altostrat.sdx.sdx_command": {"command": "/system/identity/print"}}]}]
    path = tmp_path / "templated.yml"
    path.write_text(json.dumps(play))
    run = ansible.playbook(path)
    assert run.rc == 0, run.output
    assert [entry["path"] for entry in sim.log("POST")] == [f"/api/synchronous/{site}"]
