"""sdx_config's plan and values after a hostile review: finds built from what the router holds, spellings the router
stores differently, what cannot be unset or added, rules that hold more than others, and exports read back."""

from __future__ import annotations

import pytest

from ansible_collections.altostrat.sdx.plugins.module_utils._config_input import check_data, export_rows, parse_export
from ansible_collections.altostrat.sdx.plugins.module_utils._config_plan import AmbiguousEntry, make_plan
from ansible_collections.altostrat.sdx.plugins.module_utils._config_render import script
from ansible_collections.altostrat.sdx.plugins.module_utils._config_values import equal, normalise_row
from ansible_collections.altostrat.sdx.plugins.module_utils._errors import SDXInputError
from ansible_collections.altostrat.sdx.plugins.module_utils._routeros_model import load_menu

FILTER = load_menu("ip firewall filter")
ADDRESS = load_menu("ip address")
DNS = load_menu("ip dns")
BRIDGE = load_menu("interface bridge")
LISTS = load_menu("interface list")
ETHERNET = load_menu("interface ethernet")
SERVICE = load_menu("ip service")
ROUTE = load_menu("ip route")


def rows(menu, answer):
    return [normalise_row({".id": f"*{index + 1}", **row}, menu) for index, row in enumerate(answer)]


def plan_lines(menu, state, data, answer):
    return script(menu, make_plan(menu, state, check_data(menu, state, data), rows(menu, answer)).changes)


def converges(menu, state, data, answer) -> list[dict]:
    """The menu after the plan, fed back as the router's rows: a second plan must have nothing to do."""
    desired = check_data(menu, state, data)
    after = make_plan(menu, state, desired, rows(menu, answer)).after
    again = make_plan(menu, state, desired, rows(menu, after))
    assert again.changes == [], script(menu, again.changes)
    return after


STORED = {"chain": "input", "action": "accept", "connection-state": "related,established", "log": True,
          "dynamic": False}
WRITTEN = {"chain": "input", "action": "accept", "connection-state": "established,related"}


# 1. set, remove and move find a row by the values the router holds, not by the task's spelling of them.
def test_set_finds_the_row_by_its_stored_spelling():
    assert plan_lines(FILTER, "replaced", [WRITTEN], [STORED]) == [
        "/ip firewall filter set [find where chain=input action=accept connection-state=related,established log=yes "
        "dynamic=no] log=no"]


def test_remove_by_content_finds_the_row_by_its_stored_spelling():
    assert plan_lines(FILTER, "deleted", [WRITTEN], [STORED]) == [
        "/ip firewall filter remove [find where chain=input action=accept connection-state=related,established "
        "log=yes dynamic=no]"]


def test_move_finds_both_rows_by_their_stored_spelling():
    icmp = {"chain": "input", "action": "accept", "protocol": "icmp", "dynamic": False}
    lines = plan_lines(FILTER, "overridden", [{**WRITTEN, "log": True}, {"chain": "input", "action": "accept",
                                                                         "protocol": "icmp"}], [icmp, STORED])
    assert lines == [
        "/ip firewall filter move [find where chain=input action=accept connection-state=related,established log=yes "
        "dynamic=no] destination=[find where chain=input action=accept protocol=icmp dynamic=no]"]


# 2. spellings the router stores in another form.
@pytest.mark.parametrize(("wanted", "current", "menu", "name"), [
    ("48:a9:8a:12:34:56", "48:A9:8A:12:34:56", BRIDGE, "admin-mac"),
    ("10.0.0.1", "10.0.0.1/32", ADDRESS, "address"),
    ("2048", "2048KiB", DNS, "cache-size"),
    (4096, "4MiB", DNS, "cache-size"),
    ("2001:DB8::1,1.1.1.1", "2001:db8::1,1.1.1.1", DNS, "servers"),
    ("2001:0db8:0:0::1", "2001:db8::1", DNS, "servers"),
    ("dynamic,static", "static,dynamic", LISTS, "include"),
])
def test_the_router_s_spelling_is_the_same_value(wanted, current, menu, name):
    assert equal(wanted, current, menu.field(name), name)


@pytest.mark.parametrize(("wanted", "current", "menu", "name"), [
    ("10.1.2.3/8", "10.0.0.0/8", ADDRESS, "address"),  # an interface keeps its own address
    ("2049", "2048KiB", DNS, "cache-size"),
    ("1.1.1.1,8.8.8.8", "8.8.8.8,1.1.1.1", DNS, "servers"),  # servers are asked in order
    ("48:A9:8A:12:34:57", "48:A9:8A:12:34:56", BRIDGE, "admin-mac"),
])
def test_different_values_stay_different(wanted, current, menu, name):
    assert not equal(wanted, current, menu.field(name), name)


@pytest.mark.parametrize(("menu", "entry", "stored"), [
    (ADDRESS, {"address": "10.0.0.1", "interface": "bridge"}, {"address": "10.0.0.1/32", "interface": "bridge"}),
    (ADDRESS, {"address": "10.1.2.3/8", "interface": "bridge"}, {"address": "10.1.2.3/8", "interface": "bridge"}),
    (FILTER, {"chain": "input", "action": "drop", "dst-address": "10.1.2.3/8", "src-address": "!192.0.2.7/32"},
     {"chain": "input", "action": "drop", "dst-address": "10.0.0.0/8", "src-address": "!192.0.2.7"}),
    (ROUTE, {"dst-address": "10.1.2.3/8", "gateway": "192.0.2.1"},
     {"dst-address": "10.0.0.0/8", "gateway": "192.0.2.1"}),
    (ROUTE, {"dst-address": "10.9.9.9", "gateway": "192.0.2.1"},
     {"dst-address": "10.9.9.9/32", "gateway": "192.0.2.1"}),
    (BRIDGE, {"name": "bridge", "admin-mac": "48:a9:8a:12:34:56"}, {"name": "bridge", "admin-mac": "48:A9:8A:12:34:56"}),
    (DNS, {"cache-size": 4096, "servers": "2001:DB8::53"}, {"cache-size": "4096KiB", "servers": "2001:db8::53"}),
    (DNS, {"cache-size": "4MiB"}, {"cache-size": "4096KiB"}),
    (DNS, {"cache-size": "1.5MiB"}, {"cache-size": "1536KiB"}),
])
def test_values_are_sent_as_the_router_stores_them_and_then_stay_ok(menu, entry, stored):
    assert check_data(menu, "merged", [entry]) == [stored]
    assert make_plan(menu, "merged", check_data(menu, "merged", [entry]), rows(menu, [stored])).changes == []


def test_an_address_without_prefix_is_added_once_as_the_router_stores_it():
    assert plan_lines(ADDRESS, "merged", [{"address": "10.0.0.1", "interface": "bridge"}], []) == [
        "/ip address add address=10.0.0.1/32 interface=bridge"]
    converges(ADDRESS, "merged", [{"address": "10.0.0.1", "interface": "bridge"}], [])


def test_dynamic_rows_are_never_planned_for_nor_found():
    dynamic = {"chain": "input", "action": "accept", "protocol": "icmp", "dynamic": True}
    static = {"chain": "input", "action": "accept", "protocol": "icmp", "dynamic": False}
    assert plan_lines(FILTER, "deleted", [{"chain": "input", "protocol": "icmp"}], [dynamic, static]) == [
        "/ip firewall filter remove [find where chain=input action=accept protocol=icmp dynamic=no]"]
    assert plan_lines(FILTER, "deleted", [], [dynamic]) == []
    assert plan_lines(FILTER, "overridden", [{"chain": "forward", "action": "drop"}], [dynamic]) == [
        "/ip firewall filter add chain=forward action=drop"]


def test_a_keyed_find_says_dynamic_no_only_when_a_dynamic_row_holds_the_same_keys():
    lease = {"address": "10.0.0.5/24", "interface": "ether1", "dynamic": True}
    mine = {"address": "10.0.0.5/24", "interface": "ether1", "comment": "old", "dynamic": False}
    assert plan_lines(ADDRESS, "merged", [{"address": "10.0.0.5/24", "interface": "ether1", "comment": "new"}],
                      [lease, mine]) == [
        "/ip address set [find where address=10.0.0.5/24 interface=ether1 dynamic=no] comment=new"]
    assert plan_lines(ADDRESS, "merged", [{"address": "10.0.0.5/24", "interface": "ether1", "comment": "new"}],
                      [mine]) == ["/ip address set [find where address=10.0.0.5/24 interface=ether1] comment=new"]


# 3. null for a property that cannot be unset.
@pytest.mark.parametrize(("menu", "entry", "message"), [
    (FILTER, {"chain": "input", "action": None}, "data[0].action: null unsets a property, and 'action' of menu "
                                                 "'ip firewall filter' cannot be unset"),
    (FILTER, {"chain": "input", "log": None}, "cannot be unset; give its default (False) instead"),
    (DNS, {"cache-size": None}, "data[0].cache-size: null unsets a property"),
])
def test_null_for_a_property_that_cannot_be_unset_is_refused(menu, entry, message):
    with pytest.raises(SDXInputError) as error:
        check_data(menu, "merged", [entry])
    assert message in str(error.value)


def test_null_still_unsets_what_can_be_unset():
    desired = check_data(FILTER, "merged", [{"chain": "input", "action": "accept", "protocol": None,
                                             "comment": None}])
    assert desired == [{"chain": "input", "action": "accept", "protocol": None, "comment": None}]


# 4. fixed entries: set only.
@pytest.mark.parametrize(("menu", "state"), [(ETHERNET, "deleted"), (SERVICE, "deleted"), (SERVICE, "overridden")])
def test_adding_or_removing_fixed_entries_is_refused_on_input(menu, state):
    with pytest.raises(SDXInputError, match=rf"state: the entries of menu '{menu.path}' are fixed by the router"):
        check_data(menu, state, [{"name": "ssh"} if menu is SERVICE else {"default-name": "ether1"}])


def test_a_fixed_entry_the_router_lacks_is_refused_and_one_it_has_is_set():
    services = [{"name": "ssh", "port": 22, "disabled": False}, {"name": "telnet", "port": 23, "disabled": False}]
    with pytest.raises(SDXInputError, match=r"^data\[1\]: menu 'ip service' holds only the entries the router has"):
        plan_lines(SERVICE, "merged", [{"name": "ssh", "port": 2222}, {"name": "sshd", "port": 22}], services)
    assert plan_lines(SERVICE, "replaced", [{"name": "telnet", "disabled": True}], services) == [
        "/ip service set [find where name=telnet] disabled=yes"]


# 5. a rule whose values are a superset of another's.
SHORT = {"chain": "input", "action": "accept", "dynamic": False}
LONG = {"chain": "input", "action": "accept", "protocol": "icmp", "dynamic": False}


def test_the_shorter_rule_is_told_apart_by_what_the_longer_one_sets():
    assert plan_lines(FILTER, "overridden", [{"chain": "input", "action": "accept", "protocol": "icmp"}],
                      [SHORT, LONG]) == [
        "/ip firewall filter remove [find where chain=input action=accept protocol!=icmp dynamic=no]"]
    converges(FILTER, "overridden", [{"chain": "input", "action": "accept", "protocol": "icmp"}], [SHORT, LONG])


def test_the_longer_rule_is_removed_and_the_shorter_one_kept_whatever_their_order():
    for answer in ([SHORT, LONG], [LONG, SHORT]):
        assert plan_lines(FILTER, "overridden", [{"chain": "input", "action": "accept"}], answer) == [
            "/ip firewall filter remove [find where chain=input action=accept protocol=icmp dynamic=no]"]
        assert converges(FILTER, "overridden", [{"chain": "input", "action": "accept"}], answer) == [
            {"chain": "input", "action": "accept"}]


def test_a_default_the_row_holds_tells_it_apart_from_a_row_that_changes_it():
    logged = {**SHORT, "log": True}
    plain = {**SHORT, "log": False, "comment": "keep"}
    lines = plan_lines(FILTER, "overridden", [{"chain": "input", "action": "accept", "comment": "keep"},
                                              {"chain": "input", "action": "accept", "log": True}],
                       [plain, logged, {**SHORT, "log": False}])
    assert lines == ["/ip firewall filter remove [find where chain=input action=accept log=no comment!=keep "
                     "dynamic=no]"]


def test_true_twins_are_removed_together_by_deleted():
    assert plan_lines(FILTER, "deleted", [{"chain": "input", "action": "accept"}], [SHORT, SHORT, LONG]) == [
        "/ip firewall filter remove [find where chain=input action=accept protocol!=icmp dynamic=no]",
        "/ip firewall filter remove [find where chain=input action=accept protocol=icmp dynamic=no]"]


def test_true_twins_one_of_which_must_stay_still_ask_for_keys():
    with pytest.raises(AmbiguousEntry, match="give keys"):
        make_plan(FILTER, "overridden", [{"chain": "input", "action": "accept"}], rows(FILTER, [SHORT, SHORT]))


# 6. an export read back.
def test_parsed_leaves_out_read_only_values_and_unquotes_finds():
    export = ('/interface ethernet\nset [ find default-name="ether 1" ] comment="uplink \\"A\\"" '
              'mac-address=48:A9:8A:00:00:01\n'
              '/ip address\nadd address=10.0.0.1/24 interface=bridge network=10.0.0.0\n'
              '/interface wireless security-profiles\nset [ find default=yes ] mode=dynamic-keys\n')
    assert parse_export(ETHERNET, export) == [{"default-name": "ether 1", "comment": 'uplink "A"',
                                               "mac-address": "48:A9:8A:00:00:01"}]
    assert parse_export(ADDRESS, export) == [{"address": "10.0.0.1/24", "interface": "bridge"}]
    profiles = load_menu("interface wireless security-profiles")
    assert export_rows(profiles, export)[0]["default"] is True  # kept for planning: a default entry is not removed
    assert parse_export(profiles, export) == [{"mode": "dynamic-keys"}]


def test_a_find_bracket_inside_quotes_does_not_end_the_find():
    export = '/interface ethernet\nset [ find default-name="odd]name" ] comment=x\n'
    assert parse_export(ETHERNET, export) == [{"default-name": "odd]name", "comment": "x"}]


def test_an_entry_the_router_made_itself_is_refused_not_added_beside_it():
    lease = {"address": "10.0.0.5/24", "interface": "ether1", "dynamic": True}
    with pytest.raises(SDXInputError, match=r"^data\[0\]: the entry .* is dynamic or built in"):
        plan_lines(ADDRESS, "merged", [{"address": "10.0.0.5/24", "interface": "ether1", "comment": "x"}], [lease])


def test_an_entry_the_export_names_keeps_its_name():
    export = '/ip service\nset telnet disabled=yes\nset "www ssl" port=8443\n'
    assert parse_export(SERVICE, export) == [{"name": "telnet", "disabled": True}, {"name": "www ssl", "port": 8443}]


@pytest.mark.parametrize(("path", "entry"), [
    ("ppp secret", {"name": "vpn", "password": "2001:DB8::1"}),
    ("system scheduler", {"name": "s", "on-event": "/ip address add address=10.0.0.1 interface=bridge"}),
    ("ip firewall filter", {"chain": "input", "action": "drop", "content": "AA:BB:CC:DD:EE:FF"}),
    ("ip address", {"address": "10.0.0.1/24", "interface": "bridge", "comment": "2001:DB8::1,10.0.0.1/32"}),
    ("ip dns static", {"name": "x.lan", "type": "TXT", "text": "2001:DB8::1"}),
])
def test_text_and_secrets_are_sent_exactly_as_written(path, entry):
    assert check_data(load_menu(path), "merged", [entry]) == [entry]


@pytest.mark.parametrize("state", ["merged", "replaced", "overridden"])
def test_each_rule_is_matched_to_the_row_that_holds_it_exactly(state):
    data = [{"chain": "input", "action": "accept"}, {"chain": "input", "action": "accept", "protocol": "icmp"}]
    assert plan_lines(FILTER, state, data, [LONG, SHORT]) == (
        ["/ip firewall filter move [find where chain=input action=accept protocol!=icmp dynamic=no] "
         "destination=[find where chain=input action=accept protocol=icmp dynamic=no]"] if state == "overridden" else [])


def test_an_empty_identifying_key_is_refused():
    with pytest.raises(SDXInputError, match=r"^data\[0\]\.address: an identifying key cannot be empty"):
        check_data(ADDRESS, "merged", [{"address": "", "interface": "bridge"}])
