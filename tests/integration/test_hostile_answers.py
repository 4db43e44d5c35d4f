"""Answers a broken or hostile API gives, through ansible-playbook, with each module run both ways.

Every case runs with the module inside its action plugin and as a module process (``module_process``). Each
one failed before the fix: a raw crash (RecursionError, "could not convert string to float") that reported a
job this run queued as ``changed: false``, a thousand requests for a looping page, a request sent to the path
an answer named, a key of replacement characters, or a config_diff that waited its whole timeout.
"""

from __future__ import annotations

import base64
import json
import os
import time

import pytest

from tests.integration.harness import Ansible, short_tmpdir

SCRIPT = "/ip address add address=192.168.99.1/24 interface=bridge"
# 1,000 nested arrays: about 2 KB, deeper than Python's JSON reader can go with its default stack.
NESTED = "[" * 1000 + "]" * 1000
WAIT = {"wait": True, "poll_interval": 0.1}
QUEUE = "/api/asynchronous/"


@pytest.fixture(params=[False, True], ids=["in-action-plugin", "module-process"])
def ansible(request, tmp_path, sim):
    return Ansible(tmp_path, sim, module_process=request.param)


def args(site, **extra):
    return {"site_id": site, "description": "Add guest network", "script": SCRIPT, **extra}


# -- 1. deeply nested JSON is an SDX error naming the endpoint; a job this run queued is never "ok" --------------

def test_a_nested_202_is_a_queued_job_found_by_its_script(ansible, sim, site):
    sim.fault(action="body", method="POST", path=QUEUE, raw=NESTED)
    run = ansible.task(args(site, **WAIT))
    assert run.status == "changed", run.output
    assert run.result["outcome"] == "queued" and run.result["job"]["status"] == "completed"
    assert "answer could not be read" in run.text and "nests deeper than" in run.text
    assert len(sim.jobs(site)) == 1 and len(sim.log("POST")) == 1
    assert [job["id"] for job in sim.jobs(site)] == [run.result["job"]["id"]]


def test_a_nested_500_after_the_job_was_created_is_reconciled_and_adopted(ansible, sim, site):
    sim.fault(action="body", method="POST", path=QUEUE, raw=NESTED, status=500)
    run = ansible.task(args(site, settle_timeout=10))
    assert run.status == "changed", run.output
    assert run.result["outcome"] == "adopted" and run.result["reconciled"] is True
    assert len(sim.jobs(site)) == 1 and len(sim.log("POST")) == 1


def test_a_nested_400_to_the_job_list_fails_naming_the_endpoint_and_queues_nothing(ansible, sim, site):
    sim.fault(action="body", method="GET", path=f"/site/{site}/job", raw=NESTED, status=400)
    run = ansible.task(args(site))
    assert run.status == "failed" and run.result["changed"] is False
    assert run.result["msg"].startswith(f"SDX API answered HTTP 400 to GET {sim.url}/site/{site}/job: a body that "
                                        f"is not a JSON error object: it nests deeper than 32 levels")
    assert run.result["error"]["status"] == 400
    assert sim.log("POST") == [] and sim.jobs(site) == []


def test_a_nested_job_list_fails_naming_the_endpoint_and_queues_nothing(ansible, sim, site):
    sim.fault(action="body", method="GET", path=f"/site/{site}/job", raw=NESTED)
    run = ansible.task(args(site))
    assert run.status == "failed" and run.result["changed"] is False
    assert run.result["msg"].startswith(f"SDX API answered GET {sim.url}/site/{site}/job with HTTP 200 but the "
                                        f"body nests deeper than 32 levels")
    assert sim.log("POST") == []


def test_a_nested_poll_keeps_the_queued_job_changed(ansible, sim, site):
    sim.fault(action="body", method="GET", path=f"/site/{site}/job", raw=NESTED, skip=1)  # the look-up
    run = ansible.task(args(site, **WAIT))
    assert run.status == "failed"
    assert run.result["changed"] is True and run.result["queued"] is True, run.result
    assert "nests deeper than 32 levels" in run.result["msg"]
    assert len(sim.jobs(site)) == 1 and len(sim.log("POST")) == 1


@pytest.mark.parametrize("listing", [True, False], ids=["list", "content"])
def test_a_nested_backup_list_or_content_fails_naming_the_endpoint(ansible, sim, site, listing):
    path = f"/backup/{site}" if listing else f"/backup/{site}/"
    sim.fault(action="body", method="GET", path=path, raw=NESTED, count=5)
    run = ansible.task({"site_id": site, "latest": True}, module="altostrat.sdx.sdx_backup_info")
    assert run.status == "failed"
    assert "nests deeper than 32 levels" in run.result["msg"]
    assert f"GET {sim.url}/backup/{site}" in run.result["msg"]


def test_the_inventory_names_itself_when_the_site_list_is_nested(tmp_path, sim):
    sim.fault(action="body", method="GET", path="/sites", raw=NESTED)
    run = Ansible(tmp_path, sim).inventory({})
    assert run.rc != 0
    assert "altostrat.sdx.sites: SDX API answered GET" in run.text
    assert "nests deeper than 32 levels" in run.text and "maximum recursion" not in run.text


# -- 2. a Retry-After the client cannot read is absent -----------------------------------------------------------

@pytest.mark.parametrize("value", ["\u00b2", "\u00b9", "9" * 400, "Thu, 01 Jan 1970 00:00:00 GMT"])
def test_an_unreadable_retry_after_on_a_poll_is_ignored_and_the_job_completes(ansible, sim, site, value):
    sim.fault(action="status", method="GET", path=f"/site/{site}/job", status=429, retry_after=value, skip=1)
    run = ansible.task(args(site, **WAIT))
    assert run.status == "changed", run.output
    assert run.result["job"]["status"] == "completed"
    assert [entry["status"] for entry in sim.log("GET")].count(429) == 1
    assert len(sim.jobs(site)) == 1


# -- 3. a page that points back to a page already read -----------------------------------------------------------

def test_a_job_list_page_pointing_at_itself_stops_with_an_error_naming_the_loop(ansible, sim, site):
    listed = f"{sim.url}/site/{site}/job"
    sim.fault(action="body", method="GET", path=f"/site/{site}/job", body={"data": [], "next_page_url": listed},
              count=1000)
    run = ansible.task(args(site))
    assert run.status == "failed" and run.result["changed"] is False
    assert f"pagination of GET {listed} loops: page 1 ({listed}) names {listed} as its next page" in run.result["msg"]
    assert len(sim.log("GET")) == 1 and sim.log("POST") == [], "the loop is seen before the page is read again"


def test_the_inventory_stops_at_a_pagination_cycle(tmp_path, sim):
    sim.fault(action="body", method="GET", path="/sites", body={"data": [], "links": {"next": "/sites?page=2"}},
              count=1000)
    run = Ansible(tmp_path, sim).inventory({})
    assert run.rc != 0
    assert f"altostrat.sdx.sites: SDX API pagination of GET {sim.url}/sites loops: page 2" in run.text
    assert f"{sim.url}/sites?page=2 as its next page, which was already read as page 2" in run.text
    assert len(sim.log("GET", "/sites")) == 2


# -- 4. identifiers from answers are checked and quoted before they go into a path -------------------------------

def test_a_listed_backup_filename_that_climbs_out_is_never_requested(ansible, sim, site):
    hostile = {"filename": "../../sites", "size": "1KB", "created_at": "2026-11-28T12:00:00Z"}
    sim.fault(action="body", method="GET", path=f"/backup/{site}", body=[hostile])
    run = ansible.task({"site_id": site, "latest": True}, module="altostrat.sdx.sdx_backup_info")
    assert run.status == "failed"
    assert "the backup identifier '../../sites' is not a filename such as 1732567800.rsc" in run.result["msg"]
    assert [entry["path"] for entry in sim.log()] == [f"/backup/{site}"], "nothing but the list was requested"


def test_a_listed_job_id_that_climbs_out_is_never_requested(ansible, sim, site):
    hostile = {"id": "../../../sites", "description": "Add guest network", "script": SCRIPT,
               "started_at": "2026-11-28T12:00:00Z"}
    sim.fault(action="body", method="GET", path=f"/site/{site}/job", body=[hostile])
    run = ansible.task(args(site, **WAIT))
    assert run.status == "failed" and run.result["changed"] is False
    assert "the job identifier '../../../sites' is not an id of letters, digits" in run.result["msg"]
    assert [entry["path"] for entry in sim.log()] == [f"/site/{site}/job"]


# -- 5. a 202 body that is not UTF-8 ------------------------------------------------------------------------------

def test_a_202_that_is_not_utf8_gives_no_key_and_the_job_is_found_by_its_script(ansible, sim, site):
    body = b'{"status": "success", "data": {"idempotency_key": "\xff\xfe\xfd", "request_id": "r"}}'
    sim.fault(action="body", method="POST", path=QUEUE, raw_base64=base64.b64encode(body).decode())
    started = time.monotonic()
    run = ansible.task(args(site, **WAIT))
    assert run.status == "changed", run.output
    assert time.monotonic() - started < 14, "found by script, not after the 15 s look-up window"
    assert run.result["job"]["status"] == "completed"
    assert "\ufffd" not in json.dumps(run.result)
    assert "answer could not be read" in run.text and "is not valid UTF-8 text" in run.text
    assert len(sim.jobs(site)) == 1 and len(sim.log("POST")) == 1


# -- 6. the rate budget's state on disk ---------------------------------------------------------------------------

def budget_env(_tmp_path):
    private = short_tmpdir()
    return private, {"TMPDIR": str(private), "SDX_RATE_LIMIT": "60"}


def state_folder(private):
    return private / f"altostrat-sdx-{os.getuid()}"


def test_a_budget_folder_open_to_others_is_refused_before_any_request(ansible, sim, site, tmp_path):
    private, env = budget_env(tmp_path)
    folder = state_folder(private)
    folder.mkdir()
    folder.chmod(0o777)
    run = ansible.task(args(site), env=env)
    assert run.status == "failed" and run.result["changed"] is False
    assert run.result["msg"].startswith(f"rate budget: {folder} is open to group or others (mode 0777, expected "
                                        f"0700), so it is not used")
    assert sim.log() == []


def test_a_budget_file_replaced_by_a_link_is_refused_and_its_target_untouched(ansible, sim, site, tmp_path):
    private, env = budget_env(tmp_path)
    assert ansible.task(args(site), env=env).status == "changed"
    folder = state_folder(private)
    (state,) = folder.glob("budget-*.json")
    target = tmp_path / "precious.txt"
    target.write_text("keep me")
    state.unlink()
    state.symlink_to(target)
    run = ansible.task(args(site, force=True), env=env)
    assert run.status == "failed"
    assert f"rate budget: {state} is a symbolic link" in run.result["msg"]
    assert target.read_text() == "keep me"


@pytest.mark.parametrize("content", [b'{"closed_until": 1e300}', b"[1, 2]", b'{"stamps": {"a": 1}}',
                                     b'{"waiters": []}', b"\xff\xfe{", b'{"stamps": [{"taken": 1, "until": 1e300}]}'])
def test_an_impossible_budget_state_is_started_afresh_with_one_warning(ansible, sim, site, tmp_path, content):
    private, env = budget_env(tmp_path)
    assert ansible.task(args(site), env=env).status == "changed"
    (state,) = state_folder(private).glob("budget-*.json")
    state.write_bytes(content)
    started = time.monotonic()
    run = ansible.task(args(site, force=True), env=env)
    assert run.status == "changed", run.output
    assert time.monotonic() - started < 30, "no wait beyond a window"
    # Without any white space: ansible-core 2.16 wraps a warning's lines, inside the path too.
    squeezed = "".join(run.output.split())
    assert squeezed.count("".join(f"rate budget: the state in {state} could not be used".split())) == 1, run.output
    assert isinstance(json.loads(state.read_text()), dict)


# -- 7. config_diff finds a backup taken in the second the job ended ---------------------------------------------

DIFF = {"make_backup": True, "needs_acknowledgement": True, "wait": True, "config_diff": True, "poll_interval": 0.1}


def test_config_diff_finds_a_backup_stamped_in_the_second_the_job_ended(ansible, sim, site):
    sim.fault(action="stamp", method="POST", path=f"/backup/{site}")
    run = ansible.task(args(site, config_diff_timeout=8, **DIFF))
    assert run.status == "changed", run.result.get("msg")
    after = run.result["config_diff_backups"]["after"]
    assert after["created_at"][:19] == run.result["job"]["completed_at"][:19], "the same second as the job's end"
    assert "+add address=192.168.99.1/24 interface=bridge" in run.result["config_diff"]


def test_config_diff_without_a_backup_polls_sparingly_and_does_not_call_an_online_site_offline(ansible, sim, site):
    sim.fault(action="status", method="POST", path=f"/backup/{site}", status=202)  # accepted, never taken
    run = ansible.task(args(site, config_diff_timeout=4, **DIFF))
    assert run.status == "failed" and run.result["changed"] is True
    assert "offline" not in run.result["msg"]
    assert run.result["msg"].endswith("although the site is online; raise config_diff_timeout if its backups take "
                                      "longer")
    polls = sim.log("GET", f"/backup/{site}")
    assert 2 <= len(polls) <= 8, f"{len(polls)} list reads in 4 seconds at poll_interval 0.1"


def test_config_diff_says_offline_when_the_site_reads_offline(ansible, sim, site):
    sim.fault(action="status", method="POST", path=f"/backup/{site}", status=202)
    sim.fault(action="body", method="GET", path=f"/sites/{site}", body={"id": site, "has_pulse": False})
    run = ansible.task(args(site, config_diff_timeout=2, **DIFF))
    assert run.status == "failed" and run.result["changed"] is True
    assert run.result["msg"].endswith("the site is offline, and an offline router takes no backup")


# -- 8. the unknown-outcome message says what was checked, for how long, and when a re-run is safe ---------------

def test_an_unknown_outcome_with_a_short_settle_window_says_a_rerun_is_not_yet_safe(ansible, sim, site):
    sim.fault(action="status", method="POST", path=QUEUE, status=500)
    run = ansible.task(args(site, settle_timeout=1))
    assert run.status == "failed" and run.result["outcome"] == "unknown"
    message = run.result["msg"]
    assert f"reads of GET {sim.url}/site/{site}/job over 1 seconds (settle_timeout) showed no new job" in message
    assert "settle_timeout was 1 seconds, shorter than the default 60: the request may still be in flight and " \
           "land later, so a re-run within 59 more seconds may queue a second job; re-run after that" in message
    assert "safe now" not in message
