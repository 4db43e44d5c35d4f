"""The simulator's notify_url calls: https anywhere is accepted but only loopback is ever called; http only on loopback."""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request

import pytest

from simulator.server import Simulator
from tests.unit.conftest import TOKEN, serve

SITE = "9c69345c-8d39-4786-9f17-8153c988c89a"


def call(server, method, path, body=None, token=True):
    request = urllib.request.Request(server.url + path, method=method,
                                     data=None if body is None else json.dumps(body).encode(),
                                     headers={"Content-Type": "application/json"})
    if token:
        request.add_header("Authorization", f"Bearer {TOKEN}")
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:
            return answer.status, json.loads(answer.read() or b"null")
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"null")


@pytest.mark.parametrize("url, status", [
    ("http://hooks.example.com/sdx", 400),
    ("ftp://127.0.0.1/sdx", 400),
    ("http://127.0.0.1:9/sdx", 202),
    ("http://localhost:9/sdx", 202),
    ("https://hooks.example.com/sdx", 202),
])
def test_notify_url_is_https_or_loopback_http(url, status):
    with serve(Simulator(sites=2, offline_ratio=0.0, token=TOKEN, rate_limit=0, seed=1, time_scale=0.02)) as server:
        body = {"description": "d", "script": "s", "notify_url": url}
        answer, _body = call(server, "POST", f"/api/asynchronous/{SITE}", body)
    assert answer == status


def test_only_loopback_urls_are_called_and_each_status_change_is_logged():
    with serve(Simulator(sites=2, offline_ratio=0.0, token=TOKEN, rate_limit=0, seed=1, time_scale=0.02)) as server:
        call(server, "POST", f"/api/asynchronous/{SITE}", {"description": "d", "script": "s",
                                                           "notify_url": "https://hooks.example.com/sdx"})
        call(server, "POST", f"/api/asynchronous/{SITE}", {"description": "d", "script": "s",
                                                           "notify_url": "http://127.0.0.1:9/sdx"})
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            log = call(server, "GET", "/_sim/notifications", token=False)[1]
            if len(log) == 4:
                break
            time.sleep(0.05)
    remote = [entry for entry in log if "example.com" in entry["url"]]
    local = [entry for entry in log if "127.0.0.1" in entry["url"]]
    assert sorted(entry["payload"]["status"] for entry in remote) == ["completed", "pending"]
    assert all(entry["answers"] == ["refused: the simulator only calls loopback URLs"] for entry in remote)
    assert sorted(entry["payload"]["status"] for entry in local) == ["completed", "pending"]
    assert all(answer.startswith("error:") for entry in local for answer in entry["answers"])
