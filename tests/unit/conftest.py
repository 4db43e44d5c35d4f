"""Shared fixtures for the unit tests."""

from __future__ import annotations

import contextlib
import threading

import pytest

from ansible.module_utils import basic

from simulator.server import Simulator, SimulatorServer

TOKEN = "alto_sk_unit_test_token"


@pytest.fixture(autouse=True)
def no_shared_rate_budget(monkeypatch):
    """Module runs here make many requests a minute; the shared budget has tests of its own."""
    monkeypatch.setenv("SDX_RATE_LIMIT", "0")


@pytest.fixture
def module_warnings(monkeypatch) -> list[str]:
    """The texts modules pass to ``warn()`` in this test, recorded at the call.

    Once controller code has been imported in-process (some test files do), ansible-core 2.19 routes
    module warnings to the display instead of the result, so the result cannot be relied on for them.
    """
    warned: list[str] = []
    monkeypatch.setattr(basic.AnsibleModule, "warn", lambda _module, text: warned.append(text))
    return warned


@contextlib.contextmanager
def serve(sim: Simulator):
    """Serve ``sim`` on a free loopback port in a thread of this process."""
    server = SimulatorServer(("127.0.0.1", 0), sim)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def simulator():
    """A small simulated fleet (8 sites, 2 offline, jobs 50x faster) for one test."""
    with serve(Simulator(sites=8, offline_ratio=0.25, token=TOKEN, rate_limit=0, seed=3, time_scale=0.02)) as server:
        yield server
