"""Generated hostile answers, fed to every endpoint reader of the client and the site layer.

Each reader either parses the answer or raises SDXError (the collection's own error): never a RecursionError,
a ValueError from float(), an AttributeError on a wrong type, or a UnicodeError. And a job the API created is
never reported as not changed, whatever the queue request or a poll was answered with.
"""

from __future__ import annotations

import json
from unittest import mock as patching

import responses
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from ansible_collections.altostrat.sdx.plugins.module_utils import _client
from ansible_collections.altostrat.sdx.plugins.module_utils._client import SDXClient
from ansible_collections.altostrat.sdx.plugins.module_utils._errors import SDXError
from ansible_collections.altostrat.sdx.plugins.module_utils._models import AsynchronousScriptAccepted
from ansible_collections.altostrat.sdx.plugins.module_utils._retry import RetryPolicy, parse_retry_after
from ansible_collections.altostrat.sdx.plugins.module_utils._site_api import SiteAPI
from ansible_collections.altostrat.sdx.plugins.module_utils._fleet_api import FleetAPI
from ansible_collections.altostrat.sdx.plugins.modules import sdx_async_script
from tests.unit.compat import run_module

API = "https://sdx.test"
TOKEN = "alto_sk_property_secret"
SITE = "9c69345c-8d39-4786-9f17-8153c988c89a"
JOB_ID = "0eb76fdc-b556-4ca3-91ac-0b8a5b606053"
JOBS = f"{API}/site/{SITE}/job"
QUEUE = f"{API}/api/asynchronous/{SITE}"
SCRIPT = "/ip address add address=192.168.99.1/24 interface=bridge"
CREATED = {"id": JOB_ID, "idempotency_key": "k-new", "description": "Guest", "script": SCRIPT,
           "created_at": "2026-11-28T12:00:00Z", "started_at": "2026-11-28T12:00:01Z",
           "completed_at": "2026-11-28T12:00:02Z"}
# No example database: nothing is written into the repository (the tarball would carry it).
PROFILE = settings(max_examples=150, deadline=None, database=None,
                   suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

# -- what an answer can hold ---------------------------------------------------------------------------------------

# Every Unicode category: letters, marks, digits of other scripts (U+00B2 "²" passes isdigit()), spaces, controls,
# lone surrogates, private use, unassigned code points.
ANY_TEXT = st.text(alphabet=st.characters(codec=None), max_size=40)
HUGE_NUMBERS = st.one_of(st.integers(min_value=-(10 ** 40), max_value=10 ** 40),
                         st.floats(allow_nan=True, allow_infinity=True), st.just(10 ** 300))
SCALARS = st.one_of(st.none(), st.booleans(), HUGE_NUMBERS, ANY_TEXT)
JSON_VALUES = st.recursive(SCALARS, lambda inner: st.one_of(st.lists(inner, max_size=4),
                                                            st.dictionaries(ANY_TEXT, inner, max_size=4)),
                           max_leaves=12)
FIELDS = ("id", "idempotency_key", "description", "script", "started_at", "completed_at", "failed_at",
          "created_at", "filename", "content", "has_pulse", "tags", "data", "next_page_url", "links", "status")


@st.composite
def shaped(draw) -> object:
    """A value of a documented shape with wrong types at any level: an object of known fields, a list of them,
    a ``{"data": ...}`` envelope, or anything at all."""
    item = draw(st.dictionaries(st.sampled_from(FIELDS), JSON_VALUES, max_size=6))
    return draw(st.sampled_from([item, [item], {"data": [item]}, {"data": item}, {"status": "success", "data": item},
                                 draw(JSON_VALUES)]))


def encoded(value: object) -> bytes:
    return json.dumps(value, allow_nan=True).encode("utf-8", "surrogatepass")


DEEP = b"[" * 1000 + b"]" * 1000  # the body that crashed the readers: 2 KB of nested arrays
NESTING = st.integers(min_value=1, max_value=5000).map(lambda depth: ("[" * depth + "]" * depth).encode())
BODIES = st.one_of(
    shaped().map(encoded),
    NESTING,
    st.integers(min_value=1, max_value=6000).map(lambda digits: b"1" * digits),
    st.sampled_from([b"1e999999", b"-1e999999", b"NaN", b'{"id": Infinity}', b"", b"   ", b"\xff\xfe\xfd",
                     b'{"data": {"idempotency_key": "\xff\xfe"}}', b"<html>502</html>",
                     '{"a": "é"}'.encode("utf-16"), '[{"id": "x"}]'.encode("utf-32-le")]),
    shaped().map(lambda value: encoded(value).decode("utf-8", "surrogatepass").encode("utf-16-le", "surrogatepass")),
    st.binary(max_size=200),
)
HEADERS = st.dictionaries(st.sampled_from(["Retry-After", "Content-Type", "Location", "X-RateLimit-Remaining"]),
                          ANY_TEXT, max_size=3)
STATUSES = st.sampled_from([200, 202, 204, 301, 400, 401, 404, 409, 429, 500, 502, 503])


def read_once() -> RetryPolicy:
    """No retries: each generated answer is read once (a 429 or a 503 would otherwise be waited out)."""
    return RetryPolicy(max_attempts=1, deadline=0.0)


def client() -> SDXClient:
    return SDXClient(API, TOKEN, retry=read_once(), sleep=lambda _seconds: None)


def run_once(args: dict) -> dict:
    """The module run in-process, its client reading each answer once."""
    with patching.patch.object(_client, "RetryPolicy", read_once):
        return run_module(sdx_async_script.main, args)


def serve(mock: responses.RequestsMock, method: str, url: str, status: int, body: bytes, headers: dict) -> None:
    others = {name: value for name, value in headers.items() if name != "Content-Type"}
    mock.add(method, url, status=status, body=body, headers=others, content_type=headers.get("Content-Type"))


# Each endpoint reader of the site layer, with the method and URL it calls.
READERS = {
    "jobs": ("GET", JOBS, lambda site: site.jobs()),
    "job": ("GET", f"{JOBS}/{JOB_ID}", lambda site: site.job(JOB_ID)),
    "find_job": ("GET", f"{JOBS}/{JOB_ID}", lambda site: site.find_job(JOB_ID)),
    "cancel": ("DELETE", f"{JOBS}/{JOB_ID}", lambda site: site.cancel(JOB_ID)),
    "info": ("GET", f"{API}/sites/{SITE}", lambda site: site.info()),
    "tags": ("GET", f"{API}/sites/{SITE}/metadata", lambda site: site.tags()),
    "queue": ("POST", QUEUE, lambda site: AsynchronousScriptAccepted.from_answer(
        site.queue_script({"description": "d", "script": "s"}), "POST queue")),
    "command": ("POST", f"{API}/api/synchronous/{SITE}", lambda site: site.run_command("/system/resource/print", None)),
    "backups": ("GET", f"{API}/backup/{SITE}", lambda site: site.backups()),
    "backup": ("GET", f"{API}/backup/{SITE}/1732567800.rsc", lambda site: site.backup("1732567800.rsc")),
    "request_backup": ("POST", f"{API}/backup/{SITE}", lambda site: site.request_backup()),
    "sites": ("GET", f"{API}/sites", lambda site: FleetAPI(site.client).sites()),
}


def reads_or_raises_sdx_error(name: str, status: int, body: bytes, headers: dict) -> None:
    method, url, read = READERS[name]
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        serve(mock, method, url, status, body, headers)
        # A follow-up read (find_job's job list, a next page, a cancel's read back) gets the same answer.
        for other_method, other_url in (("GET", JOBS), ("GET", f"{JOBS}/{JOB_ID}"), ("GET", f"{API}/sites")):
            if (other_method, other_url) != (method, url):
                serve(mock, other_method, other_url, status, body, headers)
        try:
            read(SiteAPI(client(), SITE))
        except SDXError as error:
            json.dumps(error.to_dict())  # its fields can be carried in a task result
            error.message.encode("utf-8")


@PROFILE
@given(name=st.sampled_from(sorted(READERS)), status=STATUSES, body=BODIES, headers=HEADERS)
@example(name="jobs", status=200, body=DEEP, headers={})
@example(name="queue", status=400, body=DEEP, headers={})
@example(name="backups", status=429, body=b"[]", headers={"Retry-After": "\u00b2"})
@example(name="backup", status=301, body=b"[]", headers={"Location": "\x80"})  # requests decodes it as UTF-8
def test_every_endpoint_reader_parses_or_raises_the_collections_error(name, status, body, headers):
    reads_or_raises_sdx_error(name, status, body, headers)


@PROFILE
@given(value=ANY_TEXT)
@example(value="\u00b2")
@example(value="9" * 400)
def test_any_retry_after_is_seconds_within_a_day_or_absent(value):
    seconds = parse_retry_after(value)
    assert seconds is None or 0.0 <= seconds <= 86400.0


@PROFILE
@given(status=st.sampled_from([200, 202, 500, 502, 503, 504]), body=BODIES, headers=HEADERS)
@example(status=202, body=DEEP, headers={})
@example(status=500, body=DEEP, headers={})
@example(status=202, body=b'{"data": {"idempotency_key": "\xff\xfe\xfd"}}', headers={})
def test_a_job_the_queue_request_created_is_never_reported_unchanged(status, body, headers):
    """The POST created the job (the list shows it afterwards) and was answered with anything: the task reports
    a change, whether it read the answer, warned that it could not, or adopted the job by reconciling."""
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        mock.get(JOBS, json=[])
        serve(mock, "POST", QUEUE, status, body, headers)
        mock.get(JOBS, json=[CREATED])
        result = run_once({
            "api_url": API, "api_token": TOKEN, "site_id": SITE, "description": CREATED["description"],
            "script": SCRIPT, "settle_timeout": 0.01, "rate_limit": 0})
        assert [call.request.method for call in mock.calls].count("POST") == 1
    assert result["changed"] is True, result
    assert not result.get("failed"), result


@PROFILE
@given(status=st.sampled_from([200, 400, 404, 429, 500]), body=BODIES, headers=HEADERS)
@example(status=200, body=DEEP, headers={})
@example(status=429, body=b"[]", headers={"Retry-After": "\u00b9"})
def test_a_poll_that_cannot_be_read_never_turns_a_queued_job_unchanged(status, body, headers):
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        mock.get(JOBS, json=[])
        mock.post(QUEUE, status=202, json={"status": "success", "data": {"idempotency_key": "k-new"}})
        serve(mock, "GET", JOBS, status, body, headers)
        result = run_once({
            "api_url": API, "api_token": TOKEN, "site_id": SITE, "description": CREATED["description"],
            "script": SCRIPT, "wait": True, "poll_interval": 0.01, "wait_timeout": 0.05, "rate_limit": 0})
    assert result["changed"] is True and result["queued"] is True, result
