"""altostrat.sdx.job_webhook driven through main(queue, args) against the simulator and its notifications."""

from __future__ import annotations

import asyncio
import datetime
import json
import logging
import ssl
import uuid

import pytest
import responses

from ansible_collections.altostrat.sdx.plugins.module_utils._client import SDXClient
from ansible_collections.altostrat.sdx.plugins.module_utils._fleet_api import FleetAPI
from simulator.server import Simulator
from tests.unit.conftest import TOKEN, serve
from tests.unit.eda.sources import events_until, free_port, load_source, next_event, sim_call, stop

pytestmark = pytest.mark.main_line

SECRET = "hook-secret-0123456789abcdef"
SITE = "9c69345c-8d39-4786-9f17-8153c988c89a"


def web_client():
    """aiohttp's client side, imported where a test uses it."""
    import aiohttp  # pylint: disable=import-outside-toplevel
    return aiohttp


def notification(job_id: str | None = None, status: str = "completed", **extra) -> dict:
    return {"job_id": job_id or str(uuid.uuid4()), "customer_id": str(uuid.uuid4()), "description": "probe",
            "router_id": SITE, "idempotency_key": str(uuid.uuid4()), "express_execute": False,
            "needs_acknowledgement": True, "make_backup": False, "seq_id": 1, "started_at": None,
            "completed_at": None, "failed_at": None, "deleted_at": None, "status": status, **extra}


@pytest.fixture(name="sim")
def sim_fixture():
    with serve(Simulator(sites=4, offline_ratio=0.0, token=TOKEN, rate_limit=0, seed=5, time_scale=0.05)) as server:
        yield server


class Hook:
    """A running job_webhook and a client session for it."""

    def __init__(self, args: dict, scheme: str = "http") -> None:
        self.port = free_port()
        self.args = {"host": "127.0.0.1", "port": self.port, "token": SECRET, **args}
        self.base = f"{scheme}://127.0.0.1:{self.port}"
        self.queue: asyncio.Queue = asyncio.Queue()
        self.task: asyncio.Task | None = None
        self.session = None

    async def __aenter__(self) -> "Hook":
        self.task = asyncio.create_task(load_source("job_webhook")["main"](self.queue, self.args))
        self.session = web_client().ClientSession()
        for _attempt in range(200):
            if self.task.done():
                self.task.result()
            try:
                async with self.session.get(self.base + "/", ssl=False):
                    return self
            except web_client().ClientConnectionError:
                await asyncio.sleep(0.05)
        raise AssertionError("job_webhook did not start listening")

    async def __aexit__(self, *exc) -> None:
        await self.session.close()
        await stop(self.task)

    async def post(self, path: str, body: object = None, raw: bytes | None = None) -> tuple[int, dict]:
        data = raw if raw is not None else json.dumps(body).encode()
        async with self.session.post(self.base + path, data=data, ssl=False,
                                     headers={"Content-Type": "application/json"}) as answer:
            return answer.status, await answer.json(content_type=None)


def run(coro):
    return asyncio.run(coro)


def test_simulator_notifications_become_events_in_the_documented_shape(sim):
    async def scenario():
        async with Hook({}) as hook:
            queued = sim_call(sim, "POST", f"/api/asynchronous/{SITE}", {
                "description": "fails on purpose", "script": ":error", "needs_acknowledgement": True,
                "notify_url": f"{hook.base}/sdx/{SECRET}"}, token=TOKEN)
            key = queued["data"]["idempotency_key"]
            seen = await events_until(hook.queue, hook.task, lambda e: e["sdx"]["status"] == "failed")
            return key, seen

    key, seen = run(scenario())
    assert [event["sdx"]["status"] for event in seen] == ["pending", "running", "failed"]
    last = seen[-1]["sdx"]
    assert last["kind"] == "job" and last["site_id"] == SITE and last["idempotency_key"] == key
    assert last["previous_status"] == "running" and "previous_status" not in seen[0]["sdx"]
    assert last["job"]["failed_at"] and last["job"]["router_id"] == SITE
    assert last["job_id"] == last["job"]["job_id"]


def test_a_request_without_the_secret_is_refused_and_makes_no_event(sim):
    async def scenario():
        async with Hook({}) as hook:
            answers = [await hook.post("/sdx/not-the-secret-at-all", notification()),
                       await hook.post(f"/sdx/{SECRET}/extra", notification()),
                       await hook.post("/", notification())]
            async with hook.session.get(f"{hook.base}/sdx/{SECRET}") as answer:
                answers.append((answer.status, None))
            return answers, hook.queue.qsize()

    answers, queued = run(scenario())
    assert [status for status, _body in answers] == [404, 404, 404, 405]
    assert queued == 0


@pytest.mark.parametrize("raw, complaint", [
    (b"{not json", "Not an SDX job notification"),
    (json.dumps(["a list"]).encode(), "JSON object"),
    (json.dumps(notification(status="exploded")).encode(), "status: expected one of"),
    (json.dumps(notification(job_id="../../sites")).encode(), "job_id: expected a job UUID"),
    (json.dumps({k: v for k, v in notification().items() if k != "router_id"}).encode(), "router_id"),
])
def test_a_malformed_body_gets_400_and_no_event(sim, raw, complaint):
    async def scenario():
        async with Hook({}) as hook:
            return await hook.post(f"/sdx/{SECRET}", raw=raw), hook.queue.qsize()

    (status, body), queued = run(scenario())
    assert status == 400 and complaint in body["message"]
    assert queued == 0


def test_a_body_over_the_limit_gets_413(sim):
    async def scenario():
        async with Hook({"max_body_bytes": 2048}) as hook:
            big = notification(description="x" * 4096)
            small = notification()
            return await hook.post(f"/sdx/{SECRET}", big), await hook.post(f"/sdx/{SECRET}", small), hook.queue.qsize()

    (big_status, _big), (small_status, _small), queued = run(scenario())
    assert big_status == 413 and small_status == 202 and queued == 1


def test_a_repeated_notification_makes_one_event(sim):
    async def scenario():
        async with Hook({}) as hook:
            job_id = str(uuid.uuid4())
            answers = [await hook.post(f"/sdx/{SECRET}", notification(job_id, "running")) for _repeat in range(3)]
            answers.append(await hook.post(f"/sdx/{SECRET}", notification(job_id, "deleted")))
            answers.append(await hook.post(f"/sdx/{SECRET}", notification(job_id, "running")))
            events = [hook.queue.get_nowait() for _index in range(hook.queue.qsize())]
            return answers, events

    answers, events = run(scenario())
    assert [status for status, _body in answers] == [202, 200, 200, 202, 200]
    assert answers[1][1] == {"accepted": False, "reason": "duplicate"}
    assert [(e["sdx"]["status"], e["sdx"].get("previous_status")) for e in events] == [
        ("running", None), ("cancelled", "running")]


def test_verify_uses_the_status_the_api_reports_and_refuses_unknown_jobs(sim, monkeypatch, caplog):
    monkeypatch.setenv("SDX_API_URL", sim.url)
    monkeypatch.setenv("SDX_API_TOKEN", TOKEN)
    queued = sim_call(sim, "POST", f"/api/asynchronous/{SITE}", {"description": "slow", "script": "/log info x",
                                                                 "needs_acknowledgement": True}, token=TOKEN)
    job = next(j for j in sim_call(sim, "GET", "/_sim/jobs") if j["idempotency_key"] == queued["data"]["idempotency_key"])

    async def scenario():
        async with Hook({"verify": True}) as hook:
            claimed = await hook.post(f"/sdx/{SECRET}", notification(job["id"], "failed"))
            event = await next_event(hook.queue, hook.task)
            unknown = await hook.post(f"/sdx/{SECRET}", notification(str(uuid.uuid4()), "failed"))
            sim_call(sim, "POST", "/_sim/faults", {"action": "status", "status": 500, "method": "GET", "count": 1})
            unreachable = await hook.post(f"/sdx/{SECRET}", notification(str(uuid.uuid4()), "failed"))
            return claimed, event, unknown, unreachable, hook.queue.qsize()

    with caplog.at_level(logging.DEBUG):
        claimed, event, unknown, unreachable, left = run(scenario())
    api_job = sim_call(sim, "GET", f"/site/{SITE}/job/{job['id']}", token=TOKEN)
    assert claimed[0] == 202
    assert event["sdx"]["status"] in ("pending", "running", "completed") and event["sdx"]["status"] != "failed"
    assert event["sdx"]["job"]["id"] == job["id"] and "script" not in event["sdx"]["job"]
    assert api_job["failed_at"] is None
    assert unknown[0] == 404 and unreachable[0] == 503 and left == 0
    gets = [e["path"] for e in sim_call(sim, "GET", "/_sim/requests") if e["method"] == "GET"]
    assert f"/site/{SITE}/job/{job['id']}" in gets
    assert TOKEN not in caplog.text and SECRET not in caplog.text


def test_verify_without_a_token_is_refused_before_any_request(sim, monkeypatch):
    monkeypatch.delenv("SDX_API_TOKEN", raising=False)
    with pytest.raises(ValueError, match="api_token"):
        args = {"token": SECRET, "verify": True, "api_url": sim.url, "port": free_port()}
        run(load_source("job_webhook")["main"](asyncio.Queue(), args))
    assert sim_call(sim, "GET", "/_sim/requests") == []


@pytest.mark.parametrize("args, complaint", [
    ({}, "token: expected at least 16"),
    ({"token": "short"}, "token: expected at least 16"),
    ({"token": "has/a/slash-0123456789"}, "token:"),
    ({"token": SECRET, "port": "eighty"}, "port: expected a whole number"),
    ({"token": SECRET, "port": -1}, "port: expected a whole number of at least 0"),
    ({"token": SECRET, "max_body_bytes": 0}, "max_body_bytes: expected a whole number of at least 1"),
    ({"token": SECRET, "keyfile": "/k.pem"}, "keyfile: given without certfile"),
    ({"token": SECRET, "verify": "perhaps"}, "verify: expected true or false"),
])
def test_bad_options_name_the_option(args, complaint):
    with pytest.raises(ValueError, match=complaint):
        run(load_source("job_webhook")["main"](asyncio.Queue(), args))


def _self_signed(tmp_path):
    from cryptography import x509  # pylint: disable=import-outside-toplevel
    from cryptography.hazmat.primitives import hashes, serialization  # pylint: disable=import-outside-toplevel
    from cryptography.hazmat.primitives.asymmetric import ec  # pylint: disable=import-outside-toplevel
    from cryptography.x509.oid import NameOID  # pylint: disable=import-outside-toplevel

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(days=1))
            .not_valid_after(now + datetime.timedelta(days=1)).sign(key, hashes.SHA256()))
    certfile, keyfile = tmp_path / "cert.pem", tmp_path / "key.pem"
    certfile.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    keyfile.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                          serialization.NoEncryption()))
    return str(certfile), str(keyfile)


def test_tls_serves_https_and_the_simulator_notifies_over_it(sim, tmp_path):
    certfile, keyfile = _self_signed(tmp_path)

    async def scenario():
        async with Hook({"certfile": certfile, "keyfile": keyfile}, scheme="https") as hook:
            sim_call(sim, "POST", f"/api/asynchronous/{SITE}", {
                "description": "tls", "script": "/log info tls", "notify_url": f"{hook.base}/sdx/{SECRET}"}, token=TOKEN)
            seen = await events_until(hook.queue, hook.task, lambda e: e["sdx"]["status"] == "completed")
            plain = web_client().ClientSession()
            try:
                async with plain.post(f"http://127.0.0.1:{hook.port}/sdx/{SECRET}", json=notification()) as answer:
                    status = answer.status
            except (web_client().ClientError, ssl.SSLError):
                status = None
            finally:
                await plain.close()
            return seen, status

    seen, plain_status = run(scenario())
    assert seen[-1]["sdx"]["status"] == "completed"
    assert plain_status in (None, 400)  # plain HTTP to a TLS port never makes an event


@responses.activate
def test_verify_gets_503_when_the_api_answers_something_that_is_not_a_job(caplog):
    api = "https://sdx.example.test"
    job_id = str(uuid.uuid4())
    responses.get(f"{api}/site/{SITE}/job/{job_id}", json={"status": "ok"})
    source = load_source("job_webhook")
    events = source["_events_module"]()
    queue: asyncio.Queue = asyncio.Queue()
    receiver = source["Receiver"](queue, {"token": SECRET, "max_body_bytes": 65536}, events,
                                  FleetAPI(SDXClient(api, "alto_sk_unit_job_webhook")))
    with caplog.at_level(logging.WARNING):
        answer = asyncio.run(receiver.accept(events.parse_notification(notification(job_id))))
    assert answer.status == 503 and queue.empty()
    assert f"SDX API answered GET {api}/site/{SITE}/job/{job_id} with an object that is not a Job" in caplog.text
