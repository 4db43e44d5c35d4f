"""Fixtures: one simulator process per test session (per xdist worker), reset before each test."""

from __future__ import annotations

import pytest

from simulator.process import SimulatorProcess
from tests.integration.harness import Ansible


@pytest.fixture(scope="session")
def simulator_process(tmp_path_factory):
    sim = SimulatorProcess(tmp_path_factory.mktemp("sim"), "--sites", "12", "--offline-ratio", "0.25",
                           "--rate-limit", "0", "--seed", "11", "--time-scale", "0.05")
    yield sim
    sim.stop()


@pytest.fixture
def sim(simulator_process):
    simulator_process.reset()
    return simulator_process


@pytest.fixture
def ansible(tmp_path, sim):
    return Ansible(tmp_path, sim)


@pytest.fixture
def site(sim):
    return sim.sites(online=True)[0]["id"]


@pytest.fixture
def offline_site(sim):
    return sim.sites(online=False)[0]["id"]
