"""with_tags: a failed tag read (GET /sites/{siteId}/metadata) costs those sites their tags, not the inventory."""

from __future__ import annotations

import pytest


def fail_metadata(sim, sites: list[dict], status: int) -> None:
    for site in sites:
        sim.fault(action="status", path=f"/sites/{site['id']}/metadata", status=status, count=100)


def tagged(run) -> dict[str, bool]:
    return {name: "sdx_tags" in host for name, host in run.hostvars().items()}


def tag_groups_of(run, host: str) -> list[str]:
    return [name for name in run.inventory if name.startswith("sdx_tag_") and host in run.group(name)]


def test_sites_whose_tags_cannot_be_read_lose_only_their_tags_with_one_warning(ansible, sim):
    sites = sim.sites()
    fail_metadata(sim, sites[1:3], 404)
    fail_metadata(sim, sites[5:6], 500)
    sim.fault(action="status", path=f"/sites/{sites[7]['id']}/metadata", status=200, html=True)
    run = ansible.inventory({"with_tags": True})
    assert run.rc == 0, run.output
    assert len(run.hostvars()) == 12
    untagged = {site["name"] for site in sites[1:3] + sites[5:6] + sites[7:8]}
    assert {name for name, has in tagged(run).items() if not has} == untagged
    assert all(not tag_groups_of(run, name) for name in untagged)
    assert all(tag_groups_of(run, site["name"]) for site in sites if site["name"] not in untagged)
    assert run.text.count("could not read the tags of") == 1, run.output
    assert "could not read the tags of 4 of 12 sites" in run.text
    assert f"HTTP 404 for 2 ({sites[1]['name']}, {sites[2]['name']})" in run.text
    assert f"HTTP 500 for 1 ({sites[5]['name']})" in run.text
    assert f"no usable answer for 1 ({sites[7]['name']}): SDX API answered GET" in run.text
    assert "set strict: true to fail instead" in run.text


def test_a_forbidden_metadata_endpoint_still_gives_every_host(ansible, sim):
    fail_metadata(sim, sim.sites(), 403)
    run = ansible.inventory({"with_tags": True})
    assert run.rc == 0, run.output
    assert len(run.hostvars()) == 12 and not any(tagged(run).values())
    assert "could not read the tags of 12 of 12 sites" in run.text and "HTTP 403 for 12" in run.text
    assert run.group("sdx_online") and run.group("sdx_offline")


def test_with_strict_a_failed_tag_read_fails_the_source(ansible, sim):
    sites = sim.sites()
    fail_metadata(sim, sites[:2], 404)
    run = ansible.inventory({"with_tags": True, "strict": True})
    assert run.rc != 0
    assert "altostrat.sdx.sites: could not read the tags of 2 of 12 sites" in run.text
    assert "HTTP 404 for 2" in run.text


@pytest.mark.parametrize("status", [404, 503])
def test_a_result_with_failed_tag_reads_is_not_cached(ansible, sim, tmp_path, status):
    sites = sim.sites()
    fail_metadata(sim, sites[:1], status)
    config = {"with_tags": True, "cache": True, "cache_plugin": "ansible.builtin.jsonfile",
              "cache_connection": str(tmp_path / "cache"), "cache_timeout": 600}
    first = ansible.inventory(config)
    assert first.rc == 0, first.output
    assert not tagged(first)[sites[0]["name"]]
    sim.call("DELETE", "/_sim/faults")
    second = ansible.inventory(config)
    assert second.rc == 0, second.output
    assert all(tagged(second).values()), "the incomplete result was cached"
    third = ansible.inventory(config)
    requests = len(sim.log(path="/sites"))
    assert third.hostvars() == second.hostvars()
    assert len(sim.log(path="/sites")) == requests, "a complete result is cached"
