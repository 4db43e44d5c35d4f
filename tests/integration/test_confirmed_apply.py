"""Confirmed apply (confirm_timeout) through ansible-playbook with the installed collection, against the simulator.

The simulator's router runs the scheduler on its time-scaled clock (0.05 here: 2m of router time is 6 real
seconds) and goes offline when its own configuration cuts the management tunnel, until a revert restores it. It
checks in every 30 router seconds; a good change needs a timeout long enough for that and the confirm job.
"""

from __future__ import annotations

import pytest

MODULE = "altostrat.sdx.sdx_config"
SCRIPT_MODULE = "altostrat.sdx.sdx_async_script"
GOOD_TIMEOUT = "10m"
CUT_TIMEOUT = "2m"
GUEST = {"address": "192.168.99.1/24", "interface": "bridge", "comment": "guest"}
DISABLE_WAN = [{"default-name": "ether1", "disabled": True}]


def config(ansible, site, *cli, **args):
    return ansible.task({"site_id": site, "poll_interval": 0.5, **args}, *cli, module=MODULE)


def print_menu(sim, site, command) -> list[dict]:
    answer = sim.call("POST", f"/api/synchronous/{site}", {"command": command}, token=True)
    return answer["data"] if isinstance(answer, dict) else answer


def confirm_jobs(sim, site) -> list[dict]:
    return [job for job in sim.jobs(site) if job["description"].startswith("confirm sdx-confirm-")]


def test_a_good_change_is_confirmed_and_leaves_no_scheduler(ansible, sim, site):
    run = config(ansible, site, path="ip address", data=[GUEST], confirm_timeout=GOOD_TIMEOUT)
    assert run.status == "changed", run.output
    result = run.result
    assert result["outcome"] == "confirmed" and result["converged"] is True
    confirm = result["confirm"]
    assert confirm["scheduler"].startswith("sdx-confirm-") and confirm["timeout"] == 600
    assert confirm["contact"]["scheduler_armed"] is True and confirm["contact"]["check_in_at"]
    assert confirm["job"]["status"] == "completed"
    assert print_menu(sim, site, "/system/scheduler/print") == []
    assert any(row["address"] == GUEST["address"] for row in print_menu(sim, site, "/ip/address/print"))
    changes = sim.log("POST", "/api/asynchronous/")
    assert len(changes) == 2  # the change, then exactly one confirm
    assert len(confirm_jobs(sim, site)) == 1


def test_a_change_that_cuts_contact_is_reverted_and_the_site_returns_with_its_old_state(ansible, sim, site):
    before = print_menu(sim, site, "/interface/ethernet/print")
    run = config(ansible, site, path="interface ethernet", data=DISABLE_WAN, confirm_timeout=CUT_TIMEOUT)
    assert run.status == "failed", run.output
    result = run.result
    assert result["changed"] is True and result["outcome"] == "reverted"
    assert "its revert ran" in result["msg"] and "holds what it held before the change" in result["msg"]
    assert f"answered again at {result['confirm']['router_back_at']}" in result["msg"]
    assert result["reverted_to_before"] is True and result["after"] == result["before"]
    assert print_menu(sim, site, "/interface/ethernet/print") == before
    assert print_menu(sim, site, "/system/scheduler/print") == []
    assert next(item for item in sim.sites() if item["id"] == site)["has_pulse"] is True
    assert confirm_jobs(sim, site) == []  # nothing to confirm: the revert had run


@pytest.mark.parametrize("rule", [
    {"chain": "output", "action": "drop", "protocol": "tcp", "dst-port": "443", "comment": "no https out"},
    {"chain": "input", "action": "drop", "in-interface": "ether1", "comment": "drop the WAN"},
], ids=["drop-https-out", "drop-wan-in"])
def test_a_firewall_drop_of_the_tunnel_is_reverted(ansible, sim, site, rule):
    run = config(ansible, site, path="ip firewall filter", keys=["comment"], data=[rule],
                 confirm_timeout=CUT_TIMEOUT)
    assert run.status == "failed", run.output
    assert run.result["outcome"] == "reverted" and run.result["reverted_to_before"] is True
    assert all(row.get("comment") != rule["comment"] for row in print_menu(sim, site, "/ip/firewall/filter/print"))


def test_check_mode_shows_what_would_be_armed_and_queues_nothing(ansible, sim, site):
    run = config(ansible, site, "--check", path="interface ethernet", data=DISABLE_WAN, confirm_timeout="5m")
    assert run.status == "changed", run.output
    confirm = run.result["confirm"]
    assert run.result["outcome"] is None
    assert confirm["armed"][0].startswith(f"/system scheduler add name={confirm['scheduler']} start-time=startup "
                                          f"interval=5m ")
    assert confirm["revert"] == ["/interface ethernet set [find where default-name=ether1] disabled=no"]
    assert sim.log("POST", "/api/asynchronous/") == []
    assert print_menu(sim, site, "/system/scheduler/print") == []


def test_nothing_to_change_arms_nothing(ansible, sim, site):
    run = config(ansible, site, path="ip address", confirm_timeout="5m",
                 data=[{"address": "192.168.88.1/24", "interface": "bridge", "comment": "defconf"}])
    assert run.status == "ok", run.output
    assert run.result.get("outcome") is None and "confirm" not in run.result
    assert sim.log("POST", "/api/asynchronous/") == []


def test_sdx_async_script_with_a_revert_script_is_reverted_when_it_cuts_contact(ansible, sim, site):
    run = ansible.task({"site_id": site, "description": "WAN off", "poll_interval": 0.5,
                        "script": "/interface ethernet disable [find default-name=ether1]",
                        "revert_script": "/interface ethernet enable [find default-name=ether1]",
                        "confirm_timeout": CUT_TIMEOUT, "wait": True, "needs_acknowledgement": True},
                       module=SCRIPT_MODULE)
    assert run.status == "failed", run.output
    assert run.result["outcome"] == "reverted" and run.result["changed"] is True
    wan = next(row for row in print_menu(sim, site, "/interface/ethernet/print") if row["default-name"] == "ether1")
    assert wan["disabled"] in (False, "false")


def test_sdx_async_script_good_change_is_confirmed(ansible, sim, site):
    run = ansible.task({"site_id": site, "description": "identity", "poll_interval": 0.5,
                        "script": "/system identity set name=confirmed-gw",
                        "revert_script": "/system identity set name=old-gw",
                        "confirm_timeout": GOOD_TIMEOUT, "wait": True, "needs_acknowledgement": True},
                       module=SCRIPT_MODULE)
    assert run.status == "changed", run.output
    assert run.result["outcome"] == "confirmed"
    assert print_menu(sim, site, "/system/identity/print")[0]["name"] == "confirmed-gw"
    assert print_menu(sim, site, "/system/scheduler/print") == []
    assert len(confirm_jobs(sim, site)) == 1


@pytest.mark.parametrize("args, message", [
    ({"revert_script": "/x"}, "revert_script: only used with confirm_timeout"),
    ({"confirm_timeout": "5m"}, "confirm_timeout: needs exactly one of revert_script"),
    ({"confirm_timeout": "5m", "revert_script": "/x", "revert_to_backup": True}, "needs exactly one of"),
    ({"confirm_timeout": "5m", "revert_to_backup": True}, "needs wait=true and needs_acknowledgement=true"),
    ({"confirm_timeout": "5 minutes", "revert_to_backup": True}, "confirm_timeout: expected a duration"),
    ({"confirm_timeout": "30s", "revert_to_backup": True}, "from 1m to 24h"),
])
def test_bad_confirm_options_fail_before_any_request(ansible, sim, site, args, message):
    run = ansible.task({"site_id": site, "description": "d", "script": "/system identity set name=x", **args},
                       module=SCRIPT_MODULE)
    assert run.status == "failed" and message in run.result["msg"], run.output
    assert [entry for entry in sim.log() if not entry["path"].startswith("/_sim")] == []


def backup_files(sim, site) -> list[str]:
    return [row["name"] for row in print_menu(sim, site, "/file/print") if row["name"].startswith("sdx-confirm-")]


def script_task(ansible, site, script, timeout, **args):
    return ansible.task({"site_id": site, "description": "with a backup to revert to", "poll_interval": 0.5,
                         "script": script, "revert_to_backup": True, "confirm_timeout": timeout, "wait": True,
                         "needs_acknowledgement": True, **args}, module=SCRIPT_MODULE)


def test_a_backup_revert_confirmed_leaves_neither_scheduler_nor_backup_file(ansible, sim, site):
    run = script_task(ansible, site, "/system identity set name=backed-up", GOOD_TIMEOUT)
    assert run.status == "changed", run.output
    assert run.result["outcome"] == "confirmed"
    assert print_menu(sim, site, "/system/identity/print")[0]["name"] == "backed-up"
    assert print_menu(sim, site, "/system/scheduler/print") == [] and backup_files(sim, site) == []


def test_a_backup_revert_restores_the_router_after_a_cut(ansible, sim, site):
    identity = print_menu(sim, site, "/system/identity/print")[0]["name"]
    run = script_task(ansible, site, "/system identity set name=cut-off\n"
                                     "/interface ethernet disable [find default-name=ether1]", CUT_TIMEOUT)
    assert run.status == "failed", run.output
    assert run.result["outcome"] == "reverted" and run.result["changed"] is True
    assert print_menu(sim, site, "/system/identity/print")[0]["name"] == identity
    wan = next(row for row in print_menu(sim, site, "/interface/ethernet/print") if row["default-name"] == "ether1")
    assert wan["disabled"] in (False, "false")
    assert print_menu(sim, site, "/system/scheduler/print") == []
    assert backup_files(sim, site) == [f"{run.result['confirm']['scheduler']}.backup"]  # kept, as the guide says


def test_a_revert_of_an_earlier_run_still_armed_is_refused_before_anything_is_queued(ansible, sim, site):
    args = {"path": "ip address", "data": [GUEST], "confirm_timeout": GOOD_TIMEOUT}
    name = config(ansible, site, "--check", **args).result["confirm"]["scheduler"]
    planted = ansible.task({"site_id": site, "description": "an earlier run's revert", "poll_interval": 0.5,
                            "script": f'/system scheduler add name={name} interval=1h on-event=":log info x"',
                            "wait": True, "needs_acknowledgement": True}, module=SCRIPT_MODULE)
    assert planted.status == "changed", planted.output
    for cli in ("--check", "-v"):
        run = config(ansible, site, cli, **args)
        assert run.status == "failed", run.output
        assert f"still holds the scheduler entry {name}, armed by an earlier run" in run.result["msg"]
        assert run.result["outcome"] is None and "nothing was queued" in run.result["msg"]
    assert len(sim.log("POST", "/api/asynchronous/")) == 1  # only the planted entry
    assert [row["name"] for row in print_menu(sim, site, "/system/scheduler/print")] == [name]


def test_a_secret_the_router_prints_never_shows_quoted_in_the_armed_revert(ansible, sim, site):
    old, new = 'old$ "pw"', 'new$ "pw"'
    first = config(ansible, site, path="ppp secret", keys=["name"], data=[{"name": "u9", "password": old}])
    assert first.status == "changed", first.output
    run = config(ansible, site, "-vvvv", path="ppp secret", keys=["name"], data=[{"name": "u9", "password": new}],
                 confirm_timeout=GOOD_TIMEOUT)
    assert run.status == "changed" and run.result["outcome"] == "confirmed", run.output
    assert run.result["confirm"]["revert"] == ['/ppp secret set [find where name=u9] password="********"']
    for written in ("old$", "new$", "old\\\\$", "new\\\\$", 'pw\\"', "pw\\\\\\\""):
        assert written not in run.output, written


LOST_CONFIRM = {"plan": "lose", "script": "^/system scheduler remove sdx-confirm-"}
# Quotes, a variable sign, brackets, a tab, a line break inside the value, Unicode: the revert quotes them once in its
# lines, and once more as the scheduler's on-event, and the router must end up with them exactly.
HOSTILE = 'old "q" $x [find] {c} \\ end\tTAB\nline 2 ünï ☃'


def test_a_revert_puts_back_hostile_values_exactly(ansible, sim, site):
    entry = {"address": "192.168.99.1/24", "interface": "bridge", "comment": HOSTILE}
    first = config(ansible, site, path="ip address", keys=["address"], data=[entry])
    assert first.status == "changed", first.output
    sim.plan(site=site, **LOST_CONFIRM)
    run = config(ansible, site, path="ip address", keys=["address"], confirm_timeout="3m",
                 data=[{**entry, "comment": 'new "$y"; :error [/x]'}])
    assert run.status == "failed" and run.result["outcome"] == "reverted", run.output
    assert run.result["reverted_to_before"] is True
    [row] = [row for row in print_menu(sim, site, "/ip/address/print") if row["address"] == entry["address"]]
    assert row["comment"] == HOSTILE


def test_a_revert_script_ends_on_the_router_as_written(ansible, sim, site):
    value = 'x "q" $v [b]\n\n  ü end '
    revert = ('\n/ip address set [find where comment=changed] comment="x \\"q\\" \\$v [b]\n\n  ü end "\n'
              '/system identity set name="back \\"home\\""\n')
    sim.plan(site=site, **LOST_CONFIRM)
    run = ansible.task({"site_id": site, "description": "hostile revert", "poll_interval": 0.3,
                        "script": "/ip address set [find where comment=defconf] comment=changed\n"
                                  "/system identity set name=changed",
                        "revert_script": revert, "confirm_timeout": "3m", "wait": True,
                        "needs_acknowledgement": True}, module=SCRIPT_MODULE)
    assert run.status == "failed" and run.result["outcome"] == "reverted", run.output
    assert "\n".join(run.result["confirm"]["revert"]) == revert.strip("\n")
    assert [row["comment"] for row in print_menu(sim, site, "/ip/address/print")
            if row["address"] == "192.168.88.1/24"] == [value]
    assert print_menu(sim, site, "/system/identity/print")[0]["name"] == 'back "home"'
