"""An explicit empty site_id is an error, never the host's own site (an ad-hoc -a "site_id=''" on a fleet)."""

from __future__ import annotations

import pytest

from tests.integration.test_companions import write_inventory


@pytest.mark.parametrize("module, args", [
    ("altostrat.sdx.sdx_async_script", "site_id='' description='Ad-hoc' script='/system identity print'"),
    ("altostrat.sdx.sdx_command", "site_id='' command=/system/identity/print"),
    ("altostrat.sdx.sdx_job_info", "site_id=''"),
    ("altostrat.sdx.sdx_backup", "site_id=' '"),
])
def test_an_empty_site_id_fails_on_every_host_before_any_request(ansible, sim, tmp_path, module, args):
    online = sim.sites(online=True)[:2]
    inventory = write_inventory(tmp_path, {site["name"]: {"sdx_site_id": site["id"]} for site in online})
    sim.reset()
    run = ansible.adhoc(inventory, "all", module, args)
    assert run.rc != 0, run.output
    assert len(run.records) == 2
    for record in run.records:
        assert record["status"] == "failed", record
        assert record["result"]["msg"].startswith("site_id: expected a site ID, got an empty string"), record
    assert sim.log() == []
    assert sim.jobs() == []


def test_a_null_site_id_still_means_the_host_site(ansible, sim, tmp_path):
    site = sim.sites(online=True)[0]
    inventory = write_inventory(tmp_path, {site["name"]: {"sdx_site_id": site["id"]}})
    run = ansible.adhoc(inventory, "all", "altostrat.sdx.sdx_command", "command=/system/identity/print")
    assert run.rc == 0, run.output
    assert [entry["path"] for entry in sim.log("POST")] == [f"/api/synchronous/{site['id']}"]
