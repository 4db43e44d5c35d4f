"""sdx_command through ansible-playbook: disguised writes refused with nothing sent, parameters sent as given."""

from __future__ import annotations

import json

import pytest

from tests.unit.plugins.module_utils.test_commands import DISGUISED_WRITES

COMMAND = "altostrat.sdx.sdx_command"


@pytest.mark.parametrize("check", [False, True], ids=["run", "check mode"])
def test_every_disguised_write_is_refused_and_nothing_reaches_the_api(ansible, sim, site, tmp_path, check):
    tasks = []
    for index, (command, parameters) in enumerate(DISGUISED_WRITES):
        args = {"site_id": site, "command": command, **({"parameters": parameters} if parameters else {})}
        tasks.append({"name": f"case {index}", COMMAND: args, "ignore_errors": True})
    playbook = tmp_path / "disguised.yml"
    playbook.write_text(json.dumps([{"name": "disguised writes", "hosts": "localhost", "gather_facts": False,
                                     "tasks": tasks}]))
    run = ansible.playbook(playbook, *(["--check"] if check else []))
    results = {record["task"]: record for record in run.records}
    assert len(results) == len(DISGUISED_WRITES) >= 20
    for index, (command, _parameters) in enumerate(DISGUISED_WRITES):
        record = results[f"case {index}"]
        assert record["status"] == "failed", (command, record["result"])
        assert record["result"]["msg"].startswith("command: "), (command, record["result"]["msg"])
    assert sim.log() == [], "a disguised write reached the API"


def test_a_read_with_where_is_translated_into_a_query_word(ansible, sim, site):
    run = ansible.task({"site_id": site, "command": "/ip address print where address=192.168.88.1/24"},
                       module=COMMAND)
    assert run.status == "ok", run.output
    assert run.result["output"] == [{".id": "*1", "address": "192.168.88.1/24", "comment": "defconf",
                                     "interface": "bridge", "network": "192.168.88.0", "disabled": "false",
                                     "actual-interface": "bridge", "invalid": "false", "dynamic": "false"}]
    assert [entry["body"] for entry in sim.log("POST")] == [
        {"command": "/ip/address/print", "parameters": "?address=192.168.88.1/24"}]


def test_arguments_in_the_command_are_refused_with_the_parameters_that_carry_them(ansible, sim, site):
    url = "https://files.example.com/guest.rsc"
    run = ansible.task({"site_id": site, "command": f"/tool fetch url={url}"}, module=COMMAND)
    assert run.status == "failed"
    assert f"give command: /tool/fetch and parameters: '=url={url}'" in " ".join(run.result["msg"].split())
    assert sim.log() == []


def test_parameters_reach_the_api_byte_for_byte_in_either_shape(ansible, sim, site):
    word = "=.proplist=name,type"
    read = ansible.task({"site_id": site, "command": "/interface/print", "parameters": word}, module=COMMAND)
    assert read.status == "ok", read.output
    assert read.result["output"][:1] + read.result["output"][-2:] == [
        {"name": "ether1", "type": "ether"}, {"name": "bridge", "type": "bridge"}, {"name": "wg-hq", "type": "wg"}]
    # The shape of the older page: sent as given; the simulator follows this path's own document and refuses it.
    words = ["?type=ether", "=.proplist=name"]
    other = ansible.task({"site_id": site, "command": "/interface/print", "parameters": words}, module=COMMAND)
    assert other.status == "failed"
    assert other.result["error"]["status"] == 400 and other.result["error"]["code"] == "parameter_invalid"
    assert [entry["body"] for entry in sim.log("POST")] == [
        {"command": "/interface/print", "parameters": word}, {"command": "/interface/print", "parameters": words}]


@pytest.mark.parametrize("parameters", [42, {"type": "ether"}, ["?type=ether", 7]])
def test_parameters_of_another_type_are_refused_naming_the_option(ansible, sim, site, parameters):
    run = ansible.task({"site_id": site, "command": "/interface/print", "parameters": parameters}, module=COMMAND)
    assert run.status == "failed"
    assert run.result["msg"].startswith("parameters: expected an API word")
    assert sim.log() == []


def test_print_flags_network_engineers_type_are_read_only(ansible, sim, site):
    detail = ansible.task({"site_id": site, "command": "/ip address print detail where interface=bridge"},
                          module=COMMAND)
    assert detail.status == "ok", detail.output
    assert [row["address"] for row in detail.result["output"]] == ["192.168.88.1/24"]
    counted = ansible.task({"site_id": site, "command": "/ip address print count-only without-paging"},
                           module=COMMAND)
    assert counted.status == "ok", counted.output
    assert counted.result["count"] == 2
    assert [entry["body"] for entry in sim.log("POST")] == [
        {"command": "/ip/address/print", "parameters": "?interface=bridge"}, {"command": "/ip/address/print"}]
