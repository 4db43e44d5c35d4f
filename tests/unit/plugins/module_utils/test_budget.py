"""The shared rate budget: a sliding window across processes, polls giving way."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from ansible_collections.altostrat.sdx.plugins.module_utils._budget import MARGIN, RateBudget

URL = "https://sdx.test"


class FakeTime:
    def __init__(self):
        self.now = 1000.0
        self.sleeps = []

    def clock(self):
        return self.now

    def sleep(self, seconds):
        self.sleeps.append(seconds)
        self.now += seconds


def budget(tmp_path, clock, per_minute=3, token="alto_sk_budget_secret"):
    return RateBudget(URL, token, per_minute, directory=tmp_path, clock=clock.clock, sleep=clock.sleep)


def test_the_limit_goes_out_at_once_then_requests_wait_for_the_oldest_to_leave_the_window(tmp_path):
    fake = FakeTime()
    limited = budget(tmp_path, fake)
    assert [limited.acquire() for _attempt in range(3)] == [0.0, 0.0, 0.0]
    fake.now += 10
    waited = limited.acquire()
    assert round(waited, 3) == round(50 + MARGIN, 3)
    assert limited.waited == waited


def test_processes_with_the_same_url_and_token_share_one_budget_and_others_do_not(tmp_path):
    fake = FakeTime()
    first, second = budget(tmp_path, fake), budget(tmp_path, fake)
    first.acquire()
    first.acquire()
    second.acquire()
    assert second.acquire() > 59
    other_token = budget(tmp_path, fake, token="alto_sk_other")
    assert other_token.acquire() == 0.0
    assert len(list(tmp_path.iterdir())) == 2
    assert all("alto_sk" not in path.name for path in tmp_path.iterdir())
    assert all("alto_sk" not in path.read_text() for path in tmp_path.iterdir())


def test_polls_give_way_to_a_waiting_request_of_another_process(tmp_path):
    fake = FakeTime()
    poller = budget(tmp_path, fake, per_minute=10)
    state = poller.path
    state.write_text(json.dumps({"stamps": [], "waiters": {"999999": fake.now}}))
    calls = []

    def sleep(seconds):
        calls.append(seconds)
        fake.now += seconds
        if len(calls) == 3:  # the other process got its turn
            data = json.loads(state.read_text())
            data["waiters"] = {}
            state.write_text(json.dumps(data))

    poller.sleep = sleep
    assert poller.acquire(poll=True) > 0
    assert len(calls) == 3
    assert poller.acquire(poll=False) == 0.0


def test_stale_waiters_are_ignored(tmp_path):
    fake = FakeTime()
    poller = budget(tmp_path, fake)
    poller.path.write_text(json.dumps({"stamps": [], "waiters": {"999999": fake.now - 500}}))
    assert poller.acquire(poll=True) == 0.0


def test_a_damaged_state_file_starts_over(tmp_path):
    fake = FakeTime()
    limited = budget(tmp_path, fake)
    limited.path.write_text("{not json")
    assert limited.acquire() == 0.0


WORKER = """
import sys, time
from pathlib import Path
from ansible_collections.altostrat.sdx.plugins.module_utils._budget import RateBudget
budget = RateBudget("https://sdx.test", "alto_sk_processes", 5, directory=Path(sys.argv[1]), window=1.0)
for _attempt in range(4):
    budget.acquire()
    print(time.time(), flush=True)
"""


def test_real_processes_never_exceed_the_limit_in_any_window(tmp_path):
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(path for path in sys.path if path)}
    workers = [subprocess.Popen([sys.executable, "-c", WORKER, str(tmp_path)], env=env,  # pylint: disable=consider-using-with
                                stdout=subprocess.PIPE, text=True) for _worker in range(4)]
    outputs = [worker.communicate(timeout=60)[0] for worker in workers]
    assert all(worker.returncode == 0 for worker in workers)
    stamps = sorted(float(line) for output in outputs for line in output.split())
    assert len(stamps) == 16
    assert stamps[-1] - stamps[0] >= 2.0  # 16 requests at 5 a second need at least three windows
    for index, start in enumerate(stamps):
        in_window = [stamp for stamp in stamps[index:] if stamp - start < 1.0]
        assert len(in_window) <= 5, f"{len(in_window)} requests within one second"
    assert os.stat(next(tmp_path.iterdir())).st_mode & 0o077 == 0
