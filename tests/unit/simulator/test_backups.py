"""The simulator's backups answer as the Backups API documentation says, over a configuration jobs change."""

from __future__ import annotations

import re
import time

import pytest
import requests

from simulator.config import render, wrap
from simulator.fleet import build_fleet
from simulator.routeros.render import export_sections
from simulator.routeros.seed import seed_router
from simulator.server import Simulator
from tests.unit.conftest import TOKEN, serve
from tests.unit.simulator.test_simulator import api, online_site, queue, wait_for

BACKUP_FIELDS = {"filename": str, "size": str, "date": str, "time": str, "created_at": str}
LINE = "add address=192.168.99.1/24 interface=bridge"
SCRIPT = "/ip address " + LINE


def backups(server, site):
    return api(server, "GET", f"/backup/{site}").json()


def content(server, site, filename):
    return api(server, "GET", f"/backup/{site}/{filename}").json()["content"]


def request_and_wait(server, site):
    before = {item["filename"] for item in backups(server, site)}
    answer = api(server, "POST", f"/backup/{site}")
    assert (answer.status_code, answer.json()) == (202, {"message": "Backup requested"})
    listed = wait_for(lambda: backups(server, site), lambda items: {i["filename"] for i in items} - before)
    return next(item for item in listed if item["filename"] not in before)


def completed_job(server, site, **body):
    queue(server, site, needs_acknowledgement=True, **body)
    return wait_for(lambda: api(server, "GET", f"/site/{site}/job").json(),
                    lambda jobs: jobs[0]["completed_at"] or jobs[0]["failed_at"])[0]


def test_every_site_starts_with_two_documented_backups_newest_first(simulator):
    site = online_site(simulator)
    listed = backups(simulator, site)
    assert len(listed) == 2
    for item in listed:
        assert {name: type(item[name]) for name in BACKUP_FIELDS} == BACKUP_FIELDS
        assert re.fullmatch(r"\d{10}\.rsc", item["filename"])
        assert re.fullmatch(r"\d+\.\dK?B", item["size"])
        assert re.fullmatch(r"\d\d/\d\d/\d{4}", item["date"]) and re.fullmatch(r"\d\d:\d\d:\d\d", item["time"])
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z", item["created_at"])
    assert listed[0]["filename"] > listed[1]["filename"]


def test_a_requested_backup_appears_later_and_holds_the_current_export(simulator):
    site = online_site(simulator)
    answer = api(simulator, "POST", f"/backup/{site}")
    assert answer.status_code == 202
    assert len(backups(simulator, site)) == 2  # not listed at once: the router exports a moment later
    new = wait_for(lambda: backups(simulator, site), lambda items: len(items) == 3)[0]
    one = api(simulator, "GET", f"/backup/{site}/{new['filename']}").json()
    assert set(one) == set(BACKUP_FIELDS) | {"content"}
    assert {name: one[name] for name in BACKUP_FIELDS} == new
    assert one["content"].startswith("# ") and "by RouterOS" in one["content"].splitlines()[0]
    assert "/ip address\nadd address=192.168.88.1/24" in one["content"]


def test_x_view_returns_the_content_as_plain_text(simulator):
    site = online_site(simulator)
    filename = backups(simulator, site)[0]["filename"]
    answer = requests.get(f"{simulator.url}/backup/{site}/{filename}", timeout=5,
                          headers={"X-View": "true", "Authorization": f"Bearer {TOKEN}"})
    assert answer.headers["Content-Type"].startswith("text/plain")
    assert answer.text == content(simulator, site, filename)


def test_an_offline_site_never_gets_a_requested_backup(simulator):
    offline, online = online_site(simulator, online=False), online_site(simulator)
    assert api(simulator, "POST", f"/backup/{offline}").status_code == 202
    request_and_wait(simulator, online)
    time.sleep(0.3)  # many times the scaled delay: the offline router would have exported by now
    assert len(backups(simulator, offline)) == 2


def test_a_completed_job_adds_its_entry_and_the_same_add_again_fails_as_on_routeros(simulator):
    site = online_site(simulator)
    assert completed_job(simulator, site, script=SCRIPT + "\n/system identity print")["completed_at"]
    again = completed_job(simulator, site, script=SCRIPT, description="again")
    assert again["failed_at"] and not again["completed_at"]
    error = next(job["error"] for job in api(simulator, "GET", "/_sim/jobs").json() if job["id"] == again["id"])
    assert error == "failure: already have such address (line 1)"
    text = content(simulator, site, request_and_wait(simulator, site)["filename"])
    assert text.count(LINE) == 1
    assert "identity print" not in text


def test_a_failed_job_keeps_the_lines_before_its_error_and_runs_none_after(simulator):
    site = online_site(simulator)
    failed = completed_job(simulator, site, script=SCRIPT + "\n:error \"stop here\"\n/ip dns set servers=9.9.9.9")
    assert failed["failed_at"]
    text = content(simulator, site, request_and_wait(simulator, site)["filename"])
    assert LINE in text and "9.9.9.9" not in text


@pytest.mark.parametrize("associated", [True, False])
def test_make_backup_snapshots_the_configuration_before_the_job(associated):
    sim = Simulator(sites=3, offline_ratio=0, token=TOKEN, rate_limit=0, seed=3, time_scale=0.02,
                    associated_backup=associated)
    with serve(sim) as server:
        site = online_site(server)
        job = completed_job(server, site, script=SCRIPT, make_backup=True)
        listed = backups(server, site)
        assert len(listed) == 3
        pre = listed[0]
        assert job["associated_backup"] == (f"{site}/{pre['filename']}" if associated else None)
        assert LINE not in content(server, site, pre["filename"])
        assert pre["created_at"][:19] == job["started_at"][:19]
        assert LINE in content(server, site, request_and_wait(server, site)["filename"])


def test_unknown_backups_and_sites_are_404_error_responses(simulator):
    site = online_site(simulator)
    missing = api(simulator, "GET", f"/backup/{site}/1.rsc")
    assert missing.status_code == 404 and missing.json()["code"] == "resource_missing"
    for method in ("GET", "POST"):
        assert api(simulator, method, "/backup/nope").status_code == 404


def test_seeded_exports_carry_the_secrets_real_ones_do():
    site = build_fleet(1, 0, 1)[0]
    text = render(site, export_sections(seed_router(site)), site.created_at)
    for needle in ("/ppp secret", " password=", "passphrase=", "wpa2-pre-shared-key=", "/ip ipsec identity",
                   " secret=", "authentication-password=", "encryption-password=", "private-key=",
                   "ipsec-secret=", "/user\nadd group=full name=netops\n"):
        assert needle in text, needle
    assert " \\\n    " in text  # long lines wrap as RouterOS wraps them
    assert all(len(line) <= 81 for line in wrap("add " + "x=1 " * 60))


def test_bulk_latest_backups_answer_each_site_and_an_error_for_each_unknown_one(simulator):
    site = online_site(simulator)
    answer = api(simulator, "POST", "/backups/latest", json={"sites": [site, "nope", site]})
    assert answer.status_code == 200
    body = answer.json()
    assert (body["total_sites"], body["successful"]) == (2, 1)
    newest = backups(simulator, site)[0]["filename"]
    assert body["results"][site] == api(simulator, "GET", f"/backup/{site}/{newest}").json()
    assert body["errors"] == {"nope": {"code": "resource_missing", "message": "No site found with id 'nope'."}}


@pytest.mark.parametrize("body", [{}, {"sites": []}, {"sites": ["x"] * 51}, {"sites": "x"}, {"sites": [1]}])
def test_bulk_latest_backups_refuse_a_body_outside_1_to_50_site_ids(simulator, body):
    answer = api(simulator, "POST", "/backups/latest", json=body)
    assert answer.status_code == 400 and answer.json()["code"].startswith("parameter_")


def test_bulk_latest_backups_can_be_switched_off_at_run_time_and_reset_restores_them(simulator):
    site = online_site(simulator)
    assert requests.post(f"{simulator.url}/_sim/settings", json={"bulk_backups": False}, timeout=5).ok
    assert api(simulator, "POST", "/backups/latest", json={"sites": [site]}).status_code == 404
    requests.post(f"{simulator.url}/_sim/reset", timeout=5)
    assert api(simulator, "POST", "/backups/latest", json={"sites": [site]}).status_code == 200
