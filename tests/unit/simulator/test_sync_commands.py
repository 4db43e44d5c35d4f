"""The simulator's synchronous command endpoint follows the documentation of its exact path."""

from __future__ import annotations

import pytest

from tests.simulator.server import Simulator
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
