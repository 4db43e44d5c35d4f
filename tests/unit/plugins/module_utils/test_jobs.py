"""The queue logic at call level: idempotency, one POST per run, reconciliation, locating, waiting."""

from __future__ import annotations

import pytest
import requests
import responses

from ansible_collections.altostrat.sdx.plugins.module_utils import _jobs
from ansible_collections.altostrat.sdx.plugins.module_utils._client import SDXClient
from ansible_collections.altostrat.sdx.plugins.module_utils._errors import SDXError
from ansible_collections.altostrat.sdx.plugins.module_utils._models import AsynchronousScriptRequest, Job
from ansible_collections.altostrat.sdx.plugins.module_utils._retry import RetryPolicy
from ansible_collections.altostrat.sdx.plugins.module_utils._site_api import SiteAPI
from tests.unit.compat import FakeClock

API = "https://sdx.test"
SITE = "9c69345c-8d39-4786-9f17-8153c988c89a"
JOBS = f"{API}/site/{SITE}/job"
QUEUE = f"{API}/api/asynchronous/{SITE}"
REQUEST = AsynchronousScriptRequest(description="Set identity", script="/system identity set name=x")
UNKNOWN_OUTCOMES = [
    {"body": requests.exceptions.ConnectionError("Connection aborted.")},
    {"body": requests.exceptions.ReadTimeout("read timed out")},
    {"status": 502, "json": {}},
    {"status": 500, "body": "<html>oops</html>"},
]


def job(job_id, key="k-0", script=REQUEST.script, description=REQUEST.description, **fields):
    return {"id": job_id, "idempotency_key": key, "script": script, "description": description, **fields}


def accepted(key):
    return {"status": "success", "data": {"idempotency_key": key, "request_id": "req-1", "target": SITE}}


@pytest.fixture
def fake():
    return FakeClock()


@pytest.fixture
def client(fake):
    return SDXClient(API, "t", retry=RetryPolicy(base_delay=0.0), sleep=fake.sleep, clock=fake.clock)


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
    plan = _jobs.plan(SiteAPI(client, SITE), REQUEST, force=False)
    assert (plan.existing is not None) is reused
    assert plan.known_ids == {"j1", "j0"}


@responses.activate
def test_force_plans_a_new_job_even_when_one_matches(client):
    responses.get(JOBS, json=[job("j1")])
    assert _jobs.plan(SiteAPI(client, SITE), REQUEST, force=True).will_queue


@responses.activate
@pytest.mark.parametrize("option", ["make_backup", "needs_acknowledgement", "express_execute"])
def test_a_job_queued_with_other_options_is_not_the_same_job(client, option):
    listed = {"make_backup": "should_backup"}.get(option, option)
    responses.get(JOBS, json=[job("j1", **{listed: False})])
    request = AsynchronousScriptRequest(description=REQUEST.description, script=REQUEST.script, **{option: True})
    assert _jobs.plan(SiteAPI(client, SITE), request, force=False).will_queue
    assert not _jobs.plan(SiteAPI(client, SITE), REQUEST, force=False).will_queue


@responses.activate
def test_queue_is_one_post_and_no_read(client):
    responses.post(QUEUE, status=202, json=accepted("k-new"))
    queued = _jobs.queue(SiteAPI(client, SITE), REQUEST, known_ids={"j-old"})
    assert len(responses.calls) == 1
    assert queued.accepted.idempotency_key == "k-new" and queued.accepted.request_id == "req-1"
    assert not queued.reconciled and queued.warning is None


@responses.activate
@pytest.mark.parametrize("failure", UNKNOWN_OUTCOMES)
def test_a_post_with_an_unknown_outcome_that_created_a_job_is_adopted_not_repeated(client, failure):
    responses.post(QUEUE, **failure)
    responses.get(JOBS, json=[job("j-created", key="k-x"), job("j-old")])
    queued = _jobs.queue(SiteAPI(client, SITE), REQUEST, known_ids={"j-old"})
    assert len(posts()) == 1
    assert queued.reconciled
    assert queued.adopted.id == "j-created"


@responses.activate
def test_a_job_that_lands_late_in_the_settle_window_is_adopted_and_the_post_never_repeated(client, fake):
    responses.post(QUEUE, body=requests.exceptions.ReadTimeout("read timed out"))
    for _read in range(5):
        responses.get(JOBS, json=[job("j-old")])
    responses.get(JOBS, json=[job("j-late", key="k-late"), job("j-old")])
    queued = _jobs.queue(SiteAPI(client, SITE), REQUEST, known_ids={"j-old"}, settle_timeout=60, sleep=fake.sleep,
                         clock=fake.clock)
    assert queued.adopted.id == "j-late"
    assert len(posts()) == 1
    assert fake.sleeps == [1.0, 2.0, 4.0, 5.0, 5.0]  # backs off to a read every 5 s


@responses.activate
@pytest.mark.parametrize("failure", UNKNOWN_OUTCOMES)
def test_an_unknown_outcome_with_no_job_fails_after_the_settle_window_without_a_second_post(client, fake, failure):
    responses.post(QUEUE, **failure)
    responses.get(JOBS, json=[job("j-old")])
    with pytest.raises(_jobs.OutcomeUnknown) as caught:
        _jobs.queue(SiteAPI(client, SITE), REQUEST, known_ids={"j-old"}, settle_timeout=20, sleep=fake.sleep,
                    clock=fake.clock)
    message = str(caught.value)
    assert message.startswith(f"the outcome of the queue request is unknown: POST {QUEUE} got no clear answer")
    assert f"no new matching job appeared in GET {JOBS} within 20 seconds (settle_timeout)" in message
    assert "It was not sent again. Re-running the task is safe" in message
    assert len(posts()) == 1
    assert fake.now == pytest.approx(20)


READ_ERROR = {"type": "api_error", "code": "internal_server_error", "message": "Something went wrong on our end.",
              "doc_url": "https://docs.altostrat.io/errors/internal_server_error"}


@responses.activate
def test_a_failed_read_does_not_end_the_settle_window_and_the_job_is_still_adopted(client, fake):
    responses.post(QUEUE, body=requests.exceptions.ReadTimeout("read timed out"))
    responses.get(JOBS, status=500, json=READ_ERROR)
    responses.get(JOBS, json=[job("j-old")])
    responses.get(JOBS, json=[job("j-late", key="k-late"), job("j-old")])
    queued = _jobs.queue(SiteAPI(client, SITE), REQUEST, known_ids={"j-old"}, settle_timeout=60, sleep=fake.sleep,
                         clock=fake.clock)
    assert queued.adopted.id == "j-late"
    assert len(posts()) == 1
    assert fake.sleeps == [1.0, 2.0]


@responses.activate
def test_when_every_read_fails_the_unknown_outcome_comes_after_the_whole_window_with_the_read_error(client, fake):
    responses.post(QUEUE, body=requests.exceptions.ReadTimeout("read timed out"))
    responses.get(JOBS, status=500, json=READ_ERROR)
    with pytest.raises(_jobs.OutcomeUnknown) as caught:
        _jobs.queue(SiteAPI(client, SITE), REQUEST, known_ids=set(), settle_timeout=20, sleep=fake.sleep, clock=fake.clock)
    assert fake.now == pytest.approx(20), "the window is not cut short by a failed read"
    reads = len(responses.calls) - 1
    assert reads == 7  # at 0, 1, 3, 7, 12, 17 and 20 seconds
    message = str(caught.value)
    assert f"all {reads} reads of GET {JOBS} during the settle window of 20 seconds (settle_timeout) failed, the " \
           f"last with: SDX API answered HTTP 500" in message
    assert "Re-running the task is safe now that the settle window has passed" in message
    assert caught.value.to_dict() == {"status": 500, **READ_ERROR}
    assert len(posts()) == 1


@responses.activate
def test_reads_that_fail_among_reads_that_answer_are_counted_in_the_unknown_outcome(client, fake):
    responses.post(QUEUE, status=502, json={"type": "api_error", "code": "bad_gateway", "message": "upstream"})
    responses.get(JOBS, status=500, json=READ_ERROR)
    responses.get(JOBS, json=[job("j-old")])
    with pytest.raises(_jobs.OutcomeUnknown) as caught:
        _jobs.queue(SiteAPI(client, SITE), REQUEST, known_ids={"j-old"}, settle_timeout=20, sleep=fake.sleep,
                    clock=fake.clock)
    message = str(caught.value)
    assert f"no new matching job appeared in GET {JOBS} within 20 seconds (settle_timeout); 1 of 7 reads " \
           f"failed, the last with: SDX API answered HTTP 500" in message
    assert caught.value.status == 502 and caught.value.code == "bad_gateway"
    assert fake.now == pytest.approx(20)


@responses.activate
@pytest.mark.parametrize("status", [400, 404, 422])
def test_a_refused_request_is_not_retried_nor_reconciled(client, status):
    responses.post(QUEUE, status=status, json={"type": "invalid_request_error", "code": "resource_missing",
                                               "message": "No."})
    with pytest.raises(SDXError) as caught:
        _jobs.queue(SiteAPI(client, SITE), REQUEST, known_ids=set())
    assert not isinstance(caught.value, _jobs.OutcomeUnknown)
    assert caught.value.status == status
    assert len(responses.calls) == 1
    if status == 404:
        assert str(caught.value).startswith(f"site '{SITE}' was not found: ")


@responses.activate
@pytest.mark.parametrize("answer, problem", [
    ({"json": "queued"}, "a str that is not a AsynchronousScriptAccepted"),
    ({"json": {"status": "success", "data": {}}}, "idempotency_key: Field required"),
    ({"body": "Accepted"}, "is not JSON"),
])
def test_an_accepted_answer_that_cannot_be_read_is_still_accepted_with_a_warning(client, answer, problem):
    responses.post(QUEUE, status=202, **answer)
    queued = _jobs.queue(SiteAPI(client, SITE), REQUEST, known_ids=set())
    assert queued.accepted is None and not queued.reconciled
    assert queued.warning.startswith("SDX accepted the script but its answer could not be read")
    assert problem in queued.warning and f"POST {QUEUE}" in queued.warning
    assert len(responses.calls) == 1


def test_the_pending_result_holds_what_the_answer_told():
    queued = _jobs.Queued(accepted=_jobs.AsynchronousScriptAccepted(idempotency_key="k", date="d"))
    assert _jobs.pending_result(SITE, REQUEST, queued) == {
        "id": None, "idempotency_key": "k", "site_id": SITE, "description": REQUEST.description,
        "status": "pending", "created_at": "d"}


@responses.activate
def test_the_first_poll_is_the_look_up_and_a_done_job_needs_no_more(client, fake):
    responses.get(JOBS, json=[job("j-new", key="k-new", started_at="t1", completed_at="t2"), job("j-old")])
    outcome = _jobs.wait(SiteAPI(client, SITE), _jobs.Target(idempotency_key="k-new"), timeout=60, interval=2,
                         sleep=fake.sleep, clock=fake.clock)
    assert outcome.job.id == "j-new" and outcome.job.status == "completed"
    assert [step["status"] for step in outcome.transitions] == ["pending", "completed"]
    assert len(responses.calls) == 1 and fake.sleeps == [2]


@responses.activate
def test_after_the_look_up_polls_read_the_job_itself(client, fake):
    responses.get(JOBS, json=[job("j-new", key="k-new")])
    responses.get(f"{JOBS}/j-new", json=job("j-new", key="k-new", started_at="t1", completed_at="t2"))
    outcome = _jobs.wait(SiteAPI(client, SITE), _jobs.Target(idempotency_key="k-new"), timeout=60, interval=2,
                         sleep=fake.sleep, clock=fake.clock)
    assert outcome.job.status == "completed"
    assert [call.request.url for call in responses.calls] == [JOBS, f"{JOBS}/j-new"]


@responses.activate
def test_a_job_missing_from_the_list_fails_clearly_within_the_locate_window(client, fake):
    responses.get(JOBS, json=[job("j-old", key="k-old")])
    with pytest.raises(SDXError) as caught:
        _jobs.wait(SiteAPI(client, SITE), _jobs.Target(idempotency_key="k-new"), timeout=300, interval=5,
                   sleep=fake.sleep, clock=fake.clock)
    message = str(caught.value)
    assert message.startswith("SDX accepted the script, but after 15 seconds no job with idempotency key k-new "
                              f"is listed by GET {JOBS}")
    assert "a re-run cannot tell the script was queued and would queue it again" in message
    assert all(call.request.url == JOBS for call in responses.calls)
    assert len(responses.calls) == 3 and fake.now == pytest.approx(15)


@responses.activate
def test_a_short_wait_timeout_still_fails_as_not_listed(client, fake):
    responses.get(JOBS, json=[])
    with pytest.raises(SDXError, match="no job with idempotency key k-new is listed"):
        _jobs.wait(SiteAPI(client, SITE), _jobs.Target(idempotency_key="k-new"), timeout=3, interval=1,
                   sleep=fake.sleep, clock=fake.clock)


@responses.activate
def test_without_an_idempotency_key_the_new_matching_job_is_found(client, fake):
    responses.get(JOBS, json=[job("j-new", key="k-new", started_at="t", completed_at="t"), job("j-old")])
    target = _jobs.Target(request=REQUEST, known_ids={"j-old"})
    outcome = _jobs.wait(SiteAPI(client, SITE), target, timeout=0.5, interval=0.1, sleep=fake.sleep, clock=fake.clock)
    assert outcome.job.id == "j-new"


@responses.activate
def test_wait_records_each_status_change(client, fake):
    responses.get(f"{JOBS}/j1", json=job("j1"))
    responses.get(f"{JOBS}/j1", json=job("j1", started_at="t1"))
    responses.get(f"{JOBS}/j1", json=job("j1", started_at="t1"))
    responses.get(f"{JOBS}/j1", json=job("j1", started_at="t1", completed_at="t2"))
    outcome = _jobs.wait(SiteAPI(client, SITE), _jobs.Target(job=Job.model_validate(job("j1"))), timeout=50, interval=1,
                         sleep=fake.sleep, clock=fake.clock)
    assert [step["status"] for step in outcome.transitions] == ["pending", "running", "completed"]
    assert all(step["seen_at"].endswith("Z") for step in outcome.transitions)
    assert not outcome.timed_out
    assert len(responses.calls) == 4


@responses.activate
def test_wait_stops_at_the_timeout(client, fake):
    responses.get(f"{JOBS}/j1", json=job("j1"))
    outcome = _jobs.wait(SiteAPI(client, SITE), _jobs.Target(job=Job.model_validate(job("j1"))), timeout=10, interval=3,
                         sleep=fake.sleep, clock=fake.clock)
    assert outcome.timed_out
    assert outcome.job.status == "pending"
    assert len(responses.calls) == 4  # after 3, 6, 9 and 10 seconds


@responses.activate
@pytest.mark.parametrize("item, problem", [
    ("j1", "item 0 is a str that is not a Job (input: Input should be a valid dictionary"),
    ({"description": "no id"}, "item 0 is an object that is not a Job (id: Field required)"),
])
def test_a_job_list_that_does_not_fit_is_an_error_naming_the_endpoint(client, item, problem):
    responses.get(JOBS, json=[item])
    with pytest.raises(SDXError) as caught:
        _jobs.plan(SiteAPI(client, SITE), REQUEST, force=False)
    assert str(caught.value).startswith(f"SDX API answered GET {JOBS} with a list whose {problem}")


@responses.activate
@pytest.mark.parametrize("failure", [{"body": requests.exceptions.ReadTimeout("slow")}, {"status": 502, "json": {}}])
@pytest.mark.parametrize("after, cancelled", [({"status": 404, "json": {}}, True),
                                              ({"json": job("j1", deleted_at="t")}, True),
                                              ({"json": job("j1")}, False)])
def test_a_cancel_with_an_unknown_outcome_is_read_back_not_repeated(client, failure, after, cancelled):
    responses.delete(f"{JOBS}/j1", **failure)
    responses.get(f"{JOBS}/j1", **after)
    if cancelled:
        assert SiteAPI(client, SITE).cancel("j1") is True
    else:
        with pytest.raises(SDXError, match="the cancel request got no clear answer and job j1 is still pending"):
            SiteAPI(client, SITE).cancel("j1")
    assert [call.request.method for call in responses.calls] == ["DELETE", "GET"]
