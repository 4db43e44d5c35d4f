"""Confirmed apply under the simulator's fault plans (docs/simulator.md): the confirm lost, slow, racing the revert,
its answer lost, a flapping site, a power loss. Whatever happens, the confirm request is sent at most once, and the
outcome says what the router holds.

Router time runs 20 times faster than SDX's timestamps here (time scale 0.05), so the task's own deadline (from SDX's
clock) comes long after the router's revert; the task notices the revert by reading the scheduler entry meanwhile.
"""

from __future__ import annotations

from datetime import datetime

MODULE = "altostrat.sdx.sdx_config"
GUEST = {"address": "192.168.99.1/24", "interface": "bridge", "comment": "guest"}
CONFIRM_SCRIPT = "^/system scheduler remove sdx-confirm-"
# Router time: 3m is 9 real seconds, enough for the check-in after the job (every 30 router seconds).
SHORT = "3m"
LONG = "10m"


def apply_guest(ansible, site, timeout, **args):
    return ansible.task({"site_id": site, "poll_interval": 0.3, "path": "ip address", "data": [GUEST],
                         "confirm_timeout": timeout, **args}, module=MODULE)


def rows(sim, site, command) -> list[dict]:
    answer = sim.call("POST", f"/api/synchronous/{site}", {"command": command}, token=True)
    return answer["data"] if isinstance(answer, dict) else answer


def has_guest(sim, site) -> bool:
    return any(row["address"] == GUEST["address"] for row in rows(sim, site, "/ip/address/print"))


def seconds_between(start: str, end: str) -> float:
    return (datetime.fromisoformat(end.replace("Z", "+00:00"))
            - datetime.fromisoformat(start.replace("Z", "+00:00"))).total_seconds()


def confirm_posts(sim) -> list[dict]:
    sim.wait_landed()
    return [entry for entry in sim.log("POST", "/api/asynchronous/")
            if (entry.get("body") or {}).get("script", "").startswith("/system scheduler remove sdx-confirm-")]


def confirm_jobs(sim, site) -> list[dict]:
    return [job for job in sim.jobs(site) if job["script"].startswith("/system scheduler remove sdx-confirm-")]


def test_a_lost_confirm_is_cancelled_sent_once_and_the_change_reverted(ansible, sim, site):
    sim.plan(plan="lose", site=site, script=CONFIRM_SCRIPT)
    run = apply_guest(ansible, site, SHORT)
    assert run.status == "failed", run.output
    assert run.result["outcome"] == "reverted" and run.result["changed"] is True
    assert "was still pending when" in run.result["msg"] and "was cancelled" in run.result["msg"]
    assert len(confirm_posts(sim)) == 1
    assert [job["cancelled"] for job in confirm_jobs(sim, site)] == [True]
    assert not has_guest(sim, site) and rows(sim, site, "/system/scheduler/print") == []
    assert run.result["reverted_to_before"] is True


def test_a_slow_confirm_within_the_timeout_is_confirmed_once(ansible, sim, site):
    sim.plan(plan="hold", site=site, script=CONFIRM_SCRIPT, seconds=60)
    run = apply_guest(ansible, site, LONG)
    assert run.status == "changed", run.output
    assert run.result["outcome"] == "confirmed"
    assert len(confirm_posts(sim)) == 1 and len(confirm_jobs(sim, site)) == 1
    assert has_guest(sim, site) and rows(sim, site, "/system/scheduler/print") == []


def test_the_revert_firing_while_the_confirm_is_queued_is_reported_reverted(ansible, sim, site):
    sim.plan(plan="hold", site=site, script=CONFIRM_SCRIPT, until_scheduler="sdx-confirm-.*")
    run = apply_guest(ansible, site, SHORT)
    assert run.status == "failed", run.output
    assert run.result["outcome"] == "reverted", run.result["msg"]
    assert len(confirm_posts(sim)) == 1
    [job] = confirm_jobs(sim, site)
    assert job["cancelled"] or job["failed_at"]  # cancelled while held, or run on the reverted router and failed
    assert not has_guest(sim, site) and rows(sim, site, "/system/scheduler/print") == []


def test_a_confirm_whose_answer_is_lost_is_adopted_not_sent_again(ansible, sim, site):
    sim.fault(action="drop_after", method="POST", script=CONFIRM_SCRIPT)
    run = apply_guest(ansible, site, LONG, settle_timeout=5)
    assert run.status == "changed", run.output
    assert run.result["outcome"] == "confirmed"
    assert len(confirm_posts(sim)) == 1 and len(confirm_jobs(sim, site)) == 1
    assert has_guest(sim, site) and rows(sim, site, "/system/scheduler/print") == []


def test_a_flapping_site_is_confirmed_once_it_answers(ansible, sim, site):
    sim.plan(plan="flap", site=site, script="sdx-confirm-", down=30, up=30, times=4)
    run = apply_guest(ansible, site, LONG)
    assert run.status == "changed", run.output
    assert run.result["outcome"] == "confirmed"
    assert len(confirm_posts(sim)) == 1
    # The change job ran into the first outage: it reported only when contact came back, 30 router seconds later.
    [change] = [job for job in sim.jobs(site) if job["script"].startswith("/system scheduler add")]
    assert seconds_between(change["started_at"], change["completed_at"]) >= 30 * 0.05
    sim.call("DELETE", "/_sim/plans")  # ends the outage under way, to read the router
    assert has_guest(sim, site) and rows(sim, site, "/system/scheduler/print") == []


def test_a_power_loss_before_the_confirm_reverts_one_timeout_after_the_boot(ansible, sim, site):
    sim.plan(plan="reboot", site=site, script="^/system scheduler add name=sdx-confirm-", down=30)
    run = apply_guest(ansible, site, LONG)
    assert run.status == "failed", run.output
    assert run.result["outcome"] == "reverted", run.result["msg"]
    # The change job never reports (the router lost power running it); the wait stops once the revert shows.
    assert "was still running when a read at" in run.result["msg"] and "its revert ran" in run.result["msg"]
    assert confirm_posts(sim) == []
    assert not has_guest(sim, site) and rows(sim, site, "/system/scheduler/print") == []


def test_a_revert_that_does_not_bring_the_router_back_is_unknown_never_success(ansible, sim, site):
    run = ansible.task({"site_id": site, "description": "WAN off, wrong revert", "poll_interval": 0.5,
                        "script": "/interface ethernet disable [find default-name=ether1]",
                        "revert_script": "/system identity set name=still-cut-off", "confirm_timeout": "1m",
                        "wait": True, "needs_acknowledgement": True, "wait_timeout": 5},
                       module="altostrat.sdx.sdx_async_script")
    assert run.status == "failed", run.output
    assert run.result["outcome"] == "unknown" and run.result["changed"] is True
    assert "Whether the change holds is unknown: check the router" in run.result["msg"]
    assert confirm_posts(sim) == []
    assert next(item for item in sim.sites() if item["id"] == site)["has_pulse"] is False
