"""The shared rate budget: a slot is held from when it is taken until a window after its answer."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import responses

from ansible_collections.altostrat.sdx.plugins.module_utils._budget import MARGIN, RateBudget
from ansible_collections.altostrat.sdx.plugins.module_utils._client import SDXClient
from ansible_collections.altostrat.sdx.plugins.module_utils._retry import RetryPolicy
from tests.unit.compat import FakeClock

URL = "https://sdx.test"


def budget(tmp_path, clock, per_minute=3, token="alto_sk_budget_secret", alive=lambda pid: True):
    return RateBudget(URL, token, per_minute, directory=tmp_path, clock=clock.clock, sleep=clock.sleep,
                      alive=alive)


def write_state(path, text):
    """The state file written as the budget writes it: this user's, mode 0600."""
    path.touch(mode=0o600)
    path.write_text(text)


def request(limited, fake, flight=0.0, give_way=False):
    """One request through the budget that takes ``flight`` seconds to answer; answers the wait."""
    waited = limited.acquire(give_way=give_way)
    fake.now += flight
    limited.release()
    return waited


def test_a_slot_is_held_until_a_window_after_the_answer_came_back(tmp_path):
    fake = FakeClock(1000.0)
    limited = budget(tmp_path, fake)
    assert [request(limited, fake, flight=5.0) for _attempt in range(3)] == [0.0, 0.0, 0.0]
    # The first answer came back at 1005: its slot frees at 1065, not a window after it was taken (1060).
    fake.now += 10  # 1025
    waited = limited.acquire()
    assert round(waited, 3) == round(40 + MARGIN, 3)
    assert limited.waited == waited


def test_requests_in_flight_hold_their_slots_however_long_they_take(tmp_path):
    fake = FakeClock(1000.0)
    holders = [budget(tmp_path, fake) for _holder in range(3)]
    for holder in holders:
        holder.acquire()  # three requests sent, none answered yet
    waiting = budget(tmp_path, fake)
    calls = []

    def sleep(seconds):
        calls.append(seconds)
        fake.now += seconds
        if fake.now >= 1200 and holders:  # the first answer comes back after 200 s
            holders.pop(0).release()

    waiting.sleep = sleep
    waited = waiting.acquire()
    # Freed a full window after that answer, though every slot was taken 200 s before.
    assert fake.now >= 1200 + 60
    assert waited >= 260
    assert len(calls) > 1


def test_a_request_whose_process_is_gone_frees_its_slot_a_window_after_it_is_noticed(tmp_path):
    fake = FakeClock(1000.0)
    gone = budget(tmp_path, fake, per_minute=1)
    gone.acquire()  # in flight when its process died
    state = json.loads(gone.path.read_text())
    state["stamps"][0]["pid"] = 99999999
    write_state(gone.path, json.dumps(state))
    survivor = budget(tmp_path, fake, per_minute=1, alive=lambda pid: int(pid) != 99999999)
    waited = survivor.acquire()
    assert round(waited, 3) == round(60 + MARGIN, 3)


def test_processes_with_the_same_url_and_token_share_one_budget_and_others_do_not(tmp_path):
    fake = FakeClock(1000.0)
    first, second = budget(tmp_path, fake), budget(tmp_path, fake)
    request(first, fake)
    request(first, fake)
    request(second, fake)
    assert request(second, fake) > 59
    other_token = budget(tmp_path, fake, token="alto_sk_other")
    assert request(other_token, fake) == 0.0
    assert len(list(tmp_path.iterdir())) == 2
    assert all("alto_sk" not in path.name for path in tmp_path.iterdir())
    assert all("alto_sk" not in path.read_text() for path in tmp_path.iterdir())


def test_polls_give_way_to_a_waiting_request_of_another_process(tmp_path):
    fake = FakeClock(1000.0)
    poller = budget(tmp_path, fake, per_minute=10)
    state = poller.path
    write_state(state, json.dumps({"stamps": [], "waiters": {"999999": fake.now}}))
    calls = []

    def sleep(seconds):
        calls.append(seconds)
        fake.now += seconds
        if len(calls) == 3:  # the other process got its turn
            data = json.loads(state.read_text())
            data["waiters"] = {}
            write_state(state, json.dumps(data))

    poller.sleep = sleep
    assert request(poller, fake, give_way=True) > 0
    assert len(calls) == 3
    assert request(poller, fake, give_way=False) == 0.0


def test_stale_waiters_are_ignored(tmp_path):
    fake = FakeClock(1000.0)
    poller = budget(tmp_path, fake)
    write_state(poller.path, json.dumps({"stamps": [], "waiters": {"999999": fake.now - 500}}))
    assert request(poller, fake, give_way=True) == 0.0


def test_a_damaged_state_file_starts_over(tmp_path):
    fake = FakeClock(1000.0)
    limited = budget(tmp_path, fake)
    write_state(limited.path, "{not json")
    assert request(limited, fake) == 0.0
    write_state(limited.path, json.dumps({"stamps": [1000.0, "junk", {"taken": "soon"}]}))
    assert request(limited, fake) == 0.0


@responses.activate
def test_the_client_holds_each_attempt_until_its_answer_and_a_window_after(tmp_path):
    fake = FakeClock(1000.0)
    limited = budget(tmp_path, fake, per_minute=5)
    responses.get(f"{URL}/sites", status=503, json={"message": "busy"})
    responses.get(f"{URL}/sites", json=[])
    client = SDXClient(URL, "alto_sk_budget_secret", retry=RetryPolicy(base_delay=0.5), budget=limited,
                       sleep=fake.sleep, clock=fake.clock)
    assert client.get("sites") == []
    slots = json.loads(limited.path.read_text())["stamps"]
    assert len(slots) == 2, "each attempt takes a slot of its own"
    assert all(slot["until"] is not None for slot in slots), "both answers released their slots"
    assert all(slot["until"] >= slot["taken"] + 60 for slot in slots)


def test_a_429_closes_the_budget_for_every_process_until_its_retry_after(tmp_path):
    fake = FakeClock(1000.0)
    refused, other = budget(tmp_path, fake, per_minute=10), budget(tmp_path, fake, per_minute=10)
    refused.acquire()
    refused.release(retry_after=20)
    assert round(other.acquire(), 3) == 20.0
    assert request(refused, fake) == 0.0


@responses.activate
def test_a_429_is_retried_past_the_attempt_limit_until_the_deadline():
    fake = FakeClock(1000.0)
    for _attempt in range(7):
        responses.get(f"{URL}/sites", status=429, headers={"Retry-After": "10"}, json={"message": "Too Many Attempts."})
    responses.get(f"{URL}/sites", json=[{"id": "a"}])
    client = SDXClient(URL, "t", retry=RetryPolicy(max_attempts=5, deadline=120), sleep=fake.sleep, clock=fake.clock)
    assert client.get("sites") == [{"id": "a"}]
    assert len(responses.calls) == 8
    assert fake.sleeps == [10.0] * 7


WORKER = """
import random, sys, time
from pathlib import Path
from ansible_collections.altostrat.sdx.plugins.module_utils._budget import RateBudget
budget = RateBudget("https://sdx.test", "alto_sk_processes", 5, directory=Path(sys.argv[1]), window=1.0)
random.seed(int(sys.argv[2]))
for _attempt in range(4):
    budget.acquire()
    time.sleep(random.uniform(0.0, 0.4))  # on its way: the server sees it only now
    print(time.time(), flush=True)
    time.sleep(random.uniform(0.0, 0.1))  # the answer on its way back
    budget.release()
"""


def test_real_processes_never_exceed_the_limit_in_any_window_however_late_requests_arrive(tmp_path):
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(path for path in sys.path if path)}
    workers = [subprocess.Popen([sys.executable, "-c", WORKER, str(tmp_path), str(seed)], env=env,  # pylint: disable=consider-using-with
                                stdout=subprocess.PIPE, text=True) for seed in range(4)]
    outputs = [worker.communicate(timeout=120)[0] for worker in workers]
    assert all(worker.returncode == 0 for worker in workers)
    arrivals = sorted(float(line) for output in outputs for line in output.split())
    assert len(arrivals) == 16
    assert arrivals[-1] - arrivals[0] >= 2.0  # 16 requests at 5 a second need at least three windows
    for index, start in enumerate(arrivals):
        in_window = [stamp for stamp in arrivals[index:] if stamp - start < 1.0]
        assert len(in_window) <= 5, f"{len(in_window)} requests arrived within one second"
    assert os.stat(next(tmp_path.iterdir())).st_mode & 0o077 == 0


def test_a_wait_longer_than_two_seconds_is_told_once_with_its_length(tmp_path):
    fake = FakeClock(1000.0)
    told = []
    limited = RateBudget(URL, "alto_sk_told", 2, directory=tmp_path, clock=fake.clock, sleep=fake.sleep,
                         alive=lambda pid: True, on_wait=lambda *args: told.append(args))
    request(limited, fake, flight=1.0)
    fake.now += 58.5  # the first slot frees 60.25 s after its answer: 1.75 s from now, not worth a word
    request(limited, fake)
    assert limited.acquire() == 1.75 and told == []
    limited.release()
    limited.acquire()  # both slots held for about a minute now
    assert len(told) == 1
    seconds, per_minute, processes = told[0]
    assert round(seconds, 2) == 58.5 and per_minute == 2 and processes == 1
