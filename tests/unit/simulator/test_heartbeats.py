"""Heartbeats as the SDX documentation describes them: a check-in every 30 s, offline after 10 missed ones."""

from __future__ import annotations

import time
from datetime import datetime

import pytest
import requests

from simulator.server import Simulator
from simulator.sites import CONTROL, Heartbeats, Presence
from tests.unit.conftest import TOKEN, serve
from tests.unit.simulator.test_simulator import api, online_site, queue, wait_for

CUT = "/interface ethernet disable [find default-name=ether1]"
REVERT = ('/system scheduler add name=sdx-confirm-1 interval=100s on-event="/interface ethernet enable '
          '[find default-name=ether1]; /system scheduler remove [find name=sdx-confirm-1]"')


def test_a_site_in_contact_checks_in_on_the_beat_and_at_once_when_contact_is_back():
    beats = Heartbeats(time_scale=0.1, seconds=30, missed=10)  # a check-in every 3 s, offline after 30 s
    presence = Presence(since=beats.epoch)
    assert beats.last_beat(presence, beats.epoch + 7.0) == pytest.approx(beats.epoch + 6.0)
    presence.blocks.add("config")
    presence.last_beat = beats.epoch + 6.0
    assert beats.last_beat(presence, beats.epoch + 20.0) == pytest.approx(beats.epoch + 6.0)  # no check-in
    assert beats.pulse(presence, beats.epoch + 35.9) is True  # 29.9 s without one: SDX still counts it online
    assert beats.pulse(presence, beats.epoch + 36.0) is False  # the tenth missed heartbeat
    presence.blocks.clear()
    presence.since = beats.epoch + 40.5
    assert beats.last_beat(presence, beats.epoch + 41.0) == pytest.approx(beats.epoch + 40.5)
    assert beats.pulse(presence, beats.epoch + 41.0) is True


def test_a_site_known_offline_has_no_pulse_at_once_and_was_last_seen_an_hour_ago():
    beats = Heartbeats(time_scale=0.1)
    now = time.monotonic()
    assert beats.pulse(Presence(blocks={CONTROL}, last_beat=now), now) is False
    seen = beats.seen(Presence.offline_long(), now)
    assert not seen.pulse and 3590 < seen.ago < 3610


@pytest.fixture(name="server")
def fixture_server():
    # a check-in every 0.1 s (2 router seconds); SDX counts a cut-off site online until told otherwise below
    with serve(Simulator(sites=3, offline_ratio=0.34, token=TOKEN, rate_limit=0, seed=1, time_scale=0.05,
                         heartbeat_seconds=2, missed_heartbeats=1000)) as server:
        yield server


def site_of(server, site):
    return api(server, "GET", f"/sites/{site}").json()


def listed(server, site):
    return next(item for item in api(server, "GET", "/sites").json() if item["id"] == site)


def stamp(text):
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def sync(server, site):
    return api(server, "POST", f"/api/synchronous/{site}", json={"command": "/system/identity/print"})


def settings(server, **changes):
    return requests.post(f"{server.url}/_sim/settings", json=changes, timeout=5)


def test_last_seen_advances_while_in_contact(server):
    site = online_site(server)
    first = stamp(site_of(server, site)["last_seen_at"])
    later = wait_for(lambda: stamp(site_of(server, site)["last_seen_at"]), lambda seen: seen > first)
    assert (later - first).total_seconds() < 1
    offline = online_site(server, online=False)
    assert site_of(server, offline)["last_seen"].endswith("hour ago")
    assert site_of(server, offline)["uptime"] is None


def test_cut_off_the_site_misses_heartbeats_then_counts_offline_and_comes_back_with_the_revert(server):
    site = online_site(server)
    queue(server, site, script=f"{REVERT}\n{CUT}", needs_acknowledgement=True, description="change")
    failing = wait_for(lambda: sync(server, site), lambda answer: answer.status_code != 200)
    # the tunnel is down but SDX has not missed enough heartbeats to call the site offline: the call times out
    assert failing.status_code == 504 and failing.json()["code"] == "tunnel_timeout"
    frozen = site_of(server, site)
    assert frozen["has_pulse"] is True and listed(server, site)["has_pulse"] is True
    queue(server, site, script="/ip dns set servers=9.9.9.9", description="while cut off")
    time.sleep(0.4)  # four beats
    assert site_of(server, site)["last_seen_at"] == frozen["last_seen_at"]  # no check-in while cut off
    jobs = api(server, "GET", f"/site/{site}/job").json()
    assert jobs[0]["started_at"] is None and jobs[1]["started_at"] and not jobs[1]["completed_at"]
    assert settings(server, missed_heartbeats=2).status_code == 200  # two missed beats: offline now
    assert site_of(server, site)["has_pulse"] is False and listed(server, site)["has_pulse"] is False
    assert sync(server, site).status_code == 409 and sync(server, site).json()["code"] == "site_offline"
    # the revert runs 100 router seconds (5 s) after the change: contact back, a check-in, the jobs move on
    back = wait_for(lambda: site_of(server, site), lambda item: item["has_pulse"], seconds=15)
    assert stamp(back["last_seen_at"]) > stamp(frozen["last_seen_at"])
    jobs = wait_for(lambda: api(server, "GET", f"/site/{site}/job").json(),
                    lambda items: all(item["completed_at"] for item in items), seconds=15)
    change = next(job for job in jobs if job["description"] == "change")
    assert stamp(change["completed_at"]) <= stamp(back["last_seen_at"])  # it reported when contact came back
    assert sync(server, site).status_code == 200


def test_settings_refuse_a_heartbeat_that_is_not_a_positive_number(server):
    answer = settings(server, heartbeat_seconds=0)
    assert answer.status_code == 400 and "heartbeat_seconds" in answer.json()["message"]
    answer = settings(server, missed_heartbeats=-1)
    assert answer.status_code == 400 and "missed_heartbeats" in answer.json()["message"]
    answer = settings(server, missed_heartbeats=True)
    assert answer.status_code == 400
