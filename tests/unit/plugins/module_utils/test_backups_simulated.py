"""What a job changed, read from backups of the simulator, whether or not jobs name their backup."""

from __future__ import annotations

import pytest

from ansible_collections.altostrat.sdx.plugins.module_utils import _backups, _jobs
from ansible_collections.altostrat.sdx.plugins.module_utils._client import SDXClient
from ansible_collections.altostrat.sdx.plugins.module_utils._errors import SDXError
from ansible_collections.altostrat.sdx.plugins.module_utils._models import AsynchronousScriptRequest
from ansible_collections.altostrat.sdx.plugins.module_utils._site_api import SiteAPI
from simulator.server import Simulator
from tests.unit.conftest import TOKEN, serve

LINE = "add address=192.168.99.1/24 interface=bridge"


def completed_job(client, site, script):
    request = AsynchronousScriptRequest(description="Guest", script=script, make_backup=True,
                                        needs_acknowledgement=True)
    queued = _jobs.queue(SiteAPI(client, site), request, known_ids=set())
    outcome = _jobs.wait(SiteAPI(client, site), _jobs.Target(idempotency_key=queued.accepted.idempotency_key),
                         timeout=30, interval=0.02)
    assert outcome.job.status == "completed"
    return outcome.job


@pytest.mark.parametrize("associated", [True, False])
def test_a_jobs_config_diff_shows_its_lines_in_about_four_requests(associated):
    sim = Simulator(sites=2, offline_ratio=0, token=TOKEN, rate_limit=0, seed=5, time_scale=0.02,
                    associated_backup=associated)
    with serve(sim) as server:
        client = SDXClient(server.url, TOKEN)
        site = next(iter(sim.fleet.sites))
        job = completed_job(client, site, "/ip address " + LINE)
        assert bool(job.associated_backup) is associated
        sim.clear_log()
        result = _backups.job_config_diff(SiteAPI(client, site), job, timeout=30, interval=0.1)
        assert [line for line in result.diff.splitlines()[2:] if line[:1] in "+-"] == ["+" + LINE]
        backups = _backups.list_backups(SiteAPI(client, site))
        # the job's own backup: newer than the two every site starts with, older than the one taken after it
        assert [backup.filename for backup in backups] == [
            result.after.filename, result.before.filename, backups[2].filename, backups[3].filename]
        log = [(entry["method"], entry["path"].count("/")) for entry in sim.requests()][:-1]
        assert log[0] == ("POST", 2) and log[-2:] == [("GET", 3), ("GET", 3)]
        assert 4 <= len(log) <= 5


def test_a_second_job_with_the_same_lines_changes_nothing():
    sim = Simulator(sites=1, offline_ratio=0, token=TOKEN, rate_limit=0, seed=5, time_scale=0.02)
    with serve(sim) as server:
        client = SDXClient(server.url, TOKEN)
        site = next(iter(sim.fleet.sites))
        script = "/ip dns set servers=9.9.9.9"  # a set runs twice without error (a second add would fail)
        completed_job(client, site, script)
        again = completed_job(client, site, script + "\n/system identity print")
        assert _backups.job_config_diff(SiteAPI(client, site), again, timeout=30, interval=0.05).diff == ""


def test_an_offline_site_fails_the_diff_at_the_timeout():
    sim = Simulator(sites=2, offline_ratio=0, token=TOKEN, rate_limit=0, seed=5, time_scale=0.02)
    with serve(sim) as server:
        client = SDXClient(server.url, TOKEN)
        site = next(iter(sim.fleet.sites))
        job = completed_job(client, site, "/ip address " + LINE)
        sim.fleet.set_online(site, False)
        with pytest.raises(SDXError, match="an offline router takes no backup"):
            _backups.job_config_diff(SiteAPI(client, site), job, timeout=0.3, interval=0.1)
