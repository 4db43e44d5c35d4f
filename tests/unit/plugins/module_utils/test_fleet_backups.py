"""The newest backups of many sites at call level: 50 a bulk request, the fallback when the host lacks it."""

from __future__ import annotations

import json
import uuid

import pytest
import responses

from ansible_collections.altostrat.sdx.plugins.module_utils._client import SDXClient
from ansible_collections.altostrat.sdx.plugins.module_utils._errors import SDXError
from ansible_collections.altostrat.sdx.plugins.module_utils._fleet_backups import latest_backups
from ansible_collections.altostrat.sdx.plugins.module_utils._retry import RetryPolicy

API = "https://sdx.test"
BULK = f"{API}/backups/latest"


@pytest.fixture
def client():
    return SDXClient(API, "t", retry=RetryPolicy(base_delay=0.0), sleep=lambda _s: None)


def sites(count):
    return [str(uuid.UUID(int=number + 1, version=4)) for number in range(count)]


def backup(site_id, second=1796482595):
    return {"filename": f"{second}.rsc", "created_at": "2026-12-05T10:00:00.000000Z", "content": f"# {site_id}\n"}


def answer_bulk(request):
    wanted = json.loads(request.body)["sites"]
    return 200, {}, json.dumps({"results": {site: backup(site) for site in wanted}, "total_sites": len(wanted),
                                "successful": len(wanted), "errors": {}})


@responses.activate
def test_800_sites_cost_16_bulk_requests_of_at_most_50(client):
    responses.add_callback(responses.POST, BULK, callback=answer_bulk, content_type="application/json")
    wanted = sites(800)
    found = latest_backups(client, wanted + wanted[:5])
    assert found.bulk and found.warning is None and found.requests == 16 == len(responses.calls)
    assert [len(json.loads(call.request.body)["sites"]) for call in responses.calls] == [50] * 16
    assert set(found.backups) == set(wanted) and found.missing == {}
    assert found.backups[wanted[3]].content == f"# {wanted[3]}\n"


@responses.activate
def test_a_site_the_bulk_answer_leaves_out_is_missing_with_the_apis_reason(client):
    known, unknown, empty = sites(3)
    responses.add(responses.POST, BULK, json={
        "results": {known: backup(known)}, "total_sites": 3, "successful": 1,
        "errors": {unknown: {"code": "resource_missing", "message": "No site found"}}})
    found = latest_backups(client, [known, unknown, empty])
    assert set(found.backups) == {known}
    assert found.missing[unknown] == {"code": "resource_missing", "message": "No site found"}
    assert "no backup" in found.missing[empty]["message"]


@responses.activate
def test_without_the_bulk_endpoint_it_warns_naming_the_assumption_and_reads_each_site(client):
    first, second = sites(2)
    responses.add(responses.POST, BULK, status=404, json={"message": "Not Found"})
    for site in (first, second):
        responses.add(responses.GET, f"{API}/backup/{site}", json=[
            {"filename": "1796400000.rsc", "created_at": "2026-12-04T11:20:00Z"},
            {"filename": "1796482595.rsc", "created_at": "2026-12-05T10:16:35Z"}])
        responses.add(responses.GET, f"{API}/backup/{site}/1796482595.rsc", json={"content": f"# {site}\n"})
    found = latest_backups(client, [first, second])
    assert not found.bulk and found.requests == 5 == len(responses.calls)
    assert "assumed: the API host serves POST /backups/latest" in found.warning and "HTTP 404" in found.warning
    newest = {site: item.filename for site, item in found.backups.items()}
    assert newest == {first: "1796482595.rsc", second: "1796482595.rsc"}


@responses.activate
def test_bulk_false_never_posts(client):
    (site,) = sites(1)
    responses.add(responses.GET, f"{API}/backup/{site}", json=[])
    found = latest_backups(client, [site], bulk=False)
    assert [call.request.method for call in responses.calls] == ["GET"]
    assert found.missing[site]["code"] == "no_backups" and found.warning is None


@responses.activate
def test_an_answer_without_results_fails_naming_the_assumption(client):
    responses.add(responses.POST, BULK, json={"data": []})
    with pytest.raises(SDXError, match="assumed: results is an object keyed by site id"):
        latest_backups(client, sites(2))


@responses.activate
def test_other_errors_of_the_bulk_endpoint_keep_their_status(client):
    responses.add(responses.POST, BULK, status=403, json={"message": "Forbidden", "code": "forbidden"})
    with pytest.raises(SDXError) as raised:
        latest_backups(client, sites(1))
    assert raised.value.status == 403 and len(responses.calls) == 1
