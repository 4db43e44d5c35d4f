"""altostrat.sdx.fleet_watch driven through main(queue, args) against the simulator."""

from __future__ import annotations

import asyncio
import json
import logging

import pytest
import responses
from responses.matchers import query_param_matcher

from ansible_collections.altostrat.sdx.plugins.module_utils._budget import RateBudget
from ansible_collections.altostrat.sdx.plugins.module_utils._client import SDXClient
from ansible_collections.altostrat.sdx.plugins.module_utils._fleet_api import FleetAPI
from simulator.server import Simulator
from tests.unit.conftest import TOKEN, serve
from tests.unit.eda.sources import events_until, load_source, next_event, sim_call, stop

pytestmark = pytest.mark.main_line


@pytest.fixture(name="sim")
def sim_fixture(monkeypatch):
    with serve(Simulator(sites=5, offline_ratio=0.2, token=TOKEN, rate_limit=0, seed=9, time_scale=0.05)) as server:
        monkeypatch.setenv("SDX_API_URL", server.url)
        monkeypatch.setenv("SDX_API_TOKEN", TOKEN)
        yield server


def sites(sim):
    return sim_call(sim, "GET", "/sites", token=TOKEN)


def requests(sim, path: str = "") -> list[dict]:
    return [entry for entry in sim_call(sim, "GET", "/_sim/requests") if entry["path"].startswith(path)]


async def polled(sim, path: str, times: int, task: asyncio.Task) -> None:
    """Wait until ``path`` was read ``times`` times (state, not time)."""
    for _attempt in range(1200):
        if task.done():
            task.result()
        if len([e for e in requests(sim, path) if e["method"] == "GET"]) >= times:
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"{path} was not read {times} times")


def start(args: dict) -> tuple[asyncio.Queue, asyncio.Task]:
    queue: asyncio.Queue = asyncio.Queue()
    return queue, asyncio.create_task(load_source("fleet_watch")["main"](queue, args))


def test_site_and_job_changes_become_events_and_the_start_emits_nothing(sim):
    online = [site for site in sites(sim) if site["has_pulse"]]
    watched, other = online[0]["id"], online[1]["id"]

    async def scenario():
        queue, task = start({"interval": 0.3, "job_sites": [watched]})
        await polled(sim, f"/site/{watched}/job", 1, task)
        quiet_at_start = queue.qsize()
        sim_call(sim, "POST", f"/_sim/sites/{other}", {"online": False})
        offline = await next_event(queue, task)
        sim_call(sim, "POST", f"/api/asynchronous/{watched}", {
            "description": "fails", "script": ":error", "needs_acknowledgement": True}, token=TOKEN)
        jobs = await events_until(queue, task, lambda e: e["sdx"]["kind"] == "job" and e["sdx"]["status"] == "failed")
        await stop(task)
        return quiet_at_start, offline, jobs

    quiet_at_start, offline, jobs = asyncio.run(scenario())
    assert quiet_at_start == 0
    assert offline["sdx"] == {"kind": "site", "status": "offline", "previous_status": "online", "site_id": other,
                              "site": offline["sdx"]["site"]}
    assert offline["sdx"]["site"]["has_pulse"] is False and offline["sdx"]["site"]["id"] == other
    failed = jobs[-1]["sdx"]
    assert failed["site_id"] == watched and failed["job"]["failed_at"] and failed["idempotency_key"]
    first = next(event["sdx"] for event in jobs if event["sdx"]["kind"] == "job")
    assert "previous_status" not in first and first["job_id"] == failed["job_id"]
    assert failed.get("previous_status") in ("pending", "running")
    assert "script" not in failed["job"]


def test_emit_initial_emits_every_site_once(sim):
    """Also: numbers and booleans may arrive as strings, as rulebook variables do."""
    async def scenario():
        queue, task = start({"interval": "0.3", "job_sites": [], "emit_initial": "true"})
        await polled(sim, "/sites", 2, task)
        events = [queue.get_nowait() for _index in range(queue.qsize())]
        await stop(task)
        return events

    events = asyncio.run(scenario())
    fleet = {site["id"]: "online" if site["has_pulse"] else "offline" for site in sites(sim)}
    assert {event["sdx"]["site_id"]: event["sdx"]["status"] for event in events} == fleet
    assert len(events) == len(fleet)
    assert requests(sim, "/site/") == []  # job_sites: [] reads no job lists


def test_a_pending_job_that_disappears_is_cancelled(sim):
    offline = next(site["id"] for site in sites(sim) if not site["has_pulse"])
    queued = sim_call(sim, "POST", f"/api/asynchronous/{offline}", {"description": "stuck", "script": "/log info"},
                      token=TOKEN)
    job = next(j for j in sim_call(sim, "GET", "/_sim/jobs") if j["idempotency_key"] == queued["data"]["idempotency_key"])

    async def scenario():
        queue, task = start({"interval": 0.3, "job_sites": [offline]})
        await polled(sim, f"/site/{offline}/job", 1, task)
        sim_call(sim, "DELETE", f"/site/{offline}/job/{job['id']}", token=TOKEN)
        event = await next_event(queue, task)
        await stop(task)
        return event

    event = asyncio.run(scenario())
    assert event["sdx"]["status"] == "cancelled" and event["sdx"]["previous_status"] == "pending"
    assert event["sdx"]["job_id"] == job["id"]


def test_failed_polls_are_logged_and_the_source_keeps_going(sim, caplog):
    victim = next(site["id"] for site in sites(sim) if site["has_pulse"])

    async def scenario():
        queue, task = start({"interval": 0.2, "job_sites": [victim]})
        await polled(sim, "/sites", 1, task)
        sim_call(sim, "POST", "/_sim/faults", [
            {"action": "status", "status": 500, "method": "GET", "path": "/sites", "count": 2},
            {"action": "status", "status": 500, "html": True, "method": "GET", "path": "/site/", "count": 2},
            {"action": "status", "status": 401, "method": "GET", "path": "/sites", "skip": 2, "count": 1},
        ])
        await polled(sim, "/sites", 5, task)
        sim_call(sim, "POST", f"/_sim/sites/{victim}", {"online": False})
        event = await next_event(queue, task)
        alive = not task.done()
        await stop(task)
        return event, alive

    with caplog.at_level(logging.WARNING):
        event, alive = asyncio.run(scenario())
    assert alive and event["sdx"]["site_id"] == victim and event["sdx"]["status"] == "offline"
    statuses = [entry["status"] for entry in requests(sim, "/sites")]
    assert statuses.count(500) == 2 and statuses.count(401) == 1
    assert "reading GET /sites failed" in caplog.text and f"reading the jobs of site {victim} failed" in caplog.text
    assert TOKEN not in caplog.text


def test_a_poll_spends_the_shared_budget_and_spreads_its_reads(sim, tmp_path, monkeypatch):
    monkeypatch.setattr("tempfile.tempdir", str(tmp_path))
    watched = [site["id"] for site in sites(sim)][:3]
    sim_call(sim, "DELETE", "/_sim/requests")
    interval = 2.0

    async def scenario():
        queue, task = start({"interval": interval, "job_sites": watched, "rate_limit": 30})
        await polled(sim, f"/site/{watched[-1]}/job", 1, task)
        await stop(task)
        return queue

    asyncio.run(scenario())
    log = [entry for entry in requests(sim) if entry["method"] == "GET"]
    budget = RateBudget(sim.url, TOKEN, 30)
    stamps = json.loads(budget.path.read_text())["stamps"]
    assert budget.path.parent == tmp_path / budget.path.parent.name
    assert len(stamps) == len(log) == 4  # one GET /sites and one job list per watched site
    assert [entry["path"] for entry in log] == ["/sites"] + [f"/site/{site}/job" for site in watched]
    gaps = [later["time"] - earlier["time"] for earlier, later in zip(log, log[1:])]
    assert min(gaps) >= 0.9 * interval / 4  # spread evenly: interval / (1 + job sites) apart


def test_a_missing_token_is_refused_before_any_request(sim, monkeypatch):
    monkeypatch.delenv("SDX_API_TOKEN")
    with pytest.raises(ValueError, match="api_token"):
        asyncio.run(load_source("fleet_watch")["main"](asyncio.Queue(), {"interval": 1}))
    assert requests(sim) == []


@pytest.mark.parametrize("args, complaint", [
    ({"interval": 0}, "interval: expected a number of seconds above 0"),
    ({"interval": "often"}, "interval: expected a number"),
    ({"job_sites": "9c69345c-8d39-4786-9f17-8153c988c89a"}, "job_sites: expected a list"),
    ({"interval": -5}, "interval: expected a number of seconds above 0"),
    ({"emit_initial": "never"}, "emit_initial: expected true or false"),
    ({"rate_limit": -1}, "rate_limit:"),
])
def test_bad_options_name_the_option(sim, args, complaint):
    with pytest.raises(ValueError, match=complaint):
        asyncio.run(load_source("fleet_watch")["main"](asyncio.Queue(), args))
    assert requests(sim) == []


def test_a_cost_above_the_budget_is_warned_about_once(sim, tmp_path, monkeypatch, caplog):
    monkeypatch.setattr("tempfile.tempdir", str(tmp_path))

    async def scenario():
        queue, task = start({"interval": 1, "job_sites": [], "rate_limit": 5})
        await polled(sim, "/sites", 1, task)
        for _attempt in range(100):
            if "more than the budget" in caplog.text:
                break
            await asyncio.sleep(0.05)
        await stop(task)
        return queue

    with caplog.at_level(logging.WARNING):
        asyncio.run(scenario())
    assert caplog.text.count("1 reads every 1 s need 60 requests a minute, more than the budget of 5") == 1


API = "https://sdx.example.test"
SITE = "9c69345c-8d39-4786-9f17-8153c988c89a"


def poll_once(settings: dict) -> tuple[list[dict], asyncio.Queue]:
    """One poll of a Watcher reading API (answered by ``responses``) through the fleet layer; its events."""
    source = load_source("fleet_watch")
    fleet = FleetAPI(SDXClient(API, "alto_sk_unit_fleet_watch", sleep=lambda _seconds: None))
    queue: asyncio.Queue = asyncio.Queue()
    watcher = source["Watcher"](queue, {"interval": 0.01, "job_sites": None, "emit_initial": True, **settings},
                                source["_events_module"](), fleet)
    asyncio.run(watcher.poll())
    return [queue.get_nowait() for _index in range(queue.qsize())], queue


@responses.activate
def test_a_job_list_is_read_to_its_last_page():
    responses.get(f"{API}/sites", json={"data": [{"id": SITE, "has_pulse": True}], "links": {"next": None}})
    responses.get(f"{API}/site/{SITE}/job", match=[query_param_matcher({})],
                  json={"data": [{"id": "j1"}], "links": {"next": f"{API}/site/{SITE}/job?page=2"}})
    responses.get(f"{API}/site/{SITE}/job", match=[query_param_matcher({"page": "2"})],
                  json={"data": [{"id": "j2", "failed_at": "2026-01-01T00:00:00Z"}], "links": {"next": None}})
    events, _queue = poll_once({})
    assert [(event["sdx"]["kind"], event["sdx"].get("job_id"), event["sdx"]["status"]) for event in events] == [
        ("site", None, "online"), ("job", "j1", "pending"), ("job", "j2", "failed")]
    assert events[0]["sdx"]["site"] == {"id": SITE, "has_pulse": True}  # the site as SDX answered it


@responses.activate
def test_an_unknown_site_is_worded_as_the_modules_word_it(caplog):
    responses.get(f"{API}/sites", json=[])
    responses.get(f"{API}/site/{SITE}/job", status=404,
                  json={"type": "invalid_request_error", "code": "resource_missing", "message": "No such site"})
    with caplog.at_level(logging.WARNING):
        events, _queue = poll_once({"job_sites": [SITE]})
    assert events == []
    assert f"reading the jobs of site {SITE} failed, trying again next interval: site '{SITE}' was not found: " \
           in caplog.text
