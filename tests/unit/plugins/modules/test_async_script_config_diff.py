"""sdx_async_script config_diff in-process against the simulator: what is read, when, and what is refused."""

from __future__ import annotations

import pytest

from ansible_collections.altostrat.sdx.plugins.modules import sdx_async_script
from simulator.server import Simulator
from tests.unit.compat import run_module
from tests.unit.conftest import TOKEN, serve

LINE = "add address=192.168.99.1/24 interface=bridge"
SCRIPT = "/ip address " + LINE
FAST = {"poll_interval": 0.02, "config_diff_timeout": 30}
DIFF_ON = {"make_backup": True, "wait": True, "needs_acknowledgement": True, "config_diff": True, **FAST}


@pytest.fixture
def fleet():
    sim = Simulator(sites=2, offline_ratio=0, token=TOKEN, rate_limit=0, seed=5, time_scale=0.02)
    with serve(sim) as server:
        yield sim, server.url, list(sim.fleet.sites)[0]


def run(url, site, **extra):
    args = {"api_url": url, "api_token": TOKEN, "site_id": site, "description": "Guest", "script": SCRIPT, **extra}
    return run_module(sdx_async_script.main, args)


def backup_calls(sim):
    return [(entry["method"], entry["path"]) for entry in sim.requests() if entry["path"].startswith("/backup/")]


@pytest.mark.parametrize(("options", "named"), [
    ({"make_backup": False}, "config_diff: needs make_backup=true"),
    ({"wait": False}, "config_diff: needs wait=true"),
    ({"make_backup": False, "wait": False}, "config_diff: needs make_backup=true and wait=true"),
    ({"config_diff": False, "reveal_secrets": True}, "reveal_secrets: only applies to config_diff"),
    ({"config_diff_timeout": 0}, "config_diff_timeout: expected a finite number of seconds above 0"),
])
def test_contradicting_options_are_refused_before_any_request(fleet, options, named):
    sim, url, site = fleet
    result = run(url, site, **{**DIFF_ON, **options})
    assert result["failed"] is True and result["msg"].startswith(named), result["msg"]
    assert sim.requests() == []


def test_the_diff_is_the_jobs_lines_and_diff_mode_shows_it_instead_of_the_script(fleet):
    sim, url, site = fleet
    result = run(url, site, _ansible_diff=True, **DIFF_ON)
    assert result["changed"] is True and result["job"]["status"] == "completed", result
    lines = result["config_diff"].splitlines()
    assert [line for line in lines[2:] if line[:1] in "+-"] == ["+" + LINE]
    backups = result["config_diff_backups"]
    assert lines[:2] == [f"--- {backups['before']['filename']}", f"+++ {backups['after']['filename']}"]
    assert result["job"]["associated_backup"] == f"{site}/{backups['before']['filename']}"
    assert result["diff"] == {"prepared": result["config_diff"]}
    # the request, one or two polls of the list, the two contents
    calls = backup_calls(sim)
    assert calls[0] == ("POST", f"/backup/{site}") and len(calls) in (4, 5), calls
    assert calls[-2:] == [("GET", f"/backup/{site}/{backups['before']['filename']}"),
                          ("GET", f"/backup/{site}/{backups['after']['filename']}")]


def test_a_job_that_changed_nothing_gives_an_empty_diff_and_says_so_in_diff_mode(fleet):
    _sim, url, site = fleet
    # a set runs again without error (a second add of SCRIPT's address fails, as on RouterOS)
    script = '/ip address set [find address="192.168.88.1/24"] comment=lan'
    assert run(url, site, script=script, **DIFF_ON)["config_diff"].count("\n+") == 2  # +++ and the changed line
    again = run(url, site, script=script, force=True, _ansible_diff=True, **DIFF_ON)
    assert again["changed"] is True and again["config_diff"] == ""
    assert "changed nothing in the router's configuration" in again["diff"]["prepared"]


def test_an_existing_job_is_ok_and_reads_no_backup(fleet):
    sim, url, site = fleet
    run(url, site, **DIFF_ON)
    sim.clear_log()
    again = run(url, site, **DIFF_ON)
    assert again["changed"] is False and again["outcome"] == "existing"
    assert again["config_diff"] is None and "config_diff_backups" not in again
    assert backup_calls(sim) == []


def test_check_mode_says_the_diff_cannot_be_predicted_and_reads_no_backup(fleet):
    sim, url, site = fleet
    result = run(url, site, _ansible_check_mode=True, **DIFF_ON)
    assert result["changed"] is True and result["outcome"] == "would_queue"
    assert result["config_diff"] is None
    assert result["msg"].endswith("config_diff is not predicted in check mode: it is the router's change after "
                                  "the job ran")
    assert [entry["method"] for entry in sim.requests()] == ["GET"]


def test_a_failed_job_fails_the_task_without_a_backup_request(fleet):
    sim, url, site = fleet
    result = run(url, site, **{**DIFF_ON, "script": SCRIPT + "\n:error"})
    assert result["failed"] is True and result["changed"] is True and "failed at" in result["msg"]
    assert result["config_diff"] is None
    assert backup_calls(sim) == []


def test_a_backup_that_never_comes_fails_at_config_diff_timeout_with_changed(fleet):
    sim, url, site = fleet
    original = sim.backups.request
    sim.backups.request = lambda target: False  # the router never exports, as an offline one
    try:
        result = run(url, site, **{**DIFF_ON, "config_diff_timeout": 0.3})
    finally:
        sim.backups.request = original
    assert result["failed"] is True and result["changed"] is True
    assert result["job"]["status"] == "completed" and result["config_diff"] is None
    assert result["msg"].startswith(f"job {result['job']['id']} on site {site} completed, but config_diff could not "
                                    f"be read: no backup of site '{site}' taken after job")
    assert "within 0.3 seconds (config_diff_timeout); an offline router takes no backup" in result["msg"]


def test_revealed_secrets_show_in_the_diff_with_a_warning(fleet, module_warnings):
    _sim, url, site = fleet
    script = "/ppp secret add name=vpn-user2 password=Sup3r-s3cret service=l2tp"
    masked = run(url, site, **{**DIFF_ON, "script": script})
    assert "+add name=vpn-user2 password=******** service=l2tp" in masked["config_diff"].splitlines()
    assert "Sup3r-s3cret" not in masked["config_diff"] and module_warnings == []
    revealed = run(url, site, force=True, **{**DIFF_ON, "script": script.replace("user2", "user3"),
                                             "reveal_secrets": True})
    assert "+add name=vpn-user3 password=Sup3r-s3cret service=l2tp" in revealed["config_diff"].splitlines()
    assert module_warnings == ["reveal_secrets: the result holds the router's secrets; set no_log: true on the task"]


def test_revealed_secrets_under_no_log_need_no_warning(fleet, module_warnings):
    _sim, url, site = fleet
    script = "/ppp secret add name=vpn-user4 password=Sup3r-s3cret service=l2tp"
    revealed = run(url, site, **{**DIFF_ON, "script": script, "reveal_secrets": True, "_ansible_no_log": True})
    assert "+add name=vpn-user4 password=Sup3r-s3cret service=l2tp" in revealed["config_diff"].splitlines()
    assert module_warnings == []
