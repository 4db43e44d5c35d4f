"""The site layer: what a 404 means on each endpoint, said once, and the site told from the job one way."""

from __future__ import annotations

import pytest
import responses

from ansible_collections.altostrat.sdx.plugins.module_utils._client import SDXClient
from ansible_collections.altostrat.sdx.plugins.module_utils._errors import SDXError
from ansible_collections.altostrat.sdx.plugins.module_utils._site_api import SiteAPI

API = "https://sdx.test"
SITE = "9c69345c-8d39-4786-9f17-8153c988c89a"
JOB = "0eb76fdc-b556-4ca3-91ac-0b8a5b606053"
JOBS = f"{API}/site/{SITE}/job"
MISSING = {"type": "invalid_request_error", "code": "resource_missing", "message": "Not found."}


def site() -> SiteAPI:
    return SiteAPI(SDXClient(API, "alto_sk_site_layer"), SITE)


@responses.activate
def test_an_unknown_job_on_a_known_site_is_none_after_one_read_of_the_list():
    responses.get(f"{JOBS}/{JOB}", status=404, json=MISSING)
    responses.get(JOBS, json=[{"id": "other"}])
    assert site().find_job(JOB) is None
    assert [call.request.url for call in responses.calls] == [f"{JOBS}/{JOB}", JOBS]


@responses.activate
def test_an_unknown_site_is_an_error_that_says_so_and_keeps_the_api_answer():
    responses.get(f"{JOBS}/{JOB}", status=404, json=MISSING)
    responses.get(JOBS, status=404, json=MISSING)
    with pytest.raises(SDXError) as caught:
        site().find_job(JOB)
    assert caught.value.message.startswith(f"site '{SITE}' was not found: SDX API answered HTTP 404")
    assert caught.value.to_dict() == {"status": 404, "type": "invalid_request_error", "code": "resource_missing",
                                      "message": "Not found.", "doc_url": None}


@responses.activate
@pytest.mark.parametrize("call, url, missing", [
    (lambda api: api.jobs(), JOBS, f"site '{SITE}' was not found: "),
    (lambda api: api.job(JOB), f"{JOBS}/{JOB}", f"job '{JOB}' was not found on site '{SITE}': "),
    (lambda api: api.backups(), f"{API}/backup/{SITE}", f"site '{SITE}' was not found: "),
    (lambda api: api.backup("1.rsc"), f"{API}/backup/{SITE}/1.rsc", f"backup '1.rsc' was not found on site '{SITE}': "),
])
def test_each_read_words_its_404(call, url, missing):
    responses.get(url, status=404, json=MISSING)
    with pytest.raises(SDXError) as caught:
        call(site())
    assert caught.value.message.startswith(missing) and caught.value.status == 404


@responses.activate
@pytest.mark.parametrize("call, url", [
    (lambda api: api.queue_script({"description": "d", "script": "s"}), f"{API}/api/asynchronous/{SITE}"),
    (lambda api: api.run_command("/system/resource/print", None), f"{API}/api/synchronous/{SITE}"),
    (lambda api: api.request_backup(), f"{API}/backup/{SITE}"),
])
def test_each_write_to_an_unknown_site_says_the_site_was_not_found(call, url):
    responses.post(url, status=404, json=MISSING)
    with pytest.raises(SDXError, match=f"^site '{SITE}' was not found: SDX API answered HTTP 404"):
        call(site())


@responses.activate
def test_an_offline_site_is_named_for_a_command_and_the_info_of_an_unknown_site_is_none():
    responses.post(f"{API}/api/synchronous/{SITE}", status=409, json={"code": "site_offline", "message": "Offline."})
    responses.get(f"{API}/sites/{SITE}", status=404, json=MISSING)
    with pytest.raises(SDXError, match=f"^site '{SITE}' is offline, and synchronous commands need it online: "):
        site().run_command("/system/resource/print", None)
    assert site().info() is None
