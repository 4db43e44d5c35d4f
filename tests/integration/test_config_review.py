"""sdx_config after a hostile review, through ansible-playbook with the installed collection, against the simulator's
RouterOS engine: rows found by what the router holds, values the router stores in another spelling, what cannot be
unset or added, rules that hold more than others. Each change converges, and its second run is one read and ok.
"""

from __future__ import annotations

import pytest

from tests.integration.test_config import (MODULE, assert_second_run_is_one_read, by_hand, clear_log, config,
                                           gathered, latest_backup, queued, requests_made)

FILTER = "ip firewall filter"
STORED = "/ip firewall filter add chain=input action=accept connection-state=related,established log=yes comment=est"
WRITTEN = {"chain": "input", "action": "accept", "connection-state": "established,related", "comment": "est"}
ICMP = {"chain": "input", "action": "accept", "protocol": "icmp"}


def converged(run) -> None:
    assert run.status == "changed" and run.result["converged"] is True, run.output


def printed(sim, site, path: str) -> list[dict]:
    """The menu as the router prints it, dynamic rows included (typed rows)."""
    sim.settings(sync_shape="typed")
    return sim.call("POST", f"/api/synchronous/{site}", {"command": f"/{path.replace(' ', '/')}/print"}, token=True)


@pytest.mark.parametrize("shape", ["typed", "strings"])
def test_rows_are_found_by_the_spelling_the_router_holds(ansible, sim, site, shape):
    sim.settings(sync_shape=shape)
    by_hand(sim, site, "/ip firewall filter add chain=input action=accept protocol=icmp\n" + STORED)
    # move: the rule the router holds as related,established goes first.
    order = config(ansible, site, path=FILTER, state="overridden", data=[{**WRITTEN, "log": True}, ICMP])
    converged(order)
    assert any("connection-state=related,established" in line for line in order.result["commands"])
    assert_second_run_is_one_read(ansible, sim, site, path=FILTER, state="overridden",
                                  data=[{**WRITTEN, "log": True}, ICMP])
    # set: log goes back to its default on that rule.
    reset = config(ansible, site, path=FILTER, state="replaced", data=[WRITTEN])
    converged(reset)
    assert_second_run_is_one_read(ansible, sim, site, path=FILTER, state="replaced", data=[WRITTEN])
    # remove: found by content, as stored.
    removed = config(ansible, site, path=FILTER, state="deleted", data=[WRITTEN])
    converged(removed)
    assert gathered(ansible, site, FILTER) == [ICMP]
    assert_second_run_is_one_read(ansible, sim, site, path=FILTER, state="deleted", data=[WRITTEN])


@pytest.mark.parametrize(("path", "first", "again"), [
    # The router prints MAC addresses in capitals (the seed's bridge has 48:A9:8A:12:34:56).
    ("interface bridge", {"name": "bridge", "admin-mac": "48:a9:8a:12:34:56"}, None),
    # cache-size is in KiB: 2048 is the default 2048KiB.
    ("ip dns", {"cache-size": 2048}, None),
    ("ip dns", {"cache-size": 4096}, {"cache-size": "4MiB"}),
    ("ip dns", {"servers": "2001:DB8::53,1.1.1.1"}, {"servers": "2001:db8:0:0::53,1.1.1.1"}),
    # An interface's address without a prefix length is a /32.
    ("ip address", {"address": "10.7.0.1", "interface": "bridge"}, {"address": "10.7.0.1/32", "interface": "bridge"}),
    # The firewall keeps a matcher's prefix as its network, and a /32 as the bare address.
    (FILTER, {"chain": "forward", "action": "drop", "dst-address": "10.1.2.3/8", "src-address": "192.0.2.7/32"},
     {"chain": "forward", "action": "drop", "dst-address": "10.0.0.0/8", "src-address": "192.0.2.7"}),
    ("ip route", {"dst-address": "10.9.9.9", "gateway": "192.0.2.1"}, {"dst-address": "10.9.9.9/32",
                                                                       "gateway": "192.0.2.1"}),
    ("interface list", {"name": "mixed", "include": "dynamic,static"}, {"name": "mixed", "include": "static,dynamic"}),
])
def test_values_the_router_stores_in_another_spelling_converge_and_stay_ok(ansible, sim, site, path, first, again):
    before = gathered(ansible, site, path)
    run = config(ansible, site, path=path, data=[first])
    if again is None:  # already what the router holds: no change at all
        assert run.status == "ok" and run.result["commands"] == [] and queued(sim) == [], run.output
    else:
        converged(run)
        assert gathered(ansible, site, path) != before
    for data in (first, again or first):
        assert_second_run_is_one_read(ansible, sim, site, path=path, data=[data])


def test_an_entry_the_router_made_itself_is_refused_before_any_post(ansible, sim, site):
    lease = next(row for row in printed(sim, site, "ip address") if row.get("dynamic"))
    clear_log(sim)
    run = config(ansible, site, path="ip address", data=[{"address": lease["address"], "interface": "ether1",
                                                         "comment": "mine"}])
    assert run.status == "failed" and run.result["msg"].startswith("data[0]: "), run.output
    assert "dynamic" in run.result["msg"] and requests_made(sim) == ["POST api/synchronous"]


def test_fixed_entries_are_set_never_added_or_removed(ansible, sim, site):
    run = config(ansible, site, path="ip service", data=[{"name": "telnet", "disabled": True}])
    converged(run)
    assert_second_run_is_one_read(ansible, sim, site, path="ip service", data=[{"name": "telnet", "disabled": True}])
    # The export names the entry by itself ("set telnet disabled=yes"); parsed keeps that name.
    parsed = ansible.task({"path": "ip service", "state": "parsed", "running_config": latest_backup(sim, site)},
                          module=MODULE)
    assert parsed.status == "ok" and {"name": "telnet", "disabled": True} in parsed.result["parsed"], parsed.output
    clear_log(sim)
    added = config(ansible, site, path="ip service", data=[{"name": "gopher", "port": 70}])
    assert added.status == "failed" and added.result["msg"].startswith(
        "data[0]: menu 'ip service' holds only the entries the router has"), added.output
    deleted = config(ansible, site, path="ip service", state="deleted", data=[{"name": "telnet"}])
    assert deleted.status == "failed" and "fixed by the router" in deleted.result["msg"], deleted.output
    assert requests_made(sim) == ["POST api/synchronous"] and queued(sim) == []


@pytest.mark.parametrize("keep", ["short", "long"])
def test_overridden_tells_apart_a_rule_from_one_holding_more(ansible, sim, site, keep):
    by_hand(sim, site, "/ip firewall filter add chain=input action=accept\n"
                       "/ip firewall filter add chain=input action=accept protocol=icmp")
    wanted = {"chain": "input", "action": "accept", **({"protocol": "icmp"} if keep == "long" else {})}
    run = config(ansible, site, path=FILTER, state="overridden", data=[wanted])
    converged(run)
    assert len(run.result["commands"]) == 1 and " remove " in run.result["commands"][0]
    assert gathered(ansible, site, FILTER) == [wanted]
    assert_second_run_is_one_read(ansible, sim, site, path=FILTER, state="overridden", data=[wanted])


def test_null_for_what_cannot_be_unset_is_refused_before_any_request(ansible, sim, site):
    clear_log(sim)
    run = config(ansible, site, path=FILTER, data=[{"chain": "input", "action": "accept", "log": None}])
    assert run.status == "failed" and run.result["msg"].startswith(
        "data[0].log: null unsets a property, and 'log' of menu 'ip firewall filter' cannot be unset"), run.output
    assert requests_made(sim) == []


HOSTILE = 'Grüße "x" $HOME [/system reboot]; 🛰\tend'


@pytest.mark.parametrize("shape", ["typed", "strings"])
def test_finds_hold_hostile_values_literally(ansible, sim, site, shape):
    sim.settings(sync_shape=shape)
    rule = {"chain": "input", "action": "accept", "comment": HOSTILE}
    set_up = config(ansible, site, path=FILTER, data=[{"chain": "input", "action": "accept"}, {**rule, "log": True}])
    converged(set_up)
    # set finds the rule by its comment; remove finds the other one by comment!=<that comment>.
    run = config(ansible, site, path=FILTER, state="overridden", data=[rule])
    converged(run)
    assert [line.split()[3] for line in run.result["commands"]] == ["set", "remove"], run.result["commands"]
    assert gathered(ansible, site, FILTER) == [rule]
    assert_second_run_is_one_read(ansible, sim, site, path=FILTER, state="overridden", data=[rule])


def test_a_rule_like_the_router_s_own_dynamic_one_is_removed_without_touching_it(ansible, sim, site):
    fasttrack = {"chain": "forward", "action": "fasttrack-connection", "connection-state": "established,related"}
    # The same values as the dynamic rule RouterOS adds beside a FastTrack rule; its find must not meet that one.
    copy = {"chain": "forward", "action": "passthrough", "comment": "special dummy rule to show fasttrack counters"}
    converged(config(ansible, site, path=FILTER, data=[fasttrack, copy]))
    assert [row.get("dynamic") for row in printed(sim, site, FILTER)] == [True, False, False]
    run = config(ansible, site, path=FILTER, state="deleted", data=[copy])
    converged(run)
    assert run.result["commands"][0].endswith(" dynamic=no]"), run.result["commands"]
    assert gathered(ansible, site, FILTER) == [fasttrack]
    assert printed(sim, site, FILTER)[0]["dynamic"] is True  # the router's own rule is still there
    assert_second_run_is_one_read(ansible, sim, site, path=FILTER, state="deleted", data=[copy])
