"""sdx_config in-process, with every HTTP call asserted (the simulator-backed runs are in tests/integration)."""

from __future__ import annotations

import json

import pytest
import responses

from ansible_collections.altostrat.sdx.plugins.modules import sdx_config
from tests.unit.compat import run_module

API = "https://sdx.test"
SITE = "9c69345c-8d39-4786-9f17-8153c988c89a"
JOB = "0eb76fdc-b556-4ca3-91ac-0b8a5b606053"
KEY = "c4a3498b-ead4-47c6-aa4f-d4662e1fdb54"
CONNECTION = {"api_url": API, "api_token": "alto_sk_x", "site_id": SITE, "poll_interval": 0.01}
SYNC = f"{API}/api/synchronous/{SITE}"
JOBS = f"{API}/site/{SITE}/job"

# /ip/address/print as a RouterOS 7 router answers it through the API (typed rows).
TYPED_ADDRESSES = [
    {".id": "*1", "address": "192.168.88.1/24", "network": "192.168.88.0", "interface": "bridge",
     "actual-interface": "bridge", "invalid": False, "dynamic": False, "disabled": False, "comment": "defconf"},
    {".id": "*3", "address": "100.64.12.7/22", "network": "100.64.12.0", "interface": "ether1",
     "actual-interface": "ether1", "invalid": False, "dynamic": True, "disabled": False},
]
# The same rows in the MikroCloud shape: every value a string, underscored keys.
STRING_ADDRESSES = {"status": "success", "data": [
    {"_id": "*1", "address": "192.168.88.1/24", "network": "192.168.88.0", "interface": "bridge",
     "actual_interface": "bridge", "invalid": "false", "dynamic": "false", "disabled": "false", "comment": "defconf"},
    {"_id": "*3", "address": "100.64.12.7/22", "network": "100.64.12.0", "interface": "ether1",
     "actual_interface": "ether1", "invalid": "false", "dynamic": "true", "disabled": "false"},
]}
GUEST = {"address": "192.168.99.1/24", "interface": "bridge", "comment": "guest"}


def methods() -> list[str]:
    return [f"{call.request.method} {call.request.url.removeprefix(API)}" for call in responses.calls]


def config(**args) -> dict:
    return run_module(sdx_config.main, {**CONNECTION, "path": "ip address", **args})


@pytest.mark.parametrize("answer", [TYPED_ADDRESSES, {"status": "success", "data": TYPED_ADDRESSES}, STRING_ADDRESSES],
                         ids=["bare-typed", "enveloped-typed", "all-strings"])
@responses.activate
def test_a_compliant_router_costs_one_read_and_no_post(answer):
    responses.post(SYNC, json=answer)
    result = config(data=[{"address": "192.168.88.1/24", "interface": "bridge", "comment": "defconf"}])
    assert result["changed"] is False and result["converged"] is True
    assert result["commands"] == [] and result["job"] is None
    assert methods() == [f"POST /api/synchronous/{SITE}"]
    assert json.loads(responses.calls[0].request.body) == {"command": "/ip/address/print"}
    assert result["before"] == [{"address": "192.168.88.1/24", "interface": "bridge", "comment": "defconf"}]


@responses.activate
def test_check_mode_reads_predicts_and_sends_no_post():
    responses.post(SYNC, json=TYPED_ADDRESSES)
    result = config(data=[GUEST], _ansible_check_mode=True, _ansible_diff=True)
    assert result["changed"] is True and result["converged"] is None
    assert result["commands"] == ["/ip address add address=192.168.99.1/24 interface=bridge comment=guest"]
    assert result["after"][-1] == GUEST
    assert '"comment": "guest"' in result["diff"]["after"] and "guest" not in result["diff"]["before"]
    assert methods() == [f"POST /api/synchronous/{SITE}"]


@responses.activate
def test_a_change_is_one_job_then_a_second_read_confirms_it():
    after = [*TYPED_ADDRESSES, {".id": "*4", **GUEST, "network": "192.168.99.0", "dynamic": False}]
    responses.post(SYNC, json=TYPED_ADDRESSES)
    responses.post(SYNC, json=after)
    responses.get(JOBS, json=[])
    responses.post(f"{API}/api/asynchronous/{SITE}", status=202,
                   json={"data": {"idempotency_key": KEY, "request_id": "r"}})
    responses.get(JOBS, json=[{"id": JOB, "idempotency_key": KEY, "description": "sdx_config ip address (merged)",
                               "created_at": "t", "started_at": "t", "completed_at": "t"}])
    result = config(data=[GUEST])
    assert result["changed"] is True and result["converged"] is True, result
    assert result["job"]["id"] == JOB and result["after"][-1] == GUEST
    queued = json.loads(responses.calls[2].request.body)
    assert queued["script"] == "/ip address add address=192.168.99.1/24 interface=bridge comment=guest\n"
    assert queued["needs_acknowledgement"] is True
    assert methods() == [f"POST /api/synchronous/{SITE}", f"GET /site/{SITE}/job", f"POST /api/asynchronous/{SITE}",
                         f"GET /site/{SITE}/job", f"POST /api/synchronous/{SITE}"]


@responses.activate
def test_a_router_that_does_not_hold_the_change_afterwards_fails_with_the_difference():
    responses.post(SYNC, json=TYPED_ADDRESSES)
    responses.get(JOBS, json=[])
    responses.post(f"{API}/api/asynchronous/{SITE}", status=202, json={"data": {"idempotency_key": KEY}})
    responses.get(JOBS, json=[{"id": JOB, "idempotency_key": KEY, "description": "d", "completed_at": "t"}])
    result = config(data=[GUEST])
    assert result["failed"] is True and result["changed"] is True and result["converged"] is False
    assert result["difference"] == ["/ip address add address=192.168.99.1/24 interface=bridge comment=guest"]
    assert "does not hold the desired state" in result["msg"]


@responses.activate
def test_a_failed_job_fails_the_task_as_changed():
    responses.post(SYNC, json=TYPED_ADDRESSES)
    responses.get(JOBS, json=[])
    responses.post(f"{API}/api/asynchronous/{SITE}", status=202, json={"data": {"idempotency_key": KEY}})
    responses.get(JOBS, json=[{"id": JOB, "idempotency_key": KEY, "description": "d", "failed_at": "t"}])
    result = config(data=[GUEST])
    assert result["failed"] is True and result["changed"] is True
    assert "first error" in result["msg"]
    assert sum(call.request.url.endswith(f"asynchronous/{SITE}") for call in responses.calls) == 1


@responses.activate
def test_gathered_returns_the_data_format_without_dynamic_entries():
    responses.post(SYNC, json=STRING_ADDRESSES)
    result = config(state="gathered")
    assert result["gathered"] == [{"address": "192.168.88.1/24", "interface": "bridge", "comment": "defconf"}]
    assert result["changed"] is False


@responses.activate
def test_rendered_and_parsed_make_no_request_and_need_no_site():
    args = {key: value for key, value in CONNECTION.items() if key != "site_id"}
    rendered = run_module(sdx_config.main, {**args, "path": "ip address", "state": "rendered", "data": [GUEST]})
    assert rendered["rendered"] == ["/ip address add address=192.168.99.1/24 interface=bridge comment=guest"]
    export = "# 2026-12-06 by RouterOS 7.16\n/ip address\nadd address=192.168.88.1/24 comment=defconf interface=bridge \\\n    network=192.168.88.0\n"
    parsed = run_module(sdx_config.main, {**args, "path": "ip address", "state": "parsed", "running_config": export})
    assert parsed["parsed"] == [{"address": "192.168.88.1/24", "comment": "defconf", "interface": "bridge"}]
    assert len(responses.calls) == 0


@pytest.mark.parametrize(("data", "message"), [
    ([{"address": "10.0.0.1/24", "interface": "bridge", "colour": "red"}], "data[0].colour: menu 'ip address' has no property 'colour'"),
    ([{"address": "10.0.0.1/24"}], "data[0]: misses interface"),
    ([{"address": ["10.0.0.1/24"], "interface": "bridge"}], "data[0].address: expected a string, number or boolean, got list"),
    ([{"address": "10.0.0.1/24", "interface": "bridge", "network": "10.0.0.0"}], "data[0].network: is read-only"),
    (["address=10.0.0.1/24"], "data[0]: expected a dict"),
])
@responses.activate
def test_bad_input_fails_before_any_request(data, message):
    result = config(data=data)
    assert result["failed"] is True
    assert message in result["msg"]
    assert len(responses.calls) == 0


@responses.activate
def test_an_unknown_menu_fails_clearly_unless_keys_are_given():
    result = run_module(sdx_config.main, {**CONNECTION, "path": "ip frobnicator", "data": [{"name": "x"}]})
    assert result["failed"] is True and "does not know the menu 'ip frobnicator'" in result["msg"]
    assert len(responses.calls) == 0
    responses.post(SYNC, json=[{".id": "*1", "name": "x"}])
    result = run_module(sdx_config.main, {**CONNECTION, "path": "ip frobnicator", "keys": ["name"],
                                          "data": [{"name": "x"}]})
    assert result["changed"] is False and result["converged"] is True


@responses.activate
def test_overridden_on_a_menu_that_cannot_be_identified_or_ordered_is_refused():
    result = run_module(sdx_config.main, {**CONNECTION, "path": "ip arp", "state": "overridden",
                                          "data": [{"interface": "bridge", "address": "10.0.0.2"}]})
    assert result["failed"] is True
    assert "neither identifying keys nor an order" in result["msg"]
    assert len(responses.calls) == 0


@responses.activate
def test_secrets_stay_out_of_the_result_and_are_sent_only_on_create():
    users = [{".id": "*1", "name": "admin", "group": "full", "disabled": False, "expired": False}]
    responses.post(SYNC, json=users)
    result = run_module(sdx_config.main, {**CONNECTION, "path": "user", "_ansible_check_mode": True,
                                          "data": [{"name": "admin", "group": "full", "password": "Sup3r-s3cret"},
                                                   {"name": "ops", "group": "read", "password": "An0ther-s3cret"}]})
    assert result["changed"] is True
    assert result["commands"] == ["/user add name=ops group=read password=********"]
    text = json.dumps(result)
    assert "Sup3r-s3cret" not in text and "An0ther-s3cret" not in text
    if "invocation" in result:  # ansible-core 2.21 leaves it out unless configured
        assert result["invocation"]["module_args"]["data"][0]["password"] == "VALUE_SPECIFIED_IN_NO_LOG_PARAMETER"


@responses.activate
def test_update_secrets_always_sets_them_on_every_run():
    users = [{".id": "*1", "name": "admin", "group": "full", "disabled": False}]
    responses.post(SYNC, json=users)
    result = run_module(sdx_config.main, {**CONNECTION, "path": "user", "_ansible_check_mode": True,
                                          "update_secrets": "always",
                                          "data": [{"name": "admin", "group": "full", "password": "Sup3r-s3cret"}]})
    assert result["changed"] is True
    assert result["commands"] == ["/user set [find where name=admin] password=********"]
