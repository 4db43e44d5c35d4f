"""Fault plans: jobs lost or held back, the revert racing the confirm, a flapping site, a power loss."""

from __future__ import annotations

import time

import pytest
import requests

from simulator.__main__ import parse_args
from simulator.process import SimulatorProcess
from simulator.server import Simulator
from tests.unit.conftest import TOKEN, serve
from tests.unit.simulator.test_simulator import api, online_site, queue, wait_for

ARM = ('/system scheduler add name=sdx-confirm-7 interval=80s on-event="/ip dns set servers=1.1.1.1; '
       '/system scheduler remove [find name=sdx-confirm-7]"\n/ip dns set servers=9.9.9.9')
CONFIRM = "/system scheduler remove sdx-confirm-7"
CONFIRM_FIND = "/system scheduler remove [find name=sdx-confirm-7]"


@pytest.fixture(name="server")
def fixture_server():
    # jobs: picked up 0.2 s after queueing, run 0.15 s; a check-in every 0.1 s, offline after 0.3 s without
    with serve(Simulator(sites=2, offline_ratio=0, token=TOKEN, rate_limit=0, seed=1, time_scale=0.05,
                         heartbeat_seconds=2, missed_heartbeats=3)) as server:
        yield server


def plan(server, **body):
    return requests.post(f"{server.url}/_sim/plans", json=body, timeout=5)


def sim_job(server, job_id):
    return next(job for job in requests.get(f"{server.url}/_sim/jobs", timeout=5).json() if job["id"] == job_id)


def queued(server, site, script, **body):
    """Queue a job and answer its id (the newest job of the site)."""
    assert queue(server, site, script=script, description=script[:40], **body).status_code == 202
    return api(server, "GET", f"/site/{site}/job").json()[0]["id"]


def job(server, site, job_id):
    return api(server, "GET", f"/site/{site}/job/{job_id}").json()


def done(server, site, job_id, seconds=10.0):
    return wait_for(lambda: job(server, site, job_id), lambda item: item["completed_at"] or item["failed_at"],
                    seconds=seconds)


def dns(server, site):
    answer = api(server, "POST", f"/api/synchronous/{site}", json={"command": "/ip/dns/print"})
    return answer.json()["data"][0]["servers"] if answer.status_code == 200 else answer.status_code


def has_pulse(server, site):
    return api(server, "GET", f"/sites/{site}").json()["has_pulse"]


def test_a_lost_job_is_accepted_but_never_picked_up_and_can_be_cancelled(server):
    site = online_site(server)
    assert plan(server, plan="lose", site=site, script=r"scheduler remove").status_code == 201
    lost = queued(server, site, CONFIRM_FIND, needs_acknowledgement=True)
    other = queued(server, site, "/ip dns set servers=9.9.9.9", needs_acknowledgement=True)
    done(server, site, other)
    assert job(server, site, lost)["started_at"] is None and sim_job(server, lost)["lost"] == "pending"
    assert requests.get(f"{server.url}/_sim/plans", timeout=5).json()[0]["jobs"] == [lost]
    assert api(server, "DELETE", f"/site/{site}/job/{lost}").status_code == 204


@pytest.mark.parametrize("acknowledged", [True, False])
def test_a_job_lost_on_the_router_never_runs_and_reports_only_as_delivery_marks_it(server, acknowledged):
    site = online_site(server)
    plan(server, plan="lose", site=site, stage="running")
    lost = queued(server, site, "/ip dns set servers=9.9.9.9", needs_acknowledgement=acknowledged)
    taken = wait_for(lambda: job(server, site, lost), lambda item: item["started_at"])
    time.sleep(0.4)
    taken = job(server, site, lost)
    # acknowledged, it stays running for ever; without acknowledgement delivery marks it completed all the same
    assert bool(taken["completed_at"]) is not acknowledged and taken["failed_at"] is None
    assert dns(server, site) != "9.9.9.9"


def test_a_slow_job_is_picked_up_only_after_its_seconds(server):
    site = online_site(server)
    plan(server, plan="hold", site=site, script="servers", seconds=20)  # 1 s
    start = time.monotonic()
    slow = queued(server, site, "/ip dns set servers=9.9.9.9")
    done(server, site, slow)
    assert time.monotonic() - start >= 1.0
    assert dns(server, site) == "9.9.9.9"


@pytest.mark.parametrize("confirm, outcome", [
    (CONFIRM, "no such item (sdx-confirm-7)"),  # RouterOS refuses to remove an entry that is not there
    (CONFIRM_FIND, None),  # [find ...] finds nothing, and removing nothing succeeds
])
def test_the_revert_fires_while_the_confirm_is_held_and_the_confirm_then_runs_on_a_reverted_router(
        server, confirm, outcome):
    site = online_site(server)
    # the change's script holds "scheduler remove" too (in the revert): the pattern is anchored to the confirm's start
    plan(server, plan="hold", site=site, script="^/system scheduler remove", until_scheduler="sdx-confirm-.*")
    change = queued(server, site, ARM, needs_acknowledgement=True)
    done(server, site, change)
    assert dns(server, site) == "9.9.9.9"  # the change holds, contact is fine: the confirm is queued
    confirmation = queued(server, site, confirm, needs_acknowledgement=True)
    time.sleep(0.5)  # twice as long as a pickup takes
    assert job(server, site, confirmation)["started_at"] is None
    assert sim_job(server, confirmation)["held_until_scheduler"] == "sdx-confirm-.*"
    assert has_pulse(server, site) and dns(server, site) == "9.9.9.9"  # in contact all along
    finished = done(server, site, confirmation)  # after the revert, 80 router seconds (4 s) after the change
    assert dns(server, site) == "1.1.1.1"
    assert bool(finished["failed_at"]) is bool(outcome)
    error = sim_job(server, confirmation)["error"]
    assert error is None if outcome is None else outcome in error


def test_a_hold_on_a_scheduler_that_is_not_there_holds_nothing(server):
    site = online_site(server)
    plan(server, plan="hold", site=site, until_scheduler="sdx-confirm-.*")
    done(server, site, queued(server, site, CONFIRM_FIND, needs_acknowledgement=True), seconds=2)


def test_a_flapping_site_misses_heartbeats_fails_commands_and_its_jobs_wait(server):
    site = online_site(server)
    # after 0.5 s, down for 2 s, up for 0.5 s, down for 2 s again
    assert plan(server, plan="flap", site=site, after=10, down=40, up=10, times=2).status_code == 201
    wait_for(lambda: dns(server, site), lambda answer: answer == 504)  # the tunnel is down, SDX not yet aware
    queued_while_down = queued(server, site, "/ip dns set servers=9.9.9.9", needs_acknowledgement=True)
    wait_for(lambda: has_pulse(server, site), lambda pulse: pulse is False)
    assert dns(server, site) == 409 and job(server, site, queued_while_down)["started_at"] is None
    finished = done(server, site, queued_while_down)  # picked up in the 0.5 s up
    assert finished["completed_at"]
    wait_for(lambda: dns(server, site), lambda answer: answer == 504)  # second outage
    wait_for(lambda: dns(server, site), lambda answer: answer == "9.9.9.9", seconds=5)  # then back for good
    assert requests.get(f"{server.url}/_sim/plans", timeout=5).json()[0]["started"] == 1


def test_a_flap_starts_when_a_matching_job_runs_and_the_job_reports_when_contact_is_back(server):
    site = online_site(server)
    plan(server, plan="flap", site=site, script="servers=9.9.9.9", down=20)  # 1 s, from the job's run
    change = queued(server, site, "/ip dns set servers=9.9.9.9", needs_acknowledgement=True)
    running = wait_for(lambda: job(server, site, change), lambda item: item["started_at"])
    assert not running["completed_at"]
    wait_for(lambda: dns(server, site), lambda answer: answer == 504)
    assert not job(server, site, change)["completed_at"]  # it ran, but cannot report while down
    assert done(server, site, change)["completed_at"]
    assert dns(server, site) == "9.9.9.9"


def test_a_router_that_loses_power_boots_with_its_change_and_runs_its_startup_scheduler_an_interval_later(server):
    site = online_site(server)
    revert = ('/system scheduler add name=sdx-confirm-9 start-time=startup interval=1m on-event="/ip dns set '
              'servers=1.1.1.1; /system scheduler remove [find name=sdx-confirm-9]"\n/ip dns set servers=9.9.9.9')
    plan(server, plan="reboot", site=site, script="sdx-confirm-9", after=2, down=40)  # off for 2 s, once reported
    change = queued(server, site, revert, needs_acknowledgement=True)
    done(server, site, change)
    wait_for(lambda: dns(server, site), lambda answer: answer == 504)  # off
    # It boots with the change (saved as made). An entry with start-time=startup and an interval does not run at
    # startup (the RouterOS manual), but one interval (1m: 3 real seconds) after the boot.
    wait_for(lambda: dns(server, site), lambda answer: isinstance(answer, str), seconds=5)
    assert dns(server, site) == "9.9.9.9"
    wait_for(lambda: dns(server, site), lambda answer: answer == "1.1.1.1", seconds=6)
    site_now = api(server, "GET", f"/sites/{site}").json()
    assert not site_now["uptime"].startswith("3 days") and site_now["has_pulse"]  # it booted


def test_a_router_that_loses_power_as_the_script_runs_never_reports_it(server):
    site = online_site(server)
    plan(server, plan="reboot", site=site, script="servers", down=10)
    lost = queued(server, site, "/ip dns set servers=9.9.9.9", needs_acknowledgement=True)
    wait_for(lambda: dns(server, site), lambda answer: answer == "9.9.9.9", seconds=5)  # ran, and back after boot
    time.sleep(0.3)
    assert job(server, site, lost)["completed_at"] is None and sim_job(server, lost)["abandoned"] is True


def test_a_job_running_when_the_power_goes_never_reports(server):
    site = online_site(server)
    plan(server, plan="reboot", site=site, after=6, down=30)  # at 0.3 s: the job picked up at 0.2 s is running
    lost = queued(server, site, "/ip dns set servers=9.9.9.9", needs_acknowledgement=True)
    wait_for(lambda: dns(server, site), lambda answer: answer == 504)
    wait_for(lambda: dns(server, site), lambda answer: isinstance(answer, str), seconds=5)
    time.sleep(0.3)
    after = job(server, site, lost)
    assert after["started_at"] and not after["completed_at"] and not after["failed_at"]
    assert sim_job(server, lost)["abandoned"] is True and dns(server, site) != "9.9.9.9"


def test_a_dropped_answer_composes_with_a_plan_matched_by_script(server):
    site = online_site(server)
    requests.post(f"{server.url}/_sim/faults", timeout=5,
                  json={"action": "drop_after", "method": "POST", "script": "scheduler remove"})
    plan(server, plan="lose", site=site, script="scheduler remove")
    assert queue(server, site, script="/ip dns set servers=9.9.9.9", description="first").status_code == 202
    with pytest.raises(requests.ConnectionError):
        queue(server, site, script=CONFIRM_FIND, description="confirm")
    jobs = api(server, "GET", f"/site/{site}/job").json()
    assert [item["description"] for item in jobs] == ["confirm", "first"]  # processed, its answer lost
    assert sim_job(server, jobs[0]["id"])["lost"] == "pending"


@pytest.mark.parametrize("body, needle", [
    ({"plan": "vanish"}, "plan must be one of"),
    ({"plan": "flap", "down": 10}, "needs the site"),
    ({"plan": "flap", "site": "branch-0001"}, "needs down"),
    ({"plan": "flap", "site": "branch-0001", "down": 5, "times": 0}, "needs up"),
    ({"plan": "hold", "site": "branch-0001"}, "needs seconds, until_scheduler or both"),
    ({"plan": "hold", "seconds": -1}, "seconds must be"),
    ({"plan": "lose", "stage": "gone"}, "stage must be"),
    ({"plan": "lose", "script": "("}, "script must be a regular expression"),
    ({"plan": "lose", "site": "nowhere"}, "neither the id nor the name"),
    ({"plan": "lose", "down": 3}, "unknown fields for a lose plan: down"),
])
def test_a_plan_that_makes_no_sense_is_refused_naming_the_field(server, body, needle):
    answer = plan(server, **body)
    assert answer.status_code == 400 and needle in answer.json()["message"]
    assert requests.get(f"{server.url}/_sim/plans", timeout=5).json() == []


def test_plans_from_the_command_line_are_set_again_on_reset():
    args, _command = parse_args(["--plan", '{"plan": "lose", "site": "branch-0001", "script": "confirm"}',
                                 "--fault", '{"action": "status", "path": "/sites"}'])
    sim = Simulator(sites=2, offline_ratio=0, token=TOKEN, rate_limit=0, seed=1, time_scale=0.05,
                    plans=tuple(args.plan), faults=tuple(args.fault))
    assert [item["plan"] for item in sim.plans.to_json()] == ["lose"]
    sim.plans.clear()
    sim.faults.clear()
    sim.reset()
    assert sim.plans.to_json()[0]["site"] == next(iter(sim.fleet.sites))
    assert sim.faults.to_json()[0]["path"] == "/sites"


def test_removing_the_plans_ends_an_outage_and_releases_held_jobs_but_a_lost_job_stays_lost(server):
    site = online_site(server)
    plan(server, plan="flap", site=site, down=100000)
    plan(server, plan="hold", site=site, script="9.9.9.9", seconds=100000)
    plan(server, plan="lose", site=site, script="8.8.8.8")
    held = queued(server, site, "/ip dns set servers=9.9.9.9")
    lost = queued(server, site, "/ip dns set servers=8.8.8.8")
    assert dns(server, site) == 504
    assert requests.delete(f"{server.url}/_sim/plans", timeout=5).status_code == 204
    assert isinstance(dns(server, site), str)  # in contact again: the command answers
    assert done(server, site, held)["completed_at"] and dns(server, site) == "9.9.9.9"
    time.sleep(0.3)
    assert job(server, site, lost)["started_at"] is None


def test_the_simulator_process_takes_plans_from_its_command_line_and_from_its_control_surface(tmp_path):
    sim = SimulatorProcess(tmp_path, "--sites", "2", "--time-scale", "0.05", "--rate-limit", "0",
                           "--plan", '{"plan": "hold", "script": "^/system scheduler remove", "seconds": 60}')
    try:
        assert [item["plan"] for item in sim.plans()] == ["hold"]
        every = sim.plan(plan="lose", site="branch-0002", stage="running", count=0)
        assert [item["plan"] for item in every] == ["hold", "lose"] and every[1]["count"] == 0
        sim.reset()
        assert [item["plan"] for item in sim.plans()] == ["hold"]
    finally:
        sim.stop()
