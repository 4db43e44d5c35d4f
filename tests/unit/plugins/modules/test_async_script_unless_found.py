"""sdx_async_script's state check (unless_found), with every HTTP call asserted."""

from __future__ import annotations

import json

import pytest
import responses

from ansible_collections.altostrat.sdx.plugins.modules import sdx_async_script
from tests.unit.compat import run_module

API = "https://sdx.test"
SITE = "9c69345c-8d39-4786-9f17-8153c988c89a"
SYNC = f"{API}/api/synchronous/{SITE}"
ARGS = {"api_url": API, "api_token": "alto_sk_x", "site_id": SITE, "description": "Guest address",
        "script": "/ip address add address=192.168.99.1/24 interface=bridge",
        "unless_found": "/ip address print where address=192.168.99.1/24"}


def urls() -> list[str]:
    return [f"{call.request.method} {call.request.url.removeprefix(API)}" for call in responses.calls]


@pytest.mark.parametrize("check_mode", [False, True])
@responses.activate
def test_rows_found_mean_nothing_is_queued_and_no_job_is_read(check_mode):
    responses.post(SYNC, json={"status": "success", "data": [{"_id": "*5", "address": "192.168.99.1/24"}]})
    result = run_module(sdx_async_script.main, {**ARGS, "_ansible_check_mode": check_mode})
    assert result["changed"] is False and result["outcome"] == "found" and result["found"] == 1
    assert urls() == [f"POST /api/synchronous/{SITE}"]
    assert json.loads(responses.calls[0].request.body) == {"command": "/ip/address/print",
                                                           "parameters": "?address=192.168.99.1/24"}


@responses.activate
def test_no_rows_queue_the_script_and_check_mode_predicts_it_with_the_same_read():
    responses.post(SYNC, json=[])
    responses.get(f"{API}/site/{SITE}/job", json=[])
    predicted = run_module(sdx_async_script.main, {**ARGS, "_ansible_check_mode": True})
    assert predicted["changed"] is True and predicted["outcome"] == "would_queue" and predicted["found"] == 0
    assert urls() == [f"POST /api/synchronous/{SITE}", f"GET /site/{SITE}/job"]
    responses.post(f"{API}/api/asynchronous/{SITE}", status=202, json={"data": {"idempotency_key": "k"}})
    result = run_module(sdx_async_script.main, ARGS)
    assert result["changed"] is True and result["outcome"] == "queued"
    assert urls()[2:] == [f"POST /api/synchronous/{SITE}", f"GET /site/{SITE}/job", f"POST /api/asynchronous/{SITE}"]


@pytest.mark.parametrize(("query", "parameters", "message"), [
    ("/ip address remove", None, "unless_found: expected a print query"),
    ("/system script run", None, "unless_found: expected a print query"),
    ("/ip address print where a=1 b=2", None, "unless_found: only one 'where name=value' condition"),
    ("/ip address print", "=do=/system reboot", "unless_found: expected a print query"),
    (None, "?a=b", "unless_found_parameters: only used with unless_found"),
])
@responses.activate
def test_a_query_that_is_not_a_print_is_refused_before_any_request(query, parameters, message):
    result = run_module(sdx_async_script.main, {**ARGS, "unless_found": query, "unless_found_parameters": parameters})
    assert result["failed"] is True and message in result["msg"]
    assert len(responses.calls) == 0
