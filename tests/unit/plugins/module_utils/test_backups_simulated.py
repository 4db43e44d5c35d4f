"""A job's pre-change backup found against the simulator, whether or not jobs name it."""

from __future__ import annotations

import pytest

from ansible_collections.altostrat.sdx.plugins.module_utils import _backups, _jobs
from ansible_collections.altostrat.sdx.plugins.module_utils._client import SDXClient
from ansible_collections.altostrat.sdx.plugins.module_utils._models import AsynchronousScriptRequest
from tests.simulator.server import Simulator
from tests.unit.conftest import TOKEN, serve

LINE = "add address=192.168.99.1/24 interface=bridge"


@pytest.mark.parametrize("associated", [True, False])
def test_the_pre_change_backup_holds_the_configuration_before_the_job(associated):
    sim = Simulator(sites=2, offline_ratio=0, token=TOKEN, rate_limit=0, seed=5, time_scale=0.02,
                    associated_backup=associated)
    with serve(sim) as server:
        client = SDXClient(server.url, TOKEN)
        site = next(iter(sim.fleet.sites))
        request = AsynchronousScriptRequest(description="Guest", script="/ip address " + LINE, make_backup=True,
                                            needs_acknowledgement=True)
        queued = _jobs.queue(client, site, request, known_ids=set())
        outcome = _jobs.wait(client, site, queued.job, timeout=30, interval=0.02)
        assert outcome.job.status == "completed"
        assert bool(outcome.job.associated_backup) is associated
        known = {backup.filename for backup in _backups.list_backups(client, site)}
        _backups.request_backup(client, site)
        after = _backups.wait_for_new(client, site, known, timeout=30, interval=0.02)
        backups = _backups.list_backups(client, site)
        before = _backups.pre_change_backup(backups, outcome.job)
        # the job's own backup: newer than the two every site starts with, older than the one requested after it
        assert [backup.filename for backup in backups].index(before.filename) == 1 and len(backups) == 4
        old = _backups.get_backup(client, site, before.filename).content
        new = _backups.get_backup(client, site, after.filename).content
        assert LINE not in old and LINE in new
        diff = _backups.unified_diff(old, new, before.filename, after.filename)
        assert [line for line in diff.splitlines()[2:] if line[:1] in "+-"] == ["+" + LINE]
