"""Lost contact: a change that cuts the router off from SDX takes its site offline until a scheduler reverts it."""

from __future__ import annotations

import time

import pytest

from simulator.contact import cut_reason
from simulator.fleet import build_fleet
from simulator.routeros.script import run_script
from simulator.routeros.seed import seed_router
from simulator.scheduler import Schedulers
from simulator.server import Simulator
from tests.unit.conftest import TOKEN, serve
from tests.unit.simulator.test_simulator import api, online_site, queue, wait_for

SITE = build_fleet(1, 0, 1)[0]
DISABLE_WAN = "/interface ethernet disable [find default-name=ether1]"
REVERT = ('/system scheduler add name=revert interval=60s on-event="/interface ethernet enable '
          '[find default-name=ether1]; /system scheduler remove [find name=revert]"')


def after(script):
    router = seed_router(SITE)
    assert run_script(router, script) is None
    return cut_reason(router)


@pytest.mark.parametrize("script, reason", [
    (DISABLE_WAN, "the WAN interface ether1 is disabled"),
    ("/ip firewall filter add chain=output action=drop", "the firewall (filter output) drops"),
    ("/ip firewall filter add chain=input action=drop in-interface=ether1", "the firewall (filter input) drops"),
    ("/ip firewall filter add chain=output action=reject protocol=tcp dst-port=400-500", "(filter output)"),
    ("/ip firewall address-list add list=cloud address=192.0.2.0/24\n"
     "/ip firewall filter add chain=output action=drop dst-address-list=cloud", "(filter output)"),
    ("/ip firewall filter add chain=input action=jump jump-target=wan\n"
     "/ip firewall filter add chain=wan action=drop", "(filter input)"),
    ("/ip firewall raw add chain=prerouting action=drop src-address=192.0.2.0/24", "(raw prerouting)"),
    ("/ip route add dst-address=192.0.2.0/24 gateway=192.168.88.254", "no route to SDX"),
    ("/ip route add dst-address=0.0.0.0/0 gateway=192.168.88.254", "no route to SDX"),
    ("/ip route add dst-address=0.0.0.0/0 blackhole=yes distance=1", "no route to SDX"),
])
def test_a_change_that_breaks_the_tunnel_cuts_the_router_off(script, reason):
    assert reason in (after(script) or "")


@pytest.mark.parametrize("script", [
    "/ip firewall filter add chain=input action=drop in-interface=bridge",
    "/ip firewall filter add chain=input action=accept connection-state=established,related\n"
    "/ip firewall filter add chain=input action=drop",
    "/ip firewall filter add chain=output action=drop protocol=udp",
    "/ip firewall filter add chain=output action=drop dst-port=!443 protocol=tcp",
    "/ip firewall filter add chain=output action=drop connection-mark=bulk",
    "/ip firewall filter add chain=output action=drop disabled=yes",
    "/ip route add dst-address=0.0.0.0/0 gateway=192.168.88.254 distance=5",
    "/interface ethernet disable [find default-name=ether2]",
])
def test_a_change_that_spares_the_tunnel_keeps_contact(script):
    assert after(script) is None


def test_scheduler_runs_are_time_scaled_from_when_the_entry_was_added():
    router = seed_router(SITE)
    run_script(router, "/system scheduler add name=a interval=5m on-event=x\n/system scheduler add name=b on-event=y")
    timers = Schedulers(time_scale=0.01)
    timers.refresh("s", router, now=100.0)
    assert timers.next_due("s") == pytest.approx(103.0)  # 5 minutes at 0.01: 3 s; b (startup, no interval) never
    assert timers.take_due("s", router, 103.0) == [("a", "x")] and timers.next_due("s") == pytest.approx(106.0)
    assert router.entries("/system scheduler")[0].fixed["run-count"] == "1"


@pytest.fixture(name="server")
def fixture_server():
    # SDX counts a cut-off site offline at once here (no missed heartbeats); test_heartbeats.py has the lag
    with serve(Simulator(sites=2, offline_ratio=0, token=TOKEN, rate_limit=0, seed=1, time_scale=0.05,
                         missed_heartbeats=0)) as server:
        yield server


def has_pulse(server, site):
    return next(item["has_pulse"] for item in api(server, "GET", "/sites").json() if item["id"] == site)


def test_a_site_cut_off_by_its_job_is_offline_until_the_scheduler_reverts_the_change(server):
    site = online_site(server)
    queue(server, site, script=f"{REVERT}\n{DISABLE_WAN}", needs_acknowledgement=True)
    wait_for(lambda: has_pulse(server, site), lambda pulse: pulse is False)
    assert api(server, "POST", f"/api/synchronous/{site}", json={"command": "/system/identity/print"}).status_code \
        == 409
    job = api(server, "GET", f"/site/{site}/job").json()[0]
    assert job["started_at"] and not job["completed_at"]  # it cannot report while cut off
    queue(server, site, script="/ip dns set servers=9.9.9.9", description="while cut off")
    time.sleep(0.3)
    assert api(server, "GET", f"/site/{site}/job").json()[0]["started_at"] is None  # new jobs stay pending
    # the revert runs 60 router seconds (3 s at this scale) after the job, long enough to see the site cut off
    # on a loaded machine: contact comes back
    wait_for(lambda: has_pulse(server, site), lambda pulse: pulse is True, seconds=15)
    jobs = wait_for(lambda: api(server, "GET", f"/site/{site}/job").json(),
                    lambda items: all(item["completed_at"] for item in items), seconds=15)
    assert [item["description"] for item in jobs] == ["while cut off", "d"]
    rows = api(server, "POST", f"/api/synchronous/{site}", json={"command": "/system/scheduler/print"}).json()
    assert rows["data"] == []  # the revert removed itself
    ether1 = api(server, "POST", f"/api/synchronous/{site}",
                 json={"command": "/interface/ethernet/print", "parameters": "?name=ether1"}).json()["data"]
    assert ether1[0]["disabled"] == "false"
