# Test helper: record every task result as a JSON line in the file named by SDX_RECORD_FILE.
from __future__ import annotations

import json
import os

from ansible.plugins.callback import CallbackBase

DOCUMENTATION = """
name: sdx_record
type: aggregate
short_description: Record task results as JSON lines (altostrat.sdx tests only)
description: Appends one JSON object per task result to the file named by E(SDX_RECORD_FILE).
"""


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = "aggregate"
    CALLBACK_NAME = "sdx_record"
    CALLBACK_NEEDS_ENABLED = True

    def _record(self, result, status: str) -> None:
        path = os.environ.get("SDX_RECORD_FILE")
        if not path:
            return
        payload = dict(result._result)  # pylint: disable=protected-access
        if status == "ok" and payload.get("changed"):
            status = "changed"
        line = {"task": result.task_name, "host": result._host.get_name(),  # pylint: disable=protected-access
                "status": status, "result": payload}
        with open(path, "a", encoding="utf-8") as handle:
            handle.write(json.dumps(line, default=str) + "\n")

    def v2_runner_on_ok(self, result):
        self._record(result, "ok")

    def v2_runner_on_failed(self, result, ignore_errors=False):
        self._record(result, "failed")

    def v2_runner_on_skipped(self, result):
        self._record(result, "skipped")

    def v2_runner_on_unreachable(self, result):
        self._record(result, "unreachable")
