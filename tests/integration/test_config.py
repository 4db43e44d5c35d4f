"""sdx_config through ansible-playbook with the installed collection, against the simulator's RouterOS engine.

Menus tested end to end here (docs/declarative.md lists the same): ip address, ip firewall filter, ip dns,
system identity, system ntp client servers, user, interface list.
"""

from __future__ import annotations

import json
import time

import pytest

from tests.integration.harness import Ansible

MODULE = "altostrat.sdx.sdx_config"
ATTACK = 'x"; /system reset-configuration; "'
GUEST = {"address": "192.168.99.1/24", "interface": "bridge", "comment": "guest"}
LAB = {"address": "10.77.0.1/24", "interface": "bridge", "comment": "lab"}


def config(ansible, site, *cli, **args):
    return ansible.task({"site_id": site, "poll_interval": 0.05, **args}, *cli, module=MODULE)


def clear_log(sim) -> None:
    sim.call("DELETE", "/_sim/requests")


def requests_made(sim) -> list[str]:
    return [f"{entry['method']} {entry['path'].split('/')[1]}/{entry['path'].split('/')[2]}"
            for entry in sim.log() if not entry["path"].startswith("/_sim")]


def queued(sim) -> list[dict]:
    return sim.log("POST", "/api/asynchronous/")


def gathered(ansible, site, path, **args) -> list[dict]:
    run = config(ansible, site, path=path, state="gathered", **args)
    assert run.status == "ok", run.output
    return run.result["gathered"]


def by_hand(sim, site, script: str) -> None:
    """A change made on the router outside this module: a job queued straight through the API, waited for."""
    answer = sim.call("POST", f"/api/asynchronous/{site}", {"description": "by hand", "script": script,
                                                            "needs_acknowledgement": True}, token=True)
    key = answer["data"]["idempotency_key"]
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        job = next(job for job in sim.call("GET", f"/site/{site}/job", token=True) if job["idempotency_key"] == key)
        if job.get("completed_at") or job.get("failed_at"):
            assert job.get("completed_at"), job
            return
        time.sleep(0.1)
    raise AssertionError("the hand-made job did not complete")


def latest_backup(sim, site) -> str:
    """The content of a backup taken now: the router's /export."""
    def listed() -> list[str]:
        answer = sim.call("GET", f"/backup/{site}", token=True)
        return [backup["filename"] for backup in (answer["data"] if isinstance(answer, dict) else answer)]

    known = set(listed())
    sim.call("POST", f"/backup/{site}", token=True)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        new = [name for name in listed() if name not in known]
        if new:
            return sim.call("GET", f"/backup/{site}/{new[0]}", token=True)["content"]
        time.sleep(0.1)
    raise AssertionError("no backup was taken")


def assert_second_run_is_one_read(ansible, sim, site, **args) -> None:
    clear_log(sim)
    again = config(ansible, site, **args)
    assert again.status == "ok", again.output
    assert again.result["commands"] == [] and again.result["converged"] is True
    assert requests_made(sim) == ["POST api/synchronous"], sim.log()


@pytest.mark.parametrize(("state", "data"), [
    ("merged", [GUEST, {"address": "192.168.88.1/24", "interface": "bridge", "comment": "lan"}]),
    ("replaced", [{"address": "192.168.88.1/24", "interface": "bridge"}]),
    ("overridden", [GUEST, LAB]),
    ("deleted", [{"address": "192.168.88.1/24", "interface": "bridge"}]),
])
def test_each_state_predicted_exactly_by_check_mode_applied_once_then_ok_with_one_read(
        ansible, sim, site, state, data):
    before = gathered(ansible, site, "ip address")
    clear_log(sim)
    predicted = config(ansible, site, "--check", "--diff", path="ip address", state=state, data=data)
    assert predicted.status == "changed", predicted.output
    assert requests_made(sim) == ["POST api/synchronous"] and queued(sim) == []
    assert predicted.result["before"] == before and predicted.result["converged"] is None

    applied = config(ansible, site, "--diff", path="ip address", state=state, data=data)
    assert applied.status == "changed", applied.output
    assert applied.result["converged"] is True
    assert applied.result["commands"] == predicted.result["commands"]
    assert applied.result["after"] == predicted.result["after"]
    assert len(queued(sim)) == 1
    assert queued(sim)[0]["body"]["script"] == "\n".join(applied.result["commands"]) + "\n"
    assert gathered(ansible, site, "ip address") == applied.result["after"]

    assert_second_run_is_one_read(ansible, sim, site, path="ip address", state=state, data=data)


def test_deleted_without_data_empties_the_menu_but_keeps_dynamic_entries(ansible, sim, site):
    run = config(ansible, site, path="ip address", state="deleted")
    assert run.status == "changed" and run.result["converged"] is True, run.output
    assert run.result["after"] == []
    assert_second_run_is_one_read(ansible, sim, site, path="ip address", state="deleted")


def test_gathered_fed_back_unchanged_is_ok_in_every_state(ansible, sim, site):
    for path in ("ip address", "ip firewall filter", "ip dns", "system identity"):
        current = gathered(ansible, site, path)
        single = path in ("ip dns", "system identity")
        states = ("merged", "replaced") if single else ("merged", "replaced", "overridden")
        for state in states:
            assert_second_run_is_one_read(ansible, sim, site, path=path, state=state, data=current)
    assert queued(sim) == []


def test_a_change_by_hand_between_runs_is_repaired(ansible, sim, site):
    assert config(ansible, site, path="ip address", data=[GUEST]).status == "changed"
    by_hand(sim, site, '/ip address set [find where address="192.168.99.1/24"] comment=tampered')
    predicted = config(ansible, site, "--check", path="ip address", data=[GUEST])
    assert predicted.status == "changed"
    assert predicted.result["commands"] == [
        "/ip address set [find where address=192.168.99.1/24 interface=bridge] comment=guest"]
    repaired = config(ansible, site, path="ip address", data=[GUEST])
    assert repaired.status == "changed" and repaired.result["converged"] is True
    by_hand(sim, site, '/ip address remove [find where address="192.168.99.1/24"]')
    readded = config(ansible, site, path="ip address", data=[GUEST])
    assert readded.status == "changed" and readded.result["commands"][0].startswith("/ip address add ")
    assert_second_run_is_one_read(ansible, sim, site, path="ip address", data=[GUEST])


@pytest.mark.parametrize("shape", ["typed", "strings", "envelope"])
def test_both_answer_shapes_read_the_same_and_stay_ok(ansible, sim, site, shape):
    sim.settings(sync_shape="typed")
    typed = gathered(ansible, site, "ip dns") + gathered(ansible, site, "ip address")
    sim.settings(sync_shape=shape)
    assert gathered(ansible, site, "ip dns") + gathered(ansible, site, "ip address") == typed
    run = config(ansible, site, path="ip dns", data=[{"servers": "1.1.1.1,8.8.8.8", "cache-max-ttl": "1d"}])
    assert run.status == "changed" and run.result["converged"] is True, run.output
    # The router may store 1d as 1d00:00:00 or 24h: the spelling never makes a change.
    for ttl in ("1d", "24h", "86400s"):
        assert_second_run_is_one_read(ansible, sim, site, path="ip dns",
                                      data=[{"servers": "1.1.1.1,8.8.8.8", "cache-max-ttl": ttl}])
    assert_second_run_is_one_read(ansible, sim, site, path="ip address", data=gathered(ansible, site, "ip address"))


def test_the_quoting_attack_is_one_literal_comment_and_changes_nothing_else(ansible, sim, site):
    paths = ("ip address", "ip firewall filter", "ip dns", "system identity", "user")
    untouched = {path: gathered(ansible, site, path) for path in paths}
    entry = {"address": "172.31.9.1/24", "interface": "bridge", "comment": ATTACK}
    run = config(ansible, site, path="ip address", data=[entry])
    assert run.status == "changed" and run.result["converged"] is True, run.output
    after = {path: gathered(ansible, site, path) for path in paths}
    assert after["ip address"] == untouched["ip address"] + [entry]
    for path in paths[1:]:
        assert after[path] == untouched[path], path
    assert_second_run_is_one_read(ansible, sim, site, path="ip address", data=[entry])


@pytest.mark.parametrize("value", ['back\\slash $HOME [/system reboot] ;', "line\nbreak\ttab", "Grüße 🛰 ünïcode"])
def test_hostile_values_stay_literal(ansible, sim, site, value):
    entry = {"address": "172.31.10.1/24", "interface": "bridge", "comment": value}
    run = config(ansible, site, path="ip address", data=[entry])
    assert run.status == "changed" and run.result["converged"] is True, run.output
    assert entry in gathered(ansible, site, "ip address")


def test_overridden_firewall_holds_exactly_the_rules_in_order(ansible, sim, site):
    rules = [
        {"chain": "input", "action": "accept", "connection-state": "established,related", "comment": "established"},
        {"chain": "input", "action": "drop", "connection-state": "invalid", "comment": "invalid"},
        {"chain": "input", "action": "accept", "protocol": "icmp", "comment": "icmp"},
        {"chain": "forward", "action": "drop", "connection-state": "invalid", "comment": "fwd invalid"},
        {"chain": "input", "action": "drop", "in-interface-list": "!LAN", "comment": "not from LAN"},
    ]
    # A rule naming a list that does not exist fails on RouterOS; the script stops there and the job fails.
    failed = config(ansible, site, path="ip firewall filter", state="overridden", keys=["comment"], data=rules)
    assert failed.status == "failed" and failed.result["changed"] is True and "first error" in failed.result["msg"]
    lists = config(ansible, site, path="interface list", data=[{"name": "LAN"}])
    assert lists.status == "changed" and lists.result["converged"] is True, lists.output
    run = config(ansible, site, path="ip firewall filter", state="overridden", keys=["comment"], data=rules)
    assert run.status == "changed" and run.result["converged"] is True, run.output
    assert run.result["commands"][-1].startswith("/ip firewall filter add chain=input action=drop"), run.result
    assert gathered(ansible, site, "ip firewall filter") == rules
    reordered = [rules[2], rules[0], rules[1], rules[3], rules[4]]
    moved = config(ansible, site, path="ip firewall filter", state="overridden", keys=["comment"], data=reordered)
    assert moved.status == "changed" and moved.result["converged"] is True, moved.output
    assert [command.split()[3] for command in moved.result["commands"]] == ["move"]
    assert gathered(ansible, site, "ip firewall filter") == reordered
    assert_second_run_is_one_read(ansible, sim, site, path="ip firewall filter", state="overridden",
                                  keys=["comment"], data=reordered)
    # Without keys, rules are matched by every value they list: the same rules are compliant.
    assert_second_run_is_one_read(ansible, sim, site, path="ip firewall filter", state="overridden",
                                  data=reordered)


def test_single_value_and_keyed_menus(ansible, sim, site):
    identity = config(ansible, site, path="system identity", data=[{"name": "branch-7"}])
    assert identity.status == "changed" and identity.result["commands"] == ["/system identity set name=branch-7"]
    assert_second_run_is_one_read(ansible, sim, site, path="system identity", data=[{"name": "branch-7"}])
    servers = [{"address": "162.159.200.1"}, {"address": "162.159.200.123"}]
    ntp = config(ansible, site, path="system ntp client servers", state="overridden", data=servers)
    assert ntp.status == "changed" and ntp.result["converged"] is True, ntp.output
    assert_second_run_is_one_read(ansible, sim, site, path="system ntp client servers", state="overridden",
                                  data=servers)


def test_secrets_never_show_and_are_set_on_create_only(ansible, sim, site):
    secret = "Sup3r-s3cret-Pa55"
    user = {"name": "ops", "group": "read", "password": secret}
    run = config(ansible, site, "--diff", "-vvvv", path="user", data=[user])
    assert run.status == "changed" and run.result["converged"] is True, run.output
    assert secret not in run.output and secret not in json.dumps(run.records)
    assert "/user add name=ops group=read password=********" in run.result["commands"]
    assert secret in queued(sim)[0]["body"]["script"]
    assert_second_run_is_one_read(ansible, sim, site, path="user", data=[{**user, "password": "another-one"}])
    always = config(ansible, site, "-vvvv", path="user", update_secrets="always", data=[user])
    assert always.status == "changed" and secret not in always.output
    assert always.result["commands"] == ["/user set [find where name=ops] password=********"]


def test_rendered_and_parsed_need_no_site_and_make_no_request(ansible, sim, site):
    clear_log(sim)
    rendered = ansible.task({"path": "ip address", "state": "rendered", "data": [{**GUEST, "comment": ATTACK}]},
                            module=MODULE)
    assert rendered.status == "ok", rendered.output
    assert rendered.result["rendered"] == [
        '/ip address add address=192.168.99.1/24 interface=bridge comment="x\\"; /system reset-configuration; \\""']
    text = latest_backup(sim, site)
    clear_log(sim)
    parsed = ansible.task({"path": "ip address", "state": "parsed", "running_config": text}, module=MODULE)
    assert parsed.status == "ok", parsed.output
    assert requests_made(sim) == []
    # read-only values (network) are left out, as gathered leaves them out
    assert parsed.result["parsed"] == gathered(ansible, site, "ip address")


@pytest.mark.parametrize(("args", "message"), [
    ({"path": "ip address", "data": [{"address": "10.0.0.1/24", "interface": "bridge", "colour": "red"}]},
     "data[0].colour: menu 'ip address' has no property 'colour'"),
    ({"path": "ip address", "data": [{"address": "10.0.0.1/24"}]}, "data[0]: misses interface"),
    ({"path": "ip address", "data": [{"address": ["10.0.0.1/24"], "interface": "bridge"}]},
     "data[0].address: expected a string, number or boolean, got list"),
    ({"path": "ip frobnicator", "data": [{"name": "x"}]}, "does not know the menu 'ip frobnicator'"),
    ({"path": "ip arp", "state": "overridden", "data": [{"interface": "bridge", "address": "10.0.0.2"}]},
     "neither identifying keys nor an order"),
])
def test_bad_input_fails_before_any_request(ansible, sim, site, args, message):
    clear_log(sim)
    run = config(ansible, site, **args)
    assert run.status == "failed" and message in run.result["msg"], run.output
    assert requests_made(sim) == []


def test_the_same_as_a_module_process(tmp_path, sim, site):
    ansible = Ansible(tmp_path / "process", sim, module_process=True)
    secret = "Pr0cess-s3cret"
    run = config(ansible, site, "-vvvv", path="user", data=[{"name": "proc", "group": "read", "password": secret}])
    assert run.status == "changed" and run.result["converged"] is True, run.output
    assert "AnsiballZ_sdx_config" in run.output and secret not in run.output
    run = config(ansible, site, path="ip address", data=[{**GUEST, "comment": ATTACK}])
    assert run.status == "changed" and run.result["converged"] is True, run.output
    assert_second_run_is_one_read(ansible, sim, site, path="ip address", data=[{**GUEST, "comment": ATTACK}])


def test_unless_found_skips_the_script_when_the_router_already_has_it(ansible, sim, site):
    task = {"site_id": site, "description": "guest", "wait": True, "poll_interval": 0.05,
            "needs_acknowledgement": True, "script": "/ip address add address=192.168.99.1/24 interface=bridge",
            "unless_found": "/ip address print where address=192.168.99.1/24"}
    predicted = ansible.task(task, "--check")
    assert predicted.status == "changed" and predicted.result["found"] == 0 and queued(sim) == []
    first = ansible.task(task)
    assert first.status == "changed" and len(queued(sim)) == 1, first.output
    clear_log(sim)
    for cli in ((), ("--check",)):
        again = ansible.task(task, *cli)
        assert again.status == "ok" and again.result["outcome"] == "found", again.output
    assert requests_made(sim) == ["POST api/synchronous", "POST api/synchronous"]
