"""sdx_config's guards found by a hostile review: what reaches the script, what the result shows, what it refuses."""

from __future__ import annotations

import json

import pytest
import responses

from ansible_collections.altostrat.sdx.plugins.module_utils._config_input import parse_export
from ansible_collections.altostrat.sdx.plugins.module_utils._routeros_model import ModelError, load_menu
from tests.unit.plugins.modules.test_sdx_config import SYNC, config, methods

PPP_ROWS = [{".id": "*1", "name": "vpn-user1", "password": "OldSecret1", "profile": "default-encryption",
             "service": "l2tp", "disabled": False}]


@pytest.mark.parametrize("path", ["ip hotspot;:log info $x", "ip [find]", 'ip "x"', ""])
def test_a_path_that_is_not_menu_words_is_refused(path):
    with pytest.raises(ModelError, match=r"^path: expected RouterOS menu words"):
        load_menu(path, keys=["name"])


@responses.activate
def test_a_path_that_is_not_menu_words_sends_nothing():
    result = config(path="ip hotspot;:log info $x", keys=["name"], data=[{"name": "x"}])
    assert result["failed"] and result["msg"].startswith("path: expected RouterOS menu words")
    assert methods() == []


@responses.activate
def test_secrets_the_router_prints_never_reach_the_result():
    responses.post(SYNC, json=PPP_ROWS)
    result = config(path="ppp secret", _ansible_check_mode=True, _ansible_diff=True,
                    data=[{"name": "vpn-user1", "password": "NewSecret2"}, {"name": "bob", "password": "BobSecret3"}])
    assert result["changed"] is True
    shown = json.dumps(result)
    for secret in ("OldSecret1", "NewSecret2", "BobSecret3"):
        assert secret not in shown
    assert any(line.startswith("/ppp secret add name=bob") for line in result["commands"])


@responses.activate
def test_gathered_masks_secrets_the_router_prints():
    responses.post(SYNC, json=PPP_ROWS)
    result = config(path="ppp secret", state="gathered")
    assert result["gathered"][0]["name"] == "vpn-user1"
    assert "OldSecret1" not in json.dumps(result)


def test_parsed_keeps_slashes_and_spaces_inside_values():
    menu = load_menu("ip address")
    text = '/ip address add address=192.168.88.1/24 comment="a  b / c" interface=bridge\n'
    assert parse_export(menu, text) == [{"address": "192.168.88.1/24", "comment": "a  b / c", "interface": "bridge"}]


def test_parsed_masks_the_secrets_of_the_export():
    result = config(path="user", state="parsed", site_id=None,
                    running_config="/user\nadd group=full name=netops password=TopSecret9\n")
    assert result["parsed"][0]["name"] == "netops"
    assert "TopSecret9" not in json.dumps(result)


@responses.activate
def test_null_cannot_choose_entries_to_delete():
    result = config(path="ip firewall filter", state="deleted",
                    data=[{"chain": "input", "action": "accept", "protocol": None}])
    assert result["failed"] and result["msg"].startswith("data[0].protocol: null cannot choose entries to delete")
    assert methods() == []


@responses.activate
def test_keys_an_entry_does_not_hold_are_refused_before_any_post():
    responses.post(SYNC, json=[{".id": "*1", "chain": "input", "action": "drop", "disabled": False, "dynamic": False}])
    result = config(path="ip firewall filter", keys=["comment"], state="overridden",
                    data=[{"chain": "input", "action": "accept", "comment": "a"}])
    assert result["failed"] and "holds no comment, so it cannot be found by its keys" in result["msg"]
    assert "None" not in " ".join(result.get("commands") or [])
    assert methods() == [f"POST {SYNC.removeprefix('https://sdx.test')}"]


@responses.activate
def test_null_for_a_property_that_cannot_be_unset_sends_nothing():
    result = config(path="ip firewall filter", data=[{"chain": "input", "action": "accept", "log": None}])
    assert result["failed"] and result["msg"].startswith(
        "data[0].log: null unsets a property, and 'log' of menu 'ip firewall filter' cannot be unset")
    assert methods() == []


@responses.activate
def test_deleted_on_fixed_entries_sends_nothing():
    result = config(path="ip service", state="deleted", data=[{"name": "telnet"}])
    assert result["failed"] and "fixed by the router" in result["msg"]
    assert methods() == []


@responses.activate
def test_adding_a_fixed_entry_is_refused_after_the_read_and_before_any_post():
    responses.post(SYNC, json=[{".id": "*1", "name": "ssh", "port": 22, "disabled": False, "invalid": False}])
    result = config(path="ip service", data=[{"name": "ssh", "port": 2222}, {"name": "gopher", "port": 70}])
    assert result["failed"] and result["msg"].startswith("data[1]: menu 'ip service' holds only the entries")
    assert methods() == [f"POST {SYNC.removeprefix('https://sdx.test')}"]
