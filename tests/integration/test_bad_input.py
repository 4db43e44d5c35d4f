"""Bad input: a clear error naming the field, before any request (the simulator's log stays empty)."""

from __future__ import annotations

import json

import pytest

SITE = "9c69345c-8d39-4786-9f17-8153c988c89a"
JOB = "0eb76fdc-b556-4ca3-91ac-0b8a5b606053"
QUEUE = {"site_id": SITE, "description": "d", "script": "/x"}

MODULE_CASES = [  # (module, arguments, text the error must hold: the field and what was expected)
    ("sdx_async_script", {**QUEUE, "site_id": "branch-1"}, "site_id: expected a site UUID"),
    ("sdx_async_script", {**QUEUE, "script": ""}, "script: must not be empty"),
    ("sdx_async_script", {**QUEUE, "description": "  "}, "description: must not be empty"),
    ("sdx_async_script", {**QUEUE, "notify_url": "http://hooks.example.com"}, "notify_url: expected an https:// URL"),
    ("sdx_async_script", {**QUEUE, "script": ["/a", "/b"]}, "script: expected a string, got a list"),
    ("sdx_async_script", {**QUEUE, "script": {"a": 1}}, "script: expected a string, got a dict"),
    ("sdx_async_script", {**QUEUE, "script": 42}, "script: expected a string, got a number"),
    ("sdx_async_script", {**QUEUE, "description": ["d"]}, "description: expected a string, got a list"),
    ("sdx_async_script", {**QUEUE, "description": True}, "description: expected a string, got a boolean"),
    ("sdx_async_script", {**QUEUE, "script": "/system identity print\u0000/system reboot"},
     "script: must not contain a NUL character"),
    ("sdx_async_script", {**QUEUE, "description": "d\u0000"}, "description: must not contain a NUL character"),
    ("sdx_async_script", {**QUEUE, "notify_url": "https://exa mple.com/\n x"},
     "notify_url: expected an https:// URL without spaces or control characters"),
    ("sdx_async_script", {**QUEUE, "notify_url": "https://hooks.example.com/\tx"},
     "notify_url: expected an https:// URL without spaces or control characters"),
    ("sdx_command", {"site_id": SITE, "command": ["/system/resource/print"]}, "command: expected a string, got a list"),
    ("sdx_async_script", {**QUEUE, "api_token": "alto_sk_a b"}, "api_token: expected printable ASCII characters"),
    ("sdx_async_script", {**QUEUE, "api_url": "v1.api.altostrat.io"}, "api_url: expected an http(s) URL"),
    ("sdx_async_script", {**QUEUE, "timeout": 0}, "timeout: expected a finite number of seconds above 0"),
    ("sdx_async_script", {**QUEUE, "wait_timeout": -1}, "wait_timeout: expected a finite number of seconds above 0"),
    ("sdx_async_script", {**QUEUE, "poll_interval": 0}, "poll_interval: expected a finite number of seconds above 0"),
    ("sdx_async_script", {**QUEUE, "rate_limit": -5}, "rate_limit: expected requests per minute (0 turns the budget off), a whole number of 0 or more"),
    ("sdx_async_script", {**QUEUE, "make_backup": "maybe"}, "make_backup"),
    ("sdx_async_script", {**QUEUE, "priority": "high"}, "priority"),
    ("sdx_job", {"site_id": SITE, "job_id": "nope"}, "job_id: expected a job UUID"),
    ("sdx_job", {"site_id": SITE, "job_id": JOB, "state": "present"}, "state"),
    ("sdx_job_info", {"site_id": SITE, "job_id": JOB, "idempotency_key": "k"}, "job_id|idempotency_key"),
    ("sdx_job_info", {"site_id": SITE, "status": ["done"]}, "status"),
    ("sdx_job_info", {"site_id": "site_2m3h5n7k9j8g7f6e5d4c3b2a1"}, "site_id: expected a site UUID"),
    ("sdx_command", {"site_id": SITE, "command": "system resource print"}, "command: expected a RouterOS command"),
    ("sdx_command", {"site_id": SITE, "command": "/system/reboot"}, "command: '/system/reboot' may change"),
    ("sdx_command", {"site_id": SITE, "command": "/execute/print"}, "command: '/execute/print' may change"),
    ("sdx_site_info", {"site_id": "x"}, "site_id: expected a site UUID"),
    ("sdx_site_info", {"online": "sometimes"}, "online"),
]


def test_module_bad_inputs_are_named_and_send_nothing(ansible, sim, tmp_path):
    tasks = [{"name": f"case {index}", f"altostrat.sdx.{module}": arguments, "ignore_errors": True}
             for index, (module, arguments, _text) in enumerate(MODULE_CASES)]
    playbook = tmp_path / "bad-input.yml"
    playbook.write_text(json.dumps([{"name": "bad input", "hosts": "localhost", "gather_facts": False,
                                     "tasks": tasks}]))
    run = ansible.playbook(playbook)
    results = {record["task"]: record for record in run.records}
    assert len(results) == len(MODULE_CASES) >= 20
    for index, (module, arguments, text) in enumerate(MODULE_CASES):
        record = results[f"case {index}"]
        assert record["status"] == "failed", (module, arguments)
        message = " ".join(record["result"]["msg"].split())
        if "|" in text:
            assert all(part in message for part in text.split("|")), (module, message)
        else:
            assert text in message, (module, message)
    assert sim.log() == [], "bad input must not reach the API"


@pytest.mark.parametrize("config, env, text", [
    ({}, {"SDX_API_TOKEN": ""}, "api_token: no API token given"),
    ({"rate_limit": -1}, {}, "rate_limit: expected requests per minute"),
    ({"timeout": 0}, {}, "timeout: expected a finite number of seconds above 0"),
    ({"api_url": "ftp://sdx.example.com"}, {}, "api_url: expected an http(s) URL"),
    ({"group_by": ["colour"]}, {}, "group_by"),
])
def test_inventory_bad_inputs_are_named_and_send_nothing(ansible, sim, config, env, text):
    run = ansible.inventory(config, env=env)
    assert run.rc != 0
    assert text in run.text
    assert sim.log() == []
