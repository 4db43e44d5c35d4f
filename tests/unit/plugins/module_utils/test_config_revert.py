"""The revert sdx_config arms with confirm_timeout, run on the simulator's RouterOS engine: exact, and quoted.

Each case reads a seeded router's menu, plans a change, runs the job's script (the scheduler armed first, then the
change), then the scheduler's on-event as RouterOS would, and reads the menu again: it must hold what it held
before (entry ids aside), in order where order matters, with no scheduler entry left.
"""

from __future__ import annotations

import json

import pytest

from ansible_collections.altostrat.sdx.plugins.module_utils._config_plan import make_plan
from ansible_collections.altostrat.sdx.plugins.module_utils._config_render import quote, script
from ansible_collections.altostrat.sdx.plugins.module_utils._config_revert import revert_lines, same_entries
from ansible_collections.altostrat.sdx.plugins.module_utils._config_values import normalise_row
from ansible_collections.altostrat.sdx.plugins.module_utils._confirm import ConfirmPlan
from ansible_collections.altostrat.sdx.plugins.module_utils._errors import SDXInputError
from ansible_collections.altostrat.sdx.plugins.module_utils._routeros_model import load_menu
from simulator.commands import run_command, shaped
from simulator.fleet import build_fleet
from simulator.routeros.router import Router
from simulator.routeros.schema import BY_PATH
from simulator.routeros.script import run_script
from simulator.routeros.seed import seed_router

SITE = build_fleet(1, 0, 1)[0]
NAME = "sdx-confirm-0123456789ab"
HOSTILE = 'x"; /system reset-configuration; "$y [z] \\ ;\nnext é'
HOSTILE_QUOTED = quote(HOSTILE)
RULES = ("/ip firewall filter add chain=input action=accept connection-state=established,related comment=established\n"
         "/ip firewall filter add chain=input action=accept protocol=icmp comment=icmp\n"
         "/ip firewall filter add chain=input action=drop in-interface=ether1 comment=\"drop wan\"\n")


def read(router: Router, menu) -> list[dict]:
    rows = shaped(run_command(SITE, f"{menu.api_path}/print", None, router), "typed")
    return [normalise_row(row, menu) for row in rows]


def managed(router: Router, menu) -> list[dict]:
    return make_plan(menu, "merged", [], read(router, menu)).before


def on_events(router: Router) -> list[str]:
    menu = BY_PATH["/system scheduler"]
    return [str(router.value(menu, entry, "on-event")) for entry in router.entries(menu.path)]


CASES = {
    "add, the comment an injection attempt": (
        "ip address", "merged", None, "", [{"address": "192.168.99.1/24", "interface": "bridge", "comment": HOSTILE}]),
    "set of an existing entry": ("ip address", "merged", None, "",
                                 [{"address": "192.168.88.1/24", "interface": "bridge", "comment": "renamed"}]),
    "unset by replaced": ("ip address", "replaced", None, "",
                          [{"address": "192.168.88.1/24", "interface": "bridge"}]),
    "remove of an entry with a hostile comment, added back as it was": (
        "ip address", "overridden", None, f"/ip address add address=10.9.9.1/24 interface=bridge comment={HOSTILE_QUOTED}\n",
        [{"address": "192.168.88.1/24", "interface": "bridge", "comment": "defconf"}]),
    "ordered: removes, adds and moves": ("ip firewall filter", "overridden", ["comment"], RULES,
                                         [{"chain": "input", "action": "drop", "in-interface": "ether1",
                                           "comment": "drop wan"},
                                          {"chain": "input", "action": "accept", "protocol": "icmp",
                                           "comment": "icmp"},
                                          {"chain": "input", "action": "drop", "protocol": "tcp", "dst-port": "443",
                                           "comment": "new"}]),
    "ordered: deleted": ("ip firewall filter", "deleted", ["comment"], RULES, [{"comment": "icmp"}]),
    "single value menu": ("ip dns", "merged", None, "", [{"servers": "9.9.9.9,1.1.1.1",
                                                          "allow-remote-requests": True}]),
    "the WAN port disabled": ("interface ethernet", "merged", None, "", [{"default-name": "ether1",
                                                                          "disabled": True}]),
    "system identity": ("system identity", "merged", None, "", [{"name": "new name with spaces"}]),
}


@pytest.mark.parametrize("path, state, keys, prepare, data", CASES.values(), ids=CASES.keys())
def test_the_armed_revert_puts_the_menu_back_exactly(path, state, keys, prepare, data):
    menu = load_menu(path, None, keys)
    router = seed_router(SITE)
    assert run_script(router, prepare) is None
    before = managed(router, menu)
    plan = make_plan(menu, state, data, read(router, menu))
    assert plan.changes
    armed = ConfirmPlan(name=NAME, seconds=300, revert=revert_lines(menu, plan))
    assert run_script(router, armed.job_script(script(menu, plan.changes))) is None
    changed = managed(router, menu)
    assert not same_entries(menu, changed, before)
    assert not make_plan(menu, "overridden", plan.after, read(router, menu)).changes  # the change held as planned
    [event] = on_events(router)
    assert run_script(router, event) is None  # what the scheduler runs at the deadline
    assert same_entries(menu, managed(router, menu), before)
    assert on_events(router) == []
    if menu.ordered:
        assert managed(router, menu) == before


def test_the_hostile_comment_stays_one_literal_value_through_the_scheduler_quoting():
    menu = load_menu("ip address", None, None)
    router = seed_router(SITE)
    export_before = json.dumps(read(seed_router(SITE), load_menu("ip dns", None, None)))
    plan = make_plan(menu, "merged", [{"address": "192.168.99.1/24", "interface": "bridge", "comment": HOSTILE}],
                     read(router, menu))
    armed = ConfirmPlan(name=NAME, seconds=300, revert=revert_lines(menu, plan))
    assert run_script(router, armed.job_script(script(menu, plan.changes))) is None
    assert [row["comment"] for row in read(router, menu) if row.get("comment") not in (None, "defconf")] == [HOSTILE]
    assert run_script(router, on_events(router)[0]) is None
    assert json.dumps(read(router, load_menu("ip dns", None, None))) == export_before  # nothing else ran


def test_the_confirm_removes_the_entry_and_fails_once_the_revert_has_run():
    menu = load_menu("interface ethernet", None, None)
    plan = make_plan(menu, "merged", [{"default-name": "ether1", "disabled": True}], read(seed_router(SITE), menu))
    armed = ConfirmPlan(name=NAME, seconds=300, revert=revert_lines(menu, plan))
    confirmed, reverted = seed_router(SITE), seed_router(SITE)
    for router in (confirmed, reverted):
        assert run_script(router, armed.job_script(script(menu, plan.changes))) is None
    assert run_script(confirmed, armed.confirm_script()) is None
    assert on_events(confirmed) == [] and managed(confirmed, menu) != managed(seed_router(SITE), menu)
    assert run_script(reverted, on_events(reverted)[0]) is None
    error = run_script(reverted, armed.confirm_script())
    assert error is not None and "no such item" in str(error)


def test_a_second_arming_of_the_same_change_fails_before_the_change():
    menu = load_menu("system identity", None, None)
    router = seed_router(SITE)
    plan = make_plan(menu, "merged", [{"name": "twice"}], read(router, menu))
    armed = ConfirmPlan(name=NAME, seconds=300, revert=revert_lines(menu, plan))
    assert run_script(router, armed.job_script(script(menu, plan.changes))) is None
    assert run_script(router, "/system identity set name=by-hand") is None
    error = run_script(router, armed.job_script(script(menu, plan.changes)))
    assert error is not None and error.line == 1
    assert read(router, menu)[0]["name"] == "by-hand"


def test_a_revert_that_needs_a_secret_the_router_never_returns_is_refused():
    menu = load_menu("user", None, None)
    router = seed_router(SITE)
    rows = read(router, menu)
    plan = make_plan(menu, "deleted", [{"name": "netops"}], rows)
    with pytest.raises(SDXInputError, match=r"confirm_timeout: the change removes an entry of 'user'.*write-only"):
        revert_lines(menu, plan)
    plan = make_plan(menu, "merged", [{"name": "netops", "group": "full", "password": "new"}], rows, "always")
    with pytest.raises(SDXInputError, match="sets password of an existing entry"):
        revert_lines(menu, plan)


def test_adding_an_entry_with_a_secret_reverts_by_removing_it():
    menu = load_menu("user", None, None)
    router = seed_router(SITE)
    plan = make_plan(menu, "merged", [{"name": "temp", "group": "read", "password": "s3cret"}], read(router, menu))
    assert revert_lines(menu, plan) == ["/user remove [find where name=temp]"]
