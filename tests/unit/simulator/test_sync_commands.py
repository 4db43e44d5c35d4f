"""The simulator's synchronous command endpoint follows the documentation of its exact path."""

from __future__ import annotations

import pytest

from simulator.server import Simulator
from tests.unit.conftest import TOKEN, serve
from tests.unit.simulator.test_simulator import api, online_site


@pytest.fixture(name="server")
def fixture_server():
    with serve(Simulator(sites=2, offline_ratio=0, token=TOKEN, rate_limit=0, seed=1,
                         time_scale=1)) as server:
        yield server


def sync(server, body):
    return api(server, "POST", f"/api/synchronous/{online_site(server)}", json=body)


def test_parameters_are_one_string_and_a_query_word_filters(server):
    answer = sync(server, {"command": "/interface/print", "parameters": "?type=bridge"})
    assert answer.status_code == 200
    assert [record["name"] for record in answer.json()["data"]] == ["bridge"]
    answer = sync(server, {"command": "/interface/print", "parameters": "=.proplist=name"})
    assert answer.json()["data"] == [{"name": name} for name in
                                     ("ether1", "ether2", "ether3", "ether4", "ether5", "bridge", "wg-hq")]


@pytest.mark.parametrize("parameters", [["?type=bridge"], 42, {"type": "bridge"}])
def test_any_other_shape_of_parameters_is_refused(server, parameters):
    answer = sync(server, {"command": "/interface/print", "parameters": parameters})
    assert answer.status_code == 400
    assert answer.json()["code"] == "parameter_invalid"
    assert "'parameters'" in answer.json()["message"]


def print_on(server, site, command, parameters=None):
    body = {"command": command, **({"parameters": parameters} if parameters else {})}
    answer = api(server, "POST", f"/api/synchronous/{site}", json=body)
    assert answer.status_code == 200, answer.text
    return answer.json()["data"]


def test_ip_address_print_answers_from_the_configuration_a_completed_job_changed(simulator):
    from tests.unit.simulator.test_backups import completed_job  # pylint: disable=import-outside-toplevel
    site = online_site(simulator)
    before = print_on(simulator, site, "/ip/address/print")
    assert before[0] == {".id": "*1", "address": "192.168.88.1/24", "interface": "bridge", "network": "192.168.88.0",
                         "comment": "defconf", "disabled": "false", "actual-interface": "bridge", "invalid": "false",
                         "dynamic": "false"}
    assert before[-1]["dynamic"] == "true" and before[-1]["interface"] == "ether1"
    job = completed_job(simulator, site, script="/ip address add address=192.168.99.1/24 interface=bridge")
    assert job["completed_at"], job
    after = print_on(simulator, site, "/ip/address/print")
    added = [record for record in after if record["address"] == "192.168.99.1/24"]
    assert added == [{".id": "*3", "address": "192.168.99.1/24", "interface": "bridge", "network": "192.168.99.0",
                      "disabled": "false", "actual-interface": "bridge", "invalid": "false", "dynamic": "false"}]
    assert print_on(simulator, site, "/ip/address/print", "?address=192.168.99.1/24") == added
    other = next(item["id"] for item in api(simulator, "GET", "/sites").json()
                 if item["has_pulse"] and item["id"] != site)
    assert "192.168.99.1/24" not in {record["address"] for record in print_on(simulator, other, "/ip/address/print")}


def test_print_of_other_menus_answers_rows_with_defaults_and_unquoted_values(simulator):
    site = online_site(simulator)
    records = print_on(simulator, site, "/ip/dns/static/print")
    assert records == [{".id": "*1", "name": "nas.branch.lan", "address": "192.168.88.10", "type": "A",
                        "ttl": "1d", "disabled": "false", "dynamic": "false"}]
    wifi = print_on(simulator, site, "/interface/wifi/security/print", "=.proplist=name,passphrase")
    assert wifi[0]["name"] == "sec-office" and wifi[0]["passphrase"].startswith("Office Wifi ")
    assert print_on(simulator, site, "/system/ntp/client/print") == [
        {"enabled": "false", "mode": "unicast", "servers": "", "vrf": "main", "status": "stopped"}]
    assert print_on(simulator, site, "/tool/netwatch/print") == []  # a menu the simulator does not model


def test_the_answer_shape_is_switched_at_run_time_and_reset_restores_the_default(server):
    import requests  # pylint: disable=import-outside-toplevel
    site = online_site(server)
    body = {"command": "/interface/ethernet/print", "parameters": "?name=ether2"}
    envelope = sync(server, body).json()
    assert envelope["status"] == "success" and envelope["data"][0]["mac-address"].startswith("48:A9:8A")
    assert envelope["data"][0]["mtu"] == "1500" and envelope["data"][0]["disabled"] == "false"
    assert requests.post(f"{server.url}/_sim/settings", json={"sync_shape": "typed"}, timeout=5).json() == {
        "sync_shape": "typed", "bulk_backups": True, "heartbeat_seconds": 30, "missed_heartbeats": 10}
    typed = sync(server, body).json()
    assert isinstance(typed, list) and typed[0][".id"] == "*2"
    assert typed[0]["mtu"] == 1500 and typed[0]["disabled"] is False and typed[0]["running"] is True
    requests.post(f"{server.url}/_sim/settings", json={"sync_shape": "strings"}, timeout=5)
    strings = sync(server, body).json()
    assert strings["status"] == "success"
    assert strings["data"][0]["mac_address"] == typed[0]["mac-address"] and strings["data"][0]["mtu"] == "1500"
    assert all(isinstance(value, str) and "-" not in key for key, value in strings["data"][0].items())
    single = sync(server, {"command": "/system/identity/print"}).json()["data"]
    assert single == [{"name": next(item["identity"] for item in api(server, "GET", "/sites").json()
                                    if item["id"] == site)}]
    bad = requests.post(f"{server.url}/_sim/settings", json={"sync_shape": "xml"}, timeout=5)
    assert bad.status_code == 400
    requests.post(f"{server.url}/_sim/reset", timeout=5)
    assert sync(server, body).json() == envelope


def test_a_job_that_renames_the_router_changes_its_identity_everywhere(simulator):
    from tests.unit.simulator.test_backups import completed_job  # pylint: disable=import-outside-toplevel
    site = online_site(simulator)
    assert completed_job(simulator, site, script='/system identity set name="core gw"')["completed_at"]
    assert print_on(simulator, site, "/system/identity/print") == [{"name": "core gw"}]
    assert api(simulator, "GET", f"/sites/{site}").json()["identity"] == "core gw"
