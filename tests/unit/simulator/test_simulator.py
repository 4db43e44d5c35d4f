"""The simulator answers as the SDX API documentation says (shapes, errors, lifecycle, faults)."""

from __future__ import annotations

import time

import pytest
import requests

from simulator.server import Simulator
from tests.unit.conftest import TOKEN, serve

SITE_FIELDS = {  # Site object, sdx-api.md section 4 ("retrieve a site")
    "id": str, "pid": str, "name": str, "address": (str, type(None)), "has_pulse": bool, "uptime": (str, type(None)),
    "architecture_name": str, "hardware_hash": str, "serial_number": (str, type(None)),
    "software_version": (str, type(None)), "software_id": (str, type(None)), "identity": str, "last_seen_from": str,
    "model": str, "board_name": str, "routerboard": bool, "last_seen": str, "last_seen_at": str, "created_at": str,
    "updated_at": str, "deleted_at": (str, type(None)),
}
JOB_FIELDS = {"id", "token", "site_id", "idempotency_key", "description", "script", "should_backup", "started_at",
              "completed_at", "failed_at", "created_at", "log_url", "express_execute", "needs_acknowledgement",
              "associated_backup"}
ERROR_FIELDS = {"type", "code", "message", "doc_url"}
AUTH = {"Authorization": f"Bearer {TOKEN}"}


def api(server, method, path, **kwargs):
    return requests.request(method, server.url + path, headers=AUTH, timeout=5, **kwargs)


def online_site(server, online=True):
    return next(site for site in api(server, "GET", "/sites").json() if site["has_pulse"] is online)["id"]


def queue(server, site, **body):
    return api(server, "POST", f"/api/asynchronous/{site}", json={"description": "d", "script": "/x", **body})


def wait_for(read, condition, seconds=3.0):
    """Call ``read`` until ``condition`` holds for what it answers, and answer that."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = read()
        if condition(value):
            return value
        time.sleep(0.02)
    raise AssertionError("condition not reached")


def test_sites_list_is_a_bare_array_of_documented_site_objects(simulator):
    sites = api(simulator, "GET", "/sites").json()
    assert isinstance(sites, list) and len(sites) == 8
    for site in sites:
        for name, kind in SITE_FIELDS.items():
            assert isinstance(site[name], kind), name
        assert site["pid"].startswith("site_")
    assert sum(not site["has_pulse"] for site in sites) == 2
    one = api(simulator, "GET", f"/sites/{sites[0]['id']}").json()
    assert one["id"] == sites[0]["id"]


def test_site_metadata_has_tags(simulator):
    metadata = api(simulator, "GET", f"/sites/{online_site(simulator)}/metadata").json()
    assert isinstance(metadata["tags"], list) and metadata["tags"]


def test_async_queue_answers_202_with_the_documented_envelope(simulator):
    site = online_site(simulator)
    answer = queue(simulator, site, notify_url="https://example.com/hook")
    assert answer.status_code == 202
    body = answer.json()
    assert body["status"] == "success"
    assert set(body["data"]) == {"idempotency_key", "request_id", "target", "notify_url", "date"}
    assert body["data"]["target"] == site
    assert body["data"]["notify_url"] == "https://example.com/hook"
    assert body["data"]["date"].endswith("+00:00")


@pytest.mark.parametrize("body, code, needle", [
    ({"script": "/x"}, "parameter_missing", "description"),
    ({"description": "d"}, "parameter_missing", "script"),
    ({"description": "d", "script": ""}, "parameter_invalid", "script"),
    ({"description": "d", "script": "/x", "make_backup": "yes"}, "parameter_invalid", "make_backup"),
    ({"description": "d", "script": "/x", "notify_url": "http://example.com"}, "parameter_invalid", "notify_url"),
])
def test_async_queue_rejects_bad_bodies_with_error_responses(simulator, body, code, needle):
    answer = api(simulator, "POST", f"/api/asynchronous/{online_site(simulator)}", json=body)
    assert answer.status_code == 400
    error = answer.json()
    assert set(error) == ERROR_FIELDS
    assert (error["type"], error["code"]) == ("invalid_request_error", code)
    assert needle in error["message"]
    assert error["doc_url"].endswith(code)


def test_unknown_site_is_a_404_error_response(simulator):
    for method, path in (("GET", "/sites/nope"), ("GET", "/site/nope/job"), ("POST", "/api/asynchronous/nope")):
        answer = api(simulator, method, path, json={"description": "d", "script": "/x"})
        assert answer.status_code == 404
        assert answer.json()["code"] == "resource_missing"


def test_a_wrong_or_missing_token_gets_401_with_a_message_body(simulator):
    assert requests.get(simulator.url + "/sites", timeout=5).json() == {"message": "Unauthenticated."}
    answer = requests.get(simulator.url + "/sites", headers={"Authorization": "Bearer wrong"}, timeout=5)
    assert answer.status_code == 401


@pytest.fixture
def lifecycle_simulator():
    """Phases long enough (about 2 s pending, 1.5 s running) to be seen whatever the machine's load."""
    with serve(Simulator(sites=2, offline_ratio=0.0, token=TOKEN, rate_limit=0, seed=3, time_scale=0.5)) as server:
        yield server


def test_jobs_move_from_pending_through_running_to_completed(lifecycle_simulator):
    simulator = lifecycle_simulator
    site = online_site(simulator)
    key = queue(simulator, site, needs_acknowledgement=True).json()["data"]["idempotency_key"]
    jobs = api(simulator, "GET", f"/site/{site}/job").json()
    assert len(jobs) == 1 and set(jobs[0]) >= JOB_FIELDS
    job = jobs[0]
    assert job["idempotency_key"] == key
    assert (job["started_at"], job["completed_at"], job["failed_at"]) == (None, None, None)
    path = f"/site/{site}/job/{job['id']}"
    running = wait_for(lambda: api(simulator, "GET", path).json(),
                       lambda j: j["started_at"] and not j["completed_at"], seconds=10.0)
    assert running["failed_at"] is None
    done = wait_for(lambda: api(simulator, "GET", path).json(), lambda j: j["completed_at"], seconds=10.0)
    assert done["started_at"] <= done["completed_at"]


def test_error_scripts_fail_only_when_acknowledged(simulator):
    site = online_site(simulator)
    queue(simulator, site, script="/x :error", needs_acknowledgement=True)
    queue(simulator, site, script="/y :error", needs_acknowledgement=False)
    jobs = wait_for(lambda: api(simulator, "GET", f"/site/{site}/job").json(),
                    lambda js: all(j["completed_at"] or j["failed_at"] for j in js))
    by_script = {job["script"]: job for job in jobs}
    assert by_script["/x :error"]["failed_at"] and not by_script["/x :error"]["completed_at"]
    assert by_script["/y :error"]["completed_at"] == by_script["/y :error"]["started_at"]
    assert [job["script"] for job in jobs] == ["/y :error", "/x :error"]  # newest first


def test_jobs_of_offline_sites_stay_pending_until_the_site_checks_in(simulator):
    site = online_site(simulator, online=False)
    queue(simulator, site, express_execute=True)
    time.sleep(0.3)
    assert api(simulator, "GET", f"/site/{site}/job").json()[0]["started_at"] is None
    requests.post(f"{simulator.url}/_sim/sites/{site}", json={"online": True}, timeout=5)
    wait_for(lambda: api(simulator, "GET", f"/site/{site}/job").json(), lambda js: js[0]["completed_at"])


def test_only_pending_jobs_can_be_cancelled(simulator):
    site = online_site(simulator, online=False)
    queue(simulator, site)
    job_id = api(simulator, "GET", f"/site/{site}/job").json()[0]["id"]
    assert api(simulator, "DELETE", f"/site/{site}/job/{job_id}").status_code == 204
    assert api(simulator, "GET", f"/site/{site}/job/{job_id}").status_code == 404
    running_site = online_site(simulator)
    queue(simulator, running_site)
    started = wait_for(lambda: api(simulator, "GET", f"/site/{running_site}/job").json(),
                       lambda js: js[0]["started_at"])[0]
    answer = api(simulator, "DELETE", f"/site/{running_site}/job/{started['id']}")
    assert answer.status_code == 400
    assert answer.json()["code"] == "job_already_started"


def test_synchronous_commands_answer_records_and_fail_offline(simulator):
    answer = api(simulator, "POST", f"/api/synchronous/{online_site(simulator)}",
                 json={"command": "/system/resource/print"}).json()
    assert answer["status"] == "success" and answer["data"][0]["board-name"]
    offline = api(simulator, "POST", f"/api/synchronous/{online_site(simulator, online=False)}",
                  json={"command": "/system/resource/print"})
    assert offline.status_code == 409 and offline.json()["code"] == "site_offline"


@pytest.mark.parametrize("retry_after", [True, False])
def test_rate_limit_answers_429_once_the_minute_is_spent(retry_after):
    sim = Simulator(sites=2, offline_ratio=0, token=TOKEN, rate_limit=3, seed=1, time_scale=1, retry_after=retry_after)
    with serve(sim) as server:
        statuses = [api(server, "GET", "/sites") for _attempt in range(4)]
        assert [answer.status_code for answer in statuses] == [200, 200, 200, 429]
        assert statuses[2].headers["X-RateLimit-Remaining"] == "0"
        assert ("Retry-After" in statuses[3].headers) is retry_after
        if retry_after:
            assert 1 <= int(statuses[3].headers["Retry-After"]) <= 60


def test_sites_can_be_paginated_laravel_style():
    sim = Simulator(sites=5, offline_ratio=0, token=TOKEN, rate_limit=0, seed=1, time_scale=1, page_size=2)
    with serve(sim) as server:
        ids, url = [], server.url + "/sites"
        while url:
            page = requests.get(url, headers=AUTH, timeout=5).json()
            ids += [site["id"] for site in page["data"]]
            url = page["links"]["next"]
        assert len(set(ids)) == 5


def add_fault(server, **rule):
    assert requests.post(server.url + "/_sim/faults", json=rule, timeout=5).status_code == 201


def test_fault_status_with_retry_after_and_html(simulator):
    add_fault(simulator, action="status", status=503, retry_after=2, path="/sites")
    add_fault(simulator, action="status", status=502, html=True, path="/sites")
    first, second, third = (api(simulator, "GET", "/sites") for _attempt in range(3))
    assert (first.status_code, first.headers["Retry-After"]) == (503, "2")
    assert second.status_code == 502 and second.headers["Content-Type"] == "text/html"
    assert "<html>" in second.text
    assert third.status_code == 200


@pytest.mark.parametrize("action, jobs_after", [("drop_before", 0), ("drop_after", 1)])
def test_fault_drops_connection_before_or_after_processing(simulator, action, jobs_after):
    site = online_site(simulator)
    add_fault(simulator, action=action, method="POST", path="/api/asynchronous/")
    with pytest.raises(requests.exceptions.ConnectionError):
        queue(simulator, site)
    assert len(api(simulator, "GET", f"/site/{site}/job").json()) == jobs_after


def test_fault_delay_and_skip_and_the_request_log(simulator):
    add_fault(simulator, action="delay", seconds=0.5, method="GET", path="/sites", skip=1)
    api(simulator, "GET", "/sites")
    with pytest.raises(requests.exceptions.ReadTimeout):
        requests.get(simulator.url + "/sites", headers=AUTH, timeout=0.2)
    time.sleep(0.5)
    log = requests.get(simulator.url + "/_sim/requests", timeout=5).json()
    assert [(entry["method"], entry["path"], entry["fault"]) for entry in log] == [
        ("GET", "/sites", None), ("GET", "/sites", "delay")]
    assert all(entry["auth"] == "ok" for entry in log)
    assert TOKEN not in str(log)


def test_ten_thousand_sites_are_served():
    sim = Simulator(sites=10000, offline_ratio=0.1, token=TOKEN, rate_limit=0, seed=1, time_scale=1)
    with serve(sim) as server:
        sites = api(server, "GET", "/sites").json()
        assert len(sites) == 10000 and len({site["id"] for site in sites}) == 10000
        assert sum(not site["has_pulse"] for site in sites) == 1000
