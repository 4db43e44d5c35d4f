"""The client against hostile input: tokens with line breaks, bad URLs, redirects, Retry-After: 0, NaN."""

from __future__ import annotations

import math

import pytest
import requests
import responses
from responses import matchers

from ansible_collections.altostrat.sdx.plugins.module_utils import _jobs
from ansible_collections.altostrat.sdx.plugins.module_utils._client import SDXClient, client_from_options
from ansible_collections.altostrat.sdx.plugins.module_utils._errors import SDXError, SDXInputError, SDXLocalError
from ansible_collections.altostrat.sdx.plugins.module_utils._models import AsynchronousScriptRequest
from ansible_collections.altostrat.sdx.plugins.module_utils._numbers import count, seconds
from ansible_collections.altostrat.sdx.plugins.module_utils._retry import RetryPolicy
from ansible_collections.altostrat.sdx.plugins.module_utils._site_api import SiteAPI
from tests.unit.compat import FakeClock

API = "https://sdx.test"
TOKEN = "alto_sk_hostile_review_4f1d"
SITE = "9c69345c-8d39-4786-9f17-8153c988c89a"
OPTIONS = {"api_url": API, "api_token": TOKEN, "timeout": 5.0, "rate_limit": 0, "validate_certs": True}


def make_client(token=TOKEN, url=API, clock=None, **retry):
    clock = clock or FakeClock()
    return SDXClient(url, token, timeout=5, retry=RetryPolicy(**{"base_delay": 0.5, **retry}), sleep=clock.sleep,
                     clock=clock)


def forms(token):
    """The token, its stripped form, and the escaped form an exception's repr shows."""
    return {token, token.strip(), repr(token)[1:-1]}


# -- 1. the token ---------------------------------------------------------------------------------------------

@responses.activate
@pytest.mark.parametrize("raw", [f"{TOKEN}\n", f"{TOKEN}\r", f"  {TOKEN}\r\n", f"\t{TOKEN} "])
def test_surrounding_whitespace_is_stripped_from_the_token(raw):
    responses.get(f"{API}/sites", json=[], match=[matchers.header_matcher({"Authorization": f"Bearer {TOKEN}"})])
    assert client_from_options({**OPTIONS, "api_token": raw}, agent="test").get("sites") == []


@pytest.mark.parametrize("raw", [f"{TOKEN}\nX-Evil: 1", "alto_sk a b", f"{TOKEN}\x00", f"{TOKEN}\u20ac", f"{TOKEN}\x7f"])
def test_a_token_with_whitespace_or_control_characters_inside_is_refused_without_showing_it(raw):
    with pytest.raises(SDXInputError) as caught:
        client_from_options({**OPTIONS, "api_token": raw}, agent="test")
    message = str(caught.value)
    assert message.startswith("api_token: expected printable ASCII characters")
    assert "alto_sk" not in message and "X-Evil" not in message


@pytest.mark.parametrize("raw", ["", "  ", "\n", None])
def test_a_token_of_only_whitespace_is_no_token(raw):
    with pytest.raises(SDXInputError, match="api_token: no API token given"):
        client_from_options({**OPTIONS, "api_token": raw}, agent="test")


@responses.activate
@pytest.mark.parametrize("method", ["GET", "POST"])
def test_a_token_the_header_refuses_is_a_local_error_never_retried_and_never_shown(method):
    clock = FakeClock()
    client = make_client(token=f"{TOKEN}\n", clock=clock)
    with pytest.raises(SDXLocalError) as caught:
        client.request(method, "sites", body={} if method == "POST" else None)
    message = str(caught.value)
    assert message.startswith("api_token: the token cannot be sent in an HTTP header")
    assert not any(form in message for form in forms(f"{TOKEN}\n"))
    assert "alto_sk" not in message
    assert not caught.value.ambiguous and caught.value.status is None
    assert clock.sleeps == [] and len(responses.calls) == 0


def test_a_token_that_is_not_latin_1_is_a_local_error_too(simulator):
    clock = FakeClock()
    client = make_client(token=f"{TOKEN}\u20ac", url=simulator.url, clock=clock)
    with pytest.raises(SDXLocalError, match="^api_token: ") as caught:
        client.get("sites")
    assert "alto_sk" not in str(caught.value)
    assert clock.sleeps == [] and simulator.sim.requests() == []


@responses.activate
def test_a_token_quoted_in_any_error_text_is_masked():
    echoed = f"bad key {TOKEN} / {TOKEN!r}"
    responses.get(f"{API}/sites", status=400, json={"type": "invalid_request_error", "code": "x", "message": echoed})
    responses.get(f"{API}/other", status=200, body=f"<p>{TOKEN}</p>")
    client = make_client()
    for path in ("sites", "other"):
        with pytest.raises(SDXError) as caught:
            client.get(path)
        assert TOKEN not in str(caught.value) and "********" in str(caught.value)
        assert TOKEN not in (caught.value.api_message or "")


def test_a_transport_error_quoting_the_token_is_masked(monkeypatch):
    client = make_client(token=f"{TOKEN}\n")

    def fail(*_args, **_kwargs):
        raise requests.exceptions.ConnectionError(f"proxy said no to 'Bearer {TOKEN}\\n'")
    monkeypatch.setattr(client.session, "request", fail)
    with pytest.raises(SDXError) as caught:
        client.get("sites")
    assert not any(form in str(caught.value) for form in forms(f"{TOKEN}\n"))


# -- 1b and 5. api_url and other local errors ------------------------------------------------------------------

@pytest.mark.parametrize("url, problem", [
    ("http://", "it has no host"),
    ("https://", "it has no host"),
    ("https:///api", "it has no host"),
    ("https://[::1", "Invalid IPv6 URL"),
    ("https://sdx.example.com:99999", "Port out of range"),
    ("https://sdx.example.com:port", "Port could not be cast"),
    ("https://sdx example.com", "it holds a space"),
    ("v1.api.altostrat.io", "it must start with https:// or http://"),
    ("ftp://sdx.example.com", "it must start with https:// or http://"),
])
def test_an_unusable_api_url_is_refused_naming_api_url(url, problem):
    with pytest.raises(SDXInputError) as caught:
        client_from_options({**OPTIONS, "api_url": url}, agent="test")
    assert str(caught.value).startswith("api_url: expected an http(s) URL such as https://v1.api.altostrat.io")
    assert problem in str(caught.value)


@pytest.mark.parametrize("url", ["http://", "https://[::1", "http:///x"])
@pytest.mark.parametrize("method", ["GET", "POST"])
def test_an_unusable_url_in_the_client_is_local_never_retried_nor_ambiguous(url, method):
    clock = FakeClock()
    with pytest.raises(SDXLocalError) as caught:
        make_client(url=url, clock=clock).request(method, "sites", body={} if method == "POST" else None)
    assert str(caught.value).startswith("api_url: ")
    assert not caught.value.ambiguous and clock.sleeps == []


@responses.activate
def test_a_local_error_during_the_queue_post_is_not_queued_and_not_reconciled():
    client = make_client(url="http://")
    request = AsynchronousScriptRequest(description="d", script="/x")
    with pytest.raises(SDXError) as caught:
        _jobs.queue(SiteAPI(client, SITE), request, known_ids=set())
    assert isinstance(caught.value, SDXLocalError) and not isinstance(caught.value, _jobs.OutcomeUnknown)
    assert len(responses.calls) == 0


def test_a_ca_path_that_does_not_exist_is_named(tmp_path):
    with pytest.raises(SDXInputError, match="^ca_path: .* does not exist"):
        client_from_options({**OPTIONS, "ca_path": str(tmp_path / "missing.pem")}, agent="test")


# -- 3. redirects ---------------------------------------------------------------------------------------------

@responses.activate
@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
def test_a_redirect_is_never_followed_and_is_an_error_naming_api_url(status):
    responses.post(f"{API}/api/asynchronous/{SITE}", status=status, headers={"Location": "/login"})
    responses.get(f"{API}/login", json={"status": "success", "data": {"idempotency_key": "k", "request_id": "r"}})
    client = make_client()
    request = AsynchronousScriptRequest(description="d", script="/x")
    with pytest.raises(SDXError) as caught:
        _jobs.queue(SiteAPI(client, SITE), request, known_ids=set())
    assert not isinstance(caught.value, _jobs.OutcomeUnknown) and not caught.value.ambiguous
    assert caught.value.status == status
    assert str(caught.value).startswith(f"SDX API answered HTTP {status} (redirect to {API}/login) to POST ")
    assert "api_url" in str(caught.value)
    assert [call.request.url for call in responses.calls] == [f"{API}/api/asynchronous/{SITE}"]


@responses.activate
def test_a_read_answered_304_is_an_error_and_not_retried():
    responses.get(f"{API}/sites", status=304)
    clock = FakeClock()
    with pytest.raises(SDXError, match=r"^SDX API answered HTTP 304 \(a redirect without a Location\)"):
        make_client(clock=clock).get("sites")
    assert len(responses.calls) == 1 and clock.sleeps == []


# -- 6. a 429 with Retry-After: 0 -----------------------------------------------------------------------------

@responses.activate
@pytest.mark.parametrize("retry_after", ["0", "Thu, 01 Jan 1970 00:00:00 GMT", None])
def test_a_429_is_never_retried_without_a_pause_of_at_least_a_second(retry_after):
    headers = {"Retry-After": retry_after} if retry_after is not None else {}
    responses.get(f"{API}/sites", status=429, headers=headers, json={"message": "Too Many Attempts."})
    clock = FakeClock()
    with pytest.raises(SDXError) as caught:
        make_client(clock=clock, deadline=15).get("sites")
    assert caught.value.status == 429
    assert clock.sleeps and min(clock.sleeps) >= 1.0
    assert len(responses.calls) == len(clock.sleeps) + 1 <= 16


def test_after_a_429_a_longer_retry_after_is_waited_as_given_and_a_short_one_gives_way_to_the_backoff():
    policy = RetryPolicy(base_delay=1.0, max_delay=30.0)
    assert policy.delay(1, 3.0, 429) == 3.0
    assert policy.delay(1, 0.0, 429) >= 1.0
    assert policy.delay(1, 0.0, 503) == 0.0  # only a 429 has the floor; a 503 is bounded by the attempt limit


# -- 4. numbers -----------------------------------------------------------------------------------------------

@pytest.mark.parametrize("value", [math.nan, math.inf, -math.inf, -1, 0, 0.0, 1e300, 10 ** 400, True, "5", None])
def test_seconds_refuses_anything_but_a_finite_number_above_0(value):
    with pytest.raises(SDXInputError, match="^wait_timeout: expected a finite number of seconds above 0"):
        seconds("wait_timeout", value)


def test_seconds_takes_finite_numbers_and_zero_only_where_allowed():
    assert seconds("timeout", 2) == 2.0 and seconds("timeout", 0.25) == 0.25
    assert seconds("max_age", 0, zero_ok=True) == 0.0
    with pytest.raises(SDXInputError, match="^max_age: expected a finite number of seconds 0 or more"):
        seconds("max_age", math.nan, zero_ok=True)


@pytest.mark.parametrize("value", [math.nan, math.inf, -1, 2.5, 10 ** 400, True, "60"])
def test_count_refuses_anything_but_a_whole_number_in_range(value):
    with pytest.raises(SDXInputError, match="^rate_limit: expected requests per minute"):
        count("rate_limit", value, minimum=0, what="requests per minute")
    assert count("rate_limit", 0, minimum=0, what="requests per minute") == 0


def test_a_whole_number_beyond_any_float_is_named_without_its_digits():
    with pytest.raises(SDXInputError, match="got a whole number too large for a float$"):
        count("rate_limit", 10 ** 400, minimum=0, what="requests per minute")


@pytest.mark.parametrize("name, value", [("timeout", math.nan), ("timeout", math.inf), ("timeout", 0),
                                         ("rate_limit", math.nan), ("rate_limit", -1), ("rate_limit", math.inf)])
def test_connection_numbers_are_checked_by_the_one_validator(name, value):
    with pytest.raises(SDXInputError, match=f"^{name}: expected "):
        client_from_options({**OPTIONS, name: value}, agent="test")
