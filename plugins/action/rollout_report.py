# Copyright: Contributors to the altostrat.sdx collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The action plugin of altostrat.sdx.rollout_report: a rollout report (the altostrat.sdx.rollout_report filter's) printed
as a plain-text table, written as this run's JSON and JUnit files, its counts handed to AWX, the run failed when a site
failed or the rollout stopped."""

from __future__ import annotations

import json
import os
from datetime import datetime, timezone
from typing import Any, Mapping

from ansible.errors import AnsibleActionFail
from ansible.plugins.action import ActionBase
from ansible.utils.display import Display

from ansible_collections.altostrat.sdx.plugins.plugin_utils import _rollout, _rollout_text

display = Display()
ARGUMENT_SPEC = {
    "report": {"type": "dict", "required": True},
    "dest": {"type": "path", "required": True},
}
LATEST = "rollout-report"


def write_reports(report: Mapping[str, Any], dest: str, started: datetime) -> str:
    """The run's own ``rollout-report-<UTC time>.json`` and ``.xml`` in ``dest``, and the latest run's copies under the
    fixed names; returns the run's files' path without its extension."""
    os.makedirs(dest, mode=0o755, exist_ok=True)
    own = os.path.join(dest, f"{LATEST}-{started.strftime('%Y%m%dT%H%M%SZ')}")
    texts = {".json": json.dumps(report, indent=4, sort_keys=True) + "\n", ".xml": _rollout_text.junit(report)}
    for base in (own, os.path.join(dest, LATEST)):
        for suffix, text in texts.items():
            with open(base + suffix, "w", encoding="utf-8") as handle:
                handle.write(text)
            os.chmod(base + suffix, 0o644)
    return own


def failure_counts(counts: Mapping[str, int]) -> str:
    """``1 site(s) failed, 1 reverted, 10 not reached``: the sites that did not take the change, by why."""
    parts = [f"{counts.get('failed', 0)} site(s) failed"]
    parts += [f"{counts[status]} {status}" for status in _rollout.FAILED_STATUSES[1:] if counts.get(status)]
    return ", ".join([*parts, f"{counts.get('not_run', 0)} not reached"])


class ActionModule(ActionBase):
    """Runs on the controller, once; writes the reports in check mode too (they are the run's output)."""

    _supports_check_mode = True
    TRANSFERS_FILES = False

    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars)
        del tmp
        try:
            _validation, args = self.validate_argument_spec(argument_spec=ARGUMENT_SPEC)
        except AnsibleActionFail as error:
            return {**result, "failed": True, "msg": str(error)}
        report = args["report"]
        try:
            own = write_reports(report, args["dest"], datetime.now(timezone.utc))
        except OSError as error:
            return {**result, "failed": True, "msg": f"dest: cannot write the reports in {args['dest']}: {error}"}
        for line in _rollout_text.table(report):
            display.display(line)
        display.display(f"reports: {own}.json and .xml ({LATEST}.json and .xml: the latest run)")
        counts, stopped = report["counts"], bool(report["stopped"])
        result.update(changed=True, counts=counts, stopped=stopped, report_file=f"{own}.json",
                      ansible_stats={"data": {"rollout_counts": counts, "rollout_stopped": stopped},
                                     "per_host": False, "aggregate": True})
        if not report["succeeded"]:
            result.update(failed=True, msg=f"Rollout of '{report['description']}': {failure_counts(counts)}; see "
                                           f"{own}.json")
        return result
