"""The altostrat.sdx.sites inventory plugin through ansible-inventory and ansible against the simulator."""

from __future__ import annotations

import json
import socket
import time

import pytest

from simulator.process import SimulatorProcess
from tests.integration.harness import TOKEN, Ansible


def test_list_makes_one_host_per_site_with_vars_and_default_groups(ansible, sim):
    sites = sim.sites()
    run = ansible.inventory({})
    assert run.rc == 0, run.output
    hostvars = run.hostvars()
    assert len(hostvars) == len(sites) == 12
    first = hostvars["branch-0001"]
    assert first["sdx_id"] == sites[0]["id"]
    assert first["sdx_online"] is True
    assert {"sdx_pid", "sdx_name", "sdx_model", "sdx_software_version", "sdx_identity",
            "sdx_last_seen_from"} <= set(first)
    assert first["ansible_connection"] == "local"
    assert first["ansible_python_interpreter"] == "{{ ansible_playbook_python }}"
    assert "ansible_host" not in first
    assert run.group("sdx") == set(hostvars)
    assert len(run.group("sdx_offline")) == 3 and len(run.group("sdx_online")) == 9
    model_groups = [name for name in run.inventory if name.startswith("sdx_model_")]
    assert model_groups and all(run.group(name) for name in model_groups)
    assert any(name.startswith("sdx_version_7_") for name in run.inventory)
    assert [entry["path"] for entry in sim.log()] == ["/sites"]


def test_graph_works(ansible):
    run = ansible.inventory({}, "--graph")
    assert run.rc == 0
    assert "@sdx_online:" in run.output and "branch-0001" in run.output


def test_constructed_features_filters_and_options(ansible):
    run = ansible.inventory({
        "include_offline": False,
        "hostnames": ["identity", "name"],
        "hostvars_prefix": "mt_",
        "group": "fleet",
        "group_by": ["status"],
        "local_connection": False,
        "filters": ["mt_software_version is version('7.0', '>=')"],
        "compose": {"ansible_host": "mt_last_seen_from", "routeros_major": "mt_software_version.split('.')[0]"},
        "groups": {"arm_boxes": "mt_architecture_name == 'arm64'"},
        "keyed_groups": [{"key": "mt_board_name", "prefix": "board"}],
    })
    assert run.rc == 0, run.output
    hostvars = run.hostvars()
    assert hostvars and all(name.endswith("-gw") for name in hostvars)
    assert all(host["mt_online"] for host in hostvars.values())
    assert all(host["routeros_major"] == "7" for host in hostvars.values())
    assert all(host["ansible_host"].startswith("198.51.100.") for host in hostvars.values())
    assert all("ansible_connection" not in host for host in hostvars.values())
    assert run.group("fleet_online") == set(hostvars)
    assert "fleet_offline" not in run.inventory
    assert not [name for name in run.inventory if name.startswith("fleet_model_")]
    assert run.group("arm_boxes") == {name for name, host in hostvars.items()
                                      if host["mt_architecture_name"] == "arm64"}
    assert any(name.startswith("board_") for name in run.inventory)


def test_tags_become_variables_and_groups(ansible, sim):
    run = ansible.inventory({"with_tags": True, "tags_concurrency": 3})
    assert run.rc == 0, run.output
    assert all(host["sdx_tags"] for host in run.hostvars().values())
    assert any(name.startswith("sdx_tag_region_") for name in run.inventory)
    assert len(sim.log(path="/sites/")) == 12
    assert len(sim.log(path="/sites")) == 13


def test_cache_hit_makes_no_request_and_flush_refetches(ansible, sim, tmp_path):
    config = {"cache": True, "cache_plugin": "ansible.builtin.jsonfile",
              "cache_connection": str(tmp_path / "cache"), "cache_timeout": 600}
    first = ansible.inventory(config)
    assert first.rc == 0 and len(sim.log()) == 1
    second = ansible.inventory(config)
    assert second.rc == 0
    assert len(sim.log()) == 1, "a cache hit must not call the API"
    assert second.hostvars() == first.hostvars()
    # ansible-inventory has no --flush-cache before ansible-core 2.19; ansible-playbook has it on every line.
    playbook = tmp_path / "noop.yml"
    playbook.write_text("- name: Nothing\n  hosts: sdx\n  gather_facts: false\n  tasks: []\n")
    flushed = ansible.playbook(playbook, "-i", str(tmp_path / "fleet.sdx.yml"), "--flush-cache")
    assert flushed.rc == 0, flushed.output
    assert len(sim.log()) == 2


def test_a_cache_entry_without_the_site_variable_is_fetched_again(ansible, sim, tmp_path):
    """An entry written by a version that did not set sdx_site_id would leave every site module without a site."""
    config = {"cache": True, "cache_plugin": "ansible.builtin.jsonfile",
              "cache_connection": str(tmp_path / "cache"), "cache_timeout": 600}
    assert ansible.inventory(config).rc == 0 and len(sim.log()) == 1
    (entry,) = (tmp_path / "cache").iterdir()
    stored = json.loads(entry.read_text())
    wrapped = isinstance(stored, dict) and "__payload__" in stored  # ansible-core 2.19 and later wrap the entry
    hosts = json.loads(stored["__payload__"]) if wrapped else stored
    for host in hosts:
        del host["vars"]["sdx_site_id"]
    entry.write_text(json.dumps({**stored, "__payload__": json.dumps(hosts)} if wrapped else hosts))
    again = ansible.inventory(config)
    assert again.rc == 0, again.output
    assert len(sim.log()) == 2, "the old entry must be a miss"
    assert all(host["sdx_site_id"] == host["sdx_id"] for host in again.hostvars().values())
    assert ansible.inventory(config).rc == 0 and len(sim.log()) == 2, "the entry written again answers"


def test_templated_token_from_extra_vars(ansible, sim):
    run = ansible.inventory({"api_token": "{{ sdx_vault_token }}"}, "--list", "-e", f"sdx_vault_token={TOKEN}",
                            env={"SDX_API_TOKEN": ""})
    assert run.rc == 0, run.output
    assert len(run.hostvars()) == 12
    assert sim.log()[0]["auth"] == "ok"


@pytest.mark.parametrize("case, env, fault, message", [
    ("missing token", {"SDX_API_TOKEN": ""}, None, "api_token: no API token given"),
    ("rejected token", {"SDX_API_TOKEN": "alto_sk_wrong"}, None, "SDX rejected the API token (HTTP 401)"),
    ("forbidden", {}, {"status": 403}, "The API token may not do this (HTTP 403"),
    ("unparsable", {}, {"status": 200, "html": True}, "SDX API answered GET http"),
])
def test_errors_are_one_clear_line(ansible, sim, case, env, fault, message):
    if fault:
        sim.fault(action="status", path="/sites", **fault)
    run = ansible.inventory({}, env=env)
    assert run.rc != 0
    assert f"altostrat.sdx.sites: {message}" in run.text
    if case == "unparsable":
        assert "but the body is not JSON" in run.text


def test_an_unreachable_api_is_one_clear_line(ansible):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    run = ansible.inventory({"timeout": 2}, env={"SDX_API_URL": f"http://127.0.0.1:{port}"})
    assert run.rc != 0
    assert "altostrat.sdx.sites: gave up after 5 attempt(s): " in run.text
    assert f"could not reach http://127.0.0.1:{port}/sites" in run.text


def test_duplicate_names_stay_distinct_with_a_warning(ansible, sim):
    sites = sim.sites()
    for site in sites[:2]:
        sim.call("POST", f"/_sim/sites/{site['id']}", {"name": "Head Office"})
    run = ansible.inventory({})
    assert run.rc == 0
    names = {host["sdx_id"]: name for name, host in run.hostvars().items()}
    assert names[sites[0]["id"]] == f"Head_Office_{sites[0]['pid']}"
    assert names[sites[1]["id"]] == f"Head_Office_{sites[1]['pid']}"
    assert "shared by several sites" in run.text


def test_a_site_named_like_a_template_never_runs_it(ansible, sim, tmp_path):
    marker = tmp_path / "pwned"
    site = sim.sites(online=True)[0]
    evil = "{{ lookup('pipe', 'touch " + str(marker) + "') }}"
    sim.call("POST", f"/_sim/sites/{site['id']}", {"name": evil, "identity": evil})
    inventory = tmp_path / "fleet.sdx.yml"
    inventory.write_text("plugin: altostrat.sdx.sites\n")
    playbook = tmp_path / "use-name.yml"
    playbook.write_text(
        "- name: Use the site name\n  hosts: sdx_online\n  gather_facts: false\n  tasks:\n"
        "    - name: Show it\n      ansible.builtin.debug:\n        msg: 'name={{ sdx_name }} id={{ sdx_identity }}'\n"
        "    - name: Template it into a variable\n      ansible.builtin.set_fact:\n"
        "        copied: '{{ sdx_name }}'\n")
    run = ansible.playbook(playbook, "-i", str(inventory))
    assert run.rc == 0, run.output
    assert not marker.exists(), "an API value was templated"
    shown = [record for record in run.records if record["task"] == "Show it"]
    assert any("lookup('pipe'" in record["result"]["msg"] for record in shown)


def test_adhoc_over_the_inventory_needs_no_site_id(ansible, sim, tmp_path):
    inventory = tmp_path / "fleet.sdx.yml"
    inventory.write_text("plugin: altostrat.sdx.sites\n")
    run = ansible.adhoc(inventory, "sdx_online", "altostrat.sdx.sdx_async_script",
                        "description='Fleet identity' script='/system identity print'")
    assert run.rc == 0, run.output
    online = {site["id"] for site in sim.sites(online=True)}
    assert {job["site_id"] for job in sim.jobs()} == online
    assert len(sim.jobs()) == len(online) == 9


def test_pagination_is_followed(tmp_path):
    paged = SimulatorProcess(tmp_path, "--sites", "23", "--page-size", "5", "--rate-limit", "0")
    try:
        run = Ansible(tmp_path, paged).inventory({})
        assert run.rc == 0, run.output
        assert len(run.hostvars()) == 23
        assert len(paged.log(path="/sites")) == 5
    finally:
        paged.stop()


def test_reading_the_cache_does_not_extend_its_lifetime(ansible, sim, tmp_path):
    # A lifetime long enough for a slow ansible-inventory start on a loaded machine; the read in between comes
    # 4 s after the fetch, so a read that extended the entry would keep it 4 s past the third run.
    lifetime = 20
    config = {"cache": True, "cache_plugin": "ansible.builtin.jsonfile",
              "cache_connection": str(tmp_path / "cache"), "cache_timeout": lifetime}
    assert ansible.inventory(config).rc == 0 and len(sim.log()) == 1
    written = time.monotonic()  # the entry was written before this
    time.sleep(4)
    assert ansible.inventory(config).rc == 0
    assert len(sim.log()) == 1, "within its lifetime the cache answers"
    time.sleep(max(0.0, written + lifetime + 0.5 - time.monotonic()))
    assert ansible.inventory(config).rc == 0
    assert len(sim.log()) == 2, f"the entry expired {lifetime} s after the fetch, although it was read in between"


FAILING_FILTER = "sdx_uptime.startswith('3 days')"  # offline sites have no uptime (null)


def test_a_filter_that_fails_for_some_hosts_leaves_them_out_with_one_warning(ansible, sim):
    offline = {site["name"] for site in sim.sites(online=False)}
    run = ansible.inventory({"filters": [FAILING_FILTER]})
    assert run.rc == 0, run.output
    assert set(run.hostvars()) == {site["name"] for site in sim.sites(online=True)}
    assert run.text.count(f"filter \"{FAILING_FILTER}\" could not be evaluated") == 1, run.output
    assert f"could not be evaluated for {len(offline)} host(s) ({', '.join(sorted(offline))})" in run.text
    assert "which are left out" in run.text and "strict: true" in run.text


def test_with_strict_a_filter_that_fails_for_a_host_fails_the_source(ansible, sim):
    run = ansible.inventory({"filters": [FAILING_FILTER], "strict": True})
    assert run.rc != 0
    first_offline = sorted(site["name"] for site in sim.sites(online=False))[0]
    assert f"altostrat.sdx.sites: filter \"{FAILING_FILTER}\" failed for host {first_offline}:" in run.text


@pytest.mark.parametrize("strict", [False, True])
def test_compose_groups_and_keyed_groups_that_fail_for_a_host_follow_strict(ansible, sim, strict):
    run = ansible.inventory({"strict": strict, "compose": {"uptime_days": FAILING_FILTER},
                             "groups": {"long_up": FAILING_FILTER},
                             "keyed_groups": [{"key": "sdx_uptime.split(',')[0]", "prefix": "up"}]})
    if strict:
        assert run.rc != 0
        assert "Could not set uptime_days for host" in run.text
        return
    assert run.rc == 0, run.output
    online = {site["name"] for site in sim.sites(online=True)}
    hostvars = run.hostvars()
    assert len(hostvars) == 12
    assert {name for name, host in hostvars.items() if "uptime_days" in host} == online
    assert run.group("long_up") == online
    assert run.group("up_3_days") == online
