"""The queue logic at call level: idempotency, reconciliation of unclear POSTs, waiting."""

from __future__ import annotations

import pytest
import requests
import responses

from ansible_collections.altostrat.sdx.plugins.module_utils import _jobs
from ansible_collections.altostrat.sdx.plugins.module_utils._client import SDXClient
from ansible_collections.altostrat.sdx.plugins.module_utils._errors import SDXError
from ansible_collections.altostrat.sdx.plugins.module_utils._models import AsynchronousScriptRequest, Job
from ansible_collections.altostrat.sdx.plugins.module_utils._retry import RetryPolicy

API = "https://sdx.test"
SITE = "9c69345c-8d39-4786-9f17-8153c988c89a"
JOBS = f"{API}/site/{SITE}/job"
QUEUE = f"{API}/api/asynchronous/{SITE}"
REQUEST = AsynchronousScriptRequest(description="Set identity", script="/system identity set name=x")


def job(job_id, key="k-" + "0", script=REQUEST.script, description=REQUEST.description, **times):
    return {"id": job_id, "idempotency_key": key, "script": script, "description": description, **times}


def accepted(key):
    return {"status": "success", "data": {"idempotency_key": key, "request_id": "req-1", "target": SITE}}


@pytest.fixture
def client():
    return SDXClient(API, "t", retry=RetryPolicy(base_delay=0.0), sleep=lambda _s: None)


def posts():
    return [call for call in responses.calls if call.request.method == "POST"]


@responses.activate
@pytest.mark.parametrize("times, reused", [
    ({}, True),
    ({"started_at": "t"}, True),
    ({"started_at": "t", "completed_at": "t"}, True),
    ({"started_at": "t", "failed_at": "t"}, False),
    ({"deleted_at": "t"}, False),
])
def test_plan_reuses_pending_running_and_completed_jobs_only(client, times, reused):
    responses.get(JOBS, json=[job("j1", **times), job("j0", script="/other")])
    plan = _jobs.plan(client, SITE, REQUEST, force=False)
    assert (plan.existing is not None) is reused
    assert plan.known_ids == {"j1", "j0"}


@responses.activate
def test_force_plans_a_new_job_even_when_one_matches(client):
    responses.get(JOBS, json=[job("j1")])
    assert _jobs.plan(client, SITE, REQUEST, force=True).will_queue


@responses.activate
def test_queue_finds_the_new_job_by_idempotency_key(client):
    responses.post(QUEUE, status=202, json=accepted("k-new"))
    responses.get(JOBS, json=[job("j-new", key="k-new"), job("j-old", key="k-old")])
    queued = _jobs.queue(client, SITE, REQUEST, known_ids={"j-old"})
    assert queued.job.id == "j-new"
    assert queued.accepted.request_id == "req-1"
    assert not queued.reconciled


@responses.activate
@pytest.mark.parametrize("failure", [
    {"body": requests.exceptions.ConnectionError("Connection aborted.")},
    {"body": requests.exceptions.ReadTimeout("read timed out")},
    {"status": 502, "json": {}},
    {"status": 500, "body": "<html>oops</html>"},
])
def test_a_post_with_an_unknown_outcome_that_created_a_job_is_adopted_not_repeated(client, failure):
    responses.post(QUEUE, **failure)
    responses.get(JOBS, json=[job("j-created", key="k-x"), job("j-old")])
    queued = _jobs.queue(client, SITE, REQUEST, known_ids={"j-old"})
    assert len(posts()) == 1
    assert queued.reconciled
    assert queued.job.id == "j-created"


@responses.activate
def test_a_post_with_an_unknown_outcome_and_no_new_job_is_sent_again(client):
    responses.post(QUEUE, body=requests.exceptions.ConnectionError("Connection aborted."))
    responses.post(QUEUE, status=202, json=accepted("k-2"))
    responses.get(JOBS, json=[job("j-old")])
    responses.get(JOBS, json=[job("j-2", key="k-2"), job("j-old")])
    queued = _jobs.queue(client, SITE, REQUEST, known_ids={"j-old"})
    assert len(posts()) == 2
    assert queued.job.id == "j-2"
    assert not queued.reconciled


@responses.activate
def test_queueing_gives_up_after_three_unclear_posts_without_a_job(client):
    responses.post(QUEUE, status=503, json={})
    responses.get(JOBS, json=[])
    with pytest.raises(SDXError, match="queueing failed 3 times and no job was created"):
        _jobs.queue(client, SITE, REQUEST, known_ids=set())
    assert len(posts()) == 3


@responses.activate
def test_an_unclear_post_whose_check_fails_too_says_to_check_before_rerunning(client):
    responses.post(QUEUE, status=502, json={})
    responses.get(JOBS, status=500, json={})
    with pytest.raises(SDXError, match="may or may not have created a job"):
        _jobs.queue(client, SITE, REQUEST, known_ids=set())
    assert len(posts()) == 1


@responses.activate
def test_a_clear_rejection_is_not_retried_and_404_names_the_site(client):
    responses.post(QUEUE, status=404, json={"type": "invalid_request_error", "code": "resource_missing",
                                            "message": "No site found."})
    with pytest.raises(SDXError) as caught:
        _jobs.queue(client, SITE, REQUEST, known_ids=set())
    assert str(caught.value).startswith(f"site '{SITE}' was not found: ")
    assert caught.value.code == "resource_missing"
    assert len(responses.calls) == 1


@responses.activate
def test_wait_records_each_status_change(client):
    responses.get(f"{JOBS}/j1", json=job("j1"))
    responses.get(f"{JOBS}/j1", json=job("j1", started_at="t1"))
    responses.get(f"{JOBS}/j1", json=job("j1", started_at="t1"))
    responses.get(f"{JOBS}/j1", json=job("j1", started_at="t1", completed_at="t2"))
    clock = iter(range(100))
    outcome = _jobs.wait(client, SITE, Job.model_validate(job("j1")), timeout=50, interval=1,
                         sleep=lambda _s: None, clock=lambda: next(clock))
    assert [step["status"] for step in outcome.transitions] == ["pending", "running", "completed"]
    assert all(step["seen_at"].endswith("Z") for step in outcome.transitions)
    assert not outcome.timed_out
    assert len(responses.calls) == 4


@responses.activate
def test_wait_stops_at_the_timeout(client):
    responses.get(f"{JOBS}/j1", json=job("j1"))
    now = [0.0]

    def sleep(seconds):
        now[0] += seconds

    outcome = _jobs.wait(client, SITE, Job.model_validate(job("j1")), timeout=10, interval=3,
                         sleep=sleep, clock=lambda: now[0])
    assert outcome.timed_out
    assert outcome.job.status == "pending"
    assert len(responses.calls) == 4  # after 3, 6, 9 and 10 seconds
