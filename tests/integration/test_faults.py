"""Each fault kind on each call sdx_async_script makes: the outcome, and never more than one job."""

from __future__ import annotations

import pytest

FAULTS = {
    "429 with Retry-After": {"action": "status", "status": 429, "retry_after": "1"},
    "429 without Retry-After": {"action": "status", "status": 429},
    "500": {"action": "status", "status": 500},
    "502": {"action": "status", "status": 502},
    "503": {"action": "status", "status": 503},
    "504": {"action": "status", "status": 504},
    "HTML 502 page": {"action": "status", "status": 502, "html": True},
    "drop before processing": {"action": "drop_before"},
    "drop after processing": {"action": "drop_after"},
    "slower than timeout": {"action": "delay", "seconds": 2.5},
}
# What the task does when the fault hits each call: "ok", or a failure whose message holds the text.
EXPECTED = {
    "list": {"500": "SDX API answered HTTP 500 (api_error/internal_server_error)"},
    "post": {},
    "poll": {"500": "SDX API answered HTTP 500 (api_error/internal_server_error)"},
}
RECONCILED = {"drop after processing", "slower than timeout"}


def fault_path(call, site):
    return {"list": f"/site/{site}/job", "post": "/api/asynchronous/", "poll": f"/site/{site}/job/"}[call]


@pytest.mark.parametrize("fault", FAULTS)
@pytest.mark.parametrize("call", ["list", "post", "poll"])
def test_fault_matrix(ansible, sim, site, call, fault):
    method = "POST" if call == "post" else "GET"
    sim.fault(method=method, path=fault_path(call, site), **FAULTS[fault])
    run = ansible.task({"site_id": site, "description": "Fault matrix", "script": "/system identity print",
                        "wait": True, "poll_interval": 0.1, "needs_acknowledgement": True, "timeout": 1.5})
    expected = EXPECTED[call].get(fault, "ok")
    assert [entry["fault"] for entry in sim.log()].count(FAULTS[fault]["action"]) == 1, "the fault did not fire"
    jobs = sim.jobs(site)
    if expected == "ok":
        assert run.status == "changed", run.output
        assert run.result["job"]["status"] == "completed"
        assert len(jobs) == 1
        assert run.result["job"]["id"] == jobs[0]["id"]
        assert run.result["reconciled"] is (call == "post" and fault in RECONCILED)
    else:
        assert run.status == "failed"
        assert expected in run.result["msg"]
        assert run.result["error"]["status"] == 500
        assert len(jobs) == (1 if call == "poll" else 0)
        assert run.result["changed"] is (call == "poll")
