"""Shared fixtures for the unit tests."""

from __future__ import annotations

import threading

import pytest

from tests.simulator.server import Simulator, SimulatorServer

TOKEN = "alto_sk_unit_test_token"


@pytest.fixture
def simulator():
    """A simulator on a free loopback port, in this process, for one test."""
    sim = Simulator(sites=8, offline_ratio=0.25, token=TOKEN, rate_limit=0, seed=3, time_scale=0.02)
    server = SimulatorServer(("127.0.0.1", 0), sim)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
