"""Backups at call level (list, request, read, wait, the job's backup) and the local diff and grouping."""

from __future__ import annotations

import pytest
import responses

from ansible_collections.altostrat.sdx.plugins.module_utils import _backups
from ansible_collections.altostrat.sdx.plugins.module_utils._models import Backup
from ansible_collections.altostrat.sdx.plugins.module_utils._client import SDXClient
from ansible_collections.altostrat.sdx.plugins.module_utils._errors import SDXError, SDXInputError
from ansible_collections.altostrat.sdx.plugins.module_utils._models import Job
from ansible_collections.altostrat.sdx.plugins.module_utils._retry import RetryPolicy
from ansible_collections.altostrat.sdx.plugins.module_utils._site_api import SiteAPI

API = "https://sdx.test"
SITE = "9c69345c-8d39-4786-9f17-8153c988c89a"
LIST = f"{API}/backup/{SITE}"


def item(second, **extra):
    return {"filename": f"{second}.rsc", "size": "1.2KB", "date": "29/11/2026", "time": "00:00:00",
            "created_at": None, **extra}


@pytest.fixture
def client():
    return SDXClient(API, "t", retry=RetryPolicy(base_delay=0.0), sleep=lambda _s: None)


class FakeClock:
    def __init__(self):
        self.now = 0.0

    def sleep(self, seconds):
        self.now += seconds

    def __call__(self):
        return self.now


@responses.activate
def test_list_sorts_newest_first_and_accepts_an_envelope(client):
    responses.get(LIST, json={"data": [item(1700000000), item(1700000500, created_at="2023-11-14T22:21:40.5Z"),
                                       item(1600000000)]})
    listed = _backups.list_backups(SiteAPI(client, SITE))
    assert [backup.filename for backup in listed] == ["1700000500.rsc", "1700000000.rsc", "1600000000.rsc"]
    assert listed[0].timestamp == pytest.approx(1700000500.5)
    assert listed[1].metadata() == item(1700000000)


@responses.activate
def test_list_of_an_unknown_site_names_the_site(client):
    responses.get(LIST, status=404, json={"type": "invalid_request_error", "code": "resource_missing",
                                          "message": "No site found."})
    with pytest.raises(SDXError) as caught:
        _backups.list_backups(SiteAPI(client, SITE))
    assert str(caught.value).startswith(f"site '{SITE}' was not found") and caught.value.status == 404


@responses.activate
def test_a_listed_backup_without_a_filename_is_an_error(client):
    responses.get(LIST, json=[{"size": "1KB"}])
    with pytest.raises(SDXError, match="without a filename"):
        _backups.list_backups(SiteAPI(client, SITE))


@responses.activate
def test_request_posts_without_a_body(client):
    responses.post(LIST, status=202, json={"message": "Backup requested"})
    SiteAPI(client, SITE).request_backup()
    assert responses.calls[0].request.body is None


@responses.activate
def test_get_returns_the_content_and_names_a_missing_backup(client):
    responses.get(f"{LIST}/1.rsc", json={**item(1), "content": "/ip address\n"})
    responses.get(f"{LIST}/2.rsc", status=404, json={"code": "resource_missing", "message": "No backup."})
    responses.get(f"{LIST}/3.rsc", json=item(3))
    assert SiteAPI(client, SITE).backup("1.rsc").content == "/ip address\n"
    with pytest.raises(SDXError, match="backup '2.rsc' was not found on site"):
        SiteAPI(client, SITE).backup("2.rsc")
    with pytest.raises(SDXError, match="without its content"):
        SiteAPI(client, SITE).backup("3.rsc")


@pytest.mark.parametrize("value", ["../etc/passwd", "a/b.rsc", "", None, "x y.rsc"])
def test_filenames_are_checked_before_any_request(value):
    with pytest.raises(SDXInputError, match="^filename: expected a backup filename"):
        _backups.parse_filename(value, "filename")


@responses.activate
def test_wait_returns_the_first_backup_not_known_before(client):
    responses.get(LIST, json=[item(1)])
    responses.get(LIST, json=[item(2), item(1)])
    clock = FakeClock()
    found = _backups.wait_for_new(SiteAPI(client, SITE), {"1.rsc"}, timeout=60, interval=5, sleep=clock.sleep,
                                  clock=clock)
    assert found.filename == "2.rsc"
    assert len(responses.calls) == 2 and clock.now == 10  # it looks only after a first pause


@responses.activate
def test_wait_gives_up_at_the_timeout_without_hanging(client):
    responses.get(LIST, json=[item(1)])
    clock = FakeClock()
    found = _backups.wait_for_new(SiteAPI(client, SITE), {"1.rsc"}, timeout=12, interval=5, sleep=clock.sleep,
                                  clock=clock)
    assert found is None
    assert clock.now == 12 and len(responses.calls) == 3


def job(**fields):
    return Job.model_validate({"id": "j1", "should_backup": True, "created_at": "2026-11-29T00:00:10Z",
                               "started_at": "2026-11-29T00:00:14Z", "completed_at": "2026-11-29T00:00:17Z",
                               **fields})


BACKUPS = [Backup(filename="1795910420.rsc", created_at="2026-11-29T00:00:20Z"),  # after the job
           Backup(filename="1795910414.rsc", created_at="2026-11-29T00:00:14Z"),  # its pre-change backup
           Backup(filename="1795824000.rsc", created_at="2026-11-28T00:00:00Z")]


def test_the_pre_change_backup_is_the_one_the_job_names():
    named = job(associated_backup=f"{SITE}/1795824000.rsc")
    assert _backups.pre_change_backup(BACKUPS, named).filename == "1795824000.rsc"
    with pytest.raises(SDXError, match="assumed: associated_backup is '<site id>/<filename>'"):
        _backups.pre_change_backup(BACKUPS, job(associated_backup=f"{SITE}/9.rsc"))


def test_without_a_name_it_is_the_newest_backup_taken_before_the_job_ended():
    assert _backups.pre_change_backup(BACKUPS, job()).filename == "1795910414.rsc"
    by_filename = [Backup(filename=backup.filename) for backup in BACKUPS]
    assert _backups.pre_change_backup(by_filename, job()).filename == "1795910414.rsc"


def test_a_missing_pre_change_backup_fails_naming_the_assumption():
    with pytest.raises(SDXError, match="assumed: a job queued with make_backup is backed up after it is queued"):
        _backups.pre_change_backup([BACKUPS[0], BACKUPS[2]], job())
    with pytest.raises(SDXError, match="not queued with make_backup"):
        _backups.pre_change_backup(BACKUPS, job(should_backup=False))
    with pytest.raises(SDXError, match="has not ended"):
        _backups.pre_change_backup(BACKUPS, job(completed_at=None))


BEFORE = """# 2026-11-28 00:00:00 by RouterOS 7.16.2
# software id = ABCD-EFGH
/ip address
add address=192.168.88.1/24 interface=bridge \\
    network=192.168.88.0
/ppp secret
add name=u1 password=OldSecret1
/system identity
set name=branch-0001-gw
"""
AFTER = BEFORE.replace("2026-11-28", "2026-11-29").replace(
    "/ppp secret", "add address=192.168.99.1/24 interface=bridge\n/ppp secret").replace("OldSecret1", "NewSecret2")


def test_the_diff_shows_changes_only_masks_secrets_and_ignores_the_export_time():
    diff = _backups.unified_diff(BEFORE, AFTER, "a.rsc", "b.rsc")
    assert diff.startswith("--- a.rsc\n+++ b.rsc\n@@ ")
    changed = [line for line in diff.splitlines()[2:] if line[:1] in "+-"]
    assert changed == ["+add address=192.168.99.1/24 interface=bridge", "-add name=u1 password=********",
                       "+add name=u1 password=********"]
    assert "OldSecret1" not in diff and "NewSecret2" not in diff and "by RouterOS" not in diff
    assert " add address=192.168.88.1/24 interface=bridge network=192.168.88.0" in diff  # unwrapped context
    revealed = _backups.unified_diff(BEFORE, AFTER, "a.rsc", "b.rsc", reveal_secrets=True)
    assert "+add name=u1 password=NewSecret2" in revealed
    assert _backups.unified_diff(BEFORE, BEFORE.replace("2026-11-28", "2026-12-01"), "a", "b") == ""


@responses.activate
def test_wait_can_also_require_a_backup_taken_after_a_moment(client):
    responses.get(LIST, json=[item(1795910405), item(1795910401)])
    responses.get(LIST, json=[item(1795910420), item(1795910405), item(1795910401)])
    clock = FakeClock()
    found = _backups.wait_for_new(SiteAPI(client, SITE), set(), timeout=60, interval=5, sleep=clock.sleep, clock=clock,
                                  after=1795910410.0)
    assert found.filename == "1795910420.rsc" and len(responses.calls) == 2
