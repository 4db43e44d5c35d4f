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
    assert answer.json()["data"] == [{"name": "ether1"}, {"name": "bridge"}]


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
    assert [(record[".id"], record["address"], record["interface"]) for record in before][:1] == [
        ("*1", "192.168.88.1/24", "bridge")]
    assert before[0]["comment"] == "defconf" and before[-1]["dynamic"] == "true"
    assert "192.168.99.1/24" not in {record["address"] for record in before}
    job = completed_job(simulator, site, script="/ip address add address=192.168.99.1/24 interface=bridge")
    assert job["completed_at"], job
    after = print_on(simulator, site, "/ip/address/print")
    added = [record for record in after if record["address"] == "192.168.99.1/24"]
    assert added == [{".id": "*2", "address": "192.168.99.1/24", "interface": "bridge", "network": "192.168.99.0"}]
    assert print_on(simulator, site, "/ip/address/print", "?address=192.168.99.1/24") == added
    other = next(item["id"] for item in api(simulator, "GET", "/sites").json()
                 if item["has_pulse"] and item["id"] != site)
    assert "192.168.99.1/24" not in {record["address"] for record in print_on(simulator, other, "/ip/address/print")}


def test_print_of_other_configured_sections_answers_records_with_unquoted_values(simulator):
    site = online_site(simulator)
    records = print_on(simulator, site, "/ip/dns/static/print")
    assert records == [{".id": "*1", "address": "192.168.88.10", "name": "nas.branch.lan"}]
    wifi = print_on(simulator, site, "/interface/wifi/security/print", "=.proplist=name,passphrase")
    assert wifi[0]["name"] == "sec-office" and wifi[0]["passphrase"].startswith("Office Wifi ")
    assert print_on(simulator, site, "/system/ntp/client/print") == []
