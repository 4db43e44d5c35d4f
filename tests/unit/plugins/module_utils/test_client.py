"""Call-level tests of the transport: auth, retries, error mapping, pagination."""

from __future__ import annotations

import socket

import pytest
import requests
import responses
from responses import matchers

from ansible_collections.altostrat.sdx.plugins.module_utils._client import SDXClient
from ansible_collections.altostrat.sdx.plugins.module_utils._errors import SDXError
from ansible_collections.altostrat.sdx.plugins.module_utils._retry import RetryPolicy
from tests.unit.compat import FakeClock

API = "https://sdx.test"
ERROR = {"type": "invalid_request_error", "code": "resource_missing", "message": "No site found with id 'x'.",
         "doc_url": "https://docs.altostrat.io/errors/resource_missing"}


def make_client(clock=None, **retry):
    clock = clock or FakeClock()
    policy = RetryPolicy(**{"base_delay": 0.5, **retry})
    return SDXClient(API, "alto_sk_secret", timeout=7, retry=policy, sleep=clock.sleep, clock=clock)


@responses.activate
def test_sends_bearer_token_json_and_a_user_agent_naming_collection_and_core():
    responses.get(f"{API}/sites", json=[], match=[matchers.header_matcher({"Authorization": "Bearer alto_sk_secret"})])
    client = make_client()
    assert client.get("sites") == []
    agent = responses.calls[0].request.headers["User-Agent"]
    assert agent.startswith("altostrat.sdx/0.1.0 (module) ansible-core/")
    responses.post(f"{API}/api/asynchronous/s", json={"status": "success"},
                   match=[matchers.json_params_matcher({"a": 1})])
    client.post("api/asynchronous/s", {"a": 1})
    assert responses.calls[1].request.headers["Content-Type"] == "application/json"


@responses.activate
@pytest.mark.parametrize("status", [429, 502, 503, 504])
def test_reads_retry_retryable_statuses_then_succeed(status):
    clock = FakeClock()
    responses.get(f"{API}/sites", status=status, json={"message": "busy"})
    responses.get(f"{API}/sites", json=[{"id": "a"}])
    assert make_client(clock).get("sites") == [{"id": "a"}]
    assert len(responses.calls) == 2
    assert len(clock.sleeps) == 1
    if status == 429:  # at least a second after a 429 without Retry-After
        assert clock.sleeps == [1.0]
    else:
        assert 0 <= clock.sleeps[0] <= 0.5


@responses.activate
def test_retry_after_is_honoured_case_insensitively_and_capped():
    clock = FakeClock()
    responses.get(f"{API}/sites", status=429, headers={"retry-after": "3"}, json={"message": "Too Many Attempts."})
    responses.get(f"{API}/sites", status=429, headers={"RETRY-AFTER": "9999"}, json={})
    responses.get(f"{API}/sites", json=[])
    make_client(clock, retry_after_cap=20).get("sites")
    assert clock.sleeps == [3.0, 20.0]


@responses.activate
def test_retries_stop_at_max_attempts_with_the_last_error():
    clock = FakeClock()
    responses.get(f"{API}/sites", status=503, json={"type": "api_error", "code": "unavailable", "message": "down"})
    with pytest.raises(SDXError) as caught:
        make_client(clock, max_attempts=3).get("sites")
    assert len(responses.calls) == 3
    assert caught.value.status == 503
    assert caught.value.code == "unavailable"
    assert "gave up after 3 attempt(s)" in str(caught.value)


@responses.activate
def test_retries_stop_at_the_total_deadline():
    clock = FakeClock()
    responses.get(f"{API}/sites", status=429, headers={"Retry-After": "40"}, json={})
    with pytest.raises(SDXError):
        make_client(clock, max_attempts=10, deadline=100, retry_after_cap=60).get("sites")
    assert clock.sleeps == [40.0, 40.0]
    assert len(responses.calls) == 3


@responses.activate
def test_reads_retry_transport_errors():
    responses.get(f"{API}/sites", body=requests.exceptions.ReadTimeout("read timed out"))
    responses.get(f"{API}/sites", json=[])
    assert make_client().get("sites") == []
    assert len(responses.calls) == 2


@responses.activate
def test_a_post_is_not_retried_after_a_5xx_and_the_error_is_ambiguous():
    responses.post(f"{API}/api/asynchronous/s", status=503, json={})
    with pytest.raises(SDXError) as caught:
        make_client().post("api/asynchronous/s", {})
    assert len(responses.calls) == 1
    assert caught.value.ambiguous


@responses.activate
@pytest.mark.parametrize("failure", [{"status": 502, "json": {}}, {"body": requests.exceptions.ReadTimeout("slow")},
                                     {"body": requests.exceptions.ConnectionError("Connection aborted.")}])
def test_a_delete_is_a_write_too_and_is_not_repeated_after_an_unknown_outcome(failure):
    responses.delete(f"{API}/site/s/job/j", **failure)
    with pytest.raises(SDXError) as caught:
        make_client().delete("site/s/job/j")
    assert len(responses.calls) == 1
    assert caught.value.ambiguous


@responses.activate
def test_a_post_is_not_retried_after_a_dropped_connection():
    responses.post(f"{API}/api/asynchronous/s", body=requests.exceptions.ConnectionError("Connection aborted."))
    with pytest.raises(SDXError) as caught:
        make_client().post("api/asynchronous/s", {})
    assert len(responses.calls) == 1
    assert caught.value.ambiguous
    assert str(caught.value).startswith(f"could not reach {API}/api/asynchronous/s")


@responses.activate
def test_a_post_rejected_with_429_is_retried_since_nothing_was_processed():
    clock = FakeClock()
    responses.post(f"{API}/api/asynchronous/s", status=429, headers={"Retry-After": "2"}, json={})
    responses.post(f"{API}/api/asynchronous/s", status=202, json={"status": "success"})
    assert make_client(clock).post("api/asynchronous/s", {}) == {"status": "success"}
    assert clock.sleeps == [2.0]


def test_a_refused_connection_is_known_unsent_and_a_post_is_retried():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    clock = FakeClock()
    client = SDXClient(f"http://127.0.0.1:{port}", "t", timeout=2, retry=RetryPolicy(max_attempts=2, base_delay=0.01),
                       sleep=clock.sleep, clock=clock)
    with pytest.raises(SDXError) as caught:
        client.post("api/asynchronous/s", {})
    assert not caught.value.ambiguous
    assert len(clock.sleeps) == 1
    assert caught.value.status is None
    assert f"could not reach http://127.0.0.1:{port}/api/asynchronous/s" in str(caught.value)


@responses.activate
def test_error_response_fields_are_kept():
    responses.get(f"{API}/sites/x", status=404, json=ERROR)
    with pytest.raises(SDXError) as caught:
        make_client().get("sites/x")
    assert caught.value.to_dict() == {"status": 404, **ERROR}
    assert "HTTP 404 (invalid_request_error/resource_missing)" in str(caught.value)
    assert "No site found" in str(caught.value)


@responses.activate
def test_401_says_the_token_was_rejected_without_showing_it():
    responses.get(f"{API}/sites", status=401, json={"message": "Unauthenticated."})
    with pytest.raises(SDXError) as caught:
        make_client().get("sites")
    assert str(caught.value).startswith("SDX rejected the API token (HTTP 401): Unauthenticated.")
    assert "alto_sk_secret" not in str(caught.value)
    assert len(responses.calls) == 1


@responses.activate
def test_html_error_pages_are_described():
    responses.get(f"{API}/sites", status=500, body="<html><h1>Oops</h1></html>", content_type="text/html")
    with pytest.raises(SDXError) as caught:
        make_client().get("sites")
    assert caught.value.status == 500
    assert "an HTML page instead of JSON (Oops)" in str(caught.value)


@responses.activate
def test_a_success_with_a_non_json_body_is_an_error():
    responses.get(f"{API}/sites", body="<html>login</html>", status=200)
    with pytest.raises(SDXError, match="not JSON"):
        make_client().get("sites")


@responses.activate
def test_lists_accept_bare_arrays_envelopes_and_follow_pages():
    responses.get(f"{API}/a", json=[1, 2])
    responses.get(f"{API}/b", json={"data": [1]})
    responses.get(f"{API}/c", json={"data": [1], "links": {"next": f"{API}/c?page=2"}})
    responses.get(f"{API}/c?page=2", json={"data": [2], "next_page_url": f"{API}/c?page=3"})
    responses.get(f"{API}/c?page=3", json={"data": [3], "links": {"next": None}})
    client = make_client()
    assert client.get_list("a") == [1, 2]
    assert client.get_list("b") == [1]
    assert client.get_list("c") == [1, 2, 3]


@responses.activate
def test_pagination_never_sends_the_token_to_another_host():
    responses.get(f"{API}/c", json={"data": [1], "links": {"next": "https://evil.test/c?page=2"}})
    with pytest.raises(SDXError, match="another host"):
        make_client().get_list("c")
    assert len(responses.calls) == 1


@pytest.mark.parametrize("options, verify", [
    ({}, "/env/bundle.pem"),  # the environment's bundle is the documented default of ca_path
    ({"ca_path": "/etc/ca.pem"}, "/etc/ca.pem"),
    ({"validate_certs": False, "ca_path": "/etc/ca.pem"}, False),
    ({"validate_certs": False}, False),
])
@responses.activate
def test_tls_options_reach_every_request_whatever_the_environment_says(monkeypatch, options, verify):
    # requests lets these variables override a session's verify: validate_certs=false must still hold.
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", "/env/bundle.pem")
    monkeypatch.setenv("CURL_CA_BUNDLE", "/env/bundle.pem")
    responses.get(f"{API}/a", json={})
    SDXClient(API, "t", **options).get("a")
    assert responses.calls[0].request.req_kwargs["verify"] == verify


@pytest.mark.parametrize("body", [b'{"description": "a\\ud800b"}', b'[{"x": "\\udc00"}]', b'{"\\udbff": 1}'])
@responses.activate
def test_an_answer_with_a_lone_surrogate_is_an_error_naming_the_endpoint(body):
    responses.get(f"{API}/a", body=body, content_type="application/json")
    with pytest.raises(SDXError, match=r"answered GET https://sdx.test/a with HTTP 200 but the body holds text that "
                                       r"is not valid Unicode") as caught:
        make_client().get("a")
    assert caught.value.status == 200


@responses.activate
def test_a_lone_surrogate_in_a_utf_16_answer_is_found_too():
    # Without a Content-Type, requests finds the encoding of a JSON body from its first bytes (RFC 4627).
    responses.get(f"{API}/a", body='{"x": "\\ud800"}'.encode("utf-16-le"), content_type=None)
    with pytest.raises(SDXError, match="not valid Unicode"):
        make_client().get("a")


@responses.activate
def test_a_surrogate_pair_and_an_escaped_backslash_are_fine():
    responses.get(f"{API}/a", body=b'{"emoji": "\\ud83d\\ude00", "text": "\\\\ud800"}', content_type="application/json")
    assert make_client().get("a") == {"emoji": "\U0001F600", "text": "\\ud800"}


class RecordingBudget:
    def __init__(self):
        self.calls = []
        self.waited = 0.0

    def acquire(self, give_way=False):
        self.calls.append(give_way)
        return 0.0

    def release(self, retry_after=None):
        pass


@responses.activate
def test_every_attempt_takes_a_place_in_the_budget_and_polls_say_so():
    clock = FakeClock()
    budget = RecordingBudget()
    client = SDXClient(API, "t", retry=RetryPolicy(base_delay=0.1), budget=budget, sleep=clock.sleep, clock=clock)
    responses.get(f"{API}/sites", status=503, json={})
    responses.get(f"{API}/sites", json=[])
    responses.get(f"{API}/site/s/job/j", json={"id": "j"})
    client.get("sites")
    client.get("site/s/job/j", give_way=True)
    assert budget.calls == [False, False, True]
