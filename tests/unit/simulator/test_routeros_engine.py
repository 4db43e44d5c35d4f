"""The simulator's RouterOS engine: scripts change menus as RouterOS does, print and export show the state."""

from __future__ import annotations

import pytest

from simulator.fleet import build_fleet
from simulator.routeros.render import export_sections, print_rows
from simulator.routeros.script import run_script
from simulator.routeros.seed import seed_router
from simulator.routeros.syntax import ScriptError, decode_escapes, quote, split_commands

SITE = build_fleet(1, 0, 1)[0]
ATTACK = 'x"; /system reset-configuration; "'


@pytest.fixture(name="router")
def fixture_router():
    return seed_router(SITE)


def rows(router, path):
    return print_rows(router, path)


def run(router, script):
    error = run_script(router, script)
    assert error is None, str(error)


def failing(router, script) -> ScriptError:
    error = run_script(router, script)
    assert error is not None, "the script ran through"
    return error


# -- syntax ------------------------------------------------------------------------------------------
def test_commands_split_at_newlines_and_semicolons_outside_quotes_brackets_and_braces():
    script = '/a add x="1;2"; /b set [find name="a;b"] y=2\n# a comment\n\n:do { /c add; /d add } on-error={}\n' \
             '/e add x=1 \\\n    y=2'
    assert [(command.text, command.line) for command in split_commands(script)] == [
        ('/a add x="1;2"', 1), ('/b set [find name="a;b"] y=2', 1), (":do { /c add; /d add } on-error={}", 4),
        ("/e add x=1  y=2", 5)]


@pytest.mark.parametrize("escaped, text", [
    (r"a\"b", 'a"b'), (r"a\\b", "a\\b"), (r"\$x", "$x"), (r"\?", "?"), (r"a\_b", "a b"), (r"\n\r\t", "\n\r\t"),
    (r"\C3\A9t\C3\A9", "été"), (r"\E2\82\AC", "€"),
])
def test_quoted_string_escapes_decode_as_the_scripting_manual_says(escaped, text):
    assert decode_escapes(escaped) == text


@pytest.mark.parametrize("value", [ATTACK, "a\\b", "$HOME", "[find]", "x;y", "two\nlines", "Grüße ☃", "", "tab\t"])
def test_any_value_quoted_by_the_export_reads_back_as_itself(router, value):
    run(router, f"/ip address set [find address=192.168.88.1/24] comment={quote(value)}")
    assert rows(router, "/ip address")[0]["comment"] == value


def test_a_comment_that_tries_to_break_out_stays_a_literal_and_changes_nothing_else(router):
    before = export_sections(router)
    script = f'/ip firewall filter add chain=input action=accept comment="{ATTACK.replace(chr(34), chr(92) + chr(34))}"'
    run(router, script)
    assert [row["comment"] for row in rows(router, "/ip firewall filter")] == [ATTACK]
    after = export_sections(router)
    assert {key: value for key, value in after.items() if key != "/ip firewall filter"} == before
    assert after["/ip firewall filter"] == [
        r'add action=accept chain=input comment="x\"; /system reset-configuration; \""']


def test_an_unquoted_variable_is_refused_not_taken_literally(router):
    assert "variables are not modelled" in failing(router, "/system identity set name=$name").message


# -- commands ------------------------------------------------------------------------------------------
def test_add_gives_ids_in_hex_that_are_never_reused(router):
    run(router, "/ip firewall address-list\n" + "\n".join(f"add list=l address=10.0.0.{n}" for n in range(1, 12)))
    assert [row[".id"] for row in rows(router, "/ip firewall address-list")][-2:] == ["*A", "*B"]
    run(router, "/ip firewall address-list remove [find address=10.0.0.11]; /ip firewall address-list add list=l "
                "address=10.0.0.99")
    assert rows(router, "/ip firewall address-list")[-1][".id"] == "*C"


@pytest.mark.parametrize("script", [
    "/ip/dns/set servers=9.9.9.9", "/ip dns set servers=9.9.9.9", "/ip dns\nset servers=9.9.9.9",
    "/ip\ndns set servers=9.9.9.9", "ip dns set servers=9.9.9.9",
])
def test_slash_and_space_paths_and_menu_context_lines_are_the_same_command(router, script):
    run(router, script)
    assert rows(router, "/ip dns")[0]["servers"] == "9.9.9.9"


def test_set_and_remove_by_find_where_with_and_or_not(router):
    run(router, '/ip dns static add name="a b" address=10.0.0.1 comment=x; /ip dns static add name=c address=10.0.0.2')
    run(router, '/ip dns static set [find where name="a b" and address=10.0.0.1] ttl=2h')
    assert [row["ttl"] for row in rows(router, "/ip dns static")] == ["1d", "2h", "1d"]
    run(router, "/ip dns static disable [find where comment=x or name=c]")
    assert [row["disabled"] for row in rows(router, "/ip dns static")] == [False, True, True]
    run(router, "/ip dns static enable [find where !disabled or name=c]")
    assert [row["disabled"] for row in rows(router, "/ip dns static")] == [False, True, False]
    run(router, "/ip dns static remove [find where name~\"^(a|c)\"]")
    assert [row["name"] for row in rows(router, "/ip dns static")] == ["nas.branch.lan"]


def test_an_empty_find_is_no_error_and_changes_nothing(router):
    before = export_sections(router)
    run(router, "/ip address set [find where comment=nothing] comment=x; /ip address remove [find address=1.1.1.1/32]")
    assert export_sections(router) == before


def test_items_by_id_by_name_and_find_default(router):
    run(router, "/ip service set telnet disabled=yes; /ip service set [find name=ftp] port=2121")
    run(router, "/snmp community set [find default=yes] addresses=10.0.0.0/8")
    run(router, "/interface ethernet set [find default-name=ether2] comment=uplink")
    star = rows(router, "/ip address")[0][".id"]
    run(router, f"/ip address set {star} comment=lan; /ip address set numbers={star} disabled=yes")
    exported = export_sections(router)
    assert exported["/ip service"] == ["set telnet disabled=yes", "set ftp port=2121"]
    assert exported["/snmp community"][0] == "set [ find default=yes ] addresses=10.0.0.0/8 disabled=yes"
    assert exported["/interface ethernet"] == ["set [ find default-name=ether2 ] comment=uplink"]
    assert exported["/ip address"] == ["add address=192.168.88.1/24 comment=lan disabled=yes interface=bridge"]


def test_move_reorders_an_ordered_menu_in_both_forms(router):
    run(router, "/ip firewall filter\n" + "\n".join(f"add chain=forward comment=r{n}" for n in range(1, 5)))
    run(router, "/ip firewall filter move [find comment=r4] destination=[find comment=r1]")
    assert [row["comment"] for row in rows(router, "/ip firewall filter")] == ["r4", "r1", "r2", "r3"]
    ids = {row["comment"]: row[".id"] for row in rows(router, "/ip firewall filter")}
    run(router, f"/ip firewall filter move {ids['r4']} {ids['r3']}")
    assert [row["comment"] for row in rows(router, "/ip firewall filter")] == ["r1", "r2", "r4", "r3"]
    run(router, f"/ip firewall filter move numbers={ids['r1']}")
    assert [row["comment"] for row in rows(router, "/ip firewall filter")] == ["r2", "r4", "r3", "r1"]
    run(router, f"/ip firewall filter add chain=input comment=first place-before={ids['r2']}")
    assert rows(router, "/ip firewall filter")[0]["comment"] == "first"
    assert "bad command name move" in failing(router, "/ip dns static move *1").message


@pytest.mark.parametrize("script, message", [
    ("/ip address add address=10.1.1.1/24 interface=bridge comentt=x", "unknown parameter comentt in /ip address"),
    ("/ip address add address=10.1.1.1/24", "failure: interface not specified"),
    ("/ip address add address=10.1.1.1/24 interface=nope", "input does not match any value of interface: nope"),
    ("/ip address add address=10.1.1.300/24 interface=bridge", "value of address must be an IPv4 address"),
    ("/interface vlan add name=v interface=bridge vlan-id=5000", "value of vlan-id out of range (1..4094)"),
    ("/ip dns set allow-remote-requests=maybe", "value of allow-remote-requests must be yes or no"),
    ("/interface bridge add name=bridge", "failure: already have interface with such name"),
    ("/interface vlan add name=bridge interface=ether2 vlan-id=7", "failure: already have interface with such name"),
    ("/ip address add address=192.168.88.1/24 interface=bridge", "failure: already have such address"),
    ("/snmp community remove [find default=yes]", "failure: can not remove default entry"),
    ("/interface ethernet remove [find]", "failure: can not remove a built-in entry"),
    ("/ip address remove [find dynamic=yes]", "failure: can not remove dynamic entry"),
    ("/ip address set *99 comment=x", "no such item (*99)"),
    ("/ip address print detail; :error \"stop\"", "stop"),
    ("/system script run broken :error", "error"),
    ("/system identity print :error", "error"),
    ("/ip address set [find address=192.168.88.1/24] network=1.2.3.4 actual-interface=x",
     "actual-interface is read-only in /ip address"),
])
def test_a_line_routeros_refuses_stops_the_script_with_its_error(router, script, message):
    error = failing(router, script)
    assert message in error.message
    assert error.line == 1


def test_the_lines_before_an_error_stay_applied_and_none_after_runs(router):
    error = failing(router, "/ip dns set servers=9.9.9.9\n/system identity set name=a\n"
                            "/ip address add address=1.1.1.1/24 interface=nowhere\n/system identity set name=b")
    assert error.line == 3
    assert rows(router, "/ip dns")[0]["servers"] == "9.9.9.9" and rows(router, "/system identity") == [{"name": "a"}]


def test_lines_of_unmodelled_menus_and_scripting_commands_do_nothing(router):
    before = export_sections(router)
    run(router, ':log info "x"; :local a 1\n/tool fetch url="https://example.com/x.rsc"\n'
                "/ip dns cache flush\n/interface print\n/x\n/ip address print where dynamic")
    assert export_sections(router) == before


def test_renaming_an_interface_carries_its_references(router):
    run(router, "/interface bridge set [find name=bridge] name=lan")
    assert rows(router, "/ip address")[0]["interface"] == "lan"


def test_unset_returns_a_property_to_its_default(router):
    run(router, "/ip dns static set [find] ttl=5m comment=x; /ip dns static unset [find] value-name=ttl,comment")
    assert rows(router, "/ip dns static")[0]["ttl"] == "1d" and "comment" not in rows(router, "/ip dns static")[0]


# -- print and export --------------------------------------------------------------------------------
def test_print_rows_carry_defaults_flags_and_read_only_values_but_no_write_only_ones(router):
    address = rows(router, "/ip address")
    assert address[0]["network"] == "192.168.88.0" and address[0]["actual-interface"] == "bridge"
    assert address[-1]["dynamic"] is True and address[-1]["interface"] == "ether1"
    assert rows(router, "/user") == [{".id": "*1", "name": "netops", "group": "full", "address": "",
                                      "disabled": False, "last-logged-in": ""}]
    assert rows(router, "/system identity") == [{"name": SITE.identity}]
    assert rows(router, "/ip route")[0]["dynamic"] is True


def test_export_leaves_out_defaults_dynamic_entries_and_write_only_values(router):
    run(router, "/ip dns set servers=9.9.9.9 cache-size=2048; /ip firewall nat add chain=srcnat "
                "action=masquerade out-interface=ether1")
    exported = export_sections(router)
    assert exported["/ip dns"] == ["set servers=9.9.9.9"]
    assert exported["/ip firewall nat"] == ["add action=masquerade chain=srcnat out-interface=ether1"]
    assert "198.51.100" not in str(exported)  # the DHCP address and route are dynamic
    assert exported["/user"] == ["add group=full name=netops"]
    assert list(exported).index("/interface bridge") < list(exported).index("/ip address") \
        < list(exported).index("/system identity")


def test_durations_are_kept_as_routeros_prints_them(router):
    run(router, "/ip dns static set [find] ttl=24h; /ip dns set cache-max-ttl=00:30:00")
    assert rows(router, "/ip dns static")[0]["ttl"] == "1d" and rows(router, "/ip dns")[0]["cache-max-ttl"] == "30m"


def test_firewall_rules_refer_to_interfaces_and_lists_that_exist_negated_or_not(router):
    run(router, "/ip firewall filter add chain=input in-interface=!ether1 in-interface-list=all action=drop")
    assert rows(router, "/ip firewall filter")[0]["in-interface"] == "!ether1"
    error = failing(router, "/ip firewall filter add chain=input in-interface-list=WAN action=drop")
    assert error.message == "input does not match any value of in-interface-list: WAN"
