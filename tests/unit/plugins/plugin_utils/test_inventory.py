"""Pure inventory functions over real Site objects (the documented example and the simulator's fleet)."""

from __future__ import annotations

import json
from datetime import datetime, timezone

import pytest

from ansible_collections.altostrat.sdx.plugins.module_utils._models import Site
from ansible_collections.altostrat.sdx.plugins.plugin_utils import _inventory
from simulator.fleet import build_fleet

# The Site object as the API documentation shows it (GET /sites/{siteId}).
DOCUMENTED_SITE = {
    "id": "9c69345c-8d39-4786-9f17-8153c988c89a", "pid": "site_2m3h5n7k9j8g7f6e5d4c3b2a1", "name": "Main Office",
    "address": "1 Long Street, Cape Town", "has_pulse": True, "uptime": "3 days, 14 hours, 5 minutes",
    "architecture_name": "arm", "hardware_hash": "a1b2c3", "serial_number": "HGF09876K", "software_version": "7.15.1",
    "software_id": "U0B1-15HF", "identity": "main-office-gw", "last_seen_from": "203.0.113.10",
    "model": "RB5009UG+S+", "board_name": "RB5009", "routerboard": True, "last_seen": "2 minutes ago",
    "last_seen_at": "2026-04-20T03:14:15Z", "created_at": "2025-01-01T00:00:00Z",
    "updated_at": "2026-04-20T03:14:15Z", "deleted_at": None, "scheduler_removal": "in 23 hours",
}
NOW = datetime(2026, 11, 28, tzinfo=timezone.utc)


def site(fields: dict) -> Site:
    return Site.model_validate(fields)


def sites(fields: list[dict]) -> list[Site]:
    return [site(item) for item in fields]


@pytest.fixture
def fleet():
    return [site.to_api(NOW) for site in build_fleet(40, 0.25, seed=5)]


def test_host_vars_carry_every_field_prefixed_and_online_from_has_pulse():
    variables = _inventory.host_vars(site(DOCUMENTED_SITE), "sdx_")
    assert variables["sdx_id"] == DOCUMENTED_SITE["id"]
    assert variables["sdx_online"] is True
    assert "sdx_has_pulse" not in variables
    assert len(variables) == len(DOCUMENTED_SITE)
    assert {key[len("sdx_"):] for key in variables} == (set(DOCUMENTED_SITE) - {"has_pulse"}) | {"online"}
    json.dumps(variables)


def test_host_vars_take_another_prefix_and_tags():
    variables = _inventory.host_vars(site(dict(DOCUMENTED_SITE, has_pulse=False)), "mt_", tags=["region:emea"])
    assert variables["mt_online"] is False
    assert variables["mt_tags"] == ["region:emea"]


@pytest.mark.parametrize("value, name", [
    ("Main Office", "Main_Office"),
    ("branch-0001", "branch-0001"),
    ("{{ lookup('pipe', 'id') }}", "lookup_pipe_id"),
    ("Café / Zürich", "Caf_Z_rich"),
    ("  ", ""),
    (None, ""),
])
def test_host_names_are_sanitised(value, name):
    assert _inventory.sanitize_host_name(value) == name


def test_preferred_name_takes_the_first_field_with_a_value():
    assert _inventory.preferred_name(site(DOCUMENTED_SITE), ["name", "identity"]) == "Main_Office"
    assert _inventory.preferred_name(site(dict(DOCUMENTED_SITE, name=" ")), ["name", "identity"]) == "main-office-gw"
    assert _inventory.preferred_name(site({"id": "x"}), ["name"]) is None


def test_every_site_of_a_fleet_gets_a_distinct_name(fleet):
    named, warnings = _inventory.assign_names(sites(fleet), ["name", "identity", "id"])
    assert len({name for name, _site in named}) == len(fleet) == 40
    assert warnings == []


def test_clashing_names_all_get_the_pid_whatever_the_order(fleet):
    fleet[3]["name"] = fleet[7]["name"] = "Main Office"
    forward, warnings = _inventory.assign_names(sites(fleet), ["name"])
    backward, _warnings = _inventory.assign_names(sites(list(reversed(fleet))), ["name"])
    assert sorted(forward) == sorted(backward)
    names = dict((named.id, name) for name, named in forward)
    assert names[fleet[3]["id"]] == f"Main_Office_{fleet[3]['pid']}"
    assert names[fleet[7]["id"]] == f"Main_Office_{fleet[7]['pid']}"
    assert len(set(names.values())) == 40
    assert warnings and "Main_Office" in warnings[0]


def test_a_site_without_any_preferred_field_is_named_by_id():
    named, warnings = _inventory.assign_names([site({"id": "9c69345c-8d39-4786-9f17-8153c988c89a"})], ["name"])
    assert named[0][0] == "9c69345c-8d39-4786-9f17-8153c988c89a"
    assert "using its id" in warnings[0]


def test_default_groups_of_the_documented_site():
    groups = _inventory.default_groups(site(DOCUMENTED_SITE), "sdx", _inventory.FAMILIES, tags=["Region:APAC", "!!"])
    assert groups == ["sdx_online", "sdx_model_rb5009ug_s", "sdx_version_7_15", "sdx_tag_region_apac"]


def test_group_families_can_be_turned_off_and_missing_values_skip_their_group():
    offline = site(dict(DOCUMENTED_SITE, has_pulse=False, software_version=None, model=""))
    assert _inventory.default_groups(offline, "fleet", ["status", "model", "version"]) == ["fleet_offline"]
    assert _inventory.default_groups(site(DOCUMENTED_SITE), "sdx", []) == []


def test_groups_of_a_generated_fleet_partition_by_status(fleet):
    statuses = [_inventory.default_groups(member, "sdx", ["status"])[0] for member in sites(fleet)]
    assert statuses.count("sdx_offline") == 10
    assert statuses.count("sdx_online") == 30


@pytest.mark.parametrize("version, group", [("7.15.1", "7_15"), ("7.12.1 (stable)", "7_12"), ("6.49", "6_49"),
                                            ("7", None), (None, None)])
def test_minor_version(version, group):
    assert _inventory.minor_version(version) == group


def test_a_filter_failure_is_summed_up_in_one_sentence():
    failures = [(f"branch-{index:04d}", f"error {index}") for index in range(7, 0, -1)]
    summary = _inventory.filter_failure_summary("sdx_uptime.startswith('3')", failures)
    assert summary.startswith("filter \"sdx_uptime.startswith('3')\" could not be evaluated for 7 host(s) "
                              "(branch-0001, branch-0002, branch-0003, branch-0004, branch-0005 and 2 more)")
    assert summary.endswith("First error: error 7")
    assert _inventory.names_list(["b", "a"]) == "a, b"


def test_failed_tag_reads_are_summed_up_by_kind():
    failures = [("b", 404, "HTTP 404 one"), ("a", 404, "HTTP 404 two"), ("c", None, "gave up after 5 attempt(s)"), ("e", 200, "not JSON"),
                ("d", 500, "HTTP 500 three")]
    summary = _inventory.tag_failure_summary(failures, 12, "mt_")
    assert summary == ("could not read the tags of 5 of 12 sites (GET /sites/{siteId}/metadata), so those hosts have "
                       "no mt_tags and no tag groups: HTTP 404 for 2 (a, b): HTTP 404 one; HTTP 500 for 1 (d): "
                       "HTTP 500 three; no usable answer for 2 (c, e): gave up after 5 attempt(s)")
