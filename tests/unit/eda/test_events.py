"""The event helpers both sources share: bounded memory of emitted statuses, change detection for jobs."""

from __future__ import annotations

import pytest

from ansible_collections.altostrat.sdx.plugins.module_utils._events import FleetState, JobMemory, as_number
from ansible_collections.altostrat.sdx.plugins.module_utils._models import Job

pytestmark = pytest.mark.main_line
SITE = "9c69345c-8d39-4786-9f17-8153c988c89a"


def jobs_of(*answers: dict) -> list[Job]:
    return [Job.model_validate(answer) for answer in answers]


def test_job_memory_forgets_the_oldest_job_beyond_its_size():
    memory = JobMemory(size=2)
    for job in ("a", "b", "c"):
        memory.record(job, "running")
    assert not memory.seen("a", "running") and memory.seen("b", "running") and memory.seen("c", "running")
    assert memory.record("b", "failed") == "running" and memory.last("b") == "failed"


def test_emit_initial_emits_every_known_job_at_the_first_read_only():
    state = FleetState(emit_initial=True)
    jobs = jobs_of({"id": "j1", "started_at": "2026-01-01T00:00:00Z", "completed_at": "2026-01-01T00:00:05Z"},
                   {"id": "j2"})
    first = state.jobs_seen(SITE, jobs)
    again = state.jobs_seen(SITE, jobs)
    assert [(e["sdx"]["job_id"], e["sdx"]["status"]) for e in first] == [("j1", "completed"), ("j2", "pending")]
    assert again == []


def test_without_emit_initial_a_new_job_after_the_first_read_emits_its_status():
    state = FleetState()
    assert state.jobs_seen(SITE, jobs_of({"id": "old"})) == []
    found = state.jobs_seen(SITE, jobs_of({"id": "new", "failed_at": "2026-01-01T00:00:00Z"}, {"id": "old"}))
    assert [(e["sdx"]["job_id"], e["sdx"]["status"]) for e in found] == [("new", "failed")]
    assert "previous_status" not in found[0]["sdx"]


@pytest.mark.parametrize("value, expected", [("60", 60), (60, 60), ("2.5", None), (True, None), ("x", None)])
def test_as_number_takes_numeric_strings_and_refuses_the_rest(value, expected):
    if expected is None:
        with pytest.raises(ValueError, match="interval: expected a whole number"):
            as_number(value, "interval", int)
    else:
        assert as_number(value, "interval", int) == expected


@pytest.mark.parametrize("value", ["nan", "inf", "-inf", float("nan"), float("inf")])
@pytest.mark.parametrize("kind", [int, float])
def test_as_number_refuses_nan_and_infinity(value, kind):
    with pytest.raises(ValueError, match="interval: expected a (whole )?number"):
        as_number(value, "interval", kind)
