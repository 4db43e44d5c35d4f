"""/system reboot and binary backups on the RouterOS engine, and a revert to a backup through the simulator."""

from __future__ import annotations

import pytest
import requests

from simulator.fleet import build_fleet
from simulator.routeros.render import export_sections, print_rows
from simulator.routeros.script import run_script
from simulator.routeros.seed import seed_router
from simulator.server import Simulator
from tests.unit.conftest import TOKEN, serve
from tests.unit.simulator.test_simulator import api, online_site, queue, wait_for

SITE = build_fleet(1, 0, 1)[0]


@pytest.fixture(name="router")
def fixture_router():
    return seed_router(SITE)


def test_a_backup_load_restores_the_configuration_keeps_the_files_and_reboots(router):
    before = export_sections(router)
    assert run_script(router, "/system backup save name=before dont-encrypt=yes\n/ip dns set servers=9.9.9.9\n"
                              "/system scheduler add name=x interval=1m on-event=y") is None
    assert [(row["name"], row["type"]) for row in print_rows(router, "/file")] == [("before.backup", "backup")]
    assert "/file" not in export_sections(router)  # files are not configuration
    assert run_script(router, '/system backup load name=before.backup password=""\n/ip dns set servers=8.8.8.8') \
        is None
    assert router.rebooting  # the load reboots the router: the line after it never ran
    assert export_sections(router) == before
    assert [row["name"] for row in print_rows(router, "/file")] == ["before.backup"]
    assert run_script(router, "/file remove [find where name=before.backup]") is None
    assert print_rows(router, "/file") == []


@pytest.mark.parametrize("script, message", [
    ("/system backup load name=missing.backup", "no such backup file missing.backup"),
    ("/system backup save name=a password=secret\n/system backup load name=a.backup password=other", "wrong password"),
    ("/system backup load", "name not specified"),
    ("/system backup save name=a frobnicate=yes", "unknown parameter frobnicate"),
])
def test_a_backup_command_that_cannot_work_fails_the_script(router, script, message):
    error = run_script(router, script)
    assert error is not None and message in str(error)
    assert not router.rebooting


def test_a_reboot_stops_the_script_at_its_line(router):
    assert run_script(router, "/ip dns set servers=9.9.9.9\n/system reboot\n/ip dns set servers=8.8.8.8") is None
    assert router.rebooting and print_rows(router, "/ip dns")[0]["servers"] == "9.9.9.9"


@pytest.fixture(name="server")
def fixture_server():
    with serve(Simulator(sites=2, offline_ratio=0, token=TOKEN, rate_limit=0, seed=1, time_scale=0.05,
                         heartbeat_seconds=2, missed_heartbeats=3)) as server:
        yield server


def sync(server, site, command):
    return api(server, "POST", f"/api/synchronous/{site}", json={"command": command})


def test_a_change_that_cuts_contact_is_reverted_to_the_backup_the_same_job_saved(server):
    site = online_site(server)
    script = ("/system backup save name=sdx-confirm-5 dont-encrypt=yes\n"
              '/system scheduler add name=sdx-confirm-5 interval=40s on-event="/system scheduler remove '
              '[find where name=sdx-confirm-5]\\n/system backup load name=sdx-confirm-5.backup"\n'
              "/interface ethernet disable [find default-name=ether1]")
    assert queue(server, site, script=script, needs_acknowledgement=True).status_code == 202
    wait_for(lambda: sync(server, site, "/system/identity/print").status_code, lambda status: status != 200)
    # the revert runs 40 router seconds (2 s) after the change, the router is down 30 (1.5 s), then boots
    ether1 = wait_for(lambda: sync(server, site, "/interface/ethernet/print"), lambda answer: answer.status_code == 200,
                      seconds=15)
    assert next(row for row in ether1.json()["data"] if row["name"] == "ether1")["disabled"] == "false"
    assert sync(server, site, "/system/scheduler/print").json()["data"] == []
    files = sync(server, site, "/file/print").json()["data"]
    assert [row["name"] for row in files] == ["sdx-confirm-5.backup"]
    assert not api(server, "GET", f"/sites/{site}").json()["uptime"].startswith("3 days")  # it booted
    change = api(server, "GET", f"/site/{site}/job").json()[0]
    assert change["started_at"] and not change["completed_at"] and not change["failed_at"]  # gone with the reboot
    jobs = requests.get(f"{server.url}/_sim/jobs", timeout=5).json()
    assert jobs[0]["abandoned"] is True
