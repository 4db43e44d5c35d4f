from __future__ import annotations

import pytest

from ansible_collections.altostrat.sdx.plugins.module_utils._errors import SDXError, SDXInputError
from ansible_collections.altostrat.sdx.plugins.module_utils._models import (
    AsynchronousScriptAccepted, AsynchronousScriptRequest, Job, Site, parse_answer, parse_items,
    parse_site_id)

BASE = {"description": "Add guest network address", "script": "/ip address add address=192.168.99.1/24"}


def test_request_payload_carries_every_documented_field_and_defaults():
    request = AsynchronousScriptRequest.from_params({**BASE, "notify_url": None, "site_id": "ignored"})
    assert request.payload() == {**BASE, "make_backup": False, "express_execute": False,
                                 "needs_acknowledgement": False}


@pytest.mark.parametrize("change, field, expected", [
    ({"script": ""}, "script", "must not be empty"),
    ({"script": "  \n"}, "script", "must not be empty"),
    ({"description": ""}, "description", "must not be empty"),
    ({"notify_url": "http://example.com/hook"}, "notify_url", "https"),
    ({"notify_url": "https://"}, "notify_url", "https"),
    ({"make_backup": "yes"}, "make_backup", "boolean"),
])
def test_bad_request_fields_are_named(change, field, expected):
    with pytest.raises(SDXInputError) as caught:
        AsynchronousScriptRequest.from_params({**BASE, **change})
    assert str(caught.value).startswith(f"{field}: ")
    assert expected in str(caught.value)


def test_request_model_forbids_unknown_fields():
    with pytest.raises(Exception, match="extra"):
        AsynchronousScriptRequest(**BASE, priority=1)


def test_request_matches_jobs_by_script_and_description_ignoring_trailing_whitespace():
    request = AsynchronousScriptRequest(**BASE)
    assert request.matches(Job(id="j", description=BASE["description"] + " ", script=BASE["script"] + "\n"))
    assert not request.matches(Job(id="j", description="other", script=BASE["script"]))
    assert not request.matches(Job(id="j", description=BASE["description"], script="/system reboot"))


@pytest.mark.parametrize("listed, option", [
    ({"should_backup": False}, "make_backup"),
    ({"make_backup": False}, "make_backup"),
    ({"needs_acknowledgement": False}, "needs_acknowledgement"),
    ({"express_execute": False}, "express_execute"),
])
def test_request_matches_only_jobs_with_the_same_reported_options(listed, option):
    job = Job.model_validate({"id": "j", **BASE, **listed})
    assert AsynchronousScriptRequest(**BASE).matches(job)
    assert not AsynchronousScriptRequest(**BASE, **{option: True}).matches(job)


def test_options_the_job_list_does_not_report_are_not_compared():
    job = Job.model_validate({"id": "j", **BASE})
    assert AsynchronousScriptRequest(**BASE, make_backup=True, needs_acknowledgement=True,
                                     express_execute=True, notify_url="https://hooks.example.com/x").matches(job)


@pytest.mark.parametrize("timestamps, status", [
    ({}, "pending"),
    ({"started_at": "t1"}, "running"),
    ({"started_at": "t1", "completed_at": "t2"}, "completed"),
    ({"started_at": "t1", "failed_at": "t2"}, "failed"),
    ({"deleted_at": "t1"}, "cancelled"),
])
def test_job_status_is_derived_from_timestamps(timestamps, status):
    assert Job(id="j", **timestamps).status == status


def test_job_tolerates_unknown_fields_reads_make_backup_and_hides_the_script():
    job = Job.model_validate({"id": "j", "script": "/secret", "make_backup": True, "brand_new_field": 1})
    result = job.to_result()
    assert result["should_backup"] is True
    assert "script" not in result
    assert result["brand_new_field"] == 1
    assert result["status"] == "pending"


def test_accepted_answer_is_read_from_the_success_envelope():
    accepted = AsynchronousScriptAccepted.from_answer(
        {"status": "success", "data": {"idempotency_key": "k", "request_id": "r", "target": "t", "extra": 1}}, "POST u")
    assert (accepted.idempotency_key, accepted.request_id) == ("k", "r")


@pytest.mark.parametrize("answer, expected", [
    ("queued", "SDX API answered POST u with a str that is not a AsynchronousScriptAccepted (input: "),
    ({"status": "success", "data": {}}, "SDX API answered POST u with an object that is not a "
                                        "AsynchronousScriptAccepted (idempotency_key: Field required)"),
    (None, "SDX API answered POST u with null that is not a AsynchronousScriptAccepted"),
])
def test_an_accepted_answer_that_does_not_fit_is_an_sdx_error_not_a_validation_dump(answer, expected):
    with pytest.raises(SDXError) as caught:
        AsynchronousScriptAccepted.from_answer(answer, "POST u")
    assert str(caught.value).startswith(expected)
    assert "validation error" not in str(caught.value)


def test_answers_are_parsed_at_one_boundary():
    assert parse_answer(Site, {"id": "s"}, "GET u").id == "s"
    assert [site.id for site in parse_items(Site, [{"id": "a"}, {"id": "b"}], "GET u")] == ["a", "b"]
    with pytest.raises(SDXError, match=r"^SDX API answered GET u with a list whose item 1 is an object that is "
                                       r"not a Site \(id: Field required\)$"):
        parse_items(Site, [{"id": "a"}, {"name": "b"}], "GET u")


def test_the_job_token_is_kept_in_results_as_the_log_reference():
    job = Job.model_validate({"id": "0eb76fdc-b556-4ca3-91ac-0b8a5b606053", "token": "2jP5kLqWnZ",
                              "log_url": "logs?filter={$.message=*2jP5kLqWnZ*}"})
    result = job.to_result()
    assert result["token"] == "2jP5kLqWnZ" and result["token"] in result["log_url"]


@pytest.mark.parametrize("value", ["", "nope", "9c69345c-8d39-4786-9f17", None, "9c69345c8d3947869f178153c988c89a1"])
def test_site_id_must_be_a_uuid(value):
    with pytest.raises(SDXInputError, match=r"^site_id: expected a site UUID"):
        parse_site_id(value)


def test_site_id_is_normalised():
    assert parse_site_id(" 9C69345C-8D39-4786-9F17-8153C988C89A ") == "9c69345c-8d39-4786-9f17-8153c988c89a"
